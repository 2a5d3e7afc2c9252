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

/** A FIFO queue (webhook deliveries and their dead-letter queue). */
export class FifoQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
  ) {}

  /** Send in batches of ten; throws when SQS refuses any message (the caller retries the whole call). */
  async sendAll(messages: readonly FifoMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
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
