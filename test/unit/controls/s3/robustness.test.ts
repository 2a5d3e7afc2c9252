import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACCT, facts, loadItem, phiBucket, run, withSupplementary } from "./support.ts";

const S3_IDS = [
  "s3-tls-only",
  "s3-policy-least-privilege",
  "s3-acls-disabled",
  "s3-versioning-mfa-delete",
  "s3-object-lock",
  "s3-retention-lifecycle",
  "s3-replication-residency",
];
const KEYS = [
  "BucketPolicy",
  "AccessControlList",
  "BucketOwnershipControls",
  "BucketVersioningConfiguration",
  "ObjectLockConfiguration",
  "BucketLifecycleConfiguration",
  "BucketReplicationConfiguration",
];
const IAM_IDS = [
  "iam-analytics-no-raw-audio",
  "iam-raw-readers-designated",
  "iam-no-phi-delete",
  "iam-no-wildcard-on-phi",
];

// Config items are external input: whatever a supplementary value or an IAM document holds, the
// controls must give a verdict (a malformed document is "cannot prove"), never throw.
describe("controls on arbitrary configuration values (property)", () => {
  const value = fc.oneof(fc.anything(), fc.json(), fc.string());
  it("S3 controls never error", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), value, (key, v) => {
        const snap = withSupplementary(phiBucket(), { [key]: v });
        const f = facts({ inventory: { "AWS::S3::Bucket": [] } });
        for (const id of S3_IDS)
          expect(run(snap, id, f, { s3: { objectLock: { required: true } } } as never).status).not.toBe(
            "ERROR",
          );
      }),
      { numRuns: 200 },
    );
  });

  it("IAM controls never error, whatever the role's configuration holds", () => {
    const base = loadItem("test/fixtures/config/rdk__AWS_IAM_Role.json", { awsAccountId: ACCT });
    fc.assert(
      fc.property(
        fc.constantFrom("rolePolicyList", "attachedManagedPolicies", "permissionsBoundary", "arn"),
        fc.oneof(
          value,
          fc.array(fc.record({ policyName: fc.string(), policyDocument: value, policyArn: fc.string() })),
        ),
        (field, v) => {
          const snap = { ...base, configuration: { ...base.configuration, [field]: v } };
          const f = facts({ inventory: { "AWS::IAM::Policy": [], "AWS::S3::Bucket": [] } });
          for (const id of IAM_IDS)
            expect(
              run(snap, id, f, { principals: { analytics: ["arn:aws:iam::*:role/*"] } }).status,
            ).not.toBe("ERROR");
        },
      ),
      { numRuns: 200 },
    );
  });
});
