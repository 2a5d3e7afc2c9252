import { readFileSync, writeFileSync } from "node:fs";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/**
 * Reads the table's real stream from DynamoDB Local and invokes a handler with the records, as Lambda's
 * DynamoDB event source mapping does: batches in shard order, `ReportBatchItemFailures` honoured
 * (the batch is retried from the first failed record), checkpoints kept in a file so a restarted
 * local stack resumes where it stopped.
 */
export class StreamPoller {
  private iterators = new Map<string, string>();
  private checkpoints: Record<string, string> = {};
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly handler: StreamHandler,
    private readonly opts: {
      checkpointFile?: string;
      batchSize?: number;
      maxRetries?: number;
      onGiveUp?: (r: DynamoDBRecord, e: unknown) => void;
    } = {},
  ) {
    if (opts.checkpointFile) {
      try {
        this.checkpoints = JSON.parse(readFileSync(opts.checkpointFile, "utf8"));
      } catch {
        this.checkpoints = {};
      }
    }
  }

  /** Poll every shard once; returns the number of records delivered. */
  async pollOnce(): Promise<number> {
    const d = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    let delivered = 0;
    for (const shard of d.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      let iterator = this.iterators.get(shardId);
      if (!iterator) {
        const after = this.checkpoints[shardId];
        try {
          const it = await this.streams.send(
            new GetShardIteratorCommand({
              StreamArn: this.streamArn,
              ShardId: shardId,
              ShardIteratorType: after ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
              ...(after ? { SequenceNumber: after } : {}),
            }),
          );
          iterator = it.ShardIterator;
        } catch {
          const it = await this.streams.send(
            new GetShardIteratorCommand({
              StreamArn: this.streamArn,
              ShardId: shardId,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          );
          iterator = it.ShardIterator;
        }
        if (!iterator) continue;
      }
      for (let rounds = 0; rounds < 100 && iterator; rounds++) {
        const r: GetRecordsCommandOutput = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.opts.batchSize ?? 100 }),
        );
        const records = r.Records ?? [];
        if (records.length === 0) {
          iterator = r.NextShardIterator;
          break;
        }
        const ok = await this.deliver(shardId, records);
        delivered += ok;
        if (ok < records.length) {
          // Retry from the first failed record on the next poll, as Lambda does (bisect not emulated).
          this.iterators.delete(shardId);
          iterator = undefined;
          break;
        }
        iterator = r.NextShardIterator;
      }
      if (iterator) this.iterators.set(shardId, iterator);
      else this.iterators.delete(shardId);
    }
    return delivered;
  }

  private async deliver(shardId: string, records: StreamRecord[]): Promise<number> {
    const event: DynamoDBStreamEvent = { Records: records.map((r) => toLambdaRecord(r, this.streamArn)) };
    let failedFrom = records.length;
    try {
      const res = await this.handler(event);
      const failed = res?.batchItemFailures ?? [];
      if (failed.length > 0) {
        const seqs = new Set(failed.map((f) => f.itemIdentifier));
        failedFrom = records.findIndex((r) => seqs.has(r.dynamodb?.SequenceNumber ?? ""));
        if (failedFrom < 0) failedFrom = records.length;
      }
    } catch {
      failedFrom = 0;
    }
    if (failedFrom < records.length) {
      const seq = records[failedFrom]!.dynamodb!.SequenceNumber!;
      const n = (this.failures.get(seq) ?? 0) + 1;
      this.failures.set(seq, n);
      if (n > (this.opts.maxRetries ?? 5)) {
        // Like an event source mapping's MaximumRetryAttempts + on-failure destination: skip it, loudly.
        this.opts.onGiveUp?.(event.Records[failedFrom]!, new Error(`stream record failed ${n} times`));
        failedFrom++;
      }
    }
    const lastOk = failedFrom - 1;
    if (lastOk >= 0) this.checkpoint(shardId, records[lastOk]!.dynamodb!.SequenceNumber!);
    return Math.max(0, failedFrom);
  }

  private checkpoint(shardId: string, seq: string): void {
    this.checkpoints[shardId] = seq;
    if (this.opts.checkpointFile) writeFileSync(this.opts.checkpointFile, JSON.stringify(this.checkpoints));
  }
}

function toLambdaRecord(r: StreamRecord, streamArn: string): DynamoDBRecord {
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord["eventName"],
    eventVersion: r.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: r.awsRegion ?? "us-east-1",
    eventSourceARN: streamArn,
    dynamodb: {
      ...(r.dynamodb?.ApproximateCreationDateTime
        ? {
            ApproximateCreationDateTime: Math.floor(
              new Date(r.dynamodb.ApproximateCreationDateTime).getTime() / 1000,
            ),
          }
        : {}),
      Keys: r.dynamodb?.Keys as never,
      NewImage: r.dynamodb?.NewImage as never,
      OldImage: r.dynamodb?.OldImage as never,
      SequenceNumber: r.dynamodb?.SequenceNumber,
      SizeBytes: r.dynamodb?.SizeBytes,
      StreamViewType: r.dynamodb?.StreamViewType as never,
    },
  };
}
