import type { Evaluation } from "../control/types.ts";
import { type Finding, SEVERITIES, type Severity } from "../finding/types.ts";

/**
 * A read the sweep or scan could not make (denied, throttled past its retries, not found): the
 * resources or checks behind it are "unable to evaluate" — reported with the reason, never a pass.
 */
export interface UnableToEvaluate {
  /** The account, when a sweep covers more than one. */
  accountId?: string;
  /** Resource type the read was for (`AWS::S3::Bucket`), or `*` for account-wide reads. */
  resourceType: string;
  resourceId?: string;
  region?: string;
  /** The API operation, e.g. `kms:GetKeyRotationStatus`. */
  operation: string;
  /** Error name and short message (no PHI: AWS error messages name resources, not object contents). */
  reason: string;
}

/** Evaluation counts of one control in one sweep. */
export interface ControlCounts {
  compliant: number;
  nonCompliant: number;
  notApplicable: number;
  error: number;
}

/**
 * Posture at one point in time: what one sweep (or scan) evaluated, per control and severity. Stored
 * as a `POSTURE` item per sweep run, so posture can be charted over time.
 */
export interface PostureSnapshot {
  at: string;
  sweepId: string;
  accounts: string[];
  regions: string[];
  /** Resources evaluated. */
  resources: number;
  controls: Record<string, ControlCounts>;
  /** Open findings by severity after the run. */
  open: Record<Severity, number>;
  /** Reads that failed: the checks behind them could not be made. Capped at {@link MAX_UNABLE}. */
  unable: UnableToEvaluate[];
  /** Number of reads that failed (may exceed `unable.length`). */
  unableTotal: number;
  /** Findings resolved because their resource no longer exists. */
  resolvedGone: number;
  /** Findings whose status or severity changed in this run. */
  transitions: number;
  durationMs: number;
  /**
   * Regions of the swept accounts that hold open or suppressed drift findings but are not among the
   * regions this run swept (taken out of `PHIWATCH_SWEEP_REGIONS` or the baseline's `allowedRegions`):
   * their findings stay as they are, never resolved as deleted, and only change events re-evaluate
   * them. Absent on snapshots of runs that did not reconcile (`phiwatch scan`) and before this field.
   */
  unswept?: UnsweptRegion[];
  /**
   * Accounts whose evaluation the run's time budget cut short, each with the key (`type|region|id`)
   * of the first resource left: the next scheduled run starts there (and an `unable` entry "sweep
   * incomplete: X of Y resources evaluated" says how far this one got). Absent when every account
   * was evaluated whole.
   */
  resume?: Record<string, string>;
}

/** A region outside the sweep that still holds live drift findings (see `PostureSnapshot.unswept`). */
export interface UnsweptRegion {
  accountId: string;
  region: string;
  open: number;
  suppressed: number;
}

/**
 * The regions outside a sweep's regions that hold open or suppressed drift findings of the swept
 * accounts: findings the sweep no longer re-checks. Global subjects (the account itself, IAM) belong
 * to no region. Activity findings are incidents and never swept.
 *
 * @example
 * ```ts
 * unsweptRegions(findings, { accounts: ["111122223333"], regions: ["us-east-1"] });
 * // [{ accountId: "111122223333", region: "eu-west-1", open: 2, suppressed: 0 }]
 * ```
 */
export function unsweptRegions(
  findings: readonly Finding[],
  sweep: { accounts: Iterable<string>; regions: readonly string[] },
): UnsweptRegion[] {
  const accounts = new Set(sweep.accounts);
  const regions = new Set(sweep.regions);
  const out = new Map<string, UnsweptRegion>();
  for (const f of findings) {
    const { accountId, region } = f.subject;
    if (f.kind !== "drift" || (f.status !== "OPEN" && f.status !== "SUPPRESSED")) continue;
    if (region === "global" || region === "" || regions.has(region) || !accounts.has(accountId)) continue;
    const k = `${accountId}|${region}`;
    const u = out.get(k) ?? { accountId, region, open: 0, suppressed: 0 };
    if (f.status === "OPEN") u.open++;
    else u.suppressed++;
    out.set(k, u);
  }
  return [...out.values()].sort((a, b) =>
    a.accountId === b.accountId ? a.region.localeCompare(b.region) : a.accountId.localeCompare(b.accountId),
  );
}

/** The posture's `unable` entry of a region outside the sweep (ids and counts only: no PHI). */
export function unsweptUnable(u: UnsweptRegion): UnableToEvaluate {
  return {
    accountId: u.accountId,
    resourceType: "*",
    region: u.region,
    operation: "sweep",
    reason: `region not swept: ${u.region} is not among the regions this deployment sweeps (PHIWATCH_SWEEP_REGIONS, else the function's region and the baseline's allowedRegions); its ${u.open} open and ${u.suppressed} suppressed finding(s) are not re-checked nor resolved as deleted, only change events re-evaluate them`,
  };
}

/** Most failed reads kept on one posture snapshot (items are capped at 400 KB). */
export const MAX_UNABLE = 200;

/** Zeroed open-by-severity counts. */
export function emptySeverityCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

/**
 * Count evaluations per control and open findings per severity.
 *
 * @example
 * ```ts
 * const { controls, open } = countPosture(evaluations, openFindings);
 * controls["s3-encryption-cmk"].nonCompliant; // 1
 * ```
 */
export function countPosture(
  evaluations: readonly Evaluation[],
  findings: readonly Finding[],
): { controls: Record<string, ControlCounts>; open: Record<Severity, number> } {
  const controls: Record<string, ControlCounts> = {};
  for (const e of evaluations) {
    const c = controls[e.controlId] ?? { compliant: 0, nonCompliant: 0, notApplicable: 0, error: 0 };
    controls[e.controlId] = c;
    if (e.status === "COMPLIANT") c.compliant++;
    else if (e.status === "NON_COMPLIANT") c.nonCompliant++;
    else if (e.status === "NOT_APPLICABLE") c.notApplicable++;
    else c.error++;
  }
  const open = emptySeverityCounts();
  for (const f of findings) if (f.status === "OPEN") open[f.severity]++;
  return { controls, open };
}
