import { BaselineError, isInputError } from "@phiwatch/core";
import { baselineCommand } from "./commands/baseline.ts";
import { evaluateCommand } from "./commands/evaluate.ts";
import { findingsCommand, historyCommand } from "./commands/findings.ts";
import { replayCommand } from "./commands/replay.ts";
import { UsageError } from "./context.ts";

const USAGE = `phiwatch — continuous HIPAA-compliance monitor for Amazon Connect on AWS

Usage:
  phiwatch demo [--fresh]                     run the bundled demo scenario on the local stack
  phiwatch replay <files|dirs…> [--baseline f] feed events, Config history/snapshot files and CloudTrail
                                              log files (.json, .jsonl, gzipped or not) through the handlers
  phiwatch evaluate <files…> [--baseline f] [--json] [--fail-on SEV]
                                              evaluate configuration items (bare, Config events, Config
                                              history/snapshot files), no store, no AWS
  phiwatch learn <dir|files…> [--baseline f]   build access profiles from CloudTrail log files
  phiwatch findings [--status S] [--severity S] [--rule ID] [--limit N] [--json] [--fail-on SEV]
                                              most severe first; --limit prints the N most severe,
                                              --fail-on still judges every matching finding
  phiwatch history <resource-id|name> [--account A] [--region R] [--json]
  phiwatch baseline check <file>
  phiwatch scan [--profile P] [--region R…] [--baseline f] [--format table|json|report] [--out f]
                [--fail-on SEV]
                                              evaluate a live account with read-only credentials
  phiwatch report [--out report.html] [--format html|json|md]   the evidence report for auditors
  phiwatch suppress <finding-id> --reason "…" --until YYYY-MM-DD [--baseline f]  (--lift --reason "…" to undo)
                                              the date is inclusive: through its end in organisation.timeZone
  phiwatch close <finding-id> --reason "…"      close an incident (activity finding) after review; it re-opens
                                              if the incident grows or happens again
  phiwatch forward redrive [--target NAME] [--max N] [--from DLQ_URL --to QUEUE_URL]

Common options: --store local|table:NAME (default local, under .phiwatch/): learn, findings, history,
  report, suppress, close; --dir DIR (the local state directory): those and demo, replay, forward
Exit codes: 0 ok, 1 findings at/above --fail-on, 2 usage, input or AWS access error.`;

const STORE = "--store local|table:NAME (default local, under .phiwatch/)";
const DIR = "--dir DIR (the local state directory, default .phiwatch/)";
/** The common options each command takes (its parser refuses the others). */
const COMMON_OPTIONS: Record<string, readonly string[]> = {
  demo: [DIR],
  replay: [DIR],
  evaluate: [],
  learn: [STORE, DIR],
  findings: [STORE, DIR],
  history: [STORE, DIR],
  baseline: [],
  scan: [],
  report: [STORE, DIR],
  suppress: [STORE, DIR],
  close: [STORE, DIR],
  forward: [DIR],
};

/** The usage lines of one command (and its continuation lines), for `phiwatch <command> --help`. */
function commandUsage(name: string): string {
  const lines = USAGE.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`  phiwatch ${name} `) && lines[i] !== `  phiwatch ${name}`) continue;
    out.push(lines[i]!);
    while (lines[i + 1]?.startsWith("      ")) out.push(lines[++i]!);
  }
  const common = COMMON_OPTIONS[name] ?? [];
  const options = common.length > 0 ? `Options: ${common.join(", ")}\n` : "";
  return `Usage:\n${out.join("\n")}\n\n${options}${lines.at(-1)}`;
}

/**
 * An error from AWS (credentials that cannot be loaded, a denied or failed call): the user's
 * environment, not a phiwatch bug, and not findings — exit 2 with AWS's message, no stack trace.
 */
function isAwsAccessError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "CredentialsProviderError" ||
    error.name === "TokenProviderError" ||
    "$metadata" in error ||
    "$fault" in error
  );
}

type Command = (argv: string[]) => Promise<number>;

async function lazy(path: string, name: string): Promise<Command> {
  const mod = (await import(path)) as Record<string, Command>;
  const fn = mod[name];
  if (!fn) throw new Error(`${path} does not export ${name}`);
  return fn;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: () => lazy("./commands/demo.ts", "demoCommand"),
  replay: async () => replayCommand,
  evaluate: async () => evaluateCommand,
  learn: () => lazy("./commands/learn.ts", "learnCommand"),
  findings: async () => findingsCommand,
  history: async () => historyCommand,
  baseline: async () => baselineCommand,
  scan: () => lazy("./commands/scan.ts", "scanCommand"),
  report: () => lazy("./commands/report.ts", "reportCommand"),
  suppress: () => lazy("./commands/suppress.ts", "suppressCommand"),
  close: () => lazy("./commands/suppress.ts", "closeCommand"),
  forward: () => lazy("./commands/forward.ts", "forwardCommand"),
};

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`phiwatch: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${commandUsage(name)}\n`);
    return 0;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    if (
      error instanceof UsageError ||
      isInputError(error) ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`phiwatch ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    if (isAwsAccessError(error)) {
      process.stderr.write(`phiwatch ${name}: AWS: ${error.message}\n`);
      return 2;
    }
    if (error instanceof BaselineError) {
      process.stderr.write(`phiwatch ${name}: invalid baseline\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
