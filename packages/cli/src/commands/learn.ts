import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoAccessStore } from "@phiwatch/aws";
import {
  Activity,
  type Baseline,
  DETECTORS,
  InputTooLargeError,
  isInputError,
  parseBaseline,
  UnsupportedEventError,
} from "@phiwatch/core";
import { DEFAULT_DIR, defaultBaseline, UsageError } from "../context.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";

export interface LearnSummary {
  /** Log files learned from. */
  files: number;
  /** JSON files that are not log files (CloudTrail digest files, Config snapshots and history files). */
  skipped: number;
  /** Files that are neither: they do not decompress or parse (a truncated download). */
  unreadable: string[];
  /** Records of log files that are not CloudTrail records (the file's other records count). */
  rejected: number;
  records: number;
  events: number;
  windows: number;
  profiles: number;
  from?: string;
  to?: string;
}

/**
 * CloudTrail log files under the paths, in name order (= time order for CloudTrail): a file named on
 * the command line whatever its name (skipping it would learn from less than was asked, silently), and
 * in directories the `.json` and `.json.gz` files and any other file that is gzip by its content (a
 * download renamed `….gz` or stripped of its extension). Gzip is recognised by content when read, too.
 */
export function logFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, named: boolean) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`no such file or directory: ${p}`);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), false);
    else if (named || /\.json(\.gz)?$/.test(p) || isGzip(p)) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** Whether a file starts with the gzip magic bytes (1f 8b). */
function isGzip(file: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    return readSync(fd, head, 0, 2, 0) === 2 && Activity.isGzip(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A log file's bytes. A file larger on disk than the parser's decompressed limit is refused before it
 * is read into memory (gzip's output is never much smaller than its input, so such a file could not
 * pass either; past 2 GiB reading it whole would fail with a RangeError, not an input error).
 */
function readLogFile(file: string): Buffer {
  if (statSync(file).size > Activity.MAX_LOG_FILE_BYTES)
    throw new InputTooLargeError(
      `larger than ${Activity.MAX_LOG_FILE_BYTES / 1024 / 1024} MiB: split the file or give the log files as delivered`,
      file,
    );
  return readFileSync(file);
}

/**
 * Backfill: aggregate every PHI access of the log files into windows in memory (the same aggregation as
 * the access handler), then fold each touched profile once, up to the end of the history, starting from
 * the stored profile and writing it back conditionally. Only profiles and target states are written
 * (a month of history is thousands of windows but a handful of profiles). Files may arrive in any order;
 * running it twice changes nothing (the stored fold watermark is already past the history).
 */
export async function learnFiles(
  files: readonly string[],
  deps: {
    store: Activity.AccessStore;
    baseline: Baseline;
    hashKey: Activity.KeyHasher;
    progress?: (done: number, total: number, events: number) => void;
  },
): Promise<LearnSummary> {
  const summary: LearnSummary = {
    files: 0,
    skipped: 0,
    unreadable: [],
    rejected: 0,
    records: 0,
    events: 0,
    windows: 0,
    profiles: 0,
  };
  const touched = new Map<string, { key: Activity.WindowDelta; minAt: number; maxAt: number }>();
  const windows = new Activity.MemoryAccessStore();
  let minAt = Number.POSITIVE_INFINITY;
  let maxAt = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    let records: Activity.CloudTrailRecord[];
    try {
      records = Activity.parseCloudTrailLogFile(readLogFile(file), file, {
        onRejected: () => summary.rejected++,
      });
    } catch (error) {
      // A bucket holds more than log files: digest files beside them, Config's files in a shared bucket.
      if (error instanceof UnsupportedEventError) summary.skipped++;
      else if (isInputError(error) && !(error instanceof InputTooLargeError)) summary.unreadable.push(file);
      else throw error;
      deps.progress?.(i + 1, files.length, summary.events);
      continue;
    }
    summary.files += 1;
    summary.records += records.length;
    const events = records.flatMap((r) => Activity.toAccessEvent(r, deps.baseline, deps.hashKey) ?? []);
    summary.events += events.length;
    const r = await Activity.processAccessEvents(events, {
      store: windows,
      baseline: deps.baseline,
      detectors: DETECTORS,
      mode: "learn",
    });
    summary.windows += r.windows;
    for (const t of r.touched) {
      const k = Activity.pairKey(t.key.target, t.key.principal.id);
      const cur = touched.get(k);
      touched.set(k, {
        key: cur && cur.maxAt >= t.maxAt ? cur.key : t.key,
        minAt: Math.min(cur?.minAt ?? t.minAt, t.minAt),
        maxAt: Math.max(cur?.maxAt ?? t.maxAt, t.maxAt),
      });
      maxAt = Math.max(maxAt, t.maxAt);
    }
    for (const e of events) minAt = Math.min(minAt, e.at);
    deps.progress?.(i + 1, files.length, summary.events);
  }
  const settings = Activity.resolveSettings(deps.baseline);
  // Every profile is folded up to the end of the history (minus the grace for late delivery).
  const until = Activity.windowStartOf(maxAt - settings.foldGraceMinutes * 60_000, settings.windowMinutes);
  for (const [target, state] of windows.targets) {
    const stored = await deps.store.getTarget(target);
    if (
      !stored ||
      stored.firstSeen > state.firstSeen ||
      (state.expiresAt !== undefined && (stored.expiresAt ?? 0) < state.expiresAt)
    )
      await deps.store.touchTarget(target, state.firstSeen, state.expiresAt);
  }
  for (const t of touched.values()) {
    // As of the pair's first read in the history: a profile that had expired by then is replaced.
    const stored = await deps.store.getProfile(t.key.target, t.key.principal.id, t.minAt);
    const k = Activity.pairKey(t.key.target, t.key.principal.id);
    if (stored) windows.profiles.set(k, stored);
    else windows.profiles.delete(k);
    if (!(await Activity.foldProfile(windows, t.key, until, settings, t.minAt))) continue;
    const next = windows.profiles.get(k)!;
    if ((await deps.store.putProfile(next, stored?.foldedThrough ?? null, t.minAt)) === "applied")
      summary.profiles += 1;
  }
  if (summary.events > 0) {
    summary.from = new Date(minAt).toISOString();
    summary.to = new Date(maxAt).toISOString();
  }
  return summary;
}

function progressBar(done: number, total: number, events: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} files, ${events} PHI accesses`,
  );
  if (done === total) process.stderr.write("\n");
}

/**
 * `phiwatch learn <dir|files…> [--baseline f] [--store local|table:NAME] [--dir d]` — build access
 * profiles from historical CloudTrail log files, so a new install starts with a baseline.
 */
export async function learnCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { baseline: { type: "string" }, store: { type: "string" }, dir: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError("usage: phiwatch learn <dir|files…> [--baseline f]");
  const files = logFiles(positionals);
  if (files.length === 0)
    throw new UsageError("no CloudTrail log files (.json, .json.gz or gzipped) in the given paths");
  const baselineFile = defaultBaseline(
    values.baseline,
    values.store?.startsWith("table:") ? "learn into a deployed table" : undefined,
  );
  const baseline = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile);

  const spec = values.store ?? "local";
  let close: () => Promise<void>;
  let ddb: DynamoDBClient;
  let table: string;
  if (spec.startsWith("table:")) {
    ddb = new DynamoDBClient({});
    table = spec.slice("table:".length);
    close = async () => ddb.destroy();
  } else if (spec === "local") {
    const stack = await LocalStack.start({
      dir: resolve(values.dir ?? DEFAULT_DIR),
      baselineFile,
      storeOnly: true,
    });
    ddb = stack.ddb;
    table = LOCAL_NAMES.table;
    close = () => stack.stop();
  } else throw new UsageError(`--store must be "local" or "table:<name>", got "${spec}"`);

  try {
    const store = new DynamoAccessStore(ddb, table);
    const hashKey = Activity.objectKeyHasher(Activity.hashSecret(process.env, table));
    const started = Date.now();
    const s = await learnFiles(files, {
      store,
      baseline,
      hashKey,
      ...(files.length > 1 && process.stderr.isTTY ? { progress: progressBar } : {}),
    });
    if (s.skipped > 0)
      process.stderr.write(
        `skipped ${s.skipped} file(s) that are not CloudTrail log files (digest files, Config files)\n`,
      );
    if (s.rejected > 0)
      process.stderr.write(`skipped ${s.rejected} record(s) that are not CloudTrail records\n`);
    if (s.unreadable.length > 0)
      process.stderr.write(
        `${s.unreadable.length} file(s) could not be read (not gzip or JSON, e.g. a truncated download):\n` +
          s.unreadable
            .slice(0, 10)
            // The operator's own paths, as listed; only control characters (a hostile name) are masked.
            .map((f) => `  ${f.replace(/[\p{Cc}\p{Cf}]/gu, "?")}\n`)
            .join("") +
          (s.unreadable.length > 10 ? `  … and ${s.unreadable.length - 10} more\n` : ""),
      );
    process.stdout.write(
      `learned from ${s.files} file(s), ${s.records} records, ${s.events} PHI accesses` +
        `${s.from ? ` (${s.from} → ${s.to})` : ""}: ${s.windows} windows, ${s.profiles} profile(s) updated` +
        ` in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    // What was learned is kept; the exit status says some history was not.
    return s.unreadable.length > 0 ? 2 : 0;
  } finally {
    await close();
  }
}
