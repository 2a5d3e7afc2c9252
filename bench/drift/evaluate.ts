// Drift evaluation throughput: all controls on each configuration item, as a ratio to JSON.parse alone
// on the same corpus in the same run (goal ≥ 0.5). Run: npm run bench -- drift

import { readFileSync } from "node:fs";
import {
  CONTROLS,
  ControlSet,
  evaluateSnapshot,
  type FactLookup,
  fromConfigurationItem,
  parseBaseline,
} from "../../packages/core/src/index.ts";
import { corpus } from "./corpus.ts";

const N = Number(process.env.BENCH_CIS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const texts = corpus(N);
const bytes = texts.reduce((a, t) => a + t.length, 0);
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
const set = new ControlSet(CONTROLS);
const facts: FactLookup = {
  kmsKey: (ref) => ({
    ok: true,
    value: { arn: ref, keyManager: ref.includes("key/1") ? "AWS" : "CUSTOMER", rotationEnabled: true },
  }),
  accountPublicAccessBlock: () => ({ ok: false, reason: "not recorded" }),
  inventory: () => [],
};
const now = new Date("2026-03-10T00:00:00Z");

function parseOnly(): number {
  let n = 0;
  for (const t of texts) n += (JSON.parse(t) as { resourceId: string }).resourceId.length;
  return n;
}
function parseAndEvaluate(): number {
  let n = 0;
  for (const t of texts)
    n += evaluateSnapshot(set, fromConfigurationItem(JSON.parse(t)), { baseline, facts, now }).length;
  return n;
}
function best(fn: () => number): { ms: number; out: number } {
  let bestMs = Number.POSITIVE_INFINITY;
  let out = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    out = fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return { ms: bestMs, out };
}

best(parseOnly);
best(parseAndEvaluate); // warm-up
const p = best(parseOnly);
const e = best(parseAndEvaluate);
const perCi = (ms: number) => ((ms / N) * 1000).toFixed(1);
const result = {
  corpus: { items: N, megabytes: +(bytes / 1e6).toFixed(2) },
  controls: CONTROLS.length,
  evaluations: e.out,
  parseOnly: {
    ms: +p.ms.toFixed(1),
    itemsPerSecond: Math.round(N / (p.ms / 1000)),
    microsecondsPerItem: perCi(p.ms),
  },
  parseAndEvaluate: {
    ms: +e.ms.toFixed(1),
    itemsPerSecond: Math.round(N / (e.ms / 1000)),
    microsecondsPerItem: perCi(e.ms),
  },
  ratioToJsonParse: +(p.ms / e.ms).toFixed(3),
  goal: "ratio ≥ 0.5",
};
console.log(JSON.stringify(result, null, 2));
