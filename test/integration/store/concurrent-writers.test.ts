// Two writers of one finding at once — config-change for a new item while the sweep or a dependants
// re-evaluation records the same (rule, resource) — against DynamoDB Local. Every write is
// conditional on what it was decided on, so the loser re-reads and re-decides: no older evaluation
// overwrites a newer one, no open finding is resolved by a stale pass, no history entry is doubled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  type Finding,
  type FindingChange,
  findingId,
  type Observation,
  recordObservation,
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
 * race), and whose first writes land in the order given (by the `lastSeen` each would write). A
 * re-read and re-write after a conflict go straight through.
 */
function racingStore(store: DynamoFindingStore, readers: number, writeOrder: string[] = []) {
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
      const turn = turns.get(c.next.lastSeen);
      if (turn && !used.has(c.next.lastSeen)) {
        used.add(c.next.lastSeen);
        await turn.promise;
      }
      try {
        const r = await store.applyChange(c);
        if (r === "conflict") racing.conflicts++;
        return r;
      } finally {
        const next = writeOrder[writeOrder.indexOf(c.next.lastSeen) + 1];
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
