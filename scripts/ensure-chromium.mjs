// The evidence-report browser test renders the report in headless Chromium (Debian's `chromium`).
// Install it when missing and we are allowed to (root, apt present); otherwise say so loudly and let
// the caller skip. Usable from tests (`ensureChromium()`) and as a script (`node scripts/ensure-chromium.mjs`).
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome"];

/** Path of a Chromium binary on PATH, or undefined. */
export function chromiumPath() {
  for (const name of CANDIDATES) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

/**
 * Chromium's path, installing Debian's `chromium` first when missing and running as root.
 * Returns `{ path }` or `{ skip: reason }` (not root and not installed).
 */
export function ensureChromium() {
  const found = chromiumPath();
  if (found) return { path: found };
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!isRoot || !hasApt) {
    const reason =
      "Chromium is not installed and this is not root with apt-get: the evidence-report browser test is SKIPPED. " +
      "Install it (Debian/Ubuntu: sudo apt-get install -y chromium) to run it.";
    process.stderr.write(`\n!!! phiwatch: ${reason}\n\n`);
    return { skip: reason };
  }
  process.stdout.write("phiwatch: installing chromium (for the evidence-report browser test)…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
    stdio: "inherit",
    env,
  });
  const path = chromiumPath();
  if (r.status !== 0 || !path) throw new Error("apt-get install chromium failed: see the output above");
  return { path };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = ensureChromium();
  if (r.skip) process.exit(2);
  process.stdout.write(`${r.path}\n`);
}
