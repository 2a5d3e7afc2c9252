import { describe, expect, it } from "vitest";
import { accessPointForEvidence, accessPointQuestion } from "../../../../packages/core/src/policy/index.ts";
import type { ResourceSnapshot } from "../../../../packages/core/src/resource/index.ts";
import { ACCT, facts, loadItem, run } from "../s3/support.ts";

/**
 * A request through an S3 access point names the access point's ARN
 * (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY`), not the bucket's: an identity policy that
 * allows it reaches the objects of whatever bucket the access point serves. phiwatch does not record
 * `AWS::S3::AccessPoint`, so such an Allow may reach PHI and must never pass silently.
 */
const ANALYTICS = `arn:aws:iam::${ACCT}:role/contact-analytics`;
const QA = `arn:aws:iam::${ACCT}:role/qa-supervisor`;
const OPS = `arn:aws:iam::${ACCT}:role/ops`;
const APP = `arn:aws:iam::${ACCT}:role/app`;
const principals = { rawReaders: [QA], analytics: [ANALYTICS], operators: [OPS] };
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const AP = `arn:aws:s3:us-east-1:${ACCT}:accesspoint/contact-data`;

function role(arn: string, inline: unknown[]): ResourceSnapshot {
  const name = arn.split("/").pop()!;
  const base = loadItem("test/fixtures/config/rdk__AWS_IAM_Role.json", {
    awsAccountId: ACCT,
    arn,
    resourceName: name,
  });
  return {
    ...base,
    configuration: {
      ...base.configuration,
      arn,
      roleName: name,
      attachedManagedPolicies: [],
      rolePolicyList: inline.map((d, i) => ({
        policyName: `p${i}`,
        policyDocument: encodeURIComponent(JSON.stringify(d)),
      })),
    },
  };
}

const allow = (Action: unknown, Resource: unknown) =>
  doc({ Sid: "ViaAP", Effect: "Allow", Action, Resource });

describe("identity controls and S3 access points", () => {
  it.each([
    ["one access point's objects", `${AP}/object/*`, `${AP}/object/*`],
    [
      "every access point of the account",
      `arn:aws:s3:us-east-1:${ACCT}:accesspoint/*`,
      `arn:aws:s3:us-east-1:${ACCT}:accesspoint/*/object/*`,
    ],
    [
      "access points named by a prefix",
      `arn:aws:s3:us-east-1:${ACCT}:accesspoint/contact-*`,
      `arn:aws:s3:us-east-1:${ACCT}:accesspoint/contact-*/object/*`,
    ],
  ])("iam-raw-readers-designated cannot prove a role cannot read PHI through %s", (_n, resource, shown) => {
    const e = run(role(APP, [allow("s3:GetObject", resource)]), "iam-raw-readers-designated", facts(), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.access).toEqual([
      {
        action: "s3:GetObject",
        resource: shown,
        effect: "conditional",
        allowedBy: ["inline:p0:ViaAP"],
        undecided: ["the bucket an S3 access point serves (AWS::S3::AccessPoint is not recorded)"],
      },
    ]);
  });

  it("iam-raw-readers-designated reports the access points of a grant on every region and account", () => {
    const e = run(
      role(APP, [allow("s3:GetObject", "arn:aws:s3:*:*:accesspoint/*/object/*")]),
      "iam-raw-readers-designated",
      facts(),
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.access).toContainEqual(
      expect.objectContaining({ resource: "arn:aws:s3:*:*:accesspoint/*/object/*", effect: "conditional" }),
    );
  });

  it("iam-analytics-no-raw-audio cannot prove an analytics role cannot read raw audio through an access point", () => {
    const e = run(
      role(ANALYTICS, [allow("s3:GetObject", `${AP}/object/connect/*`)]),
      "iam-analytics-no-raw-audio",
      facts(),
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("iam-analytics-no-raw-audio still passes when the access point grant names transcripts only", () => {
    const e = run(
      role(ANALYTICS, [allow("s3:GetObject", `${AP}/object/transcripts/*`)]),
      "iam-analytics-no-raw-audio",
      facts(),
      { principals },
    );
    expect(e.status).toBe("COMPLIANT");
  });

  it("iam-no-phi-delete cannot prove a role cannot delete PHI through an access point", () => {
    const e = run(role(APP, [allow(["s3:DeleteObject"], `${AP}/object/*`)]), "iam-no-phi-delete", facts(), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("iam-no-wildcard-on-phi cannot prove s3:* on access points misses PHI", () => {
    const e = run(role(APP, [allow("s3:*", `${AP}/object/*`)]), "iam-no-wildcard-on-phi", facts(), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.unprovenAccessPoints).toContainEqual(
      expect.objectContaining({ policy: "inline:p0", statement: "ViaAP", actions: ["s3:*"] }),
    );
  });

  it("keeps object keys of access point ARNs out of evidence", () => {
    const key = "connect/i/CallRecordings/2026/03/jane-doe-dob-1984-02-11.wav";
    const e = run(role(APP, [allow("s3:*", `${AP}/object/${key}`)]), "iam-no-wildcard-on-phi", facts(), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(JSON.stringify(e)).not.toContain("jane-doe");
  });

  it("a Deny on every access point keeps a broad grant proven for the buckets only", () => {
    const e = run(
      role(APP, [
        allow("s3:GetObject", "*"),
        doc({ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:*:*:accesspoint/*" }),
      ]),
      "iam-raw-readers-designated",
      facts(),
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(JSON.stringify(e.evidence.access)).not.toContain("accesspoint");
  });

  it("a Deny on the PHI buckets alone does not cover their access points", () => {
    const e = run(
      role(APP, [
        allow("s3:GetObject", "*"),
        doc({
          Effect: "Deny",
          Action: "s3:GetObject",
          Resource: ["arn:aws:s3:::phi-recordings/*", "arn:aws:s3:::phi-transcripts-*/*"],
        }),
      ]),
      "iam-raw-readers-designated",
      facts(),
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it.each(["iam-raw-readers-designated", "iam-no-phi-delete", "iam-no-wildcard-on-phi"])(
    "%s passes when nothing names an access point or a PHI bucket",
    (id) => {
      const e = run(
        role(APP, [allow(["s3:*"], ["arn:aws:s3:::app-assets", "arn:aws:s3:::app-assets/*"])]),
        id,
        facts(),
        { principals },
      );
      expect(e.status).toBe("COMPLIANT");
    },
  );
});

describe("accessPointQuestion", () => {
  it.each([
    [`${AP}/object/*`, "*", `${AP}/object/*`],
    [`${AP}/object/transcripts/*`, "connect/*/CallRecordings/*", undefined],
    [`${AP}/object/connect/*`, "connect/*/CallRecordings/*", `${AP}/object/connect/*/CallRecordings/*`],
    ["arn:aws:s3:::phi-recordings/*", "*", undefined],
    ["arn:aws:s3:::app-assets/*", "*", undefined],
    [`arn:aws:kms:us-east-1:${ACCT}:key/*`, "*", undefined],
  ])("%s with key %s → %s", (resource, key, expected) => {
    const q = accessPointQuestion(resource, key);
    expect(q === undefined ? undefined : accessPointForEvidence(q)).toBe(expected);
  });

  it("stands for every access point when the entry is `*`, and the evidence shows it so", () => {
    expect(accessPointForEvidence(accessPointQuestion("*", "*")!)).toBe(
      "arn:aws:s3:*:*:accesspoint/*/object/*",
    );
  });
});
