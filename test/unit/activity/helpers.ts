import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { Activity, type Baseline, parseBaseline } from "../../../packages/core/src/index.ts";
import { MemoryFindingStore as ApiMemoryFindingStore } from "../api/memory-store.ts";

/**
 * The API tests' in-memory FindingStore (the DynamoDB store's conditional semantics), returning copies
 * and listing every finding unfiltered, as the activity tests read it.
 */
export class MemoryFindingStore extends ApiMemoryFindingStore {
  override async getFinding(id: string) {
    const f = this.findings.get(id);
    return f ? structuredClone(f) : undefined;
  }
  override async listFindings() {
    return { items: [...this.findings.values()] };
  }
  override async resourceHistory() {
    return { items: this.history };
  }
}

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
