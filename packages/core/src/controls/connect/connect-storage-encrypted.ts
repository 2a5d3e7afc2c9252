import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import type { FactRequest } from "../../control/types.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import {
  CONNECT_INSTANCE,
  CONNECT_STORAGE_TYPES,
  inConnectScope,
  instanceStorageConfigs,
  instanceStorageRefusals,
} from "../../resource/connect.ts";
import { customerManagedKey, isAwsManagedAlias } from "../../resource/kms-proof.ts";

/** Connect storage types that write PHI to S3 (recordings, transcripts, exports, evaluations). */
const S3_PHI_TYPES = [
  "CALL_RECORDINGS",
  "CHAT_TRANSCRIPTS",
  "SCHEDULED_REPORTS",
  "SCREEN_RECORDINGS",
  "CONTACT_EVALUATIONS",
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
];
/** Live audio to Kinesis Video Streams. */
const KVS_TYPES = ["MEDIA_STREAMS"];
const BUCKET_TYPE = "AWS::S3::Bucket";
/**
 * The PHI types a complete read carries (the sweep reads these for every instance): one missing means its
 * ListInstanceStorageConfigs call failed or was never made, and the instance cannot be proven — unless it
 * is an optional type whose read Connect refused as not applying (instanceStorageRefusals).
 */
const MUST_READ = CONNECT_STORAGE_TYPES.filter((t) => S3_PHI_TYPES.includes(t) || KVS_TYPES.includes(t));

export default defineControl({
  id: "connect-storage-encrypted",
  title: "Connect stores recordings, transcripts and exports in PHI buckets under customer-managed keys",
  resourceTypes: [CONNECT_INSTANCE],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "Everything phiwatch checks on PHI buckets (encryption, access, audit, retention) only protects recordings " +
    "Connect actually writes there. A storage association to another bucket, or one encrypted with the AWS-managed " +
    "aws/connect key, puts recordings outside the baseline's controls and key policies.",
  remediation: {
    console:
      "Connect console › instance › Data storage › Call recordings / Chat transcripts / Exported reports / " +
      "Attachments / Contact evaluations / Email messages › Edit › " +
      "choose a PHI bucket and a customer-managed KMS key.",
    cli:
      "aws connect update-instance-storage-config --instance-id INSTANCE --association-id ASSOC --resource-type " +
      "CALL_RECORDINGS --storage-config 'StorageType=S3,S3Config={BucketName=BUCKET,BucketPrefix=connect,EncryptionConfig={EncryptionType=KMS,KeyId=KEY_ARN}}'",
  },
  facts(resource) {
    const configs = instanceStorageConfigs(resource);
    if (!configs) return [];
    const out: FactRequest[] = [];
    const at = { accountId: resource.accountId, region: resource.region };
    for (const [type, list] of configs) {
      for (const c of list) {
        if (c === "unreadable") continue;
        if (S3_PHI_TYPES.includes(type) && c.s3) {
          out.push({ kind: "inventory", resourceType: BUCKET_TYPE, ...at, ref: c.s3.bucketName });
          const key = c.s3.encryption?.keyId;
          if (key && !isAwsManagedAlias(key)) out.push({ kind: "kms-key", ref: key, ...at });
        }
        const kvsKey = c.kinesisVideoStream?.encryption?.keyId;
        if (KVS_TYPES.includes(type) && kvsKey && !isAwsManagedAlias(kvsKey))
          out.push({ kind: "kms-key", ref: kvsKey, ...at });
      }
    }
    return out;
  },
  evaluate(resource, ctx) {
    if (!inConnectScope(ctx.baseline, resource))
      return notApplicable("instance not in the baseline's connect.instances");
    const configs = instanceStorageConfigs(resource);
    if (!configs)
      return fail("cannot prove: instance storage configuration not read", {
        proof: "cannot prove",
        field: "supplementary.StorageConfigs",
      });
    const problems: Array<Record<string, unknown>> = [];
    const checked: Array<Record<string, unknown>> = [];
    // A refusal counts only for a type that was not read: what Connect did return wins.
    const refused = [...instanceStorageRefusals(resource)]
      .filter(([type]) => !configs.has(type))
      .map(([type, answer]) => ({ type, answer }));
    const unread = MUST_READ.filter((t) => !configs.has(t) && !refused.some((r) => r.type === t));
    if (unread.length > 0)
      problems.push({ types: unread, problem: "storage configuration not read", proof: "cannot prove" });
    for (const [type, list] of configs) {
      if (!S3_PHI_TYPES.includes(type) && !KVS_TYPES.includes(type)) continue;
      for (const c of list) {
        if (c === "unreadable") {
          problems.push({ type, problem: "storage association unreadable", proof: "cannot prove" });
          continue;
        }
        if (S3_PHI_TYPES.includes(type)) {
          if (!c.s3) {
            problems.push(
              c.storageType === "S3" || c.storageType === "UNKNOWN"
                ? { type, problem: "S3 bucket of the association unreadable", proof: "cannot prove" }
                : { type, storageType: c.storageType, problem: "not stored in S3" },
            );
            continue;
          }
          const bucket = c.s3.bucketName;
          const known = ctx.facts.inventory(BUCKET_TYPE, resource.accountId, bucket)?.[0];
          const phi = phiBucketOf(ctx.baseline, bucket, known?.tags ?? {});
          const where = { type, bucket, ...(c.s3.bucketPrefix ? { prefix: c.s3.bucketPrefix } : {}) };
          if (!phi)
            problems.push({
              ...where,
              problem: "bucket is not a PHI bucket in the baseline",
              ...(known ? {} : { bucketTags: "unknown: bucket not in the inventory" }),
            });
          const enc = c.s3.encryption;
          if (enc?.type !== "KMS" || !enc.keyId) {
            problems.push({
              ...where,
              problem: "no KMS encryption configured",
              encryptionType: enc?.type ?? null,
            });
            continue;
          }
          const proof = customerManagedKey(ctx.facts, enc.keyId, resource.accountId, resource.region);
          if (!proof.ok) problems.push({ ...where, problem: proof.summary, ...proof.evidence });
          else if (phi) checked.push({ ...where, ...proof.evidence });
        } else {
          if (!c.kinesisVideoStream) {
            problems.push({
              type,
              problem: "Kinesis Video Streams configuration unreadable",
              proof: "cannot prove",
            });
            continue;
          }
          const enc = c.kinesisVideoStream.encryption;
          if (!enc?.keyId) {
            problems.push({ type, problem: "no KMS key for Kinesis Video Streams" });
            continue;
          }
          const proof = customerManagedKey(ctx.facts, enc.keyId, resource.accountId, resource.region);
          if (!proof.ok) problems.push({ type, problem: proof.summary, ...proof.evidence });
          else checked.push({ type, ...proof.evidence });
        }
      }
    }
    const notChecked = [...configs.keys()].filter((t) => !S3_PHI_TYPES.includes(t) && !KVS_TYPES.includes(t));
    const evidence = {
      checked,
      ...(notChecked.length > 0 ? { notChecked } : {}),
      ...(refused.length > 0 ? { refused } : {}),
    };
    const definite = problems.filter((p) => p.proof !== "cannot prove");
    if (definite.length > 0)
      return fail(`${definite.length} storage association(s) outside a PHI bucket or customer-managed key`, {
        ...evidence,
        problems,
      });
    if (problems.length > 0)
      return fail(
        `cannot prove ${problems.length} storage association(s) are in PHI buckets under customer-managed keys`,
        {
          ...evidence,
          problems,
          proof: "cannot prove",
        },
      );
    if (checked.length === 0) return pass("no recordings, transcripts or exports are stored", evidence);
    return pass(
      `${checked.length} storage association(s) in PHI buckets under customer-managed keys`,
      evidence,
    );
  },
});
