// The drift evaluation bench in the form Lambda runs it: bench/drift/evaluate.ts bundled by esbuild as
// SST bundles a handler (ESM, minified, Node 22 target; the same options as bench/bundle), then run by
// plain `node`. Under tsx the code carries the dev loader's transforms (e.g. `__name` calls on every
// closure it creates), so this figure is the one that describes the deployed functions; both are printed
// by `npm run bench -- drift`. Run: node --import tsx bench/drift/bundled.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { SST_BUNDLE } from "../bundle/options.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-drift-bench-"));
try {
  const outfile = join(dir, "evaluate.mjs");
  await build({ ...SST_BUNDLE, entryPoints: ["bench/drift/evaluate.ts"], outfile, logLevel: "error" });
  const r = spawnSync("node", [outfile], {
    stdio: "inherit",
    env: { ...process.env, BENCH_FORM: "esbuild bundle, as deployed (minified, node22 target)" },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
