// DynamoDB requests of a Config change with many dependants: a trail change re-evaluates every bucket
// of its account, a PHI bucket change every trail of its account and the keys it names. Their findings
// are read together, one strongly consistent BatchGetItem per 100 (before: one per evaluation). Counted on the
// handler's own client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  kmsKeyConfigurationItem,
  trailConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { allFindings } from "../../../packages/core/src/index.ts";
import { demoBaselineFileWithAccounts } from "../../helpers/baseline.ts";
import { recordHandlerRequests, type SentRequest } from "../../helpers/handler-requests.ts";

type Key = { PK?: { S?: string } };
type Sent = SentRequest;

let stack: LocalStack;
let store: DynamoFindingStore;
let stopRecording: (() => Promise<void>) | undefined;
const sent: Sent[] = [];
const ACCOUNTS = ["111122223333", "222200000001", "222200000002", "222200000003", "222200000004"];

beforeAll(async () => {
  // The demo baseline with one account per case (an account's buckets, keys and trails are its own).
  const baselineFile = demoBaselineFileWithAccounts(ACCOUNTS, "dependants-");
  stack = await LocalStack.start({ baselineFile });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  // The handler's own client (functions/lib/runtime.ts): every request it sends, with its input.
  stopRecording = await recordHandlerRequests("dependantsRequestCounter", sent);
});
afterAll(async () => {
  await stopRecording?.();
  await stack?.stop();
});

const REGION = "us-east-1";
const keyArn = (account: string, keyId: string) => `arn:aws:kms:${REGION}:${account}:key/${keyId}`;
const keyId = (i: number) => `0b6f1e6a-3c1d-4a51-9d6e-${String(i).padStart(12, "0")}`;
const PAB = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const bucket = (account: string, name: string, capturedAt: string, key?: string) =>
  configChangeEvent(
    bucketConfigurationItem({
      name,
      accountId: account,
      capturedAt,
      sse: key ? { algorithm: "aws:kms", kmsKeyId: key } : { algorithm: "AES256" },
      publicAccessBlock: PAB,
    }),
  );
const key = (account: string, id: string, capturedAt: string) =>
  configChangeEvent(
    kmsKeyConfigurationItem({ keyId: id, accountId: account, keyManager: "CUSTOMER", capturedAt }),
  );
const trail = (account: string, name: string, capturedAt: string) =>
  configChangeEvent(
    trailConfigurationItem({
      name,
      accountId: account,
      capturedAt,
      multiRegion: true,
      logFileValidation: true,
      s3BucketName: `${name}-logs`,
    }),
  );

/** The findings BatchGetItems of the last change: keys asked (`F#…`) per request, and strong consistency. */
function findingReads() {
  const reads = sent
    .filter((s) => s.command === "BatchGetItemCommand")
    .map((s) =>
      Object.values(s.input.RequestItems as Record<string, { ConsistentRead?: boolean; Keys: Key[] }>),
    );
  const keys = reads.flatMap((r) => r.flatMap((t) => t.Keys.map((k) => String(k.PK?.S))));
  return {
    requests: reads.length,
    keys,
    consistent: reads.every((r) => r.every((t) => t.ConsistentRead === true)),
    largest: Math.max(0, ...reads.map((r) => r.reduce((n, t) => n + t.Keys.length, 0))),
  };
}
/** GetItems of a finding item (`F#<id>`): the inventory's (`I#…`) are not findings. */
const findingGets = () =>
  sent.filter((s) => s.command === "GetItemCommand" && String((s.input.Key as Key).PK?.S).startsWith("F#"))
    .length;
/** Every finding of an account, by id (status, revision, lastSeen: what a write would move). */
async function findingsOf(account: string) {
  const all = await allFindings(store, { accountId: account });
  return new Map(all.map((f) => [f.findingId, f]));
}

describe("config-change: one BatchGetItem per 100 findings across a change's dependants", () => {
  it("reads a trail change's findings and its 20 PHI buckets' in ceil(keys / 100) requests", async () => {
    const account = ACCOUNTS[1]!;
    for (let i = 0; i < 20; i++)
      await stack.dispatch(bucket(account, `northwind-ctr-t${i}`, "2026-03-03T09:00:00.000Z"));
    await stack.dispatch(trail(account, "org-trail", "2026-03-03T09:30:00.000Z"));
    const before = await findingsOf(account);
    sent.length = 0;
    // Recorded again without a change that moves a verdict: every bucket is re-evaluated (s3-access-
    // audited depends on trails), nothing is written but the trail's inventory item.
    await stack.dispatch(trail(account, "org-trail", "2026-03-03T10:00:00.000Z"));
    const reads = findingReads();
    expect(findingGets()).toBe(0);
    expect(reads.consistent).toBe(true);
    expect(reads.largest).toBeLessThanOrEqual(100);
    // Each finding asked for once, more than 100 of them (12 controls × 20 buckets, and the trail's).
    expect(new Set(reads.keys).size).toBe(reads.keys.length);
    expect(reads.keys.length).toBeGreaterThan(200);
    // One request per evaluation before (22: the trail, the trail again as a trail's dependant, 20 buckets).
    expect(reads.requests).toBe(Math.ceil(reads.keys.length / 100));
    expect(await findingsOf(account)).toEqual(before);
  });

  it("writes each bucket's changed verdict on the shared read, and still reads it in as few requests", async () => {
    const account = ACCOUNTS[2]!;
    for (let i = 0; i < 20; i++)
      await stack.dispatch(bucket(account, `northwind-ctr-w${i}`, "2026-03-03T09:00:00.000Z"));
    const audited = async () =>
      [...(await findingsOf(account)).values()].filter((f) => f.ruleId === "s3-access-audited");
    const before = await audited();
    expect(before).toHaveLength(20);
    sent.length = 0;
    // The account's first trail: every PHI bucket's s3-access-audited evidence now names it (a write
    // each, decided on the batch's copy and conditional on its revision).
    await stack.dispatch(trail(account, "first-trail", "2026-03-03T10:00:00.000Z"));
    const reads = findingReads();
    expect(findingGets()).toBe(0);
    expect(reads.requests).toBe(Math.ceil(new Set(reads.keys).size / 100));
    const writes = sent.filter(
      (s) => s.command === "PutItemCommand" || s.command === "TransactWriteItemsCommand",
    );
    expect(writes.length).toBeGreaterThan(20);
    const after = await audited();
    expect(after).toHaveLength(20);
    for (const f of after) {
      const was = before.find((b) => b.findingId === f.findingId)!;
      expect(f.revision).toBe((was.revision ?? 0) + 1);
      expect(JSON.stringify(f.evidence)).toContain("first-trail");
    }
  });

  it("reads a PHI bucket change's findings with its 10 keys' and 3 trails' in one request", async () => {
    const account = ACCOUNTS[3]!;
    for (let i = 0; i < 10; i++) await stack.dispatch(key(account, keyId(i), "2026-03-03T09:00:00.000Z"));
    for (let i = 0; i < 3; i++)
      await stack.dispatch(trail(account, `trail-${i}`, "2026-03-03T09:00:00.000Z"));
    sent.length = 0;
    // kms-* depend on buckets (a key protecting a PHI bucket is a PHI key), cloudtrail-phi-data-events too:
    // the bucket change re-evaluates every trail of the account and the key it names (14 requests
    // before; every key of the account until bucket-key-dependants.test.ts).
    await stack.dispatch(
      bucket(account, "northwind-ctr-b", "2026-03-03T10:00:00.000Z", keyArn(account, keyId(0))),
    );
    const reads = findingReads();
    expect(findingGets()).toBe(0);
    expect(reads.requests).toBe(1);
    expect(reads.keys.length).toBeGreaterThan(30);
    // The key the bucket uses became a PHI key: its findings are opened by the dependant evaluation.
    const rotation = [...(await findingsOf(account)).values()].filter((f) => f.ruleId === "kms-rotation");
    expect(rotation.map((f) => f.subject.resourceId)).toEqual([keyId(0)]);
    expect((await store.findingHistory(rotation[0]!.findingId))[0]!.cause).toMatch(
      /^dependency:AWS::S3::Bucket:/,
    );
  });

  it("a key change re-evaluates no bucket (no control depends on keys): one request whatever the buckets", async () => {
    const account = ACCOUNTS[4]!;
    await stack.dispatch(key(account, keyId(50), "2026-03-03T09:00:00.000Z"));
    for (let i = 0; i < 5; i++)
      await stack.dispatch(
        bucket(account, `northwind-ctr-k${i}`, "2026-03-03T09:10:00.000Z", keyArn(account, keyId(50))),
      );
    sent.length = 0;
    await stack.dispatch(key(account, keyId(50), "2026-03-03T10:00:00.000Z"));
    expect(findingReads().requests).toBe(1);
    expect(findingGets()).toBe(0);
  });
});
