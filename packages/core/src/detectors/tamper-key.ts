import {
  accountOf,
  isPhiKey,
  keyArnOf,
  managementDetection,
  policyWeaknesses,
  succeeded,
} from "../activity/management.ts";
import type { CloudTrailRecord } from "../activity/record.ts";
import { matchesAny, phiBucketOf } from "../baseline/match.ts";
import type { Severity } from "../finding/types.ts";
import { partitionOfResource } from "../policy/resources.ts";
import { bucketEncryption, bucketName } from "../resource/s3.ts";
import { type DetectionDraft, defineDetector, type InventoryQuery, type RecordContext } from "./types.ts";

const ALIAS_EVENTS = new Set(["UpdateAlias", "DeleteAlias"]);

export default defineDetector({
  id: "tamper-key",
  title: "PHI keys are never disabled, scheduled for deletion or opened up",
  input: "management",
  events: [
    "kms.amazonaws.com:DisableKeyRotation",
    "kms.amazonaws.com:DisableKey",
    "kms.amazonaws.com:ScheduleKeyDeletion",
    "kms.amazonaws.com:PutKeyPolicy",
    "kms.amazonaws.com:CreateGrant",
    "kms.amazonaws.com:DeleteImportedKeyMaterial",
    // An alias a PHI bucket's default encryption names (KMSMasterKeyID alias/…): judged with the
    // stored inventory of the account's buckets in that region (`inventory`).
    "kms.amazonaws.com:UpdateAlias",
    "kms.amazonaws.com:DeleteAlias",
  ],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "Encryption: disabling or scheduling deletion of the key that protects recordings makes them unreadable (availability) and a key policy or grant that admits outsiders makes them decryptable by others. Re-pointing or deleting an alias a PHI bucket's default encryption names changes the key new recordings are encrypted under, or makes their writes fail.",
  remediation:
    "Cancel the deletion (aws kms cancel-key-deletion), re-enable the key and its rotation, re-import deleted key material (aws kms import-key-material, same material), restore the key policy, revoke unexpected grants (aws kms revoke-grant), point the alias back at the PHI key (aws kms update-alias, or create-alias after a deletion) or name the key ARN in the bucket's default encryption; restrict kms:ScheduleKeyDeletion/DisableKey/DeleteImportedKeyMaterial/PutKeyPolicy/UpdateAlias/DeleteAlias to key administrators.",
  inventory(r) {
    if (!ALIAS_EVENTS.has(r.eventName)) return [];
    return [{ accountId: accountOf(r), region: r.awsRegion, resourceType: "AWS::S3::Bucket" }];
  },
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    if (ALIAS_EVENTS.has(r.eventName)) return aliasChanged(r, ctx);
    const key = keyArnOf(r);
    if (!key || !isPhiKey(ctx.baseline, key)) return [];
    const req = r.requestParameters ?? {};
    const subject = { resourceType: "AWS::KMS::Key", resourceId: key };
    const d = (
      summary: string,
      evidence: Record<string, unknown>,
      severity?: "critical" | "high" | "medium",
    ) => [managementDetection(r, ctx, subject, summary, evidence, severity ? { severity } : {})];
    switch (r.eventName) {
      case "DisableKeyRotation":
        return d(`rotation disabled on PHI key ${key}`, {}, "medium");
      case "DisableKey":
        return d(`PHI key ${key} disabled (recordings become unreadable)`, {}, "critical");
      case "ScheduleKeyDeletion":
        return d(
          `PHI key ${key} scheduled for deletion in ${Number(req.pendingWindowInDays ?? 30)} days`,
          { pendingWindowInDays: Number(req.pendingWindowInDays ?? 30) },
          "critical",
        );
      case "DeleteImportedKeyMaterial":
        // A key with imported (EXTERNAL) material becomes PendingImport at once: no waiting period.
        return d(
          `imported key material deleted from PHI key ${key} (recordings unreadable until it is re-imported)`,
          {},
          "critical",
        );
      case "PutKeyPolicy": {
        const weak = policyWeaknesses(ctx.json(req.policy), ctx.baseline.accounts);
        if (weak.length === 0) return [];
        return d(`key policy of PHI key ${key} ${weak.join("; ")}`, { weakened: weak }, "critical");
      }
      case "CreateGrant": {
        const grantee = String(req.granteePrincipal ?? "");
        const acct = /(\d{12})/.exec(grantee)?.[1];
        const p = ctx.baseline.principals;
        const known =
          matchesAny([...p.rawReaders, ...p.operators, ...p.analytics], grantee) ||
          p.services.includes(grantee);
        if (known || (acct && ctx.baseline.accounts.includes(acct) && !grantee.includes(":root"))) return [];
        return d(`grant on PHI key ${key} to ${grantee.slice(0, 256) || "an unknown principal"}`, {
          grantee: grantee.slice(0, 256),
          operations: Array.isArray(req.operations) ? req.operations.slice(0, 20) : [],
        });
      }
      default:
        return [];
    }
  },
});

/** The key ARN an UpdateAlias points the alias at (response since December 2022, resources, or the request). */
function newTargetKey(r: CloudTrailRecord): string | undefined {
  const res = (r.responseElements ?? {}) as Record<string, unknown>;
  if (typeof res.keyId === "string" && res.keyId.startsWith("arn:")) return res.keyId;
  const fromResources = r.resources?.find((x) => /:key\//.test(x.ARN ?? ""))?.ARN;
  if (fromResources) return fromResources;
  const id = r.requestParameters?.targetKeyId;
  if (typeof id !== "string" || id === "") return undefined;
  if (id.startsWith("arn:")) return id;
  return `arn:${partitionOfResource({ region: r.awsRegion })}:kms:${r.awsRegion}:${accountOf(r)}:key/${id}`;
}

/**
 * UpdateAlias / DeleteAlias of an alias that a PHI bucket (per the baseline) of the event's account
 * and region names in its default encryption, by name (`alias/x`) or alias ARN: S3 resolves the alias
 * on every write, so new recordings are encrypted under the alias's new key, or (deleted) their writes
 * fail. Judged from the stored inventory; when it was not read completely the finding says it could not
 * tell, at medium, rather than pass. An alias can only name a key of its own account and region (KMS
 * refuses any other, and AWS-managed keys take no customer alias), so a target outside the baseline's
 * accounts is anomalous on its face.
 */
function aliasChanged(r: CloudTrailRecord, ctx: RecordContext): DetectionDraft[] {
  const aliasName = r.requestParameters?.aliasName;
  if (typeof aliasName !== "string" || !aliasName.startsWith("alias/") || aliasName.startsWith("alias/aws/"))
    return [];
  const account = accountOf(r);
  const region = r.awsRegion;
  const aliasArn = `arn:${partitionOfResource({ region })}:kms:${region}:${account}:${aliasName}`;
  const names = (ref: string | null) =>
    ref === aliasName ||
    (!!ref && ref.startsWith("arn:") && ref.endsWith(`:kms:${region}:${account}:${aliasName}`));
  const query: InventoryQuery = { accountId: account, region, resourceType: "AWS::S3::Bucket" };
  const read = ctx.inventory(query);
  const buckets = (read?.snapshots ?? [])
    .filter((s) => s.region === region && phiBucketOf(ctx.baseline, bucketName(s), s.tags))
    .filter((s) => bucketEncryption(s).some((rule) => names(rule.kmsKeyId)))
    .map(bucketName)
    .sort();
  const phiAlias = isPhiKey(ctx.baseline, aliasArn);
  const inventory = !read
    ? "not read (no stored inventory in this mode)"
    : read.complete
      ? "complete"
      : `incomplete: ${read.reason ?? "not every page was read"}`;
  const deleted = r.eventName === "DeleteAlias";
  const target = deleted ? undefined : newTargetKey(r);
  const targetAccount = target ? /^arn:[\w-]+:kms:[\w-]*:(\d{12}):/.exec(target)?.[1] : undefined;
  const outside = targetAccount !== undefined && !ctx.baseline.accounts.includes(targetAccount);
  const evidence = {
    aliasName,
    ...(target ? { targetKeyArn: target } : {}),
    ...(targetAccount ? { targetKeyAccount: targetAccount } : {}),
    phiBucketsNamingAlias: buckets.slice(0, 20),
    phiBucketsNamingAliasCount: buckets.length,
    ...(phiAlias ? { aliasIsPhiKey: true } : {}),
    inventory,
  };
  const subject = { resourceType: "AWS::KMS::Alias", resourceId: aliasArn };
  const d = (summary: string, severity: Severity) => [
    managementDetection(r, ctx, subject, summary, evidence, { severity }),
  ];
  if (buckets.length === 0 && !phiAlias) {
    if (read?.complete) return [];
    return d(
      `KMS alias ${aliasName} ${deleted ? "deleted" : "re-pointed"}: cannot tell whether a PHI bucket's default encryption names it (inventory ${inventory})`,
      "medium",
    );
  }
  const named =
    buckets.length > 0
      ? `named by the default encryption of PHI bucket${buckets.length === 1 ? "" : "s"} ${buckets.slice(0, 5).join(", ")}${buckets.length > 5 ? ` and ${buckets.length - 5} more` : ""}`
      : "a PHI key in the baseline";
  if (deleted)
    return d(
      `KMS alias ${aliasName} (${named}) deleted: writes that rely on the bucket default encryption fail until it is restored`,
      "critical",
    );
  if (outside)
    return d(
      `KMS alias ${aliasName} (${named}) re-pointed to a key in account ${targetAccount}, outside the baseline`,
      "critical",
    );
  if (target && isPhiKey(ctx.baseline, target))
    return d(
      `KMS alias ${aliasName} (${named}) re-pointed to PHI key ${target} (a manual rotation? confirm it was planned)`,
      "medium",
    );
  return d(
    `KMS alias ${aliasName} (${named}) re-pointed to ${target ?? "another key"}, not a PHI key in the baseline: new recordings are encrypted under it, which tamper-key and kms-decrypt-anomaly do not watch`,
    "high",
  );
}
