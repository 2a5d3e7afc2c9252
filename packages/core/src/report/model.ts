import type { Baseline } from "../baseline/schema.ts";
import type { Control } from "../control/types.ts";
import { type Finding, type HistoryEntry, type Severity, severityRank } from "../finding/types.ts";
import { publicFinding } from "../format/json.ts";
import type { RedactionOptions } from "../format/redact.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import { type DataPathInventory, dataPathInventory } from "./inventory.ts";
import {
  emptySeverityCounts,
  type PostureSnapshot,
  type UnableToEvaluate,
  type UnsweptRegion,
} from "./posture.ts";
import { controlFamily, driftTimeline, type FamilySeries } from "./timeline.ts";

/** Status of one control in the report. */
export type ControlStatus = "FAILING" | "UNABLE_TO_EVALUATE" | "SUPPRESSED" | "PASSING" | "NOT_EVALUATED";

export interface ControlRow {
  id: string;
  title: string;
  family: string;
  hipaa: string[];
  severity: Severity;
  status: ControlStatus;
  open: number;
  suppressed: number;
  resolved: number;
  /** From the latest posture snapshot, when there is one. */
  evaluated?: { compliant: number; nonCompliant: number; notApplicable: number; error: number };
  rationale: string;
}

export interface ResolvedRow {
  finding: Finding;
  /** Milliseconds from first detection to resolution. */
  timeToResolveMs: number;
  /** How it ended: the resolution's summary, or who closed the incident after review and why. */
  outcome: string;
}

export interface DetectorRow {
  detectorId: string;
  findings: number;
  open: number;
  events: number;
  principals: string[];
  lastSeen: string;
  severity: Severity;
}

/** Everything the evidence report shows; the JSON format is this object. */
export interface EvidenceReport {
  title: string;
  organisation: string;
  generatedAt: string;
  scope: {
    /**
     * The accounts the latest sweep read; with no sweep recorded, the baseline's accounts (the same
     * rule as `regions`' header: "not swept yet").
     */
    accounts: string[];
    /**
     * Accounts of earlier sweeps or of the baseline that the latest sweep did not read (taken out of
     * the sweep). The sweep resolves their drift findings as out of scope, and nothing re-checks them;
     * one still live (that reconcile cut short by the run's deadline) is marked "Account not swept"
     * (`notSweptNote`).
     */
    accountsNotSwept: string[];
    /** The regions the latest sweep read (re-checked hourly); none when no sweep is recorded. */
    regions: string[];
    /**
     * Regions in the report's scope the latest sweep did not read: the baseline's `allowedRegions`
     * and the regions of earlier sweeps (taken out of `PHIWATCH_SWEEP_REGIONS`). Nothing re-checks
     * them hourly; their drift findings are marked "Region not swept" (`unswept`).
     */
    notSwept: string[];
  };
  summary: {
    open: Record<Severity, number>;
    controls: Record<ControlStatus, number>;
    resolved: number;
    suppressed: number;
    /** Median time to resolve of the resolved drift findings (incidents closed after review are not remediation). */
    medianTimeToResolveMs?: number;
    lastSweep?: string;
  };
  controls: ControlRow[];
  openFindings: Finding[];
  suppressedFindings: Finding[];
  resolvedFindings: ResolvedRow[];
  timeline: FamilySeries[];
  activity: DetectorRow[];
  inventory: DataPathInventory;
  posture: Array<Pick<PostureSnapshot, "at" | "open" | "resources" | "unableTotal">>;
  unable: UnableToEvaluate[];
  /**
   * Regions the latest sweep did not read that hold open or suppressed drift findings: those findings
   * are not re-checked by the sweep (see `notSwept`).
   */
  unswept: UnsweptRegion[];
}

/**
 * The report header's regions: those the latest sweep read, and apart those it did not (never one
 * list that reads as monitored).
 *
 * @example
 * ```ts
 * scopeRegions(report); // "Regions swept: us-east-1. Not swept by the latest sweep: eu-west-1 (…)."
 * ```
 */
export function scopeRegions(r: Pick<EvidenceReport, "scope" | "summary" | "unswept">): string {
  const { regions, notSwept } = r.scope;
  if (!r.summary.lastSweep)
    return notSwept.length > 0 ? `Regions in the baseline, not swept yet: ${notSwept.join(", ")}.` : "";
  const out = [`Regions swept: ${regions.length > 0 ? regions.join(", ") : "none"}.`];
  if (notSwept.length > 0)
    out.push(
      `Not swept by the latest sweep: ${notSwept.join(", ")} (not re-checked hourly${
        r.unswept.length > 0 ? `; findings there are marked "Region not swept"` : ""
      }).`,
    );
  return out.join(" ");
}

/**
 * The report header's accounts: those the latest sweep read, and apart those it no longer reads.
 *
 * @example
 * ```ts
 * scopeAccounts(report); // "Accounts: 111122223333. Accounts no longer swept: 444455556666 (…)."
 * ```
 */
export function scopeAccounts(
  r: Pick<EvidenceReport, "scope" | "unswept" | "openFindings" | "suppressedFindings">,
): string {
  const { accounts, accountsNotSwept } = r.scope;
  const out = [`Accounts: ${accounts.length > 0 ? accounts.join(", ") : "none"}.`];
  if (accountsNotSwept.length > 0)
    out.push(`Accounts no longer swept: ${accountsNotSwept.join(", ")} (${accountsNotSweptNote(r)}).`);
  return out.join(" ");
}

/** What the header says of the accounts the latest sweep did not read. */
export const ACCOUNT_NOT_SWEPT =
  "the latest sweep did not read them: their drift findings are resolved as out of scope and nothing re-checks them";

/**
 * The header's note on the accounts the latest sweep did not read: their drift findings resolved as
 * out of scope, unless some are still live (the reconcile that resolves them was cut short): then it
 * says those are marked.
 */
export function accountsNotSweptNote(
  r: Pick<EvidenceReport, "scope" | "unswept" | "openFindings" | "suppressedFindings">,
): string {
  const live = [...r.openFindings, ...r.suppressedFindings].some(
    (f) => notSweptNote(r, f) === NOT_SWEPT_ACCOUNT_NOTE,
  );
  return live
    ? `the latest sweep did not read them and nothing re-checks them; findings there are marked "Account not swept"`
    : ACCOUNT_NOT_SWEPT;
}

/** The report's note on a finding of a region the latest sweep did not read. */
export const NOT_SWEPT_NOTE =
  "Region not swept: the latest sweep did not read this region, so this finding is not re-checked hourly (nor resolved as deleted); only change events re-evaluate it.";

/** The report's note on a live drift finding of an account the latest sweep did not read. */
export const NOT_SWEPT_ACCOUNT_NOTE =
  "Account not swept: the latest sweep did not read this account, so this finding is not re-checked hourly (nor resolved as deleted); a complete scheduled sweep resolves it as no longer evaluated once the account has left the baseline's accounts.";

/**
 * Why no sweep re-checks a drift finding, if none does: its account is not among those the latest
 * sweep read (`scope.accountsNotSwept`: `NOT_SWEPT_ACCOUNT_NOTE`), or the latest sweep left its region
 * out (`unswept`: `NOT_SWEPT_NOTE`). The finding stands as last evaluated, not re-checked hourly,
 * never resolved as deleted. Activity findings are incidents, never swept: never marked.
 *
 * @example
 * ```ts
 * notSweptNote(report, finding); // NOT_SWEPT_NOTE, NOT_SWEPT_ACCOUNT_NOTE or undefined
 * ```
 */
export function notSweptNote(r: Pick<EvidenceReport, "unswept" | "scope">, f: Finding): string | undefined {
  if (f.kind !== "drift") return undefined;
  if (r.scope.accountsNotSwept.includes(f.subject.accountId)) return NOT_SWEPT_ACCOUNT_NOTE;
  if (r.unswept.some((u) => u.accountId === f.subject.accountId && u.region === f.subject.region))
    return NOT_SWEPT_NOTE;
  return undefined;
}

/**
 * Whether no sweep re-checks a drift finding: its region or its account was left out of the latest
 * sweep (see `notSweptNote`).
 *
 * @example
 * ```ts
 * report.openFindings.filter((f) => notSwept(report, f)); // the open findings no sweep re-checks
 * ```
 */
export function notSwept(r: Pick<EvidenceReport, "unswept" | "scope">, f: Finding): boolean {
  return notSweptNote(r, f) !== undefined;
}

export interface ReportInput {
  baseline: Baseline;
  controls: readonly Control[];
  findings: readonly Finding[];
  history: readonly HistoryEntry[];
  inventory: readonly ResourceSnapshot[];
  posture?: readonly PostureSnapshot[];
  generatedAt: string;
  /**
   * How PHI-shaped text is replaced: with the deployment's redaction key, the report carries the
   * same keyed tokens (`[email:1a2b3c4d]`) as the alerts and SIEM payloads; without, kind-only tokens.
   */
  redaction?: RedactionOptions;
}

const bySeverityThenTime = (a: Finding, b: Finding) =>
  severityRank(b.severity) - severityRank(a.severity) ||
  a.ruleId.localeCompare(b.ruleId) ||
  a.subject.resourceId.localeCompare(b.subject.resourceId);

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Assemble the evidence report from stored state: control-by-control status with HIPAA citations,
 * open findings with evidence and remediation, resolved findings with time to resolve, the drift
 * timeline per control family, the activity detections summary and the PHI data-path inventory.
 * Pure: render it with `renderHtml`, `renderMarkdown` or `JSON.stringify`.
 *
 * A control is FAILING with any open finding, UNABLE_TO_EVALUATE when the latest sweep recorded an
 * error for it, PASSING only when the latest sweep evaluated it as compliant somewhere and nothing is
 * open, and NOT_EVALUATED otherwise — the report never calls a control passing that nobody checked.
 *
 * @example
 * ```ts
 * const report = buildReport({ baseline, controls: CONTROLS, findings, history, inventory, generatedAt });
 * writeFileSync("report.html", renderHtml(report));
 * ```
 */
export function buildReport(input: ReportInput): EvidenceReport {
  const controlIds = new Set(input.controls.map((c) => c.id));
  const latest = [...(input.posture ?? [])].sort((a, b) => (a.at < b.at ? 1 : -1))[0];
  // The report leaves the account like an alert: findings are shown as SIEM payloads carry them,
  // PHI-shaped text redacted (a resource named after a patient, an e-mail session name, a reason).
  // The inventory joins stored ids with snapshots, so it reads the findings as stored.
  const findings: Finding[] = input.findings.map((f) => publicFinding(f, input.redaction));
  const drift = findings.filter((f) => f.kind === "drift");
  const activity = findings.filter((f) => f.kind === "activity");

  const controls: ControlRow[] = input.controls.map((c) => {
    const mine = drift.filter((f) => f.ruleId === c.id);
    const open = mine.filter((f) => f.status === "OPEN").length;
    const suppressed = mine.filter((f) => f.status === "SUPPRESSED").length;
    const resolved = mine.filter((f) => f.status === "RESOLVED").length;
    const evaluated = latest?.controls[c.id];
    const severity = (input.baseline.severityOverrides[c.id] as Severity | undefined) ?? c.severity;
    const status: ControlStatus =
      open > 0
        ? "FAILING"
        : evaluated && evaluated.error > 0
          ? "UNABLE_TO_EVALUATE"
          : suppressed > 0
            ? "SUPPRESSED"
            : evaluated && evaluated.compliant > 0
              ? "PASSING"
              : "NOT_EVALUATED";
    return {
      id: c.id,
      title: c.title,
      family: controlFamily(c.id),
      hipaa: [...c.hipaa],
      severity,
      status,
      open,
      suppressed,
      resolved,
      ...(evaluated ? { evaluated } : {}),
      rationale: c.rationale,
    };
  });
  const STATUS_ORDER: ControlStatus[] = [
    "FAILING",
    "UNABLE_TO_EVALUATE",
    "SUPPRESSED",
    "NOT_EVALUATED",
    "PASSING",
  ];
  controls.sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.id.localeCompare(b.id),
  );

  // Time to resolve runs from the last time the finding (re)opened: a finding that regressed and was
  // fixed again took the time since the regression, not since it was first seen. The history gives
  // the reopening; without it, first seen.
  const lastOpened = new Map<string, string>();
  for (const h of input.history)
    if (h.to === "OPEN" && (lastOpened.get(h.findingId) ?? "") < h.at) lastOpened.set(h.findingId, h.at);
  const resolvedFindings: ResolvedRow[] = findings
    .filter((f) => f.status === "RESOLVED")
    .map((f) => {
      const opened = lastOpened.get(f.findingId);
      const from = opened !== undefined && opened <= f.statusChangedAt ? opened : f.firstSeen;
      return {
        finding: f,
        timeToResolveMs: Math.max(0, Date.parse(f.statusChangedAt) - Date.parse(from)),
        outcome: f.closure ? `closed after review by ${f.closure.by}: ${f.closure.reason}` : f.summary,
      };
    })
    .sort((a, b) => (a.finding.statusChangedAt < b.finding.statusChangedAt ? 1 : -1));

  const resolvedDrift = resolvedFindings.filter((r) => r.finding.kind === "drift");

  const detectors = new Map<string, DetectorRow>();
  for (const f of activity) {
    const d = detectors.get(f.ruleId) ?? {
      detectorId: f.ruleId,
      findings: 0,
      open: 0,
      events: 0,
      principals: [],
      lastSeen: f.lastSeen,
      severity: f.severity,
    };
    d.findings++;
    if (f.status === "OPEN") d.open++;
    d.events += f.count ?? 1;
    if (f.subject.principal && !d.principals.includes(f.subject.principal))
      d.principals.push(f.subject.principal);
    if (f.lastSeen > d.lastSeen) d.lastSeen = f.lastSeen;
    if (severityRank(f.severity) > severityRank(d.severity)) d.severity = f.severity;
    detectors.set(f.ruleId, d);
  }

  const open = emptySeverityCounts();
  for (const f of findings) if (f.status === "OPEN") open[f.severity]++;
  const statusCounts = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const c of controls) statusCounts[c.status]++;

  const accounts = new Set<string>(input.baseline.accounts);
  // Swept means read by the latest sweep: a region of an earlier sweep, or one the baseline allows
  // but the sweep's regions leave out, is named apart, so that no reader takes it for monitored.
  const swept = new Set<string>(latest?.regions ?? []);
  const named = new Set<string>(input.baseline.allowedRegions);
  for (const p of input.posture ?? []) {
    for (const a of p.accounts) accounts.add(a);
    for (const r of p.regions) named.add(r);
  }
  for (const u of latest?.unswept ?? []) named.add(u.region);
  const notSwept = [...named].filter((r) => !swept.has(r)).sort();
  // Accounts likewise: those the latest sweep read, and apart those of earlier sweeps or the baseline
  // it did not.
  const sweptAccounts = latest ? new Set(latest.accounts) : accounts;
  const accountsNotSwept = [...accounts].filter((a) => !sweptAccounts.has(a)).sort();

  return {
    title: `HIPAA evidence report — ${input.baseline.organisation.name}`,
    organisation: input.baseline.organisation.name,
    generatedAt: input.generatedAt,
    scope: { accounts: [...sweptAccounts].sort(), accountsNotSwept, regions: [...swept].sort(), notSwept },
    summary: {
      open,
      controls: statusCounts,
      resolved: resolvedFindings.length,
      suppressed: findings.filter((f) => f.status === "SUPPRESSED").length,
      // Remediation time: drift findings only (an incident closed after review was not remediated).
      ...(resolvedDrift.length
        ? { medianTimeToResolveMs: median(resolvedDrift.map((r) => r.timeToResolveMs))! }
        : {}),
      ...(latest ? { lastSweep: latest.at } : {}),
    },
    controls,
    openFindings: findings.filter((f) => f.status === "OPEN").sort(bySeverityThenTime),
    suppressedFindings: findings.filter((f) => f.status === "SUPPRESSED").sort(bySeverityThenTime),
    resolvedFindings,
    timeline: driftTimeline(input.history, (id) => controlIds.has(id)),
    activity: [...detectors.values()].sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) || a.detectorId.localeCompare(b.detectorId),
    ),
    inventory: dataPathInventory(input.baseline, input.inventory, input.findings),
    posture: [...(input.posture ?? [])]
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map((p) => ({ at: p.at, open: p.open, resources: p.resources, unableTotal: p.unableTotal })),
    unable: latest?.unable ?? [],
    unswept: latest?.unswept ?? [],
  };
}

/** "3 d 4 h", "2 h 10 min", "45 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
