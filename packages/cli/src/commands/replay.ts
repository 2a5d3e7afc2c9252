import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DynamoFindingStore } from "@phiwatch/aws";
import { DEFAULT_DIR, defaultBaseline, UsageError } from "../context.ts";
import { listInputFiles, readInputFile } from "../inputs.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";
import { bold, findingsTable } from "../output.ts";

/**
 * `phiwatch replay <files|dirs…> [--baseline f]`: feed EventBridge envelopes, Config notifications
 * (incl. oversized), configuration items (bare or from Config history and snapshot files) and raw
 * CloudTrail log files through the handlers into the local store, exactly as the AWS event sources
 * would deliver them. Inputs that are dead-lettered are counted by reason; the dead letters themselves
 * (message, payload) are files under `<dir>/dead-letter/`.
 */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      baseline: { type: "string" },
      dir: { type: "string" },
      quiet: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0)
    throw new UsageError("usage: phiwatch replay <files|dirs…> [--baseline baseline.yaml]");
  const files = listInputFiles(positionals);
  if (files.length === 0)
    throw new UsageError("no .json, .jsonl, .json.gz or .jsonl.gz files in the given paths");
  const stack = await LocalStack.start({
    dir: resolve(values.dir ?? DEFAULT_DIR),
    baselineFile: defaultBaseline(values.baseline),
  });
  try {
    const counts = await replayFiles(stack, files);
    const skipped = [...counts.skipped].map(([reason, n]) => `${n} skipped (${reason}); `).join("");
    await stack.drain();
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const alerts = await stack.receivedAlerts();
    if (!values.quiet) {
      const open = (await store.listFindings({ status: "OPEN" })).items;
      process.stdout.write(`${bold("Open findings")}\n${findingsTable(open)}\n`);
    }
    process.stdout.write(
      `replayed ${files.length} file(s): ${counts.events} event(s), ${counts.logFiles} CloudTrail log file(s); ` +
        skipped +
        `${counts.unrouted ? `${counts.unrouted} matched no phiwatch rule (not delivered, as in EventBridge); ` : ""}` +
        `${alerts.length} alert(s) published; ${stack.deadLettered} dead-lettered\n`,
    );
    if (stack.deadLettered > 0) {
      // Reasons only (error class and field): messages and payloads may quote PHI and stay in the files.
      const rows = stack.deadLetterSummary();
      const width = String(Math.max(...rows.map((r) => r.count))).length;
      process.stdout.write(
        `dead letters by reason (messages and payloads in ${stack.deadLetterDir}):\n` +
          rows.map((r) => `  ${String(r.count).padStart(width)}  ${r.reason}\n`).join(""),
      );
    }
    return counts.invalid > 0 || stack.deadLettered > 0 ? 2 : 0;
  } finally {
    await stack.stop();
  }
}

/** Send every item of the files through the local stack. Invalid inputs go to the dead letter. */
export async function replayFiles(
  stack: LocalStack,
  files: string[],
): Promise<{
  events: number;
  logFiles: number;
  invalid: number;
  unrouted: number;
  /** Files skipped, by reason (digest files of a CloudTrail bucket download). */
  skipped: Map<string, number>;
}> {
  const counts = { events: 0, logFiles: 0, invalid: 0, unrouted: 0, skipped: new Map<string, number>() };
  for (const file of files) {
    const items = readInputFile(file);
    // Consecutive EventBridge events go out together (data events are batched onto the access queue).
    const events = items.flatMap((i) => (i.kind === "eventbridge" ? [i.event] : []));
    if (events.length === items.length) {
      counts.unrouted += (await stack.dispatchAll(events)).unrouted;
      counts.events += events.length;
      continue;
    }
    for (const item of items) {
      if (item.kind === "eventbridge") {
        if ((await stack.dispatch(item.event)).length === 0) counts.unrouted++;
        counts.events++;
      } else if (item.kind === "config") {
        await stack.invoke("config-change", item.event);
        counts.events++;
      } else if (item.kind === "cloudtrail-log") {
        const key = `AWSLogs/replay/${Date.now()}-${basename(file)}${file.endsWith(".gz") ? "" : ".gz"}`;
        await stack.putTrailLogFile(key, item.body);
        counts.logFiles++;
      } else if (item.kind === "skipped") {
        counts.skipped.set(item.reason, (counts.skipped.get(item.reason) ?? 0) + 1);
      } else {
        counts.invalid++;
        await stack.sendToQueue(
          LOCAL_NAMES.deadLetter,
          JSON.stringify({
            reason: item.error.name,
            message: item.error.message,
            field: item.error.field,
            source: `replay:${item.source}`,
            payload: item.payload,
            at: new Date().toISOString(),
          }),
        );
      }
    }
  }
  return counts;
}
