import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterSink } from "@phiwatch/core";

/** SQS message bodies are capped at 256 KiB: larger payloads are cut, with a note, never dropped silently. */
const MAX_BODY = 250 * 1024;

/** Dead letters to an SQS queue (KMS-encrypted), with the reason as message attributes. */
export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(letter: Omit<DeadLetter, "at">): Promise<void> {
    const full: DeadLetter = { ...letter, at: new Date().toISOString() };
    let body = JSON.stringify(full);
    if (Buffer.byteLength(body) > MAX_BODY) {
      body = JSON.stringify({
        ...full,
        payload: { truncated: true, head: JSON.stringify(letter.payload).slice(0, MAX_BODY / 2) },
      });
    }
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: { DataType: "String", StringValue: letter.reason.slice(0, 256) },
          source: { DataType: "String", StringValue: letter.source.slice(0, 256) },
        },
      }),
    );
  }
}
