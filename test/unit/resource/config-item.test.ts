import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  ControlSet,
  evaluateSnapshot,
  type FactLookup,
  fromConfigurationItem,
  InputTooLargeError,
  InvalidEventError,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import { MAX_EMBEDDED_JSON_CHARS } from "../../../packages/core/src/resource/config-item.ts";
import { testBaseline } from "../../helpers/baseline.ts";

const json = (path: string) => JSON.parse(readFileSync(`test/fixtures/${path}`, "utf8"));
const set = new ControlSet(CONTROLS);
const noFacts: FactLookup = {
  kmsKey: () => undefined,
  accountPublicAccessBlock: () => undefined,
  inventory: () => undefined,
};
const verdicts = (s: ResourceSnapshot) =>
  evaluateSnapshot(set, s, {
    baseline: testBaseline({ phiBuckets: [{ name: "c7n-ssm-build", holds: ["recordings"] }] }),
    facts: noFacts,
    now: new Date("2026-03-01T00:00:00Z"),
  }).map((e) => [e.controlId, e.status, e.evidence]);

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidEventError) return e.field;
    throw e;
  }
  throw new Error("expected an InvalidEventError");
}

/** A minimal valid item in the event shape. */
const item = (over: Record<string, unknown> = {}) => ({
  configurationItemCaptureTime: "2026-03-01T10:00:00.000Z",
  configurationItemStatus: "OK",
  awsAccountId: "111122223333",
  awsRegion: "us-east-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "b",
  ...over,
});

/**
 * A real SelectResourceConfig fragment (configuration + supplementary, as objects and strings the way
 * Config stores them) completed with the identity fields every item carries.
 */
function selectFragment(path: string, identity: Record<string, unknown>) {
  const fragment = JSON.parse(json(path).data.Results[0]);
  return { ...item(identity), ...fragment };
}
/** The same item as BatchGetResourceConfig returns it: `configuration` and every supplementary value JSON strings. */
function batchGetShape(ci: Record<string, unknown>) {
  const { awsAccountId, ...rest } = ci;
  const sup = ci.supplementaryConfiguration as Record<string, unknown>;
  return {
    ...rest,
    accountId: awsAccountId,
    configurationItemCaptureTime: new Date(String(ci.configurationItemCaptureTime)),
    configuration: JSON.stringify(ci.configuration),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(sup).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
  };
}

describe("fromConfigurationItem", () => {
  describe("real GetResourceConfigHistory item (AWS docs, security group)", () => {
    const ci = json("api/awsdocs__GetResourceConfigHistory_SecurityGroup.json").configurationItems[0];

    it("reads the epoch-seconds capture time as 2014, not 1970", () => {
      expect(fromConfigurationItem(ci).capturedAt).toBe("2014-10-30T22:35:29.922Z");
    });

    it("takes the region from the ARN when the item has no awsRegion", () => {
      expect(fromConfigurationItem(ci)).toMatchObject({ region: "us-east-2", accountId: "605053316265" });
    });

    it("parses the configuration JSON string so controls see the ingress rules", () => {
      const s = fromConfigurationItem(ci);
      expect((s.configuration.ipPermissions as unknown[]).length).toBe(6);
      const sg = (x: ResourceSnapshot) => verdicts(x).find(([id]) => id === "sg-no-open-admin")?.[1];
      expect(sg(s)).toBe("COMPLIANT"); // RDP is open to 207.171.160.0/19 only
      const opened = { ...ci, configuration: ci.configuration.replace("207.171.160.0/19", "0.0.0.0/0") };
      expect(sg(fromConfigurationItem(opened))).toBe("NON_COMPLIANT");
    });
  });

  describe("real configuration history and snapshot files (AWS docs)", () => {
    const files = ["awsdocs__configuration_history_file.json", "awsdocs__configuration_snapshot_file.json"];
    const items = files.flatMap((f) =>
      (json(`config/${f}`).configurationItems as Record<string, unknown>[]).map((ci, i) => ({ f, i, ci })),
    );

    it.each(items)("rejects $f item $i: the docs' account id has 11 digits", ({ ci, i }) => {
      expect(fieldOf(() => fromConfigurationItem(ci, `configurationItems.${i}`))).toBe(
        `configurationItems.${i}.accountId`,
      );
    });

    it.each(items)(
      "rejects $f item $i with the account fixed: no region anywhere (ARN has a zone)",
      ({ ci }) => {
        expect(fieldOf(() => fromConfigurationItem({ ...ci, accountId: "123456789012" }))).toBe(
          "configurationItem.awsRegion",
        );
      },
    );

    it.each(items)("normalises $f item $i once account and region are given", ({ ci }) => {
      const s = fromConfigurationItem({ ...ci, accountId: "123456789012", awsRegion: "us-west-2" });
      expect(s.capturedAt).toBe(new Date(String(ci.configurationItemCaptureTime)).toISOString());
      expect(s.capturedAt.startsWith("2014-03-07")).toBe(true);
      expect(s.configuration).toEqual(ci.configuration);
      expect(s.arn).toBe(ci.arn);
    });
  });

  describe("BatchGetResourceConfig / history API shape (every supplementary value a JSON string)", () => {
    it("gives the same snapshot and verdicts as the event shape for a real S3 bucket fragment", () => {
      const event = selectFragment("api/custodian__config.SelectResourceConfig_S3Bucket.json", {
        resourceId: "c7n-ssm-build",
        resourceName: "c7n-ssm-build",
        ARN: "arn:aws:s3:::c7n-ssm-build",
      });
      const api = batchGetShape(event);
      const a = fromConfigurationItem(event);
      const b = fromConfigurationItem(api);
      expect(b.supplementary).toEqual(a.supplementary);
      expect(b.configuration).toEqual(a.configuration);
      expect((b.supplementary.AccessControlList as { grantList: unknown[] }).grantList).toHaveLength(1);
      expect(b.supplementary.IsRequesterPaysEnabled).toBe(false);
      expect(b.supplementary.BucketVersioningConfiguration).toEqual({ status: "Off" });
      const policy = b.supplementary.BucketPolicy as { policyText: { Statement: unknown[] } };
      expect(policy.policyText.Statement).toHaveLength(1);
      expect(verdicts(b)).toEqual(verdicts(a));
      expect(verdicts(b).length).toBeGreaterThan(5);
    });

    it("parses a real KMS key fragment's supplementary values (rotation status as JSON false)", () => {
      const event = selectFragment("api/custodian__config.SelectResourceConfig_KMSKey_CUSTOMER.json", {
        resourceType: "AWS::KMS::Key",
      });
      const b = fromConfigurationItem(batchGetShape(event));
      expect(b.supplementary.KeyRotationStatus).toBe(false);
      expect(typeof b.supplementary.Policy).toBe("object");
      expect(verdicts(b)).toEqual(verdicts(fromConfigurationItem(event)));
    });

    it("parses JSON inside a JSON string (older items) and URL-encoded IAM documents", () => {
      const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
      const s = fromConfigurationItem(
        item({
          resourceType: "AWS::IAM::Role",
          supplementaryConfiguration: { Wrapped: JSON.stringify(JSON.stringify({ a: 1 })) },
          configuration: { rolePolicyList: [{ policyDocument: encodeURIComponent(JSON.stringify(doc)) }] },
        }),
      );
      expect(s.supplementary.Wrapped).toEqual({ a: 1 });
      expect(
        (s.configuration.rolePolicyList as Array<{ policyDocument: unknown }>)[0]!.policyDocument,
      ).toEqual(doc);
    });

    it("keeps strings that are not JSON as they are", () => {
      const s = fromConfigurationItem(
        item({ supplementaryConfiguration: { Status: "Enabled", Broken: "{not json", Date: "2026-01-01" } }),
      );
      expect(s.supplementary).toEqual({ Status: "Enabled", Broken: "{not json", Date: "2026-01-01" });
    });
  });

  describe("capture time", () => {
    it.each([
      ["an ISO string", "2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00.000Z"],
      [
        "an ISO string with offset and microseconds",
        "2017-08-11T06:48:56.507000-04:00",
        "2017-08-11T10:48:56.507Z",
      ],
      ["an ISO string without zone (UTC)", "2026-03-01T10:00:00", "2026-03-01T10:00:00.000Z"],
      ["epoch seconds", 1772359200, "2026-03-01T10:00:00.000Z"],
      ["fractional epoch seconds", 1502510556.116, "2017-08-12T04:02:36.116Z"],
      ["epoch milliseconds", 1772359200000, "2026-03-01T10:00:00.000Z"],
      ["epoch seconds as a digit string", "1772359200", "2026-03-01T10:00:00.000Z"],
      ["a Date (the SDK's form)", new Date("2026-03-01T10:00:00Z"), "2026-03-01T10:00:00.000Z"],
    ])("accepts %s", (_name, value, iso) => {
      expect(fromConfigurationItem(item({ configurationItemCaptureTime: value })).capturedAt).toBe(iso);
    });

    it.each([
      ["zero", 0],
      ["a negative number", -5],
      ["NaN", Number.NaN],
      ["an epoch before 2000", 86_400],
      ["free text", "yesterday"],
      ["an impossible date", "2026-13-45T99:00:00Z"],
      ["an empty string", ""],
      ["a boolean", true],
      ["missing", undefined],
    ])("rejects %s naming the field", (_name, value) => {
      expect(fieldOf(() => fromConfigurationItem(item({ configurationItemCaptureTime: value })))).toBe(
        "configurationItem.configurationItemCaptureTime",
      );
    });
  });

  describe("validation", () => {
    it.each([
      ["awsAccountId", { awsAccountId: "12" }],
      ["resourceType", { resourceType: "S3 bucket" }],
      ["resourceId", { resourceId: "" }],
      ["configurationItemStatus", { configurationItemStatus: 3 }],
      ["tags", { tags: [] }],
      ["supplementaryConfiguration", { supplementaryConfiguration: "x" }],
      ["relationships.1", { relationships: [{}, 5] }],
      ["resourceName", { resourceName: 7 }],
    ])("names %s", (name, over) => {
      expect(fieldOf(() => fromConfigurationItem(item(over), "ci"))).toBe(`ci.${name}`);
    });

    it("reads a third-party resource type Config records (CloudFormation registry, Namespace::Service::Type)", () => {
      // Such items sit in Config snapshot and history files beside AWS's own; no control watches the
      // type, so the handler ignores it (debug log) — it is not bad input.
      const s = fromConfigurationItem(
        item({ resourceType: "MyCustomNamespace::Testing::WordPress", resourceId: "wp-1" }),
      );
      expect(s).toMatchObject({ resourceType: "MyCustomNamespace::Testing::WordPress", resourceId: "wp-1" });
      expect(set.watches(s.resourceType)).toBe(false);
      for (const bad of ["S3 bucket", "AWS::S3", "AWS::S3::Bucket::x", "::S3::Bucket", "A W S::S3::Bucket"])
        expect(fieldOf(() => fromConfigurationItem(item({ resourceType: bad }), "ci"))).toBe(
          "ci.resourceType",
        );
    });

    it("keeps the zod-compatible messages", () => {
      expect(() => fromConfigurationItem(item({ resourceId: undefined }))).toThrow(
        "configurationItem.resourceId: Invalid input: expected string, received undefined",
      );
      expect(() => fromConfigurationItem(item({ awsAccountId: "x" }))).toThrow("12-digit account id");
    });

    it("refuses an embedded document over the size limit, naming where it is", () => {
      const big = `{"a":"${"x".repeat(MAX_EMBEDDED_JSON_CHARS)}"}`;
      const run = () =>
        fromConfigurationItem(item({ supplementaryConfiguration: { BucketPolicy: { policyText: big } } }));
      expect(run).toThrowError(InputTooLargeError);
      expect(fieldOf(run)).toBe("configurationItem.supplementaryConfiguration.BucketPolicy.policyText");
    });

    it("does not let a __proto__ key reach a prototype", () => {
      const ci = JSON.parse(
        JSON.stringify(item()).replace(
          "{",
          '{"tags":{"__proto__":"x"},"supplementaryConfiguration":{"__proto__":"{\\"polluted\\":true}"},',
        ),
      );
      const s = fromConfigurationItem(ci);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(s.supplementary)).toBe(Object.prototype);
      expect(Object.hasOwn(s.supplementary, "__proto__")).toBe(true);
    });

    it("does not modify its input", () => {
      const ci = selectFragment("api/custodian__config.SelectResourceConfig_S3Bucket.json", {
        resourceId: "r",
      });
      const before = JSON.stringify(ci);
      fromConfigurationItem(ci);
      expect(JSON.stringify(ci)).toBe(before);
    });
  });

  describe("properties", () => {
    const onlyInvalidEventError = (input: unknown) => {
      try {
        fromConfigurationItem(input);
      } catch (e) {
        if (!(e instanceof InvalidEventError)) throw e;
      }
    };
    const jsonish = fc.oneof(
      fc.json(),
      fc.jsonValue().map((v) => encodeURIComponent(JSON.stringify(v))),
      fc.string(),
      fc.constantFrom("%7B%zz", "{", "[1,", ' {"a":1}', "true", "-", "1e999"),
    );
    const anyValue = fc.oneof(fc.anything(), jsonish, fc.date({ noInvalidDate: false }));

    it("throws nothing but InvalidEventError on arbitrary input", () => {
      fc.assert(fc.property(fc.anything(), onlyInvalidEventError), { numRuns: 500 });
    });

    it("throws nothing but InvalidEventError when any field of a valid item is arbitrary", () => {
      const keys = Object.keys(item()).concat([
        "accountId",
        "ARN",
        "arn",
        "configuration",
        "supplementaryConfiguration",
        "tags",
        "relationships",
        "availabilityZone",
      ]);
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue), (over) =>
          onlyInvalidEventError(item(over)),
        ),
        { numRuns: 1000 },
      );
    });

    it("parses any JSON-string supplementary value to what JSON.parse gives (objects stay objects)", () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), jsonish), (sup) => {
          const s = fromConfigurationItem(item({ supplementaryConfiguration: sup }));
          expect(Object.keys(s.supplementary).sort()).toEqual(Object.keys(sup).sort());
        }),
        { numRuns: 300 },
      );
    });

    it("reads every valid epoch and ISO time as itself", () => {
      fc.assert(
        fc.property(
          fc.date({ min: new Date("2001-01-01"), max: new Date("2999-01-01"), noInvalidDate: true }),
          (d) => {
            const iso = d.toISOString();
            expect(fromConfigurationItem(item({ configurationItemCaptureTime: iso })).capturedAt).toBe(iso);
            expect(
              fromConfigurationItem(item({ configurationItemCaptureTime: d.getTime() })).capturedAt,
            ).toBe(iso);
            expect(fromConfigurationItem(item({ configurationItemCaptureTime: d })).capturedAt).toBe(iso);
          },
        ),
      );
    });
  });
});
