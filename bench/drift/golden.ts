// Golden check for drift-evaluation optimisations: one SHA-256 over everything an evaluation produces on
// two seeded corpora, under two baselines and two fact lookups — every evaluation (status, summary,
// evidence, in order), every fact request, and every snapshot as JSON (normalised fresh, and again after
// the controls read it). An optimisation that changes any answer changes the hash.
// Run: node --import tsx bench/drift/golden.ts   (prints the hash; compare before and after a change)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  CONTROLS,
  ControlSet,
  evaluateSnapshot,
  type FactLookup,
  factRequests,
  fromConfigurationItem,
  parseBaseline,
} from "../../packages/core/src/index.ts";
import { corpus } from "./corpus.ts";
import { corpusFacts, corpusInventory } from "./facts.ts";

const yaml = readFileSync("examples/baseline.yaml", "utf8");
const baselines = [
  parseBaseline(yaml, "examples/baseline.yaml"),
  // More PHI buckets (data-lake and backup buckets), so bucket and identity controls run on many more items.
  parseBaseline(
    yaml.replace(
      "phiBuckets:\n",
      "phiBuckets:\n  - prefix: nw-data-lake-\n    holds: [transcripts]\n  - name: nw-backups\n    holds: [ctr]\n",
    ),
    "golden.yaml",
  ),
];
const set = new ControlSet(CONTROLS);
const now = new Date("2026-03-10T00:00:00Z");

/** The bench's lookup (inventory of the corpus, DescribeKey of its keys), or a sparse one that cannot answer. */
function lookups(texts: string[]): FactLookup[] {
  const inv = corpusInventory(texts);
  const lists = inv.lists;
  const full = corpusFacts(inv, false);
  const sparse: FactLookup = {
    kmsKey: () => ({ ok: false, reason: "AccessDeniedException" }),
    accountPublicAccessBlock: () => undefined,
    // Trails cannot be read; other types answer with every other resource (the same answer for the same
    // question, however often or in whatever order controls ask).
    inventory: (type, _account, id) => {
      if (type === "AWS::CloudTrail::Trail") return undefined;
      const all = lists.get(type) ?? [];
      const half = all.filter((_, i) => i % 2 === 0);
      return id === undefined ? half : half.filter((s) => s.resourceId === id || s.arn === id);
    },
  };
  return [full, sparse];
}

const hash = createHash("sha256");
let evaluations = 0;
for (const [n, seed] of [
  [2000, 42],
  [1500, 7],
] as const) {
  const texts = corpus(n, seed);
  const facts = lookups(texts);
  for (const baseline of baselines)
    for (const lookup of facts)
      for (const t of texts) {
        const fresh = fromConfigurationItem(JSON.parse(t));
        hash.update(JSON.stringify(fresh));
        const s = fromConfigurationItem(JSON.parse(t));
        hash.update(JSON.stringify(factRequests(set, s, baseline, now)));
        const es = evaluateSnapshot(set, s, { baseline, facts: lookup, now });
        evaluations += es.length;
        hash.update(JSON.stringify(es));
        hash.update(JSON.stringify(s));
      }
}
console.log(JSON.stringify({ evaluations, sha256: hash.digest("hex") }));
