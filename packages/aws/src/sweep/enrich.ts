import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetBucketOwnershipControlsCommand, S3Client } from "@aws-sdk/client-s3";
import { manualRotation, type Report, type ResourceSnapshot } from "@phiwatch/core";
import type { TemporaryCredentials } from "./assume.ts";
import { reasonOf } from "./backoff.ts";
import { perRegion } from "./per-region.ts";
import type { RegionClients } from "./reader.ts";

/** Resource types Config records without what the controls need (rotation, key policy, selectors, status). */
export const ENRICHED_TYPES: readonly string[] = [
  "AWS::KMS::Key",
  "AWS::CloudTrail::Trail",
  "AWS::S3::Bucket",
];

/**
 * Add what Config does not record — a key's rotation status and policy, a trail's event selectors and
 * logging status, a PHI bucket's Object Ownership — from the KMS, CloudTrail and S3 APIs. Marks the snapshot as an API read (at `now`,
 * unless `keepCaptureTime`) when anything was added; a denied read is reported through `unable` and
 * the controls then say "cannot prove". Used by the sweep and by the config-change handler, so both
 * paths evaluate the same data.
 */
export async function enrichSnapshot(
  s: ResourceSnapshot,
  c: Pick<RegionClients, "kms" | "cloudtrail" | "s3">,
  opts: {
    now: Date;
    /** Buckets whose Object Ownership to read (PHI buckets: the read costs a request per bucket). */
    enrichBucket?: (s: ResourceSnapshot) => boolean;
    send?: <T>(fn: () => Promise<T>) => Promise<T>;
    unable?: (u: Report.UnableToEvaluate) => void;
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
        extra.TrailStatus = { IsLogging: r.IsLogging === true };
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
export type EnrichmentClients = Required<Pick<RegionClients, "kms" | "ec2" | "cloudtrail" | "s3">> & {
  /** For oversized items (`GetResourceConfigHistory` in the item's own region). */
  config: ConfigServiceClient;
};

/**
 * KMS, EC2, CloudTrail, S3 and Config clients per region, created on first use (config-change handler):
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
    config: new ConfigServiceClient(cfg),
  }));
}
