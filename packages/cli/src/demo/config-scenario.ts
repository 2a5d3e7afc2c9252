import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bucketConfigurationItem, configChangeEvent, kmsKeyConfigurationItem } from "./config-events.ts";

/** The demo health system's account, region and resources (see examples/baseline.yaml). */
export const DEMO = {
  accountId: "111122223333",
  region: "us-east-1",
  recordingsBucket: "northwind-connect-recordings",
  transcriptsBucket: "northwind-contact-lens-transcripts",
  phiKeyId: "6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11",
} as const;

/**
 * The configuration side of the pre-audit story, as AWS Config would report it on a Tuesday in
 * March: the recordings bucket on SSE-S3 (AWS-managed encryption) with Block Public Access partly
 * off; the transcripts bucket on a customer-managed KMS key (compliant); the key itself.
 * Writes one EventBridge event per file, in capture-time order; returns the file paths.
 */
export function writeConfigScenario(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const events = [
    configChangeEvent(
      kmsKeyConfigurationItem({
        keyId: DEMO.phiKeyId,
        keyManager: "CUSTOMER",
        capturedAt: "2026-03-03T13:58:10.000Z",
        description: "Contact Lens transcripts",
      }),
      "CREATE",
    ),
    configChangeEvent(
      bucketConfigurationItem({
        name: DEMO.transcriptsBucket,
        capturedAt: "2026-03-03T14:01:44.000Z",
        sse: {
          algorithm: "aws:kms",
          kmsKeyId: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`,
          bucketKey: true,
        },
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      }),
    ),
    configChangeEvent(
      bucketConfigurationItem({
        name: DEMO.recordingsBucket,
        capturedAt: "2026-03-03T14:02:31.000Z",
        sse: { algorithm: "AES256", bucketKey: true },
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: false,
        },
      }),
    ),
  ];
  return events.map((e, i) => {
    const item = (e.detail as { configurationItem: { resourceType: string; resourceId: string } })
      .configurationItem;
    const file = join(
      outDir,
      `${String(i + 1).padStart(2, "0")}-config-${item.resourceType.split("::")[2]!.toLowerCase()}-${item.resourceId.slice(0, 40)}.json`,
    );
    writeFileSync(file, `${JSON.stringify(e, null, 2)}\n`);
    return file;
  });
}
