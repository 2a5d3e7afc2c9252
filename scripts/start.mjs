#!/usr/bin/env node
// `npm start`: make sure Java 17+ is there for DynamoDB Local (installing Debian's headless JRE when
// running as root), then run the bundled demo scenario. Extra arguments go to `phiwatch demo`.
import { spawnSync } from "node:child_process";
import { ensureJava } from "./ensure-java.mjs";

ensureJava();
const r = spawnSync("node", ["packages/cli/bin/phiwatch.js", "demo", ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
