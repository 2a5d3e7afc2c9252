import { type Finding, type Severity, severityRank } from "../finding/types.ts";

/**
 * What happened to a finding between two stored states (the old and new images of one table-stream
 * record). Alerts and SIEM forwarding both start here, so they agree on what an event is.
 */
export const TRANSITIONS = [
  "OPENED",
  "REOPENED",
  "RESOLVED",
  "ESCALATED",
  "DEESCALATED",
  "SUPPRESSED",
  /** An open activity finding whose event count keeps growing (flood collapse, rate-limited). */
  "STILL_HAPPENING",
  /** Anything else (evidence or count changed, lastSeen refreshed): stored, not announced. */
  "UPDATED",
] as const;
export type Transition = (typeof TRANSITIONS)[number];

/**
 * Classify a change of one finding. `undefined` when the two images are the same state (a duplicate
 * stream record carries old = new only for no-op writes; those need nothing).
 *
 * @example
 * ```ts
 * classifyTransition(undefined, open)          // → "OPENED"
 * classifyTransition(open, { ...open, status: "RESOLVED", transitions: 2 }) // → "RESOLVED"
 * classifyTransition(open, { ...open, severity: "critical", transitions: 2 }) // → "ESCALATED"
 * ```
 */
export function classifyTransition(old: Finding | undefined, next: Finding): Transition | undefined {
  if (!old)
    return next.status === "OPEN" ? "OPENED" : next.status === "SUPPRESSED" ? "SUPPRESSED" : "UPDATED";
  if (old.status !== next.status) {
    if (next.status === "OPEN") return "REOPENED";
    if (next.status === "RESOLVED") return "RESOLVED";
    return "SUPPRESSED";
  }
  const d = severityRank(next.severity) - severityRank(old.severity);
  if (d > 0) return "ESCALATED";
  if (d < 0) return "DEESCALATED";
  if (
    old.transitions === next.transitions &&
    old.lastSeen === next.lastSeen &&
    (old.count ?? 0) === (next.count ?? 0) &&
    old.summary === next.summary
  )
    return undefined;
  return "UPDATED";
}

/** Default interval between two "still happening" announcements of one activity finding. */
export const DEFAULT_STILL_HAPPENING_MINUTES = 60;

/**
 * Flood collapse: an incident that updates one activity finding 2000 times yields one OPENED alert
 * plus, at most every `intervalMinutes`, one "still happening" update — and only while its count
 * grows. The caller remembers when it last announced the finding (`lastAnnouncedAt`; the OPENED
 * alert counts, so pass `statusChangedAt` when nothing else is recorded).
 *
 * @example
 * ```ts
 * isStillHappening(old, next, "2026-03-03T10:00:00Z", new Date("2026-03-03T11:01:00Z"), 60) // → true if next.count > old.count
 * ```
 */
export function isStillHappening(
  old: Finding | undefined,
  next: Finding,
  lastAnnouncedAt: string | undefined,
  now: Date,
  intervalMinutes: number = DEFAULT_STILL_HAPPENING_MINUTES,
): boolean {
  if (!old || next.kind !== "activity" || next.status !== "OPEN" || old.status !== "OPEN") return false;
  if ((next.count ?? 0) <= (old.count ?? 0)) return false;
  const since = Date.parse(lastAnnouncedAt ?? next.statusChangedAt);
  if (Number.isNaN(since)) return true;
  return now.getTime() - since >= intervalMinutes * 60_000;
}

/**
 * Deterministic id of one announcement: duplicate stream records (at-least-once delivery) give the
 * same id, so SNS FIFO deduplication, the idempotency store and receivers can drop the copy.
 *
 * @example
 * ```ts
 * eventId(next, "OPENED") // → "f-9c1e…:1:OPENED"
 * ```
 */
export function eventId(next: Finding, transition: Transition): string {
  if (transition === "STILL_HAPPENING")
    return `${next.findingId}:${next.transitions}:count:${next.count ?? 0}`;
  if (transition === "UPDATED") return `${next.findingId}:${next.transitions}:seen:${next.lastSeen}`;
  return `${next.findingId}:${next.transitions}:${transition}`;
}

/** The severity an announcement is judged by: a resolution or de-escalation keeps the severity it had. */
export function effectiveSeverity(old: Finding | undefined, next: Finding): Severity {
  if (!old) return next.severity;
  return severityRank(old.severity) > severityRank(next.severity) ? old.severity : next.severity;
}

/** When the change happened: the status change time for transitions, the last observation otherwise. */
export function transitionTime(next: Finding, transition: Transition): string {
  return transition === "STILL_HAPPENING" || transition === "UPDATED" ? next.lastSeen : next.statusChangedAt;
}

/**
 * Which changes a SIEM receives: every lifecycle transition (suppressions included — the SIEM is
 * the audit trail), "still happening" updates, never plain refreshes; at or above the target's
 * minimum severity.
 *
 * @example
 * ```ts
 * shouldForward(undefined, open, "low") // → "OPENED"
 * shouldForward(open, refreshed, "low") // → undefined
 * ```
 */
export function shouldForward(
  old: Finding | undefined,
  next: Finding,
  minSeverity: Severity,
  still: { lastAnnouncedAt?: string; now: Date; intervalMinutes?: number } = { now: new Date() },
): Transition | undefined {
  let t = classifyTransition(old, next);
  if (t === "UPDATED" && isStillHappening(old, next, still.lastAnnouncedAt, still.now, still.intervalMinutes))
    t = "STILL_HAPPENING";
  if (t === undefined || t === "UPDATED") return undefined;
  if (severityRank(effectiveSeverity(old, next)) < severityRank(minSeverity)) return undefined;
  return t;
}
