import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketEncryption, bucketName, isAwsManagedS3Alias } from "../../resource/s3.ts";

const KMS_ALGORITHMS = new Set(["aws:kms", "aws:kms:dsse"]);

/** The account of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`); undefined for an alias or key id. */
const accountOfKey = (ref: string): string | undefined =>
  /^arn:aws[\w-]*:kms:[\w-]*:(\d{12}):/.exec(ref)?.[1];

export default defineControl({
  id: "s3-encryption-cmk",
  title: "PHI buckets encrypt with a customer-managed KMS key",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "With SSE-S3 or the AWS-managed aws/s3 key, anyone with s3:GetObject reads PHI: there is no key policy to " +
    "restrict decryption, no separate audit trail of key use, and the key cannot be disabled in an incident. " +
    "The key must also belong to an account of the baseline: another account's key lets its owner decrypt " +
    "the recordings, or revoke the bucket's access to them.",
  remediation: {
    console:
      "S3 › bucket › Properties › Default encryption › SSE-KMS › choose a customer-managed key; enable Bucket Key.",
    cli:
      "aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration " +
      '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}\'',
  },
  facts(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags)) return [];
    return bucketEncryption(resource)
      .filter((r) => r.kmsKeyId && !isAwsManagedS3Alias(r.kmsKeyId))
      .map((r) => ({
        kind: "kms-key" as const,
        ref: r.kmsKeyId!,
        accountId: resource.accountId,
        region: resource.region,
      }));
  },
  evaluate(resource, ctx) {
    const phi = phiBucketOf(ctx.baseline, bucketName(resource), resource.tags);
    if (!phi) return notApplicable("not a PHI bucket in the baseline");
    const rules = bucketEncryption(resource);
    if (rules.length === 0)
      return fail("no default encryption recorded", { ServerSideEncryptionConfiguration: null });
    const rule = rules[0]!;
    const evidence = {
      sseAlgorithm: rule.algorithm,
      kmsMasterKeyID: rule.kmsKeyId,
      bucketKeyEnabled: rule.bucketKeyEnabled,
    };
    if (!rule.algorithm || !KMS_ALGORITHMS.has(rule.algorithm)) {
      const what = rule.algorithm === "AES256" ? "SSE-S3 (AES256)" : String(rule.algorithm);
      return fail(`${what} instead of aws:kms with a customer-managed key`, evidence);
    }
    if (!rule.kmsKeyId)
      return fail(`${rule.algorithm} with no key given: S3 uses the AWS-managed aws/s3 key`, evidence);
    if (isAwsManagedS3Alias(rule.kmsKeyId))
      return fail(`${rule.algorithm} with the AWS-managed key alias/aws/s3`, evidence);
    const key = ctx.facts.kmsKey(rule.kmsKeyId, resource.accountId, resource.region);
    if (!key)
      return fail("cannot prove the key is customer-managed: key not resolved", {
        ...evidence,
        proof: "cannot prove",
      });
    if (!key.ok) {
      return fail(`cannot prove the key is customer-managed: ${key.reason}`, {
        ...evidence,
        proof: "cannot prove",
        reason: key.reason,
      });
    }
    const keyEvidence = { ...evidence, keyArn: key.value.arn, keyManager: key.value.keyManager };
    if (key.value.keyManager !== "CUSTOMER")
      return fail("the key is AWS-managed (KeyManager=AWS)", keyEvidence);
    // Customer-managed by whom: a key of an account outside the baseline puts decryption, and the power
    // to revoke the bucket's access to its own recordings, in someone else's hands (the S3 ransomware
    // pattern tamper-bucket-protection alerts on when the change happens).
    const keyAccount = accountOfKey(key.value.arn) ?? accountOfKey(rule.kmsKeyId);
    if (keyAccount !== undefined && !ctx.baseline.accounts.includes(keyAccount))
      return fail(`the key belongs to account ${keyAccount}, outside the baseline`, {
        ...keyEvidence,
        keyAccount,
      });
    return pass(`${rule.algorithm} with customer-managed key`, keyEvidence);
  },
});
