import { describe, expect, it } from "vitest";
import { type Observation, recordObservation } from "../../../packages/core/src/index.ts";
import { MemoryFindingStore } from "../api/memory-store.ts";

/** One late batch's view of an activity incident: the count it saw. */
const batch = (count: number): Observation => ({
  kind: "activity",
  ruleId: "access-bulk-enumeration",
  title: "Bulk reads of PHI objects",
  severity: "high",
  hipaa: ["164.312(b)"],
  subject: {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "northwind-connect-recordings",
  },
  discriminator: "2026-03-03T02:00",
  verdict: "fail",
  summary: `${count} distinct objects read`,
  evidence: {},
  count,
  observedAt: "2026-03-03T02:05:00.000Z",
  cause: `batch-${count}`,
});

/** A store whose reads and writes take a few ms, as DynamoDB's do: writers interleave between them. */
class SlowStore extends MemoryFindingStore {
  override async getFinding(id: string) {
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
    return super.getFinding(id);
  }
}

describe("recordObservation under contention", () => {
  it("lands every one of 16 concurrent count updates of one finding (none gives up) and keeps the largest count", async () => {
    const store = new SlowStore();
    await recordObservation(store, batch(1));
    const counts = Array.from({ length: 16 }, (_, i) => 2 + i);
    const outcomes = await Promise.allSettled(counts.map((c) => recordObservation(store, batch(c))));
    const failed = outcomes.filter((o) => o.status === "rejected");
    expect(failed.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    const [finding] = store.findings.values();
    expect(finding?.count).toBe(17);
  });
});

describe("recordObservation on a finding the caller read beforehand (getFindings)", () => {
  it("decides on the copy it is given, and on a stale copy re-reads and decides again", async () => {
    const store = new MemoryFindingStore();
    await recordObservation(store, batch(1));
    const stale = [...store.findings.values()][0]!;
    // Another writer moves the finding on after the caller's read.
    await recordObservation(store, batch(5));
    const r = await recordObservation(store, batch(7), new Date(), { current: stale });
    expect(r.changed).toBe(true);
    expect([...store.findings.values()][0]?.count).toBe(7);
    // A copy saying "absent" while the finding exists: the create's condition fails, the re-read wins.
    const again = await recordObservation(store, batch(9), new Date(), { current: undefined });
    expect(again.changed).toBe(true);
    expect(store.findings.size).toBe(1);
    expect([...store.findings.values()][0]?.count).toBe(9);
  });
});
