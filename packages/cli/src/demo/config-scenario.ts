import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  bucketConfigurationItem,
  configChangeEvent,
  iamRoleConfigurationItem,
  kmsKeyConfigurationItem,
  tlsOnlyPolicy,
  trailConfigurationItem,
} from "./config-events.ts";

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
  const keyArn = `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`;
  const allOn = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  };
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
    // Transcripts: customer-managed key, TLS-only policy, seven-year lifecycle.
    configChangeEvent(
      bucketConfigurationItem({
        name: DEMO.transcriptsBucket,
        capturedAt: "2026-03-03T14:01:44.000Z",
        sse: { algorithm: "aws:kms", kmsKeyId: keyArn, bucketKey: true },
        publicAccessBlock: allOn,
        policy: tlsOnlyPolicy(DEMO.transcriptsBucket),
        lifecycle: [
          {
            id: "retain-7-years",
            status: "Enabled",
            expirationInDays: 2555,
            noncurrentVersionExpirationInDays: 2555,
          },
        ],
      }),
    ),
    // Recordings: the pre-audit gaps — AWS-managed encryption, Block Public Access partly off, no retention rule.
    configChangeEvent(
      bucketConfigurationItem({
        name: DEMO.recordingsBucket,
        capturedAt: "2026-03-03T14:02:31.000Z",
        sse: { algorithm: "AES256", bucketKey: true },
        publicAccessBlock: { ...allOn, ignorePublicAcls: false, restrictPublicBuckets: false },
      }),
    ),
    // The trail: management events only — no data-event selector for the PHI buckets.
    configChangeEvent(
      trailConfigurationItem({
        name: "northwind-org-trail",
        capturedAt: "2026-03-03T14:03:05.000Z",
        multiRegion: true,
        logFileValidation: true,
        kmsKeyId: keyArn,
        s3BucketName: "northwind-cloudtrail-logs",
      }),
    ),
    // The analytics/QA role: meant for transcripts, but its policy reaches raw audio too.
    configChangeEvent(
      iamRoleConfigurationItem({
        roleName: "analytics-qa",
        capturedAt: "2026-03-03T14:04:12.000Z",
        trustedService: "sagemaker.amazonaws.com",
        inlinePolicies: {
          "qa-read": {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "ReadContactCenterData",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:ListBucket"],
                Resource: [
                  `arn:aws:s3:::${DEMO.transcriptsBucket}`,
                  `arn:aws:s3:::${DEMO.transcriptsBucket}/*`,
                  `arn:aws:s3:::${DEMO.recordingsBucket}/*`,
                ],
              },
            ],
          },
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
