import type { ResourceSnapshot } from "./snapshot.ts";

/** Default encryption of a bucket as Config records it. */
export interface BucketEncryption {
  algorithm: string | null;
  kmsKeyId: string | null;
  bucketKeyEnabled: boolean;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Default-encryption rules; empty when the item records none. */
export function bucketEncryption(s: ResourceSnapshot): BucketEncryption[] {
  const sse = obj(s.supplementary.ServerSideEncryptionConfiguration);
  const rules = Array.isArray(sse?.rules) ? sse.rules : [];
  return rules.map((r) => {
    const rule = obj(r) ?? {};
    const def = obj(rule.applyServerSideEncryptionByDefault) ?? {};
    return {
      algorithm: typeof def.sseAlgorithm === "string" ? def.sseAlgorithm : null,
      kmsKeyId:
        typeof def.kmsMasterKeyID === "string" && def.kmsMasterKeyID !== "" ? def.kmsMasterKeyID : null,
      bucketKeyEnabled: rule.bucketKeyEnabled === true,
    };
  });
}

export const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "ignorePublicAcls",
  "blockPublicPolicy",
  "restrictPublicBuckets",
] as const;
export type PublicAccessFlag = (typeof PUBLIC_ACCESS_FLAGS)[number];
export type PublicAccessBlock = Record<PublicAccessFlag, boolean>;

/** Bucket-level Block Public Access, or undefined when none is configured (all flags off). */
export function bucketPublicAccessBlock(s: ResourceSnapshot): PublicAccessBlock | undefined {
  const pab = obj(s.supplementary.PublicAccessBlockConfiguration);
  if (!pab) return undefined;
  return readFlags(pab);
}

/** Account-level Block Public Access from an `AWS::S3::AccountPublicAccessBlock` item. */
export function accountPublicAccessBlock(s: ResourceSnapshot): PublicAccessBlock {
  return readFlags(s.configuration);
}

function readFlags(source: Record<string, unknown>): PublicAccessBlock {
  const flag = (name: string) => {
    // Config writes camelCase for buckets and PascalCase for the account item.
    const v = source[name] ?? source[name[0]!.toUpperCase() + name.slice(1)];
    return v === true || v === "true";
  };
  return {
    blockPublicAcls: flag("blockPublicAcls"),
    ignorePublicAcls: flag("ignorePublicAcls"),
    blockPublicPolicy: flag("blockPublicPolicy"),
    restrictPublicBuckets: flag("restrictPublicBuckets"),
  };
}

/** Name of the bucket a snapshot describes. */
export function bucketName(s: ResourceSnapshot): string {
  return s.resourceName ?? s.resourceId;
}

/** Whether a KMS key reference names the AWS-managed S3 key (`alias/aws/s3`, by alias or alias ARN). */
export function isAwsManagedS3Alias(ref: string): boolean {
  return ref === "alias/aws/s3" || ref.endsWith(":alias/aws/s3");
}
