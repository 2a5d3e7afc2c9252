// `phiwatch <command> --help` is what a user copies flags from: every flag it prints for a command must
// be one that command accepts (an unknown flag is a usage error, exit 2).
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../packages/cli/src/main.ts";

const COMMANDS = [
  "demo",
  "replay",
  "evaluate",
  "learn",
  "findings",
  "history",
  "baseline",
  "scan",
  "report",
  "suppress",
  "close",
  "forward",
];

/** Run the CLI, capturing what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(argv), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
afterEach(() => vi.restoreAllMocks());

/** The flags a help text shows, each with whether it takes a value (`--json` does not). */
function flags(help: string): { flag: string; takesValue: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const m of help.matchAll(/--([a-z][a-z-]*)(\s+([^\s\]|)]*))?/g)) {
    const next = m[3] ?? "";
    seen.set(`--${m[1]}`, next !== "" && !next.startsWith("--") && !next.startsWith("("));
  }
  return [...seen].map(([flag, takesValue]) => ({ flag, takesValue }));
}

describe("phiwatch <command> --help", () => {
  it.each(COMMANDS)("%s: every flag its help shows is one it accepts", async (name) => {
    const help = await run([name, "--help"]);
    expect(help.code).toBe(0);
    const refused: string[] = [];
    for (const { flag, takesValue } of flags(help.out.replace(/^Exit codes:.*$/m, ""))) {
      // A flag the command knows passes its parser, which then stops at the probe after it; a flag it
      // does not know is the one refused. Nothing runs either way.
      const probe = await run([name, flag, ...(takesValue ? ["x"] : []), "--zzz-probe"]);
      expect(probe.code, `${name} ${flag}: ${probe.err}`).toBe(2);
      if (!probe.err.includes("--zzz-probe")) refused.push(`${flag}: ${probe.err.trim()}`);
    }
    expect(refused, `${name} --help shows flags it refuses`).toEqual([]);
  });
});
