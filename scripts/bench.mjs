#!/usr/bin/env node
// `npm run bench [-- NAME…]`: run the benchmarks (all, or the named ones) and print their figures.
// Figures are recorded in docs/performance.md. Benchmarks are not part of `npm test`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const wanted = process.argv.slice(2);
const benches = readdirSync("bench", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name));
let failed = 0;
for (const name of benches) {
  for (const entry of ["run.ts", "evaluate.ts", "bundled.ts"]) {
    const file = `bench/${name}/${entry}`;
    if (!existsSync(file)) continue;
    process.stdout.write(`\n== bench/${name} (${entry})\n`);
    const r = spawnSync("node", ["--import", "tsx", file], {
      stdio: "inherit",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    if (r.status !== 0) failed++;
  }
}
process.exit(failed ? 1 : 0);
