// Two writers of one finding at once — config-change for a new item while the sweep or a dependants
// re-evaluation records the same (rule, resource) — against DynamoDB Local. Every write is
// conditional on what it was decided on, so the loser re-reads and re-decides: no older evaluation
// overwrites a newer one, no open finding is resolved by a stale pass, no history entry is doubled.
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, findingItem } from "../../../packages/aws/src/index.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  decide,
  type Finding,
  type FindingChange,
  findingId,
  type Observation,
  recordObservation,
  suppress,
} from "../../../packages/core/src/index.ts";

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
const obs = (resourceId: string, over: Partial<Observation>): Observation => ({
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
  ...over,
});

/** A promise and its resolve (Node 20 has no Promise.withResolvers). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A store on which both writers read the same state before either writes (the interleaving of a real
 * race), and whose first writes land in the order given (by `turnOf` of the change each would write:
 * its `lastSeen` unless told). A re-read and re-write after a conflict go straight through.
 */
function racingStore(
  store: DynamoFindingStore,
  readers: number,
  writeOrder: string[] = [],
  turnOf: (c: FindingChange) => string = (c) => c.next.lastSeen,
) {
  let reads = 0;
  let allRead!: () => void;
  const readGate = new Promise<void>((r) => {
    allRead = r;
  });
  const turns = new Map(writeOrder.map((lastSeen) => [lastSeen, deferred()]));
  turns.get(writeOrder[0]!)?.resolve();
  const used = new Set<string>();
  const racing = Object.assign(Object.create(store) as DynamoFindingStore, {
    /** Writes refused because the other writer got there first. */
    conflicts: 0,
    getFinding: async (id: string): Promise<Finding | undefined> => {
      const f = await store.getFinding(id);
      if (reads < readers && ++reads === readers) allRead();
      await readGate;
      return f;
    },
    applyChange: async (c: FindingChange) => {
      const key = turnOf(c);
      const turn = turns.get(key);
      if (turn && !used.has(key)) {
        used.add(key);
        await turn.promise;
      }
      try {
        const r = await store.applyChange(c);
        if (r === "conflict") racing.conflicts++;
        return r;
      } finally {
        const next = writeOrder[writeOrder.indexOf(key) + 1];
        if (next) turns.get(next)?.resolve();
      }
    },
  });
  return racing;
}

describe("findings store: two writers at once", () => {
  // The bucket was fixed at 10:30 (config-change); the sweep read it at 10:10, before the fix.
  const fixedAt = "2026-03-03T10:30:00.000Z";
  const sweptAt = "2026-03-03T10:10:00.000Z";
  it.each([
    ["the fix", [fixedAt, sweptAt]],
    ["the older sweep", [sweptAt, fixedAt]],
  ])(
    "keeps the newer verdict and one history entry per transition when %s writes first",
    async (_, order) => {
      const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
      const resourceId = `race-1-${order[0]!.slice(11, 16)}`;
      await recordObservation(store, obs(resourceId, {}));
      const id = findingId("s3-encryption-cmk", subject(resourceId));
      const racing = racingStore(store, 2, order);
      const fix = obs(resourceId, {
        verdict: "pass",
        summary: "SSE-KMS",
        observedAt: fixedAt,
        cause: "evt-2",
      });
      const sweep = obs(resourceId, {
        evidence: { sseAlgorithm: "AES256", bucketKeyEnabled: false },
        observedAt: sweptAt,
        cause: "sweep:s1",
      });
      await Promise.all([recordObservation(racing, fix), recordObservation(racing, sweep)]);
      // The second write was refused and re-decided on what the first had written.
      expect(racing.conflicts).toBe(1);
      expect(await store.getFinding(id)).toMatchObject({ status: "RESOLVED", lastSeen: fixedAt });
      const history = await store.findingHistory(id);
      expect(history.map((h) => [h.seq, h.from, h.to, h.cause])).toEqual([
        [1, "NEW", "OPEN", "evt-1"],
        [2, "OPEN", "RESOLVED", "evt-2"],
      ]);
    },
  );

  it("opens a finding once when two first failures race", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const racing = racingStore(store, 3);
    const results = await Promise.all(
      ["evt-a", "evt-b", "sweep:s2"].map((cause) => recordObservation(racing, obs("race-2", { cause }))),
    );
    expect(results.filter((r) => r.transitioned)).toHaveLength(1);
    expect(racing.conflicts).toBe(2);
    const id = findingId("s3-encryption-cmk", subject("race-2"));
    expect(await store.findingHistory(id)).toHaveLength(1);
    expect((await store.getFinding(id))?.transitions).toBe(1);
  });

  it("an older pass delivered after a newer failure leaves the finding open", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    await recordObservation(store, obs("race-3", { observedAt: "2026-03-03T11:00:00.000Z" }));
    const id = findingId("s3-encryption-cmk", subject("race-3"));
    const r = await recordObservation(
      store,
      obs("race-3", { verdict: "pass", observedAt: "2026-03-03T10:59:00.000Z", cause: "evt-late" }),
    );
    expect(r.changed).toBe(false);
    expect((await store.getFinding(id))?.status).toBe("OPEN");
  });
});

// Updates that move neither `transitions` nor `lastSeen`: an activity finding's count from two late
// batches of one incident window (each reports the window total, observed before the stored
// `lastSeen`), a person's suppression decided on a state a detector has since updated. Each write is
// conditional on the revision it was decided on, so the later writer re-reads and re-decides.
describe("findings store: updates that change neither transitions nor lastSeen", () => {
  const principal = "arn:aws:iam::111122223333:role/analytics-export";
  const activity = (resourceId: string, over: Partial<Observation>): Observation =>
    obs(resourceId, {
      kind: "activity",
      ruleId: "access-volume-spike",
      title: "PHI reads stay within the principal's usual volume",
      severity: "high",
      subject: { ...subject(resourceId), principal },
      summary: "PHI reads far above this principal's usual volume",
      evidence: { windowStart: "2026-03-03T10:00:00.000Z" },
      windowStart: "2026-03-03T10:00:00.000Z",
      discriminator: "day:2026-03-03",
      ...over,
    });
  const idOf = (resourceId: string) =>
    findingId("access-volume-spike", { ...subject(resourceId), principal }, "day:2026-03-03");
  const newest = "2026-03-03T10:20:00.000Z";

  it("keeps the higher count when two late batches race and the higher one writes first", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    await recordObservation(store, activity("order-1", { count: 5, observedAt: newest }));
    // Both batches read count 5; the one reporting 9 writes first, then the one reporting 7.
    const racing = racingStore(store, 2, ["9", "7"], (c) => String(c.next.count));
    const results = await Promise.all([
      recordObservation(racing, activity("order-1", { count: 7, observedAt: "2026-03-03T10:05:00.000Z" })),
      recordObservation(racing, activity("order-1", { count: 9, observedAt: "2026-03-03T10:10:00.000Z" })),
    ]);
    const stored = await store.getFinding(idOf("order-1"));
    expect(stored?.count).toBe(9);
    // The 7 was refused, re-decided on the stored 9, and wrote nothing.
    expect(racing.conflicts).toBe(1);
    expect(results.map((r) => r.changed)).toEqual([false, true]);
    expect(stored).toMatchObject({ status: "OPEN", lastSeen: newest, transitions: 1, revision: 2 });
  });

  it("decides the later of two evaluations of one snapshot time on the earlier one's evidence", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    await recordObservation(store, obs("order-4", {}));
    const id = findingId("s3-encryption-cmk", subject("order-4"));
    const keyOf = (c: FindingChange) => JSON.stringify(c.next.evidence);
    const a = { sseAlgorithm: "AES256", trail: "org-trail" };
    const b = { sseAlgorithm: "AES256", trail: "none" };
    const racing = racingStore(store, 2, [JSON.stringify(b), JSON.stringify(a)], keyOf);
    await Promise.all([
      recordObservation(racing, obs("order-4", { evidence: a, cause: "dependency:a" })),
      recordObservation(racing, obs("order-4", { evidence: b, cause: "dependency:b" })),
    ]);
    // a was refused, re-decided on b's write (still different evidence), and written after it.
    expect(racing.conflicts).toBe(1);
    expect(await store.getFinding(id)).toMatchObject({ evidence: a, revision: 3, transitions: 1 });
  });

  it("orders the first updates of an item an older version wrote (no revision attribute)", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const created = decide(undefined, activity("order-2", { count: 5, observedAt: newest }))!;
    const { revision: _, ...legacy } = created.next;
    await stack.ddb.send(
      new PutItemCommand({
        TableName: LOCAL_NAMES.table,
        Item: marshall(findingItem(legacy), { removeUndefinedValues: true }),
      }),
    );
    expect((await store.getFinding(idOf("order-2")))?.revision).toBeUndefined();
    const racing = racingStore(store, 2, ["9", "7"], (c) => String(c.next.count));
    await Promise.all([
      recordObservation(racing, activity("order-2", { count: 7, observedAt: "2026-03-03T10:05:00.000Z" })),
      recordObservation(racing, activity("order-2", { count: 9, observedAt: "2026-03-03T10:10:00.000Z" })),
    ]);
    const stored = await store.getFinding(idOf("order-2"));
    expect(stored?.count).toBe(9);
    expect(racing.conflicts).toBe(1);
    expect(stored?.revision).toBe(1);
  });

  it("refuses a suppression decided before a count update landed (it would step the count back)", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    await recordObservation(store, activity("order-3", { count: 5, observedAt: newest }));
    const read = (await store.getFinding(idOf("order-3")))!;
    // A late batch raises the count between the person's read and their write.
    await recordObservation(store, activity("order-3", { count: 9, observedAt: "2026-03-03T10:10:00.000Z" }));
    const change = suppress(
      read,
      "export approved",
      "2026-04-01T00:00:00.000Z",
      "ana",
      "2026-03-03T11:00:00.000Z",
    );
    const outcome = await store.applyChange(change);
    expect(await store.getFinding(idOf("order-3"))).toMatchObject({ status: "OPEN", count: 9 });
    expect(outcome).toBe("conflict");
    expect(await store.findingHistory(idOf("order-3"))).toHaveLength(1);
  });
});
