import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** SNS `Publish` input without the topic (built by `Format.snsPublishInput`). */
export interface AlertPublishInput {
  Subject: string;
  Message: string;
  MessageStructure?: "json";
  MessageAttributes: Record<string, { DataType: "String"; StringValue: string }>;
}

/** Publishes alerts to the SNS alerts topic. */
export class SnsAlertPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(input: AlertPublishInput): Promise<string> {
    const r = await this.sns.send(new PublishCommand({ TopicArn: this.topicArn, ...input }));
    return r.MessageId ?? "";
  }
}

/** One message for a FIFO queue. */
export interface FifoMessage {
  body: string;
  groupId: string;
  deduplicationId: string;
  attributes?: Record<string, string>;
}

/** What SQS counts of a message against its size limits: body, attribute names, types and values. */
export function fifoMessageBytes(m: FifoMessage): number {
  let n = Buffer.byteLength(m.body);
  for (const [k, v] of Object.entries(m.attributes ?? {}))
    n += Buffer.byteLength(k) + "String".length + Buffer.byteLength(v);
  return n;
}

/** A FIFO queue (webhook deliveries and their dead-letter queue). */
export class FifoQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
    /** SendMessageBatch payload limit (the queue's MaximumMessageSize, `Plan.QUEUE_MESSAGE_MAX_BYTES`). */
    private readonly maxBatchBytes = 262_144,
  ) {}

  /**
   * Send in order, in batches of at most ten messages and `maxBatchBytes` in all (SQS refuses a whole
   * batch over its payload limit); throws when SQS refuses any message (the caller retries the whole
   * call). A message over the limit on its own is sent alone, and SQS's refusal names it.
   */
  async sendAll(messages: readonly FifoMessage[]): Promise<void> {
    const batches: FifoMessage[][] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = fifoMessageBytes(m);
      const last = batches.at(-1);
      if (last && last.length < 10 && bytes + size <= this.maxBatchBytes) {
        last.push(m);
        bytes += size;
      } else {
        batches.push([m]);
        bytes = size;
      }
    }
    for (const batch of batches) {
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.url,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            MessageBody: m.body,
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.deduplicationId,
            ...(m.attributes ? { MessageAttributes: attributes(m.attributes) } : {}),
          })),
        }),
      );
      if (r.Failed && r.Failed.length > 0)
        throw new Error(`SQS refused ${r.Failed.length} messages: ${r.Failed[0]?.Code}`);
    }
  }

  async send(m: FifoMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: m.body,
        MessageGroupId: m.groupId,
        MessageDeduplicationId: m.deduplicationId,
        ...(m.attributes ? { MessageAttributes: attributes(m.attributes) } : {}),
      }),
    );
  }

  /** Hide a received message for `seconds` (capped at SQS's 12 hours): the retry backoff. */
  async delay(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(12 * 3600, Math.ceil(seconds))),
      }),
    );
  }
}

function attributes(a: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, { DataType: "String", StringValue: v.slice(0, 256) }]),
  );
}
