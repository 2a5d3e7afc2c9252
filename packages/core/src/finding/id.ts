import { createHash } from "node:crypto";
import type { FindingSubject } from "./types.ts";

/**
 * Deterministic finding id: the same rule on the same subject always maps to the same id, which is
 * what makes every write idempotent. Account and region are part of the key (organisation scale).
 *
 * @example
 * ```ts
 * findingId("s3-encryption-cmk", { accountId: "1", region: "us-east-1", resourceType: "AWS::S3::Bucket", resourceId: "b" })
 * // → "f-…" (24 hex chars)
 * ```
 */
export function findingId(ruleId: string, subject: FindingSubject, discriminator = ""): string {
  const h = createHash("sha256");
  h.update(
    [
      ruleId,
      subject.accountId,
      subject.region,
      subject.resourceType,
      subject.resourceId,
      subject.principal ?? "",
      discriminator,
    ].join("\u0000"),
  );
  return `f-${h.digest("hex").slice(0, 24)}`;
}
