import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { Format } from "@phiwatch/core";

export interface RedriveResult {
  moved: number;
  /**
   * Reasons the moved deliveries had been dead-lettered with, counted; each fit to print (at most
   * `Format.PRINTABLE_MAX_CHARS` characters, no control characters, PHI-shaped strings redacted).
   */
  reasons: Record<string, number>;
}

/**
 * Move dead-lettered webhook deliveries back to the delivery queue (FIFO: message group and a fresh
 * deduplication id kept per message), oldest first. SQS's own message-move task does not support FIFO
 * queues, so phiwatch moves them itself: send first, then delete, so a crash can duplicate (receivers
 * deduplicate on X-Phiwatch-Delivery) but never lose a delivery.
 */
export async function redriveDeliveries(
  sqs: SQSClient,
  from: { url: string },
  to: { url: string },
  opts: { max?: number; filter?: (body: string) => boolean } = {},
): Promise<RedriveResult> {
  const result: RedriveResult = { moved: 0, reasons: {} };
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  while (result.moved < max) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    const msgs = (r.Messages ?? []).filter((m) => !opts.filter || opts.filter(m.Body ?? ""));
    if ((r.Messages ?? []).length === 0) break;
    if (msgs.length === 0) continue;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to.url,
        Entries: msgs.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? "",
          MessageGroupId: m.Attributes?.MessageGroupId ?? "redrive",
          MessageDeduplicationId: `redrive-${m.MessageId}-${Date.now()}`,
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
    const done = msgs.filter((_, i) => ok.has(i));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: from.url,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    for (const m of done) {
      // Whatever wrote it (an older forwarder, anything with access to the DLQ), a reason can quote a
      // SIEM's answer: returned fit to print, bounded and redacted.
      const stored = m.MessageAttributes?.reason?.StringValue;
      const reason = stored === undefined ? "unknown" : Format.printableText(stored);
      result.reasons[reason] = (result.reasons[reason] ?? 0) + 1;
    }
    result.moved += done.length;
    if ((sent.Failed ?? []).length > 0)
      throw new Error(`SQS refused ${sent.Failed!.length} redriven deliveries: ${sent.Failed![0]?.Code}`);
  }
  return result;
}
