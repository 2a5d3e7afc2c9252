import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/**
 * Delivers an SQS queue to a handler as Lambda's SQS event source mapping does: batches of up to
 * `batchSize` messages, deletes the ones that succeeded (`ReportBatchItemFailures`), leaves failed ones to become
 * visible again — the queue's redrive policy moves them to its DLQ after maxReceiveCount.
 */
export async function pollQueueOnce(
  sqs: SQSClient,
  queueUrl: string,
  queueArn: string,
  handler: SqsHandler,
  batchSize = 10,
): Promise<number> {
  // Like an event source mapping with a batching window: gather up to `batchSize` messages (SQS
  // returns at most 10 per receive) before invoking once.
  const messages: Message[] = [];
  while (messages.length < batchSize) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (!r.Messages || r.Messages.length === 0) break;
    messages.push(...r.Messages);
  }
  if (messages.length === 0) return 0;
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? "",
      attributes: (m.Attributes ?? {}) as never,
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { dataType: v.DataType ?? "String", stringValue: v.StringValue },
        ]),
      ) as never,
      md5OfBody: m.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: "us-east-1",
    })),
  };
  let failed = new Set<string>();
  try {
    const res = await handler(event);
    failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    failed = new Set(messages.map((m) => m.MessageId!));
  }
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  for (let i = 0; i < done.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return done.length;
}
