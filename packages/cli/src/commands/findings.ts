import { parseArgs } from "node:util";
import {
  allFindings,
  allResourceHistory,
  FINDING_STATUSES,
  type Finding,
  type FindingQuery,
  type FindingStatus,
  type FindingStore,
  isRuleId,
  isSeverity,
  type Severity,
  severityRank,
} from "@phiwatch/core";
import { openStore, UsageError } from "../context.ts";
import { findingsTable, historyTable } from "../output.ts";

const COMMON = {
  store: { type: "string" },
  dir: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

/**
 * `phiwatch findings [--status S] [--severity S] [--rule ID] [--limit N] [--json] [--fail-on S]`:
 * the findings that match, most severe first. `--limit` caps what is printed (the N most severe), never
 * what `--fail-on` judges: that is every matching finding, over every page of the table.
 */
export async function findingsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON,
      status: { type: "string" },
      severity: { type: "string" },
      rule: { type: "string" },
      "fail-on": { type: "string" },
      limit: { type: "string" },
    },
    strict: true,
  });
  const status = values.status?.toUpperCase();
  if (status && !(FINDING_STATUSES as readonly string[]).includes(status))
    throw new UsageError(`--status must be one of ${FINDING_STATUSES.join(", ")}`);
  for (const flag of ["severity", "fail-on"] as const) {
    const v = values[flag];
    if (v && !isSeverity(v))
      throw new UsageError(`--${flag} must be one of info, low, medium, high, critical`);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!/^\d+$/.test(values.limit!) || !Number.isSafeInteger(limit) || limit < 1))
    throw new UsageError("--limit must be a positive integer");
  // A misspelt id would list nothing and pass --fail-on: every rule id is a control or a detector.
  if (values.rule && !isRuleId(values.rule))
    throw new UsageError(
      `--rule: "${values.rule}" is no control or detector id (the ids are listed in docs/controls.md)`,
    );
  const { store, close } = await openStore(values);
  try {
    const r = await findingsReport(
      store,
      {
        ...(status ? { status: status as FindingStatus } : {}),
        ...(values.severity ? { severity: values.severity as Severity } : {}),
        ...(values.rule ? { ruleId: values.rule } : {}),
      },
      {
        ...(limit ? { limit } : {}),
        ...(values["fail-on"] ? { failOn: values["fail-on"] as Severity } : {}),
      },
    );
    if (values.json) for (const f of r.shown) process.stdout.write(`${JSON.stringify(f)}\n`);
    else process.stdout.write(`${findingsTable(r.shown)}\n`);
    if (r.shown.length < r.total)
      process.stderr.write(`showing the ${r.shown.length} most severe of ${r.total} findings (--limit)\n`);
    return r.failed ? 1 : 0;
  } finally {
    await close();
  }
}

/**
 * Every finding matching the query (all pages), most severe first, the first `limit` of them to show,
 * and whether an OPEN one is at or above `failOn` — judged on all of them, not only those shown.
 */
export async function findingsReport(
  store: Pick<FindingStore, "listFindings">,
  query: Omit<FindingQuery, "cursor" | "limit">,
  opts: { limit?: number; failOn?: Severity } = {},
): Promise<{ shown: Finding[]; total: number; failed: boolean }> {
  const all = (await allFindings(store, query)).sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId),
  );
  const failOn = opts.failOn;
  return {
    shown: opts.limit ? all.slice(0, opts.limit) : all,
    total: all.length,
    failed:
      failOn !== undefined &&
      all.some((f) => f.status === "OPEN" && severityRank(f.severity) >= severityRank(failOn)),
  };
}

/** `phiwatch history <resource> [--account A] [--region R] [--json]` */
export async function historyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON, account: { type: "string" }, region: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const resourceId = positionals[0];
  if (!resourceId)
    throw new UsageError(
      "usage: phiwatch history <resource-id> [--account 123456789012] [--region us-east-1]",
    );
  const { store, close } = await openStore(values);
  try {
    let places: Array<{ accountId: string; region: string; resourceId: string }>;
    if (values.account && values.region)
      places = [{ accountId: values.account, region: values.region, resourceId }];
    else {
      places = (await resourceLocations(store, resourceId)).filter(
        (p) =>
          (!values.account || p.accountId === values.account) &&
          (!values.region || p.region === values.region),
      );
      if (places.length === 0)
        throw new UsageError(`no findings for ${resourceId}: pass --account and --region`);
    }
    const entries = (await Promise.all(places.map((p) => allResourceHistory(store, p))))
      .flat()
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    if (values.json) for (const h of entries) process.stdout.write(`${JSON.stringify(h)}\n`);
    else process.stdout.write(`${historyTable(entries)}\n`);
    return 0;
  } finally {
    await close();
  }
}

/**
 * Where a resource has findings — account, region and the resource id the history is kept under —
 * found by id or by the name the findings table shows (a role's name, a contact flow's name), over
 * every page of the table (a deployed table holds thousands). Each place once: a role name can exist
 * in several accounts.
 */
export async function resourceLocations(
  store: Pick<FindingStore, "listFindings">,
  resource: string,
): Promise<Array<{ accountId: string; region: string; resourceId: string }>> {
  const places = new Map<string, { accountId: string; region: string; resourceId: string }>();
  for (const f of await allFindings(store)) {
    if (f.subject.resourceId !== resource && f.subject.resourceName !== resource) continue;
    const { accountId, region, resourceId } = f.subject;
    places.set(`${accountId}/${region}/${resourceId}`, { accountId, region, resourceId });
  }
  return [...places.values()].sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}
