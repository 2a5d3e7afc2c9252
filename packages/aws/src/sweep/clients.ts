import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ConnectClient } from "@aws-sdk/client-connect";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { TemporaryCredentials } from "./assume.ts";
import { perRegion } from "./per-region.ts";
import type { RegionClients } from "./reader.ts";

/** Read-only clients for one region (sweep and scan), with the function's or a member role's credentials. */
export function regionalReadClients(
  credentials?: () => Promise<TemporaryCredentials>,
): (region: string) => RegionClients {
  return perRegion(credentials, (cfg) => ({
    config: new ConfigServiceClient(cfg),
    kms: new KMSClient(cfg),
    ec2: new EC2Client(cfg),
    cloudtrail: new CloudTrailClient(cfg),
    connect: new ConnectClient(cfg),
    s3control: new S3ControlClient(cfg),
    s3: new S3Client(cfg),
    dynamodb: new DynamoDBClient(cfg),
    sns: new SNSClient(cfg),
  }));
}

/** The account and partition the credentials belong to (STS GetCallerIdentity). */
export async function callerIdentity(
  sts = new STSClient({}),
): Promise<{ accountId: string; partition: string }> {
  const r = await sts.send(new GetCallerIdentityCommand({}));
  if (!r.Account) throw new Error("GetCallerIdentity returned no account");
  const partition = /^arn:([\w-]+):/.exec(r.Arn ?? "")?.[1] ?? "aws";
  return { accountId: r.Account, partition };
}
