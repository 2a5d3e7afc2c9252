import {
  accountOf,
  deniesInsecureTransport,
  managementDetection,
  phiBucketOfRecord,
  policyWeaknesses,
  requestMember,
  succeeded,
} from "../activity/management.ts";
import type { CloudTrailRecord } from "../activity/record.ts";
import type { Severity } from "../finding/types.ts";
import { type DetectionDraft, defineDetector, type RecordContext } from "./types.ts";

const DAY = 86_400;

export default defineDetector({
  id: "tamper-bucket-protection",
  title: "PHI bucket protections are never removed or weakened",
  input: "management",
  events: [
    "s3.amazonaws.com:DeleteBucketEncryption",
    "s3.amazonaws.com:PutBucketEncryption",
    "s3.amazonaws.com:PutBucketPolicy",
    "s3.amazonaws.com:DeleteBucketPolicy",
    "s3.amazonaws.com:PutBucketAcl",
    "s3.amazonaws.com:PutBucketPublicAccessBlock",
    "s3.amazonaws.com:DeleteBucketPublicAccessBlock",
    "s3.amazonaws.com:PutBucketReplication",
    "s3.amazonaws.com:PutBucketLifecycle",
    "s3.amazonaws.com:DeleteBucketLifecycle",
    "s3.amazonaws.com:PutObjectLockConfiguration",
    "s3.amazonaws.com:PutBucketVersioning",
    "s3.amazonaws.com:PutBucketLogging",
    "s3.amazonaws.com:PutBucketOwnershipControls",
    "s3.amazonaws.com:DeleteBucketOwnershipControls",
    // Account-level Block Public Access (S3 Control's PutPublicAccessBlock / DeletePublicAccessBlock,
    // logged by CloudTrail under s3.amazonaws.com): it guards every bucket, the PHI buckets included.
    "s3.amazonaws.com:PutAccountPublicAccessBlock",
    "s3.amazonaws.com:DeleteAccountPublicAccessBlock",
  ],
  hipaa: ["164.312(a)(1)"],
  severity: "high",
  rationale:
    "Access control: removing encryption or moving it to another account's key, opening the policy or ACL (or turning ACLs back on), disabling Block Public Access (the bucket's, or the account's, which is the floor under every bucket), replicating elsewhere or shortening retention on a bucket of recordings changes who can read PHI — detected in real time instead of at the next configuration sweep.",
  remediation:
    "Revert the change (restore the bucket policy, encryption, Block Public Access, object ownership (BucketOwnerEnforced), lifecycle or Object Lock from the drift history evidence) and review who made it; turn account Block Public Access back on (aws s3control put-public-access-block --account-id <account> with all four settings true); restrict s3:PutBucket*/DeleteBucket* on PHI buckets to the baseline's operators, and s3:PutAccountPublicAccessBlock with an SCP.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    if (r.eventName === "PutAccountPublicAccessBlock" || r.eventName === "DeleteAccountPublicAccessBlock")
      return accountBlockWeakened(r, ctx);
    const bucket = phiBucketOfRecord(r, ctx.baseline);
    if (!bucket) return [];
    const req = r.requestParameters ?? {};
    const weak: string[] = [];
    let severity: Severity | undefined;
    switch (r.eventName) {
      case "DeleteBucketEncryption":
        weak.push("default encryption deleted");
        break;
      case "PutBucketEncryption": {
        const text = JSON.stringify(req.ServerSideEncryptionConfiguration ?? {});
        if (/"AES256"/.test(text)) weak.push("default encryption downgraded to SSE-S3 (AES256)");
        else if (/aws:kms/.test(text) && (!/KMSMasterKeyID/.test(text) || /alias\/aws\/s3/.test(text)))
          weak.push("default encryption uses the AWS-managed key aws/s3");
        // A key in an account outside the baseline: new objects are encrypted under someone else's key
        // (the S3 ransomware pattern: the key's owner can revoke the bucket's access to its own data).
        for (const m of text.matchAll(/"KMSMasterKeyID":"arn:[\w-]+:kms:[^:"]*:(\d{12}):/g)) {
          if (!ctx.baseline.accounts.includes(m[1]!)) {
            weak.push(`default encryption uses a KMS key in account ${m[1]} outside the baseline`);
            severity = "critical";
          }
        }
        break;
      }
      case "PutBucketPolicy": {
        const policy = ctx.json(req.bucketPolicy ?? req.policy);
        const found = policyWeaknesses(policy, ctx.baseline.accounts);
        if (found.some((w) => w.includes("(*)"))) severity = "critical";
        weak.push("bucket policy replaced", ...found);
        if (!deniesInsecureTransport(policy)) weak.push("no Deny on aws:SecureTransport=false");
        break;
      }
      case "DeleteBucketPolicy":
        weak.push("bucket policy deleted (explicit denies and TLS enforcement gone)");
        break;
      case "PutBucketAcl": {
        const text = JSON.stringify(req);
        weak.push("bucket ACL changed");
        if (/AllUsers|AuthenticatedUsers|public-read|authenticated-read/.test(text)) {
          weak.push("ACL grants public or any-AWS-user access");
          severity = "critical";
        }
        break;
      }
      case "DeleteBucketPublicAccessBlock":
        weak.push("Block Public Access removed");
        break;
      case "PutBucketPublicAccessBlock": {
        const off = flagsOff(req);
        if (off.length > 0) weak.push(`Block Public Access weakened: ${off.join(", ")} off`);
        break;
      }
      case "PutBucketReplication":
        weak.push("replication configured (copies PHI to another bucket)");
        break;
      case "PutBucketLifecycle": {
        const days = expirationDays(req.LifecycleConfiguration);
        const short = days.filter((d) => d < ctx.baseline.retentionDays);
        if (short.length > 0)
          weak.push(
            `lifecycle expires objects after ${Math.min(...short)} days (retention ${ctx.baseline.retentionDays})`,
          );
        break;
      }
      case "DeleteBucketLifecycle":
        weak.push("lifecycle rules deleted (retention no longer enforced)");
        break;
      case "PutObjectLockConfiguration": {
        const text = JSON.stringify(req.ObjectLockConfiguration ?? {});
        const days = Number(/"Days":\s*"?(\d+)/.exec(text)?.[1] ?? Number.NaN);
        const years = Number(/"Years":\s*"?(\d+)/.exec(text)?.[1] ?? Number.NaN);
        const retention = Number.isFinite(days) ? days : Number.isFinite(years) ? years * 365 : 0;
        if (retention < ctx.baseline.retentionDays)
          weak.push(
            `Object Lock default retention ${retention} days (baseline ${ctx.baseline.retentionDays})`,
          );
        break;
      }
      case "PutBucketVersioning": {
        const text = JSON.stringify(req.VersioningConfiguration ?? {});
        if (/Suspended/.test(text)) weak.push("versioning suspended");
        if (/"MfaDelete":\s*"Disabled"/.test(text)) weak.push("MFA delete disabled");
        break;
      }
      case "PutBucketOwnershipControls":
        // Anything but BucketOwnerEnforced turns ACLs back on (ObjectWriter, BucketOwnerPreferred).
        if (!/"ObjectOwnership":"BucketOwnerEnforced"/.test(JSON.stringify(req)))
          weak.push("object ownership no longer BucketOwnerEnforced (ACLs enabled again)");
        break;
      case "DeleteBucketOwnershipControls":
        weak.push("ownership controls deleted (ACLs enabled again: ObjectWriter)");
        break;
      case "PutBucketLogging": {
        const status = req.BucketLoggingStatus as Record<string, unknown> | undefined;
        if (!status || !("LoggingEnabled" in status)) weak.push("server access logging disabled");
        break;
      }
    }
    if (weak.length === 0) return [];
    return [
      managementDetection(
        r,
        ctx,
        { resourceType: "AWS::S3::Bucket", resourceId: bucket },
        `${r.eventName} on PHI bucket ${bucket}: ${weak.join("; ")}`,
        { weakened: weak },
        severity ? { severity } : {},
      ),
    ];
  },
});

const BLOCK_FLAGS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

/**
 * The Block Public Access flags a Put*PublicAccessBlock request sets to false. The S3 API's names are
 * PascalCase; camelCase is read too, as no published record of the account-level call shows its casing.
 */
function flagsOff(req: Record<string, unknown>): string[] {
  const cfg = (requestMember(req, "PublicAccessBlockConfiguration") ?? req.publicAccessBlock) as
    | Record<string, unknown>
    | undefined;
  if (!cfg || typeof cfg !== "object") return [];
  return BLOCK_FLAGS.filter((f) => {
    const v = requestMember(cfg, f);
    return v === false || v === "false";
  });
}

/**
 * Account-level Block Public Access turned off (deleted: all four flags off) or weakened, in an
 * account of the baseline: whatever the PHI buckets' own settings, it was the floor under all of them.
 */
function accountBlockWeakened(r: CloudTrailRecord, ctx: RecordContext): DetectionDraft[] {
  const account = accountOf(r);
  if (!ctx.baseline.accounts.includes(account)) return [];
  let weak: string;
  if (r.eventName === "DeleteAccountPublicAccessBlock")
    weak = "account Block Public Access removed (all four settings off)";
  else {
    const off = flagsOff(r.requestParameters ?? {});
    if (off.length === 0) return [];
    weak = `account Block Public Access weakened: ${off.join(", ")} off`;
  }
  return [
    managementDetection(
      r,
      ctx,
      { resourceType: "AWS::S3::AccountPublicAccessBlock", resourceId: account },
      `${r.eventName} in account ${account}: ${weak}; only each bucket's own settings now keep PHI buckets private`,
      { weakened: [weak] },
    ),
  ];
}

function expirationDays(cfg: unknown): number[] {
  const text = JSON.stringify(cfg ?? {});
  const out: number[] = [];
  for (const m of text.matchAll(
    /"(?:Expiration|NoncurrentVersionExpiration)":\{[^}]*?"(?:Days|NoncurrentDays)":"?(\d+)/g,
  ))
    out.push(Number(m[1]));
  return out.filter((d) => d > 0 && d < 100 * 365 * DAY);
}
