import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyFacts } from "../../../../packages/core/src/control/index.ts";
import control from "../../../../packages/core/src/controls/s3/s3-encryption-cmk.ts";
import { ACCT, facts, phiBucket, testBaseline, withSupplementary } from "./support.ts";

const FOREIGN = "999988887777";
const ID = "0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d";
const arnIn = (account: string) => `arn:aws:kms:us-east-1:${account}:key/${ID}`;

/** How a bucket names its key, and the key KMS DescribeKey resolves it to (when it names one). */
const REFS: Array<{ ref: string | null; resolves?: string; awsManaged?: boolean }> = [
  { ref: null, awsManaged: true },
  { ref: "alias/aws/s3", awsManaged: true },
  { ref: `arn:aws:kms:us-east-1:${ACCT}:alias/aws/s3`, awsManaged: true },
  { ref: "alias/phi", resolves: arnIn(ACCT) },
  { ref: ID, resolves: arnIn(ACCT) },
  { ref: arnIn(ACCT), resolves: arnIn(ACCT) },
  // Another account's key: S3 accepts only its ARN (an alias or id names a key of the bucket's account).
  { ref: arnIn(FOREIGN), resolves: arnIn(FOREIGN) },
];

/**
 * Reference: a PHI bucket's default encryption is compliant only with SSE-KMS or DSSE-KMS under a key
 * KMS reports as customer-managed, held by an account of the baseline (docs/detectors.md: a key in an
 * account outside the baseline hands the key's owner the power to revoke access to the recordings).
 */
function compliant(algorithm: string | null, r: (typeof REFS)[number], kms: KeyFacts | "denied"): boolean {
  if (algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse") return false;
  if (r.awsManaged || kms === "denied") return false;
  return kms.keyManager === "CUSTOMER" && kms.arn.split(":")[4] === ACCT;
}

describe("control s3-encryption-cmk against a reference (property)", () => {
  it("passes exactly the SSE-KMS configurations with a customer-managed key of a baseline account", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("AES256", "aws:kms", "aws:kms:dsse", null, "AWS:KMS"),
        fc.constantFrom(...REFS),
        fc.constantFrom<"CUSTOMER" | "AWS" | "denied">("CUSTOMER", "AWS", "denied"),
        fc.boolean(),
        (algorithm, r, manager, bucketKeyEnabled) => {
          const kms: KeyFacts | "denied" =
            manager === "denied" || !r.resolves ? "denied" : { arn: r.resolves, keyManager: manager };
          const snap = withSupplementary(phiBucket(), {
            ServerSideEncryptionConfiguration: {
              rules: [
                {
                  applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyID: r.ref },
                  bucketKeyEnabled,
                },
              ],
            },
          });
          const v = control.evaluate(snap, {
            baseline: testBaseline(),
            facts: facts({ keys: kms !== "denied" && r.ref ? { [r.ref]: kms } : {} }),
            params: {},
            now: new Date(),
          });
          expect(v.status).toBe(compliant(algorithm, r, kms) ? "COMPLIANT" : "NON_COMPLIANT");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fails a customer-managed key held by an account outside the baseline", () => {
    const snap = withSupplementary(phiBucket(), {
      ServerSideEncryptionConfiguration: {
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: arnIn(FOREIGN) },
            bucketKeyEnabled: true,
          },
        ],
      },
    });
    const v = control.evaluate(snap, {
      baseline: testBaseline(),
      facts: facts({ keys: { [arnIn(FOREIGN)]: { arn: arnIn(FOREIGN), keyManager: "CUSTOMER" } } }),
      params: {},
      now: new Date(),
    });
    expect(v.status).toBe("NON_COMPLIANT");
    expect(v.evidence.keyAccount).toBe(FOREIGN);
  });
});
