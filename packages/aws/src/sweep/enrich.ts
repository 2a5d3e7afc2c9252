import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { DescribeContinuousBackupsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetBucketOwnershipControlsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetDataProtectionPolicyCommand, SNSClient } from "@aws-sdk/client-sns";
import { manualRotation, type Report, type ResourceSnapshot, storeOfResource } from "@phiwatch/core";
import type { TemporaryCredentials } from "./assume.ts";
import { reasonOf } from "./backoff.ts";
import { perRegion } from "./per-region.ts";
import type { RegionClients } from "./reader.ts";

/** Resource types Config records without what the controls need (rotation, key policy, selectors, status). */
export const ENRICHED_TYPES: readonly string[] = [
  "AWS::KMS::Key",
  "AWS::CloudTrail::Trail",
  "AWS::S3::Bucket",
  // Only phiwatch's own findings table and alerts topic (`ownStores`): recovery period, data protection.
  "AWS::DynamoDB::Table",
  "AWS::SNS::Topic",
];

/** The API object's keys in the casing Config records (`ContinuousBackupsStatus` → `continuousBackupsStatus`). */
function recordedKey(o: Record<string, unknown>, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === lower) ?? name;
}
function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

/**
 * Config's `ContinuousBackupsDescription` with what DescribeContinuousBackups answered: the status and
 * `recoveryPeriodInDays` (which Config does not record) written into the recorded object, under the
 * keys it already has, so the control reads one description; Config's other fields are kept.
 */
function withBackups(
  supplementary: Record<string, unknown>,
  api: {
    ContinuousBackupsStatus?: string;
    PointInTimeRecoveryDescription?: { PointInTimeRecoveryStatus?: string; RecoveryPeriodInDays?: number };
  },
): { key: string; value: Record<string, unknown> } {
  const key = recordedKey(supplementary, "ContinuousBackupsDescription");
  const backups = asObject(supplementary[key]);
  if (api.ContinuousBackupsStatus)
    backups[recordedKey(backups, "continuousBackupsStatus")] = api.ContinuousBackupsStatus;
  const pitrKey = recordedKey(backups, "pointInTimeRecoveryDescription");
  const pitr = asObject(backups[pitrKey]);
  const a = api.PointInTimeRecoveryDescription;
  if (a?.PointInTimeRecoveryStatus)
    pitr[recordedKey(pitr, "pointInTimeRecoveryStatus")] = a.PointInTimeRecoveryStatus;
  if (a?.RecoveryPeriodInDays !== undefined)
    pitr[recordedKey(pitr, "recoveryPeriodInDays")] = a.RecoveryPeriodInDays;
  backups[pitrKey] = pitr;
  return { key, value: backups };
}

/** Longest error kept from GetTrailStatus (an S3 error code; the controls show at most 64 characters). */
const MAX_ERROR = 256;

/**
 * What the controls read of a GetTrailStatus answer: whether the trail logs, and the delivery to S3 of
 * its log files and digest files — the latest error of each (absent when there is none), the last
 * delivery, and the latest attempt with the time of the latest successful one (which tell whether the
 * error is still the latest outcome). Times as ISO strings (the SDK gives `Date`s); the attempt times
 * are strings in the API already.
 */
function trailStatus(r: {
  IsLogging?: boolean;
  LatestDeliveryError?: string;
  LatestDeliveryTime?: Date;
  LatestDeliveryAttemptTime?: string;
  LatestDeliveryAttemptSucceeded?: string;
  LatestDigestDeliveryError?: string;
  LatestDigestDeliveryTime?: Date;
}): Record<string, unknown> {
  const out: Record<string, unknown> = { IsLogging: r.IsLogging === true };
  const text = (k: string, v: unknown) => {
    if (typeof v === "string" && v !== "") out[k] = v.slice(0, MAX_ERROR);
  };
  const time = (k: string, v: unknown) => {
    if (v instanceof Date && Number.isFinite(v.getTime())) out[k] = v.toISOString();
  };
  text("LatestDeliveryError", r.LatestDeliveryError);
  time("LatestDeliveryTime", r.LatestDeliveryTime);
  text("LatestDeliveryAttemptTime", r.LatestDeliveryAttemptTime);
  text("LatestDeliveryAttemptSucceeded", r.LatestDeliveryAttemptSucceeded);
  text("LatestDigestDeliveryError", r.LatestDigestDeliveryError);
  time("LatestDigestDeliveryTime", r.LatestDigestDeliveryTime);
  return out;
}

/**
 * Add what Config does not record — a key's rotation status and policy, a trail's event selectors and
 * logging and delivery status, a PHI bucket's Object Ownership, the recovery period of phiwatch's own findings table
 * and the data-protection policy of its alerts topic — from the KMS, CloudTrail, S3, DynamoDB and SNS APIs. Marks the snapshot as an API read (at `now`,
 * unless `keepCaptureTime`) when anything was added; a denied read is reported through `unable` (the
 * sweep's posture lists it, the config-change handler logs a warning) and the controls then say "cannot
 * prove" — except the recovery period and data-protection policy of phiwatch's own stores, which
 * phiwatch-self-protection judges as it judges an item Config delivers without them: "not recorded" in
 * its evidence, the recorded status alone deciding. Used by the sweep and by the config-change handler,
 * so both paths evaluate the same data.
 */
export async function enrichSnapshot(
  s: ResourceSnapshot,
  c: Pick<RegionClients, "kms" | "cloudtrail" | "s3" | "dynamodb" | "sns">,
  opts: {
    now: Date;
    /** Buckets whose Object Ownership to read (PHI buckets: the read costs a request per bucket). */
    enrichBucket?: (s: ResourceSnapshot) => boolean;
    send?: <T>(fn: () => Promise<T>) => Promise<T>;
    unable?: (u: Report.UnableToEvaluate) => void;
    /**
     * ARNs of this deployment's findings table and alerts topic, the only stores the function's role
     * may read the recovery period (`dynamodb:DescribeContinuousBackups`) and data-protection policy
     * (`sns:GetDataProtectionPolicy`) of; no other table or topic, another stage's included, is read.
     */
    ownStores?: readonly string[];
    /** Keep the item's capture time (event path: the item is already the newest state). */
    keepCaptureTime?: boolean;
  },
): Promise<ResourceSnapshot> {
  const send = opts.send ?? (<T>(fn: () => Promise<T>) => fn());
  const unable = opts.unable ?? (() => undefined);
  const extra: Record<string, unknown> = {};
  const unableTo = (operation: string, reason: string) =>
    unable({ resourceType: s.resourceType, resourceId: s.resourceId, region: s.region, operation, reason });
  const fail = (operation: string, error: unknown) => unableTo(operation, reasonOf(error));
  if (s.resourceType === "AWS::KMS::Key" && s.configuration.keyManager !== "AWS") {
    const keyId = s.arn ?? s.resourceId;
    // KMS refuses GetKeyRotationStatus for a key it cannot rotate automatically (imported material,
    // custom key stores): not a failed read to report every hour; kms-rotation reads the origin.
    const autoRotatable = manualRotation(s.configuration.origin) === undefined;
    if (!c.kms) unableTo("kms:GetKeyRotationStatus", "no KMS client configured");
    else {
      if (autoRotatable)
        try {
          const r = await send(() => c.kms!.send(new GetKeyRotationStatusCommand({ KeyId: keyId })));
          extra.KeyRotationStatus = r.KeyRotationEnabled === true;
          if (r.RotationPeriodInDays) extra.RotationPeriodInDays = r.RotationPeriodInDays;
        } catch (error) {
          fail("kms:GetKeyRotationStatus", error);
        }
      if (s.supplementary.Policy === undefined && s.supplementary.KeyPolicy === undefined) {
        try {
          const r = await send(() =>
            c.kms!.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" })),
          );
          if (r.Policy) extra.Policy = JSON.parse(r.Policy);
        } catch (error) {
          fail("kms:GetKeyPolicy", error);
        }
      }
    }
  }
  if (s.resourceType === "AWS::CloudTrail::Trail") {
    const name =
      s.arn ?? (typeof s.configuration.trailARN === "string" ? s.configuration.trailARN : s.resourceId);
    if (!c.cloudtrail) unableTo("cloudtrail:GetEventSelectors", "no CloudTrail client configured");
    else {
      try {
        const r = await send(() => c.cloudtrail!.send(new GetEventSelectorsCommand({ TrailName: name })));
        if (r.EventSelectors) extra.EventSelectors = r.EventSelectors;
        if (r.AdvancedEventSelectors) extra.AdvancedEventSelectors = r.AdvancedEventSelectors;
        if (!r.EventSelectors && !r.AdvancedEventSelectors) extra.EventSelectors = [];
      } catch (error) {
        fail("cloudtrail:GetEventSelectors", error);
      }
      try {
        const r = await send(() => c.cloudtrail!.send(new GetTrailStatusCommand({ Name: name })));
        extra.TrailStatus = trailStatus(r);
      } catch (error) {
        fail("cloudtrail:GetTrailStatus", error);
      }
    }
  }
  if (
    s.resourceType === "AWS::S3::Bucket" &&
    c.s3 &&
    opts.enrichBucket?.(s) &&
    s.supplementary.BucketOwnershipControls === undefined &&
    s.supplementary.OwnershipControls === undefined
  ) {
    try {
      const r = await send(() =>
        c.s3!.send(new GetBucketOwnershipControlsCommand({ Bucket: s.resourceName ?? s.resourceId })),
      );
      if (r.OwnershipControls) extra.OwnershipControls = r.OwnershipControls;
    } catch (error) {
      // No ownership controls configured is an answer (ACLs enabled, the legacy default), not a failure.
      if ((error as { name?: string }).name === "OwnershipControlsNotFoundError")
        extra.OwnershipControls = { Rules: [] };
      else fail("s3:GetBucketOwnershipControls", error);
    }
  }
  const store = s.arn !== undefined && opts.ownStores?.includes(s.arn) ? storeOfResource(s) : undefined;
  if (store === "findings" && s.resourceType === "AWS::DynamoDB::Table") {
    if (!c.dynamodb) unableTo("dynamodb:DescribeContinuousBackups", "no DynamoDB client configured");
    else
      try {
        const name = s.resourceName ?? s.resourceId;
        const r = await send(() =>
          c.dynamodb!.send(new DescribeContinuousBackupsCommand({ TableName: name })),
        );
        if (r.ContinuousBackupsDescription) {
          const b = withBackups(s.supplementary, r.ContinuousBackupsDescription);
          extra[b.key] = b.value;
        }
      } catch (error) {
        fail("dynamodb:DescribeContinuousBackups", error);
      }
  }
  if (store === "alerts" && s.resourceType === "AWS::SNS::Topic") {
    if (!c.sns) unableTo("sns:GetDataProtectionPolicy", "no SNS client configured");
    else
      try {
        const r = await send(() => c.sns!.send(new GetDataProtectionPolicyCommand({ ResourceArn: s.arn! })));
        // No policy is an empty (or absent) string: "none", not "not recorded".
        extra.DataProtectionPolicy = r.DataProtectionPolicy ?? "";
      } catch (error) {
        fail("sns:GetDataProtectionPolicy", error);
      }
  }
  if (Object.keys(extra).length === 0) return s;
  return {
    ...s,
    supplementary: { ...s.supplementary, ...extra },
    capturedAt: opts.keepCaptureTime ? s.capturedAt : maxIso(s.capturedAt, opts.now.toISOString()),
    source: "api",
  };
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}

/** The clients the config-change handler reads an account's region with. */
export type EnrichmentClients = Required<
  Pick<RegionClients, "kms" | "ec2" | "cloudtrail" | "s3" | "dynamodb" | "sns">
> & {
  /** For oversized items (`GetResourceConfigHistory` in the item's own region). */
  config: ConfigServiceClient;
};

/**
 * KMS, EC2, CloudTrail, S3, DynamoDB, SNS and Config clients per region, created on first use (config-change handler):
 * with the function's own credentials, or with `credentials` (a member account's read role).
 */
export function enrichmentClients(
  credentials?: () => Promise<TemporaryCredentials>,
): (region: string) => EnrichmentClients {
  return perRegion(credentials, (cfg) => ({
    kms: new KMSClient(cfg),
    ec2: new EC2Client(cfg),
    cloudtrail: new CloudTrailClient(cfg),
    s3: new S3Client(cfg),
    dynamodb: new DynamoDBClient(cfg),
    sns: new SNSClient(cfg),
    config: new ConfigServiceClient(cfg),
  }));
}
