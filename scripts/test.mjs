#!/usr/bin/env node
// `npm test`: prerequisites (Java for DynamoDB Local), lint, typecheck, then every vitest project.
// Nothing else is needed on a fresh clone: servers and ports are started and stopped by the tests.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureJava } from "./ensure-java.mjs";
import { ensureSst } from "./ensure-sst.mjs";

function run(cmd, args, label) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stderr.write(`\n✖ ${label} failed (${secs}s)\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`✔ ${label} (${secs}s)\n`);
}

ensureJava();
// SST platform for the infra project (typecheck + evaluation of sst.config.ts); skipped when current.
ensureSst();
const extra = process.argv.slice(2);
run("npx", ["biome", "check", "."], "lint (biome)");
run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"], "typecheck (tsc)");
const report = join(tmpdir(), `phiwatch-vitest-${process.pid}.json`);
run(
  "npx",
  ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra],
  "tests (vitest)",
);
// The plain closing line CI reads: N passed, N failed, N skipped.
try {
  const r = JSON.parse(readFileSync(report, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  process.stdout.write(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped\n`);
  rmSync(report, { force: true });
} catch {
  // no JSON report (vitest failed to start): the exit code already said so
}
