import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ConnectClient } from "@aws-sdk/client-connect";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { RegionClients } from "./sweep/index.ts";

export type { ConfigServiceClient, DynamoDBClient, KMSClient, S3Client, SNSClient, SQSClient };

/**
 * SDK clients for the handlers, each created on first use and kept for the container's life.
 * Endpoints come from the standard configuration (`AWS_ENDPOINT_URL_<SERVICE>` in local mode).
 * `offline` (local mode): there is no KMS or Config endpoint, so those are not created, and S3 uses
 * path-style addressing against the loopback endpoint.
 */
export function lazyClients(opts: { offline: boolean }) {
  const once = <T>(make: () => T) => {
    let v: T | undefined;
    return () => {
      v ??= make();
      return v;
    };
  };
  return {
    dynamodb: once(() => new DynamoDBClient({})),
    sqs: once(() => new SQSClient({})),
    sns: once(() => new SNSClient({})),
    s3: once(() => new S3Client(opts.offline ? { forcePathStyle: true } : {})),
    ssm: once(() => new SSMClient({})),
    secretsManager: once(() => new SecretsManagerClient({})),
    kms: opts.offline ? () => undefined : once(() => new KMSClient({})),
    config: opts.offline ? () => undefined : once(() => new ConfigServiceClient({})),
  };
}

/**
 * Read-only clients for one region (sweep and scan), created once per region per container.
 */
export function regionalReadClients(): (region: string) => RegionClients {
  const cache = new Map<string, RegionClients>();
  return (region) => {
    let c = cache.get(region);
    if (!c) {
      c = {
        config: new ConfigServiceClient({ region }),
        kms: new KMSClient({ region }),
        cloudtrail: new CloudTrailClient({ region }),
        connect: new ConnectClient({ region }),
        s3control: new S3ControlClient({ region }),
      };
      cache.set(region, c);
    }
    return c;
  };
}

/** The account the credentials belong to (STS GetCallerIdentity). */
export async function callerAccount(): Promise<string> {
  const r = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  if (!r.Account) throw new Error("GetCallerIdentity returned no account");
  return r.Account;
}
