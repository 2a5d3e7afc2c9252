import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  ControlSet,
  evaluateSnapshot,
  type FactLookup,
  fromConfigurationItem,
  type KeyFacts,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";

const set = new ControlSet(CONTROLS);
const realItem = JSON.parse(
  readFileSync("test/fixtures/config/victoraldir__invokingEvent_S3Bucket_PAB_SSE.json", "utf8"),
).configurationItem;

function bucket(supplementary: Record<string, unknown>, name = "phi-recordings"): ResourceSnapshot {
  const snap = fromConfigurationItem({
    ...realItem,
    resourceId: name,
    resourceName: name,
    awsAccountId: "111122223333",
  });
  return { ...snap, supplementary: { ...snap.supplementary, ...supplementary } };
}
const sse = (sseAlgorithm: string, kmsMasterKeyID: string | null = null) => ({
  ServerSideEncryptionConfiguration: {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyID }, bucketKeyEnabled: true }],
  },
});
const facts = (keys: Record<string, KeyFacts> = {}, account?: boolean): FactLookup => ({
  inventory: () => undefined,
  kmsKey: (ref) =>
    keys[ref] ? { ok: true, value: keys[ref]! } : { ok: false, reason: "AccessDeniedException" },
  accountPublicAccessBlock: () =>
    account === undefined
      ? undefined
      : {
          ok: true,
          value: {
            blockPublicAcls: account,
            ignorePublicAcls: account,
            blockPublicPolicy: account,
            restrictPublicBuckets: account,
          },
        },
});
const run = (snap: ResourceSnapshot, id: string, f = facts()) =>
  evaluateSnapshot(set, snap, { baseline: testBaseline(), facts: f, now: new Date() }).find(
    (e) => e.controlId === id,
  )!;

const CMK = "arn:aws:kms:us-east-1:111122223333:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d";

describe("control s3-encryption-cmk", () => {
  it("fails on SSE-S3 in a real configuration item", () => {
    const e = run(bucket({}), "s3-encryption-cmk");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ sseAlgorithm: "AES256" });
  });
  it.each([
    ["aws:kms with no key", sse("aws:kms")],
    ["alias/aws/s3", sse("aws:kms", "alias/aws/s3")],
    ["alias ARN of aws/s3", sse("aws:kms", "arn:aws:kms:us-east-1:111122223333:alias/aws/s3")],
  ])("fails on %s", (_name, s) => {
    expect(run(bucket(s), "s3-encryption-cmk").status).toBe("NON_COMPLIANT");
  });
  it("fails on a key KMS reports as AWS-managed", () => {
    const e = run(
      bucket(sse("aws:kms", CMK)),
      "s3-encryption-cmk",
      facts({ [CMK]: { arn: CMK, keyManager: "AWS" } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });
  it("says cannot prove when DescribeKey is denied", () => {
    const e = run(bucket(sse("aws:kms", CMK)), "s3-encryption-cmk");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
  it("passes on a customer-managed key (also DSSE-KMS)", () => {
    const f = facts({ [CMK]: { arn: CMK, keyManager: "CUSTOMER" } });
    expect(run(bucket(sse("aws:kms", CMK)), "s3-encryption-cmk", f).status).toBe("COMPLIANT");
    expect(run(bucket(sse("aws:kms:dsse", CMK)), "s3-encryption-cmk", f).status).toBe("COMPLIANT");
  });
  it("is not applicable to a bucket outside the baseline", () => {
    expect(run(bucket({}, "marketing-assets"), "s3-encryption-cmk").status).toBe("NOT_APPLICABLE");
  });
});

describe("control s3-block-public-access", () => {
  it("passes on the real item with all four flags on", () => {
    expect(run(bucket({}), "s3-block-public-access").status).toBe("COMPLIANT");
  });
  it("fails when a flag is off at bucket level and the account level is unknown", () => {
    const e = run(
      bucket({
        PublicAccessBlockConfiguration: {
          blockPublicAcls: true,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: false,
        },
      }),
      "s3-block-public-access",
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.flagsOff).toEqual(["ignorePublicAcls", "restrictPublicBuckets"]);
  });
  it("passes when the account level covers the flags the bucket leaves off", () => {
    const e = run(
      bucket({ PublicAccessBlockConfiguration: undefined }),
      "s3-block-public-access",
      facts({}, true),
    );
    expect(e.status).toBe("COMPLIANT");
  });
});

describe("control engine", () => {
  it("records ERROR, never a pass, when a control throws", () => {
    const throwing = new ControlSet([
      {
        ...CONTROLS.find((c) => c.id === "s3-encryption-cmk")!,
        evaluate: () => {
          throw new TypeError("boom");
        },
      },
    ]);
    const [e] = evaluateSnapshot(throwing, bucket({}), {
      baseline: testBaseline(),
      facts: facts(),
      now: new Date(),
    });
    expect(e?.status).toBe("ERROR");
  });
});

describe("factRequests", () => {
  it("keeps inventory requests of different resource types apart", async () => {
    const { factRequests, defineControl, pass } = await import("../../../packages/core/src/index.ts");
    const c = defineControl({
      id: "test-two-inventories",
      title: "t",
      resourceTypes: ["AWS::S3::Bucket"],
      hipaa: ["164.312(b)"],
      severity: "low",
      rationale: "r",
      remediation: { console: "c", cli: "c" },
      facts: (r) => [
        { kind: "inventory", resourceType: "AWS::Connect::ContactFlow", accountId: r.accountId },
        { kind: "inventory", resourceType: "AWS::Connect::ContactFlowModule", accountId: r.accountId },
      ],
      evaluate: () => pass("ok"),
    });
    const types = factRequests(new ControlSet([c]), bucket({}), testBaseline()).map((r) =>
      r.kind === "inventory" ? r.resourceType : r.kind,
    );
    expect(types.sort()).toEqual(["AWS::Connect::ContactFlow", "AWS::Connect::ContactFlowModule"]);
  });
});
