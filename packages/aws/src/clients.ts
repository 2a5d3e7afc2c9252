import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";

export type { ConfigServiceClient, DynamoDBClient, KMSClient, S3Client, SNSClient, SQSClient };

/**
 * SDK clients for the handlers, each created on first use and kept for the container's life.
 * Endpoints come from the standard configuration (`AWS_ENDPOINT_URL_<SERVICE>` in local mode).
 * `offline` (local mode): S3 uses path-style addressing against the loopback endpoint.
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
    sts: once(() => new STSClient({})),
  };
}
