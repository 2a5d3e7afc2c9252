import { spawnSync } from "node:child_process";

/** Run the `phiwatch` command as a user would (no colours); returns exit code, stdout and stderr. */
export function phiwatch(...args: string[]): { code: number | null; out: string; err: string } {
  return phiwatchWith({}, ...args);
}

/** {@link phiwatch} with extra environment variables (credentials, AWS config files). */
export function phiwatchWith(
  env: Record<string, string>,
  ...args: string[]
): { code: number | null; out: string; err: string } {
  const r = spawnSync("node", ["packages/cli/bin/phiwatch.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
