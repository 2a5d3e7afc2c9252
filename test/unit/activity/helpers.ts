import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  Activity,
  type Baseline,
  decide,
  type Finding,
  type FindingChange,
  type FindingStore,
  type HistoryEntry,
  parseBaseline,
  revisionAfter,
} from "../../../packages/core/src/index.ts";

/** In-memory FindingStore with the conditional semantics of the DynamoDB one. */
export class MemoryFindingStore implements FindingStore {
  readonly findings = new Map<string, Finding>();
  readonly history: HistoryEntry[] = [];
  async getFinding(id: string) {
    const f = this.findings.get(id);
    return f ? structuredClone(f) : undefined;
  }
  async applyChange(change: FindingChange): Promise<"applied" | "conflict"> {
    const cur = this.findings.get(change.next.findingId);
    if (
      change.expect === "absent"
        ? cur
        : !cur ||
          cur.revision !== change.expect.revision ||
          cur.transitions !== change.expect.transitions ||
          cur.lastSeen !== change.expect.lastSeen
    )
      return "conflict";
    this.findings.set(
      change.next.findingId,
      structuredClone({ ...change.next, revision: revisionAfter(change.expect) }),
    );
    if (change.history) this.history.push(change.history);
    return "applied";
  }
  async listFindings() {
    return { items: [...this.findings.values()] };
  }
  async findingHistory(id: string) {
    return this.history.filter((h) => h.findingId === id);
  }
  async resourceHistory() {
    return { items: this.history };
  }
}
void decide;

export const HASH = Activity.objectKeyHasher("unit-test-hash-key-0123456789");

export function demoBaseline(): Baseline {
  return parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
}

/** Access events of a CloudTrail log file / JSON lines of envelopes. */
export function eventsOfFile(file: string, baseline: Baseline): Activity.AccessEvent[] {
  const raw = readFileSync(file);
  const text = file.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  const docs = file.endsWith(".jsonl")
    ? text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    : [JSON.parse(text)];
  const out: Activity.AccessEvent[] = [];
  for (const d of docs)
    for (const rec of Activity.readCloudTrail(d)) {
      const e = Activity.toAccessEvent(rec, baseline, HASH);
      if (e) out.push(e);
    }
  return out;
}
