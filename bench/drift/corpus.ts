// A corpus of realistic configuration items for the drift benchmark: S3 buckets in every state the
// controls care about (encryption, public access, policies, versioning, lifecycle, replication,
// logging), KMS keys, and the real published samples (IAM role/policy/user, trail, security group,
// account public access block) with varied ids.
import { readFileSync } from "node:fs";
import {
  bucketConfigurationItem,
  kmsKeyConfigurationItem,
} from "../../packages/cli/src/demo/config-events.ts";

const SAMPLES = "test/fixtures/config";
const sample = (name: string) => {
  try {
    return JSON.parse(readFileSync(`${SAMPLES}/${name}`, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` configuration items as JSON texts (what arrives on the wire), deterministic for a seed. */
export function corpus(n: number, seed = 42): string[] {
  const r = rng(seed);
  const real = [
    "rdk__AWS_IAM_Role.json",
    "rdk__AWS_IAM_Policy.json",
    "rdk__AWS_IAM_User.json",
    "rdk__AWS_Cloudtrail_Trail.json",
    "rdk__AWS_EC2_SecurityGroup.json",
    "rdk__AWS_S3_AccountPublicAccessBlock.json",
    "rdk__AWS_KMS_Key.json",
  ]
    .map(sample)
    .filter((x): x is Record<string, unknown> => x !== undefined);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const pick = r();
    const capturedAt = new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString();
    let item: Record<string, unknown>;
    if (pick < 0.6) {
      const phi = r() < 0.5;
      const name = phi
        ? r() < 0.5
          ? "northwind-connect-recordings"
          : `northwind-ctr-${i}`
        : `app-assets-${i}`;
      item = bucketConfigurationItem({
        name,
        capturedAt,
        sse:
          r() < 0.3
            ? { algorithm: "AES256" }
            : {
                algorithm: "aws:kms",
                kmsKeyId: r() < 0.5 ? "alias/aws/s3" : `arn:aws:kms:us-east-1:111122223333:key/${i}`,
              },
        publicAccessBlock:
          r() < 0.8
            ? {
                blockPublicAcls: true,
                ignorePublicAcls: r() < 0.9,
                blockPublicPolicy: true,
                restrictPublicBuckets: r() < 0.9,
              }
            : null,
        versioning: r() < 0.7 ? "Enabled" : "Suspended",
        policy: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecure",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
              Sid: "Readers",
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::111122223333:role/qa-${i % 7}` },
              Action: ["s3:GetObject"],
              Resource: `arn:aws:s3:::${name}/*`,
            },
          ],
        },
      });
    } else if (pick < 0.7) {
      item = kmsKeyConfigurationItem({
        keyId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        keyManager: r() < 0.8 ? "CUSTOMER" : "AWS",
        capturedAt,
      });
    } else {
      const base = real[Math.floor(r() * real.length)]!;
      item = {
        ...base,
        resourceId: `${String(base.resourceId)}-${i}`,
        configurationItemCaptureTime: capturedAt,
      };
    }
    out.push(JSON.stringify(item));
  }
  return out;
}
