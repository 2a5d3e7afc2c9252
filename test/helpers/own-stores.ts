// Config items of phiwatch's own findings table and alerts topic, built from the real awslabs/aws-config-rdk
// items (test/fixtures/README.md) renamed as the deploy names them, on a customer-managed key with point-in-time
// recovery on; and a message data-protection policy that denies. Shared by the enrichment and sweep tests.
import { readFileSync } from "node:fs";

// biome-ignore lint/suspicious/noExplicitAny: recorded AWS JSON
export type Json = Record<string, any>;

const rdk = (file: string): Json => JSON.parse(readFileSync(`test/fixtures/config/${file}`, "utf8"));

export interface StoreAccount {
  accountId: string;
  region: string;
  /** The key ARN the table and topic are encrypted with. */
  cmk: string;
}

export const tableArn = (a: StoreAccount, name: string) =>
  `arn:aws:dynamodb:${a.region}:${a.accountId}:table/${name}`;
export const topicArn = (a: StoreAccount, name: string) => `arn:aws:sns:${a.region}:${a.accountId}:${name}`;

/** The real Config table item renamed `name`, on `a.cmk`, point-in-time recovery on (no period: Config records none). */
export function storeTableItem(a: StoreAccount, name: string): Json {
  const ci = rdk("rdk__AWS_DynamoDB_Table.json");
  return {
    ...ci,
    accountId: a.accountId,
    awsRegion: a.region,
    arn: tableArn(a, name),
    resourceId: name,
    resourceName: name,
    configuration: {
      ...ci.configuration,
      tableName: name,
      tableArn: tableArn(a, name),
      sSEDescription: { status: "ENABLED", sSEType: "KMS", kMSMasterKeyArn: a.cmk },
    },
    supplementaryConfiguration: {
      ...ci.supplementaryConfiguration,
      ContinuousBackupsDescription: {
        continuousBackupsStatus: "ENABLED",
        pointInTimeRecoveryDescription: {
          pointInTimeRecoveryStatus: "ENABLED",
          earliestRestorableDateTime: 1642087688890,
        },
      },
    },
  };
}

/** The real Config topic item renamed `name`, on `a.cmk` (no data-protection policy: Config records none). */
export function storeTopicItem(a: StoreAccount, name: string): Json {
  const ci = rdk("rdk__AWS_SNS_Topic.json");
  const arn = topicArn(a, name);
  return {
    ...ci,
    accountId: a.accountId,
    awsRegion: a.region,
    arn,
    resourceId: arn,
    resourceName: name,
    configuration: { ...ci.configuration, TopicArn: arn, Owner: a.accountId, KmsMasterKeyId: a.cmk },
  };
}

/** A message data-protection policy whose one statement denies publishes carrying e-mail addresses. */
export const DENY_POLICY = JSON.stringify({
  Name: "alerts",
  Version: "2021-06-01",
  Statement: [
    {
      Sid: "deny",
      DataDirection: "Inbound",
      Principal: ["*"],
      DataIdentifier: ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
      Operation: { Deny: {} },
    },
  ],
});
