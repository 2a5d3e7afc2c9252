// phiwatch's own key and the findings table (from the single TABLE definition in packages/core).
import { name, Plan, protectedStage, tags } from "./context";

/** Customer-managed key for the table, topics, queues, logs and function environments. */
export const key = new aws.kms.Key("PhiwatchKey", {
  description: `phiwatch ${name("key")}: findings table, alerts topic, queues, logs`,
  enableKeyRotation: true,
  rotationPeriodInDays: 365,
  deletionWindowInDays: 30,
  tags,
});

export const keyAlias = new aws.kms.Alias("PhiwatchKeyAlias", {
  name: `alias/${name("key")}`,
  targetKeyId: key.keyId,
});

const spec = Plan.tableSpec(protectedStage);

export const table = new aws.dynamodb.Table("Findings", {
  name: name("findings"),
  billingMode: spec.billingMode,
  hashKey: spec.hashKey,
  rangeKey: spec.rangeKey,
  attributes: spec.attributes,
  globalSecondaryIndexes: spec.globalSecondaryIndexes,
  ttl: { attributeName: spec.ttlAttribute, enabled: true },
  streamEnabled: true,
  streamViewType: spec.streamViewType,
  pointInTimeRecovery: { enabled: spec.pointInTimeRecovery },
  serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
  deletionProtectionEnabled: spec.deletionProtection,
  tags,
});

export const findingsLink = new sst.Linkable("Findings", {
  properties: { name: table.name, arn: table.arn },
});
export const keyLink = new sst.Linkable("PhiwatchKey", {
  properties: { arn: key.arn, alias: keyAlias.name },
});
