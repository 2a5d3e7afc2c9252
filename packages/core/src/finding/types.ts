/** Severity, lowest to highest. The order is the rank used for sorting and `--fail-on`. */
export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** Where a finding comes from: a configuration control (drift) or an activity detector. */
export type FindingKind = "drift" | "activity";

/**
 * `suppression.by` of a suppression that comes from the baseline's `suppressions` (the API and the CLI
 * record a person's identity instead): it holds only while the deployed baseline still says so.
 */
export const BASELINE_SUPPRESSOR = "baseline";

export const FINDING_STATUSES = ["OPEN", "RESOLVED", "SUPPRESSED"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/**
 * Evidence is the exact values behind a verdict. Values are JSON scalars or small arrays/objects;
 * never object keys or caller-supplied strings in clear (see `redact`).
 */
export type Evidence = Record<string, unknown>;

/** The resource or principal a finding is about. Ids are ARNs, bucket names or key ids — never PHI. */
export interface FindingSubject {
  accountId: string;
  region: string;
  resourceType: string;
  resourceId: string;
  /** Display name when the id is opaque (an IAM role's id `AROA…` → its name). Not part of the finding id. */
  resourceName?: string;
  /** For activity findings: the stable principal identity (role ARN, user ARN, service principal). */
  principal?: string;
}

/**
 * A finding: the stored, deduplicated state of one (control or detector, subject) pair.
 *
 * @example
 * ```ts
 * const f: Finding = { findingId: "f-9c1e…", kind: "drift", ruleId: "s3-encryption-cmk", status: "OPEN", … };
 * ```
 */
export interface Finding {
  findingId: string;
  kind: FindingKind;
  /** Control id or detector id. */
  ruleId: string;
  title: string;
  severity: Severity;
  status: FindingStatus;
  subject: FindingSubject;
  hipaa: string[];
  /** One line, no PHI: what is wrong. */
  summary: string;
  evidence: Evidence;
  remediation?: string;
  firstSeen: string;
  lastSeen: string;
  /** Time of the last status transition. */
  statusChangedAt: string;
  /** Number of status transitions so far; increases by one per history entry. */
  transitions: number;
  /**
   * Writes of the stored item so far: each write stores one more and lands only if the stored item
   * still has the revision its decision was read at (see `FindingChange.expect`). Absent on items
   * written before phiwatch kept it; the first write of such an item stores 1.
   */
  revision?: number;
  /** Event count behind an activity finding (an alert storm of 2000 events is one finding, count 2000). */
  count?: number;
  /** Start of the incident window for activity findings. */
  windowStart?: string;
  suppression?: { reason: string; until: string; by: string };
  /** An incident (activity finding) a person closed after review (`closeIncident`): RESOLVED, with why and by whom. */
  closure?: { reason: string; by: string };
}

/** One entry of drift history: a transition of one finding, with the evidence behind it. */
export interface HistoryEntry {
  findingId: string;
  ruleId: string;
  subject: FindingSubject;
  at: string;
  seq: number;
  from: FindingStatus | "NEW";
  to: FindingStatus;
  severity: Severity;
  evidence: Evidence;
  /** What caused the transition (event id, sweep id, user). */
  cause: string;
}
