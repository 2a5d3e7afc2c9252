// FifoQueue.sendAll: SQS refuses a whole SendMessageBatch whose payload passes the queue's size limit
// (BatchRequestTooLong), so batches are cut by bytes as well as by ten messages, keeping the order.
import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { type FifoMessage, FifoQueue } from "../../../packages/aws/src/index.ts";
import { QUEUE_MESSAGE_MAX_BYTES } from "../../../packages/core/src/plan/index.ts";

function recordingClient() {
  const batches: string[][] = [];
  const sqs = {
    send: async (cmd: { input: { Entries: { MessageBody: string }[] } }) => {
      batches.push(cmd.input.Entries.map((e) => e.MessageBody));
      return { Successful: [], Failed: [] };
    },
  } as unknown as SQSClient;
  return { sqs, batches };
}

const message = (i: number, bytes: number): FifoMessage => ({
  body: `${String(i).padStart(4, "0")}${"x".repeat(bytes - 4)}`,
  groupId: `siem:f-${i}`,
  deduplicationId: `d-${i}`,
});

describe("FifoQueue.sendAll", () => {
  it("cuts batches at the payload limit as well as at ten messages, in order", async () => {
    const { sqs, batches } = recordingClient();
    // Six targets' copies of one finding event with 48 KB of public evidence: 290 KB in one batch.
    const messages = Array.from({ length: 6 }, (_, i) => message(i, 48_000));
    await new FifoQueue(sqs, "https://sqs.example/q.fifo", QUEUE_MESSAGE_MAX_BYTES).sendAll(messages);
    for (const b of batches)
      expect(b.reduce((n, body) => n + Buffer.byteLength(body), 0)).toBeLessThanOrEqual(
        QUEUE_MESSAGE_MAX_BYTES,
      );
    expect(batches.map((b) => b.length)).toEqual([5, 1]);
    expect(batches.flat().map((b) => b.slice(0, 4))).toEqual([
      "0000",
      "0001",
      "0002",
      "0003",
      "0004",
      "0005",
    ]);
  });

  it("still sends ten small messages per batch", async () => {
    const { sqs, batches } = recordingClient();
    await new FifoQueue(sqs, "https://sqs.example/q.fifo").sendAll(
      Array.from({ length: 23 }, (_, i) => message(i, 100)),
    );
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });
});
