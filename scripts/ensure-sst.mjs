// SST's platform (.sst/platform: its components and the Pulumi packages they use) is what infra/ is
// typechecked and evaluated against in the tests. `sst install` writes it (about 30 s, through npm);
// skip when it is there for the installed sst version.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const installed = JSON.parse(readFileSync("node_modules/sst/package.json", "utf8")).version;

export function sstPlatformCurrent() {
  const versionFile = ".sst/platform/version";
  if (!existsSync(versionFile) || !existsSync(".sst/platform/node_modules/@pulumi/aws/package.json"))
    return false;
  return readFileSync(versionFile, "utf8").trim() === installed;
}

export function ensureSst() {
  if (sstPlatformCurrent()) return;
  process.stdout.write(`phiwatch: installing SST ${installed} platform (.sst/platform, once)…\n`);
  const env = {
    ...process.env,
    // Any stage: `install` only builds sst.config.ts and fetches its providers.
    SST_STAGE: process.env.SST_STAGE ?? "ci",
    SST_NO_BUN: "1",
    SST_SKIP_DEPENDENCY_CHECK: "true",
    SST_TELEMETRY_DISABLED: "1",
  };
  const r = spawnSync("npx", ["sst", "install"], { stdio: "inherit", env });
  if (r.status !== 0 || !sstPlatformCurrent()) {
    process.stderr.write("phiwatch: `sst install` failed; the infra tests need .sst/platform.\n");
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSst();
