// BatchReadFindingStore.getFindings (the sweep reads a resource's findings in one BatchGetItem):
// every id it answers for is answered as getFinding answers it; ids DynamoDB leaves unprocessed are
// asked again after a pause, and those still unprocessed are left out (read one by one by the caller).
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchReadFindingStore, ensureTable } from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { findingId, type Observation, recordObservation } from "../../../packages/core/src/index.ts";

let stack: LocalStack;
const TABLE = "finding-batch";
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: true });
  await ensureTable(stack.ddb, TABLE);
});
afterAll(async () => {
  await stack?.stop();
});

const subject = (resourceId: string) => ({
  accountId: "111122223333",
  region: "us-east-1",
  resourceType: "AWS::S3::Bucket",
  resourceId,
});
const obs = (resourceId: string): Observation => ({
  kind: "drift",
  ruleId: "s3-encryption-cmk",
  title: "PHI buckets encrypt with a customer-managed KMS key",
  severity: "high",
  hipaa: ["164.312(a)(2)(iv)"],
  subject: subject(resourceId),
  verdict: "fail",
  summary: "SSE-S3 (AES256) instead of aws:kms",
  evidence: { sseAlgorithm: "AES256" },
  observedAt: "2026-03-03T10:00:00.000Z",
  cause: "evt-1",
});
const idOf = (resourceId: string) => findingId("s3-encryption-cmk", subject(resourceId));

/** DynamoDB Local, except that each BatchGetItem answers only its first `serve` keys (the rest unprocessed). */
function partial(serve: number): { ddb: DynamoDBClient; batches: number[] } {
  const batches: number[] = [];
  const ddb = Object.assign(Object.create(stack.ddb) as DynamoDBClient, {
    send: async (command: unknown) => {
      if (!(command instanceof BatchGetItemCommand)) return stack.ddb.send(command as never);
      const [table, ask] = Object.entries(command.input.RequestItems ?? {})[0]!;
      const keys = ask.Keys ?? [];
      batches.push(keys.length);
      const r: Partial<BatchGetItemCommandOutput> =
        serve > 0
          ? await stack.ddb.send(
              new BatchGetItemCommand({ RequestItems: { [table]: { ...ask, Keys: keys.slice(0, serve) } } }),
            )
          : { Responses: { [table]: [] } };
      return {
        ...r,
        UnprocessedKeys: keys.length > serve ? { [table]: { ...ask, Keys: keys.slice(serve) } } : {},
      };
    },
  });
  return { ddb, batches };
}

describe("BatchReadFindingStore.getFindings", () => {
  it("answers 250 ids (three requests) as getFinding answers each, absent ones as undefined", async () => {
    const store = new BatchReadFindingStore(stack.ddb, TABLE);
    const present = Array.from({ length: 120 }, (_, i) => `bucket-${i}`);
    for (const b of present) await recordObservation(store, obs(b));
    const ids = [...present, ...Array.from({ length: 130 }, (_, i) => `absent-${i}`)].map(idOf);
    const read = await store.getFindings(ids);
    expect(read.size).toBe(250);
    for (const id of ids) expect(read.get(id)).toEqual(await store.getFinding(id));
    expect([...read.values()].filter(Boolean)).toHaveLength(120);
  });

  it("asks again for unprocessed keys, and leaves out those never processed", async () => {
    const store0 = new BatchReadFindingStore(stack.ddb, TABLE);
    await recordObservation(store0, obs("unprocessed-a"));
    const ids = ["unprocessed-a", "unprocessed-b", "bucket-1", "bucket-2", "absent-x"].map(idOf);
    const pauses: number[] = [];
    const sleep = async (ms: number) => {
      pauses.push(ms);
    };
    const two = partial(2);
    const read = await new BatchReadFindingStore(two.ddb, TABLE, { backoff: { sleep } }).getFindings(ids);
    expect(two.batches).toEqual([5, 3, 1]);
    expect(pauses).toHaveLength(2);
    expect(read.size).toBe(5);
    for (const id of ids) expect(read.get(id)).toEqual(await store0.getFinding(id));

    // Never processed (DynamoDB answers nothing): not in the map, so the caller reads them itself.
    const none = partial(0);
    const unread = await new BatchReadFindingStore(none.ddb, TABLE, { backoff: { sleep } }).getFindings(ids);
    expect(none.batches).toEqual([5, 5, 5, 5]);
    expect(unread.size).toBe(0);
  });
});
