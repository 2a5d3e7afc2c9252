// A transition is one TransactWriteItems (the finding and its history entry). DynamoDB cancels a
// transaction for throttling as it does for a failed condition — TransactionCanceledException, the
// reason per item in CancellationReasons — and the SDK retries neither. Only a failed condition (or a
// conflicting transaction) is a race to re-decide; throttling is retried after a pause, and any other
// reason (an item over 400 KB…) is thrown as it is, not reported as "conflicting writes".
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { findingId, type Observation, recordObservation } from "../../../packages/core/src/index.ts";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: true });
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

const cancelled = (code: string) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}, None]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: code, Message: "cancelled" }, { Code: "None" }],
  });

/** DynamoDB Local, except that the first `times` transactions are cancelled with `code`. */
function cancelling(code: string, times: number): { ddb: DynamoDBClient; transactions: () => number } {
  let n = 0;
  const ddb = Object.assign(Object.create(stack.ddb) as DynamoDBClient, {
    send: (command: unknown) => {
      if (command instanceof TransactWriteItemsCommand && n++ < times) return Promise.reject(cancelled(code));
      return stack.ddb.send(command as never);
    },
  });
  return { ddb, transactions: () => n };
}

describe("findings store: a transaction DynamoDB cancels for another reason than a condition", () => {
  it("retries a throttled transaction after a pause and records the transition once", async () => {
    const { ddb } = cancelling("ThrottlingError", 2);
    const sleeps: number[] = [];
    const store = new DynamoFindingStore(ddb, LOCAL_NAMES.table, {
      backoff: { sleep: async (ms) => void sleeps.push(ms), random: () => 1, baseMs: 50 },
    });
    const r = await recordObservation(store, obs("throttled-1"));
    expect(r).toMatchObject({ changed: true, transitioned: true });
    expect(sleeps).toEqual([50, 100]);
    expect(await store.findingHistory(findingId("s3-encryption-cmk", subject("throttled-1")))).toHaveLength(
      1,
    );
  });

  it("throws DynamoDB's error when throttling outlasts the retries, not 'gave up after conflicting writes'", async () => {
    const { ddb, transactions } = cancelling("ThrottlingError", 100);
    const store = new DynamoFindingStore(ddb, LOCAL_NAMES.table, { backoff: { sleep: async () => {} } });
    await expect(recordObservation(store, obs("throttled-2"))).rejects.toMatchObject({
      name: "TransactionCanceledException",
    });
    expect(transactions()).toBe(5);
  });

  it("throws a cancellation for an invalid item at once", async () => {
    const { ddb, transactions } = cancelling("ValidationError", 100);
    const store = new DynamoFindingStore(ddb, LOCAL_NAMES.table, { backoff: { sleep: async () => {} } });
    await expect(recordObservation(store, obs("invalid-1"))).rejects.toMatchObject({
      name: "TransactionCanceledException",
    });
    expect(transactions()).toBe(1);
  });
});
