// FindingRecorder: the observations of several evaluations (a Config change and its dependants) are
// recorded on findings read together, up to 100 in one getFindings, and every write stays conditional
// on what it was decided on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FindingRecorder } from "../../../packages/aws/src/finding-recorder.ts";
import { type InventoryStore, processSnapshot } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import {
  CONTROLS,
  ControlSet,
  decide,
  type Finding,
  findingId,
  fromConfigurationItem,
  type Observation,
  parseBaseline,
  revisionAfter,
} from "../../../packages/core/src/index.ts";
import { MemoryFindingStore } from "../api/memory-store.ts";

/** The memory store with getFindings: every call's ids, and ids it leaves unread or a failure. */
class BatchStore extends MemoryFindingStore {
  batches: string[][] = [];
  gets: string[] = [];
  unread = new Set<string>();
  failBatch = false;
  async getFindings(ids: readonly string[]): Promise<Map<string, Finding | undefined>> {
    this.batches.push([...ids]);
    if (this.failBatch) throw new Error("ProvisionedThroughputExceededException");
    return new Map(ids.filter((id) => !this.unread.has(id)).map((id) => [id, this.findings.get(id)]));
  }
  override async getFinding(id: string) {
    this.gets.push(id);
    return super.getFinding(id);
  }
}

const RULES = ["s3-encryption-cmk", "s3-tls-only", "s3-object-lock", "s3-acls-disabled"];
const subject = (resourceId: string) => ({
  accountId: "111122223333",
  region: "us-east-1",
  resourceType: "AWS::S3::Bucket",
  resourceId,
});
const obs = (resourceId: string, ruleId: string, over: Partial<Observation> = {}): Observation => ({
  kind: "drift",
  ruleId,
  title: ruleId,
  severity: "high",
  hipaa: ["164.312(a)(2)(iv)"],
  subject: subject(resourceId),
  verdict: "fail",
  summary: "non-compliant",
  evidence: { rule: ruleId },
  observedAt: "2026-03-03T09:00:00.000Z",
  cause: "evt-1",
  ...over,
});
/** One bucket's evaluation: an observation per rule. */
const evaluation = (resourceId: string, over: Partial<Observation> = {}) =>
  RULES.map((r) => obs(resourceId, r, over));
const idOf = (resourceId: string, ruleId: string) => findingId(ruleId, subject(resourceId));
const NOW = new Date("2026-03-03T10:00:00.000Z");

async function record(store: BatchStore, evaluations: Observation[][]) {
  const recorder = new FindingRecorder(store);
  for (const e of evaluations) await recorder.add(e, NOW);
  return recorder.finish();
}

describe("FindingRecorder", () => {
  it("reads 30 evaluations' 120 findings in two requests (100 + 20), each finding once, none on its own", async () => {
    const store = new BatchStore();
    const buckets = Array.from({ length: 30 }, (_, i) => `bucket-${i}`);
    const first = await record(
      store,
      buckets.map((b) => evaluation(b)),
    );
    expect(first).toEqual({ transitions: 120, failures: [], unrecorded: [] });
    expect(store.batches.map((b) => b.length)).toEqual([100, 20]);
    expect(new Set(store.batches.flat()).size).toBe(120);
    expect(store.gets).toEqual([]);
    expect(store.findings.size).toBe(120);

    // The same verdicts again: nothing written, still two requests.
    store.batches = [];
    const revisions = [...store.findings.values()].map((f) => f.revision);
    const again = await record(
      store,
      buckets.map((b) => evaluation(b)),
    );
    expect(again).toEqual({ transitions: 0, failures: [], unrecorded: [] });
    expect(store.batches.map((b) => b.length)).toEqual([100, 20]);
    expect([...store.findings.values()].map((f) => f.revision)).toEqual(revisions);
  });

  it("keeps a newer writer's verdict that lands between the shared read and a later evaluation's write", async () => {
    const store = new BatchStore();
    await record(store, [evaluation("a"), evaluation("b")]);
    store.batches = [];
    // Both buckets fixed as seen at 09:30. Before the first write lands, b's own change (observed at
    // 10:30: failing again) is recorded by another invocation: the copy of b read with a's is stale.
    store.beforeWrite = (s) => {
      const id = idOf("b", "s3-tls-only");
      const newer = obs("b", "s3-tls-only", {
        observedAt: "2026-03-03T10:30:00.000Z",
        summary: "newer",
        cause: "evt-b",
      });
      const change = decide(s.findings.get(id), newer, NOW)!;
      s.findings.set(id, { ...change.next, revision: revisionAfter(change.expect) });
    };
    const fixed = { verdict: "pass" as const, observedAt: "2026-03-03T09:30:00.000Z", cause: "dependency" };
    const r = await record(store, [evaluation("a", fixed), evaluation("b", fixed)]);
    expect(store.batches).toHaveLength(1);
    // b's write was refused (its revision moved), re-read, and the older pass refused against the newer failure.
    expect(store.gets).toEqual([idOf("b", "s3-tls-only")]);
    expect(store.findings.get(idOf("b", "s3-tls-only"))).toMatchObject({
      status: "OPEN",
      summary: "newer",
      lastSeen: "2026-03-03T10:30:00.000Z",
    });
    // The rest resolved, each once in history.
    expect(r).toEqual({ transitions: 7, failures: [], unrecorded: [] });
    for (const rule of RULES) expect(store.findings.get(idOf("a", rule))?.status).toBe("RESOLVED");
    expect(store.history.filter((h) => h.to === "RESOLVED")).toHaveLength(7);
  });

  it("reads on their own the findings a batch leaves unread, and every finding when the batch read fails", async () => {
    const store = new BatchStore();
    store.unread.add(idOf("b", "s3-object-lock"));
    await record(store, [evaluation("a"), evaluation("b")]);
    expect(store.gets).toEqual([idOf("b", "s3-object-lock")]);
    expect(store.findings.size).toBe(8);

    const failing = new BatchStore();
    failing.failBatch = true;
    const r = await record(failing, [evaluation("a"), evaluation("b")]);
    expect(r).toEqual({ transitions: 8, failures: [], unrecorded: [] });
    expect(failing.gets).toHaveLength(8);
  });

  it("decides a second observation of the same finding in one read after the first is written", async () => {
    const store = new BatchStore();
    await record(store, [evaluation("a")]);
    store.batches = [];
    // In one batch: s3-tls-only fixed (09:30), then failing again (09:45). Each in turn, as one read per
    // evaluation decides them: resolved, then re-opened. The second is unchanged only on the copy read
    // before the first was written.
    const id = idOf("a", "s3-tls-only");
    const fixed = obs("a", "s3-tls-only", { verdict: "pass", observedAt: "2026-03-03T09:30:00.000Z" });
    const again = obs("a", "s3-tls-only", { observedAt: "2026-03-03T09:45:00.000Z", cause: "evt-2" });
    const r = await record(store, [evaluation("b"), [fixed], [again]]);
    expect(store.findings.get(id)).toMatchObject({ status: "OPEN", lastSeen: "2026-03-03T09:45:00.000Z" });
    expect(store.history.filter((h) => h.findingId === id).map((h) => h.to)).toEqual([
      "OPEN",
      "RESOLVED",
      "OPEN",
    ]);
    expect(r).toEqual({ transitions: 6, failures: [], unrecorded: [] });
  });

  it("reports a write that fails and records the others", async () => {
    const store = new BatchStore();
    const applyChange = store.applyChange.bind(store);
    store.applyChange = async (c) => {
      if (c.next.subject.resourceId === "a" && c.next.ruleId === "s3-tls-only") throw new Error("throttled");
      return applyChange(c);
    };
    const r = await record(store, [evaluation("a"), evaluation("b")]);
    expect(r.transitions).toBe(7);
    expect(r.failures.map((f) => [f.ruleId, String(f.error)])).toEqual([["s3-tls-only", "Error: throttled"]]);
    expect(r.failures[0]!.subject).toEqual(subject("a"));
  });

  it("starts no read or write once stop() says so, and returns the subjects of the verdicts left", async () => {
    const store = new BatchStore();
    let writes = 0;
    const applyChange = store.applyChange.bind(store);
    store.applyChange = async (c) => {
      writes++;
      return applyChange(c);
    };
    // 30 buckets' first verdicts (120 writes): the time is up after the 50th write.
    const recorder = new FindingRecorder(store, { stop: () => writes >= 50 });
    for (let i = 0; i < 30; i++) await recorder.add(evaluation(`bucket-${i}`), NOW);
    const r = await recorder.finish();
    expect(writes).toBe(50);
    expect(store.findings.size).toBe(50);
    // The first batch read, its first 50 written; the rest of it and the second batch (not read) left.
    expect(store.batches.map((b) => b.length)).toEqual([100]);
    expect(r.transitions).toBe(50);
    expect(r.unrecorded).toHaveLength(70);
    expect(new Set(r.unrecorded.map((s) => s.resourceId))).toEqual(
      new Set(Array.from({ length: 30 }, (_, i) => `bucket-${i}`).slice(12)),
    );
  });
});

describe("processSnapshot with the recorder", () => {
  it("records the changed bucket's verdicts when its dependant keys cannot be listed, then fails the invocation", async () => {
    const store = new BatchStore();
    const listed: string[] = [];
    const inventory = {
      replace: async () => ({ stored: true, previous: null }),
      get: async () => undefined,
      list: async (_account: string, type: string) => {
        listed.push(type);
        if (type === "AWS::KMS::Key") throw new Error("ThrottlingException");
        return [];
      },
    } as unknown as InventoryStore;
    const deps = {
      baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory,
      findings: store,
    };
    const item = bucketConfigurationItem({
      name: "northwind-ctr-unlisted",
      capturedAt: "2026-03-03T10:00:00.000Z",
      sse: { algorithm: "AES256" },
    });
    await expect(processSnapshot(deps, fromConfigurationItem(item as never), "evt-1")).rejects.toThrow(
      "ThrottlingException",
    );
    // The bucket's own findings (SSE-S3) are recorded, and the trails (the other dependant type) listed.
    const own = [...store.findings.values()].filter((f) => f.subject.resourceId === "northwind-ctr-unlisted");
    expect(own.map((f) => f.ruleId)).toContain("s3-encryption-cmk");
    expect(listed).toContain("AWS::CloudTrail::Trail");
  });
});
