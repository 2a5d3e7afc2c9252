// Alerts topic and the webhook delivery queues (FIFO: one ordered group per target and finding),
// plus the dead letter for malformed input. Every one is encrypted with phiwatch's key.
import { name, Plan, tags } from "./context";
import { key } from "./storage";

export const alerts = new aws.sns.Topic("Alerts", {
  name: name("alerts"),
  kmsMasterKeyId: key.arn,
  tags,
});

export const deliveriesDlq = new aws.sqs.Queue("DeliveriesDlq", {
  name: `${name("deliveries-dlq")}.fifo`,
  fifoQueue: true,
  maxMessageSize: Plan.QUEUE_MESSAGE_MAX_BYTES,
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
  messageRetentionSeconds: Plan.DLQ_RETENTION_SECONDS,
  tags,
});

export const deliveries = new aws.sqs.Queue("Deliveries", {
  name: `${name("deliveries")}.fifo`,
  fifoQueue: true,
  // Message ids are per (target, finding, transition): the queue's dedup uses them, not a body hash.
  contentBasedDeduplication: false,
  // The size announce (functions/lib/announce.ts) keeps each delivery within.
  maxMessageSize: Plan.QUEUE_MESSAGE_MAX_BYTES,
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
  visibilityTimeoutSeconds: Plan.queueVisibilitySeconds("forward"),
  // Retries are delayed on the queue itself (forward's backoff): keep messages through the longest.
  messageRetentionSeconds: Plan.DLQ_RETENTION_SECONDS,
  // forward dead-letters with the reason after the last attempt; SQS's redrive is only the backstop.
  redrivePolicy: $jsonStringify({
    deadLetterTargetArn: deliveriesDlq.arn,
    maxReceiveCount: Plan.DELIVERY_MAX_RECEIVE_COUNT,
  }),
  tags,
});

/** Malformed or unprocessable input, kept with the reason (never silently dropped). */
export const deadLetter = new aws.sqs.Queue("DeadLetter", {
  name: name("dead-letter"),
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
  messageRetentionSeconds: Plan.DLQ_RETENTION_SECONDS,
  tags,
});

export const alertsLink = new sst.Linkable("Alerts", { properties: { arn: alerts.arn } });
export const deliveriesLink = new sst.Linkable("Deliveries", {
  properties: { url: deliveries.url, arn: deliveries.arn },
});
export const deliveriesDlqLink = new sst.Linkable("DeliveriesDlq", {
  properties: { url: deliveriesDlq.url, arn: deliveriesDlq.arn },
});
export const deadLetterLink = new sst.Linkable("DeadLetter", {
  properties: { url: deadLetter.url, arn: deadLetter.arn },
});
