import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoFindingStore, InventoryStore, PostureStore } from "@phiwatch/aws";
import {
  allFindings,
  type Baseline,
  CONNECT_INSTANCE,
  CONTROLS,
  type Format,
  type HistoryEntry,
  parseBaseline,
  Report,
  type ResourceSnapshot,
} from "@phiwatch/core";
import { DEFAULT_DIR, defaultBaseline, UsageError } from "../context.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";
import { cliRedaction } from "../redaction.ts";

/** Resource types the data-path inventory describes. */
export const REPORT_INVENTORY_TYPES = [
  "AWS::S3::Bucket",
  "AWS::KMS::Key",
  "AWS::CloudTrail::Trail",
  "AWS::S3::AccountPublicAccessBlock",
  CONNECT_INSTANCE,
];

export type ReportFormat = "html" | "json" | "md";

/**
 * Read what the evidence report needs from the findings table and build it. PHI-shaped text carries
 * the deployment's keyed tokens when the CLI has the key (`PHIWATCH_REDACTION_KEY`, or the
 * `PHIWATCH_HASH_KEY` secret it is derived from), else kind-only tokens (see `cliRedaction`).
 */
export async function collectReport(
  ddb: DynamoDBClient,
  table: string,
  baseline: Baseline,
  now = new Date(),
  redaction: Format.RedactionOptions = cliRedaction(process.env),
): Promise<Report.EvidenceReport> {
  const findings = new DynamoFindingStore(ddb, table);
  const inventoryStore = new InventoryStore(ddb, table);
  const all = await allFindings(findings);
  const history: HistoryEntry[] = [];
  // Item by item, never `push(...list)`: a spread passes each item as an argument, and a list of more
  // than ~120,000 (an account's stored buckets) overflows the stack (RangeError).
  for (const f of all) for (const h of await findings.findingHistory(f.findingId)) history.push(h);
  const inventory: ResourceSnapshot[] = [];
  const accounts = new Set([...baseline.accounts, ...all.map((f) => f.subject.accountId)]);
  for (const a of accounts)
    for (const t of REPORT_INVENTORY_TYPES)
      for (const s of await inventoryStore.list(a, t)) inventory.push(s);
  const posture = await new PostureStore(ddb, table).list({ limit: 500 });
  return Report.buildReport({
    baseline,
    controls: CONTROLS,
    findings: all,
    history,
    inventory,
    posture,
    generatedAt: now.toISOString(),
    redaction,
  });
}

/** The report in one format. */
export function renderReport(r: Report.EvidenceReport, format: ReportFormat): string {
  if (format === "json") return `${JSON.stringify(r, null, 2)}\n`;
  if (format === "md") return Report.renderMarkdown(r);
  return Report.renderHtml(r);
}

export function reportFormat(value: string | undefined, out?: string): ReportFormat {
  const f = value ?? (out?.endsWith(".json") ? "json" : out?.endsWith(".md") ? "md" : "html");
  if (f !== "html" && f !== "json" && f !== "md") throw new UsageError("--format must be html, json or md");
  return f;
}

/** `phiwatch report --out report.html [--format html|json|md] [--store local|table:NAME] [--baseline f]` */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      format: { type: "string" },
      store: { type: "string" },
      dir: { type: "string" },
      baseline: { type: "string" },
    },
    strict: true,
  });
  const format = reportFormat(values.format, values.out);
  const out = values.out ?? `report.${format}`;
  const baselineFile = defaultBaseline(
    values.baseline,
    values.store?.startsWith("table:") ? "report on a deployed table" : undefined,
  );
  const baseline = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile);
  const spec = values.store ?? "local";
  let ddb: DynamoDBClient;
  let table: string;
  let close: () => Promise<void>;
  if (spec.startsWith("table:")) {
    ddb = new DynamoDBClient({});
    table = spec.slice("table:".length);
    close = async () => ddb.destroy();
  } else if (spec === "local") {
    const dir = resolve(values.dir ?? DEFAULT_DIR);
    if (!existsSync(resolve(dir, "ddb")))
      throw new UsageError(`no local store in ${dir}: run \`npm start\` or \`phiwatch replay\` first`);
    const stack = await LocalStack.start({ dir, baselineFile, storeOnly: true });
    ddb = stack.ddb;
    table = LOCAL_NAMES.table;
    close = () => stack.stop();
  } else throw new UsageError(`--store must be "local" or "table:<name>", got "${spec}"`);
  try {
    const report = await collectReport(ddb, table, baseline);
    writeFileSync(out, renderReport(report, format));
    process.stdout.write(
      `wrote ${out} (${format}): ${report.openFindings.length} open findings, ${report.summary.controls.FAILING} of ${report.controls.length} controls failing, ${report.inventory.buckets.length} PHI buckets\n`,
    );
    return 0;
  } finally {
    await close();
  }
}
