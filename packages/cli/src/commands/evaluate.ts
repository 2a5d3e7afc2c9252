import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  accountPublicAccessBlock,
  baselineSuppression,
  CONTROLS,
  ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type FactLookup,
  isInputError,
  isSeverity,
  parseBaseline,
  type ResourceSnapshot,
  readConfigChange,
  type Severity,
  severityRank,
} from "@phiwatch/core";
import { defaultBaseline, UsageError } from "../context.ts";
import { listInputFiles, readInputFile } from "../inputs.ts";
import { severity, table } from "../output.ts";

/**
 * `phiwatch evaluate <files…> [--baseline f] [--json] [--fail-on S]`: evaluate configuration items
 * (bare, in any Config event shape, or in the history and snapshot files Config delivers to S3)
 * against every control, with no store and no AWS access.
 * Facts come from the same inputs: a KMS key's manager from its `AWS::KMS::Key` item, account-level
 * Block Public Access from the `AWS::S3::AccountPublicAccessBlock` item; what is not given cannot be
 * proven. Usable in CI pipelines on IaC-produced configurations.
 */
export async function evaluateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      baseline: { type: "string" },
      json: { type: "boolean", default: false },
      "fail-on": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0)
    throw new UsageError("usage: phiwatch evaluate <files…> [--baseline f] [--json] [--fail-on high]");
  const failOn = values["fail-on"];
  if (failOn && !isSeverity(failOn))
    throw new UsageError("--fail-on must be one of info, low, medium, high, critical");
  const file = defaultBaseline(values.baseline);
  const baseline = parseBaseline(readFileSync(file, "utf8"), file);

  const files = listInputFiles(positionals);
  if (files.length === 0)
    throw new UsageError("no .json, .jsonl, .json.gz or .jsonl.gz files in the given paths");

  const set = new ControlSet(CONTROLS);
  const snapshots: ResourceSnapshot[] = [];
  let inputErrors = 0;
  // Types no control watches are skipped, as the deployed handler ignores them (its rule does not even
  // route them): evaluating the `*` controls on them would report what the deployed phiwatch never does.
  const unwatched = new Map<string, number>();
  const skipUnwatched = (resourceType: string) => {
    if (set.watches(resourceType)) return false;
    unwatched.set(resourceType, (unwatched.get(resourceType) ?? 0) + 1);
    return true;
  };
  for (const f of files) {
    for (const item of readInputFile(f)) {
      if (item.kind === "invalid") {
        inputErrors++;
        process.stderr.write(`${item.source}: ${item.error.message}\n`);
        continue;
      }
      if (item.kind === "skipped") {
        // Not an input error (a Config download may sit beside a trail's); an input of only these
        // still ends with "no configuration items" below, never a silent pass.
        process.stderr.write(`${item.source}: skipped (${item.reason})\n`);
        continue;
      }
      if (item.kind === "cloudtrail-log") {
        // Skipping it would let a CI run given only log files pass having evaluated nothing.
        inputErrors++;
        process.stderr.write(
          `${item.source}: a CloudTrail log file, not configuration items (use phiwatch replay or learn)\n`,
        );
        continue;
      }
      try {
        const change = readConfigChange(item.event);
        if (
          skipUnwatched(
            change.kind === "oversized" ? change.fetch.resourceType : change.snapshot.resourceType,
          )
        )
          continue;
        if (change.kind === "oversized") {
          inputErrors++;
          process.stderr.write(
            `${item.source}: oversized item ${change.fetch.resourceId} must be fetched from Config; give the item itself\n`,
          );
        } else snapshots.push(change.snapshot);
      } catch (error) {
        if (!isInputError(error)) throw error;
        inputErrors++;
        process.stderr.write(`${item.source}: ${error.message}\n`);
      }
    }
  }

  for (const [type, n] of [...unwatched].sort(([a], [b]) => a.localeCompare(b)))
    process.stderr.write(`skipped ${n} item${n === 1 ? "" : "s"} of ${type}: no control watches this type\n`);
  if (snapshots.length === 0 && inputErrors === 0) {
    // An empty snapshot file or `[]`: passing --fail-on having evaluated nothing would be a silent pass.
    process.stderr.write(
      unwatched.size > 0
        ? "phiwatch evaluate: no configuration items of a type phiwatch watches in the given files\n"
        : "phiwatch evaluate: no configuration items in the given files\n",
    );
    return 2;
  }
  const facts = factsFrom(snapshots);
  const now = new Date();
  // A failure the baseline suppresses (an active `suppressions` entry for the control and the resource's
  // id or name) is reported, marked, and does not fail --fail-on, as a suppressed finding does not alert
  // (`scan` and `findings` judge open findings only). An ERROR is never suppressed: nothing was judged.
  const evaluations: Array<{ e: Evaluation; suppressed?: { reason: string; until: string } }> =
    snapshots.flatMap((s) =>
      evaluateSnapshot(set, s, { baseline, facts, now }).map((e) => {
        const suppressed =
          e.status === "NON_COMPLIANT"
            ? baselineSuppression(
                baseline,
                e.controlId,
                { resourceId: e.resourceId, ...(s.resourceName ? { resourceName: s.resourceName } : {}) },
                now,
              )
            : undefined;
        return suppressed ? { e, suppressed: { reason: suppressed.reason, until: suppressed.until } } : { e };
      }),
    );
  if (values.json) {
    for (const { e, suppressed } of evaluations) {
      const { controlId, resourceType, resourceId, status, severity: sev, evidence } = e;
      process.stdout.write(
        `${JSON.stringify({ controlId, resourceType, resourceId, status, severity: sev, evidence, summary: e.summary, ...(suppressed ? { suppressed } : {}) })}\n`,
      );
    }
  } else {
    process.stdout.write(
      `${table(
        ["STATUS", "SEVERITY", "CONTROL", "RESOURCE", "SUMMARY"],
        evaluations.map(({ e, suppressed }) => [
          suppressed ? `${e.status} (suppressed)` : e.status,
          severity(e.severity),
          e.controlId,
          e.resourceId,
          e.summary,
        ]),
        [28, 9, 32, 50, 90],
      )}\n`,
    );
  }
  if (inputErrors > 0) return 2;
  const threshold = failOn as Severity | undefined;
  if (
    threshold &&
    evaluations.some(
      ({ e, suppressed }) =>
        !suppressed &&
        (e.status === "NON_COMPLIANT" || e.status === "ERROR") &&
        severityRank(e.severity) >= severityRank(threshold),
    )
  ) {
    return 1;
  }
  return 0;
}

/** Facts resolved from the evaluated items themselves (no AWS access). */
export function factsFrom(snapshots: ResourceSnapshot[]): FactLookup {
  const byType = new Map<string, ResourceSnapshot[]>();
  for (const s of snapshots) byType.set(s.resourceType, [...(byType.get(s.resourceType) ?? []), s]);
  const keys = byType.get("AWS::KMS::Key") ?? [];
  return {
    kmsKey(ref, accountId) {
      const key = keys.find(
        (k) =>
          k.accountId === accountId &&
          (k.arn === ref || k.resourceId === ref || ref.endsWith(`/${k.resourceId}`)),
      );
      const manager = key?.configuration.keyManager;
      if (!key || (manager !== "CUSTOMER" && manager !== "AWS"))
        return { ok: false, reason: "no AWS::KMS::Key item for this key among the inputs" };
      return { ok: true, value: { arn: key.arn ?? ref, keyManager: manager } };
    },
    accountPublicAccessBlock(accountId) {
      const item = (byType.get("AWS::S3::AccountPublicAccessBlock") ?? []).find(
        (s) => s.accountId === accountId,
      );
      return item
        ? { ok: true, value: accountPublicAccessBlock(item) }
        : { ok: false, reason: "no AWS::S3::AccountPublicAccessBlock item among the inputs" };
    },
    inventory(resourceType, accountId, resourceId) {
      return (byType.get(resourceType) ?? []).filter(
        (s) =>
          s.accountId === accountId &&
          s.state === "present" &&
          (resourceId === undefined || s.resourceId === resourceId || s.arn === resourceId),
      );
    },
  };
}
