// DynamoDB requests of the config-change handler: the evaluations of a change (the changed resource's,
// and each dependant's) read their findings together in one strongly consistent BatchGetItem (up to
// 100 findings each: config-change-dependants.test.ts), not one GetItem per control.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  kmsKeyConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { recordHandlerRequests, type SentRequest } from "../../helpers/handler-requests.ts";

type Key = { PK?: { S?: string } };
type Sent = SentRequest;

let stack: LocalStack;
let store: DynamoFindingStore;
let stopRecording: (() => Promise<void>) | undefined;
const sent: Sent[] = [];

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  // The handler's own client (functions/lib/runtime.ts): every request it sends, with its input.
  stopRecording = await recordHandlerRequests("configChangeRequestCounter", sent);
});
afterAll(async () => {
  await stopRecording?.();
  await stack?.stop();
});
afterEach(() => {
  sent.length = 0;
});

const KEY_ID = "0b6f1e6a-3c1d-4a51-9d6e-2f7c5b8a9e10";
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const bucket = (name: string, capturedAt: string, sse: "AES256" | "key") =>
  configChangeEvent(
    bucketConfigurationItem({
      name,
      capturedAt,
      sse: sse === "AES256" ? { algorithm: "AES256" } : { algorithm: "aws:kms", kmsKeyId: KEY_ARN },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }),
  );

/** GetItems of a finding item (`F#<id>`): inventory GetItems (`I#…`) are not findings. */
const findingGets = () =>
  sent.filter(
    (s) =>
      s.command === "GetItemCommand" &&
      String((s.input.Key as { PK?: { S?: string } }).PK?.S ?? "").startsWith("F#"),
  ).length;
const batchGets = () => sent.filter((s) => s.command === "BatchGetItemCommand");

/** The key the buckets are fixed with, recorded (offline there is no KMS to ask). */
const recordKey = () =>
  stack.dispatch(
    configChangeEvent(
      kmsKeyConfigurationItem({
        keyId: KEY_ID,
        keyManager: "CUSTOMER",
        capturedAt: "2026-03-03T09:00:00.000Z",
      }),
    ),
  );
const consistent = (s: Sent) =>
  Object.values(s.input.RequestItems as Record<string, { ConsistentRead?: boolean; Keys: unknown[] }>);

describe("config-change: DynamoDB reads per change", () => {
  it("reads the findings of the changed resource in one strongly consistent request, and still opens and resolves them", async () => {
    await stack.dispatch(bucket("northwind-ctr-requests", "2026-03-03T10:00:00.000Z", "AES256"));
    expect(findingGets()).toBe(0);
    // No dependant yet (no key recorded): the bucket's evaluation alone, every control's finding at once.
    expect(batchGets()).toHaveLength(1);
    const [ask] = consistent(batchGets()[0]!);
    expect(ask!.ConsistentRead).toBe(true);
    expect(ask!.Keys.length).toBeGreaterThan(5);
    const open = (await store.listFindings({ ruleId: "s3-encryption-cmk" })).items.find(
      (f) => f.subject.resourceId === "northwind-ctr-requests",
    );
    expect(open?.status).toBe("OPEN");

    await recordKey();
    sent.length = 0;
    // Fixed with the recorded customer-managed key: the finding resolves (the lifecycle decides on the
    // batch's copy), the key is re-evaluated as a dependant, and neither reads a finding on its own:
    // the bucket's findings and the key's are read in one request.
    await stack.dispatch(bucket("northwind-ctr-requests", "2026-03-03T11:00:00.000Z", "key"));
    expect(findingGets()).toBe(0);
    expect(batchGets()).toHaveLength(1);
    for (const b of batchGets()) expect(consistent(b).every((a) => a.ConsistentRead === true)).toBe(true);
    const fixed = await store.getFinding(open!.findingId);
    expect(fixed?.status).toBe("RESOLVED");
    expect(await store.findingHistory(open!.findingId)).toHaveLength(2);
  });

  it("reads a dependant's findings in the same request (a PHI bucket's key is re-evaluated)", async () => {
    await recordKey();
    sent.length = 0;
    // The key protects a PHI bucket: the bucket change re-evaluates it (kms-* depend on buckets).
    await stack.dispatch(bucket("northwind-ctr-dependant", "2026-03-03T12:00:00.000Z", "key"));
    expect(findingGets()).toBe(0);
    // The bucket's evaluation and the key's: one request for both.
    expect(batchGets()).toHaveLength(1);
    const keys = consistent(batchGets()[0]!)[0]!.Keys.map((k) => String((k as Key).PK?.S));
    expect(keys.length).toBeGreaterThan(5);
    expect(new Set(keys).size).toBe(keys.length);
    // Inventory reads: each list and item once per change, shared by the bucket's evaluation and the
    // key's (the trail list and the key's item are asked for by both).
    const inventoryReads = sent
      .filter((s) => s.command === "QueryCommand" || s.command === "GetItemCommand")
      .map(
        (s) => (s.input.Key as Key | undefined)?.PK?.S ?? JSON.stringify(s.input.ExpressionAttributeValues),
      );
    expect(inventoryReads.length).toBeGreaterThan(0);
    expect(inventoryReads).toEqual([...new Set(inventoryReads)]);
    const rotation = (await store.listFindings({ ruleId: "kms-rotation" })).items.find(
      (f) => f.subject.resourceId === KEY_ID || f.subject.resourceId === KEY_ARN,
    );
    expect(rotation?.status).toBe("OPEN");
  });
});
