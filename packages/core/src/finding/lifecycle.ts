import { createHash } from "node:crypto";
import { PhiwatchError } from "../errors.ts";
import { boundEvidence } from "./evidence.ts";
import { findingId } from "./id.ts";
import {
  BASELINE_SUPPRESSOR,
  type Evidence,
  type Finding,
  type FindingKind,
  type FindingSubject,
  type HistoryEntry,
  type Severity,
  severityRank,
} from "./types.ts";

/** What an evaluation or detection observed about one (rule, subject) pair. */
export interface Observation {
  kind: FindingKind;
  ruleId: string;
  title: string;
  severity: Severity;
  hipaa: string[];
  subject: FindingSubject;
  /** `fail` opens (or keeps open) a finding; `pass` resolves it; `gone` resolves it because the resource no longer exists. */
  verdict: "fail" | "pass" | "gone";
  summary: string;
  evidence: Evidence;
  remediation?: string;
  /** Event time of what was observed (CI capture time, CloudTrail eventTime), ISO-8601. */
  observedAt: string;
  /** Event id, sweep id or user that caused this observation. */
  cause: string;
  /** Activity findings: the incident window and the event count in it. */
  windowStart?: string;
  count?: number;
  /** Distinguishes several findings of one rule on one subject (activity: the incident window). */
  discriminator?: string;
  /**
   * An active suppression that covers this observation (from the baseline's `suppressions`, see
   * `baselineSuppression`): a failure is then recorded as SUPPRESSED — in history, without an alert.
   */
  suppressedBy?: { reason: string; until: string; by: string };
}

/** A change to persist: the next state of the finding and, when its status or severity moved, one history entry. */
export interface FindingChange {
  /** The state to store; its `revision` is `revisionAfter(expect)`. */
  next: Finding;
  /**
   * The stored state the change was decided on: `absent` = create only if no finding exists; else
   * update only if the item still has this revision (no revision: an item written before phiwatch
   * kept one, which must still lack it), transition count and last-seen time. Any other write in
   * between — a count or evidence update included — makes the change a conflict, to re-decide.
   */
  expect: "absent" | FindingExpectation;
  history?: HistoryEntry;
}

export interface FindingExpectation {
  revision?: number;
  transitions: number;
  lastSeen: string;
}

/**
 * The revision a change stores: one more than the one it was decided on (1 for a new finding, and for
 * the first write of an item without one).
 *
 * @example
 * ```ts
 * revisionAfter("absent")                                    // → 1
 * revisionAfter({ revision: 4, transitions: 2, lastSeen: "2026-03-03T10:00:00.000Z" }) // → 5
 * ```
 */
export function revisionAfter(expect: FindingChange["expect"]): number {
  return expect === "absent" ? 1 : (expect.revision ?? 0) + 1;
}

/** What an update of `current` expects to find stored: exactly the state it was decided on. */
function expectationOf(current: Finding): FindingExpectation {
  return {
    ...(current.revision !== undefined ? { revision: current.revision } : {}),
    transitions: current.transitions,
    lastSeen: current.lastSeen,
  };
}

/** Refresh `lastSeen` of an unchanged open finding at most this often (saves writes on re-evaluation). */
export const LAST_SEEN_REFRESH_MS = 60 * 60 * 1000;

export function evidenceDigest(evidence: Evidence): string {
  return createHash("sha256").update(stableStringify(evidence)).digest("hex").slice(0, 16);
}

/** JSON with sorted keys, so equal evidence gives an equal digest. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The finding lifecycle: OPEN on first failure, RESOLVED when compliant again, re-opened on
 * regression; SUPPRESSED stays suppressed until its expiry. Returns `undefined` when nothing needs
 * to be written (unchanged re-evaluation, an older event than the one already applied, a pass with
 * no finding). Evidence is stored bounded (see `boundEvidence`). Pure: the store applies the change
 * conditionally and retries on a race.
 *
 * @example
 * ```ts
 * const change = decide(undefined, { verdict: "fail", … });  // → OPEN, history NEW → OPEN
 * decide(change.next, sameObservation);                      // → undefined (idempotent)
 * ```
 */
export function decide(
  current: Finding | undefined,
  observed: Observation,
  now: Date = new Date(),
): FindingChange | undefined {
  // Stored as it will be compared next time: bounded (a DynamoDB item holds 400 KB), so evidence too
  // large to store is recorded cut and marked, and the same evidence observed again is unchanged.
  const evidence = boundEvidence(observed.evidence);
  const obs = evidence === observed.evidence ? observed : { ...observed, evidence };
  const id = findingId(obs.ruleId, obs.subject, obs.discriminator ?? "");
  if (!current) {
    if (obs.verdict !== "fail") return undefined;
    const next: Finding = {
      findingId: id,
      kind: obs.kind,
      ruleId: obs.ruleId,
      title: obs.title,
      severity: obs.severity,
      status: obs.suppressedBy ? "SUPPRESSED" : "OPEN",
      subject: obs.subject,
      hipaa: obs.hipaa,
      summary: obs.summary,
      evidence: obs.evidence,
      ...(obs.remediation ? { remediation: obs.remediation } : {}),
      firstSeen: obs.observedAt,
      lastSeen: obs.observedAt,
      statusChangedAt: obs.observedAt,
      transitions: 1,
      revision: revisionAfter("absent"),
      ...(obs.count !== undefined ? { count: obs.count } : {}),
      ...(obs.windowStart ? { windowStart: obs.windowStart } : {}),
      ...(obs.suppressedBy ? { suppression: obs.suppressedBy } : {}),
    };
    return { next, expect: "absent", history: historyOf(next, "NEW", obs, obs.observedAt) };
  }

  // Events arrive out of order: never let an older observation overwrite a newer one.
  if (obs.observedAt < current.lastSeen) {
    // …except for activity counts, which only grow (the detector reports the window total).
    if (!(obs.kind === "activity" && (obs.count ?? 0) > (current.count ?? 0))) return undefined;
  }
  // An incident a person closed (`closeIncident`) re-opens only on activity they did not see: its
  // window grew, or it happened again later. The same activity observed again (a redelivered batch, a
  // window re-evaluated with a late file that adds nothing) leaves it closed.
  if (
    current.status === "RESOLVED" &&
    current.closure !== undefined &&
    obs.verdict === "fail" &&
    obs.observedAt <= current.lastSeen &&
    !(obs.count !== undefined && obs.count > (current.count ?? 0))
  )
    return undefined;

  const expect = expectationOf(current);
  const revision = revisionAfter(expect);
  const nowIso = now.toISOString();
  // When a transition happens: at the observation's time when it brings newer configuration or
  // activity; otherwise the configuration is the one already judged and what changed is the judging
  // (a redeployed baseline, a new release, a suppression's end), which happens now — not when Config
  // last captured the resource, months ago. Never before the last transition: drift history and the
  // timeline built from it stay in order.
  const at = maxIso(obs.observedAt > current.lastSeen ? obs.observedAt : nowIso, current.statusChangedAt);
  // A suppression from the baseline holds only while the deployed baseline still says so: removed, it
  // ends; edited (a new end or reason), the finding carries the edited one.
  const baselineWithdrawn =
    obs.verdict === "fail" &&
    current.suppression?.by === BASELINE_SUPPRESSOR &&
    !sameSuppression(current.suppression, obs.suppressedBy);
  const suppressedActive =
    current.status === "SUPPRESSED" &&
    current.suppression !== undefined &&
    current.suppression.until > nowIso &&
    !baselineWithdrawn;

  if (obs.verdict === "fail") {
    const base: Finding = {
      ...current,
      title: obs.title,
      summary: obs.summary,
      evidence: obs.evidence,
      hipaa: obs.hipaa,
      ...(obs.remediation ? { remediation: obs.remediation } : {}),
      lastSeen: maxIso(current.lastSeen, obs.observedAt),
      ...(obs.count !== undefined ? { count: Math.max(obs.count, current.count ?? 0) } : {}),
      revision,
    };
    // A failure on a RESOLVED finding always leaves RESOLVED (re-opened or suppressed): a person's
    // closure of the incident no longer describes it.
    delete base.closure;
    // A baseline suppression that now covers an open (or re-failing) finding suppresses it, in history.
    if (obs.suppressedBy && !suppressedActive && obs.suppressedBy.until > nowIso) {
      const next: Finding = {
        ...base,
        status: "SUPPRESSED",
        suppression: obs.suppressedBy,
        statusChangedAt: at,
        transitions: current.transitions + 1,
      };
      return {
        next,
        expect,
        history: {
          ...historyOf(next, current.status, obs, at),
          evidence: { ...obs.evidence, suppression: obs.suppressedBy },
        },
      };
    }
    if (current.status === "RESOLVED" || (current.status === "SUPPRESSED" && !suppressedActive)) {
      const next: Finding = {
        ...base,
        status: "OPEN",
        severity: obs.severity,
        statusChangedAt: at,
        transitions: current.transitions + 1,
      };
      delete next.suppression;
      const ended =
        current.status === "SUPPRESSED" && current.suppression
          ? { suppressionEnded: endOf(current.suppression, nowIso) }
          : {};
      return {
        next,
        expect,
        history: { ...historyOf(next, current.status, obs, at), evidence: { ...obs.evidence, ...ended } },
      };
    }
    if (severityRank(obs.severity) !== severityRank(current.severity)) {
      const next: Finding = { ...base, severity: obs.severity, transitions: current.transitions + 1 };
      return { next, expect, history: historyOf(next, current.status, obs, at) };
    }
    const evidenceChanged =
      evidenceDigest(obs.evidence) !== evidenceDigest(current.evidence) || obs.summary !== current.summary;
    const countChanged = obs.count !== undefined && obs.count > (current.count ?? 0);
    const stale = Date.parse(obs.observedAt) - Date.parse(current.lastSeen) >= LAST_SEEN_REFRESH_MS;
    if (!evidenceChanged && !countChanged && !stale) return undefined;
    return { next: base, expect };
  }

  // pass or gone
  if (current.status === "RESOLVED") return undefined;
  const next: Finding = {
    ...current,
    status: "RESOLVED",
    summary:
      obs.verdict === "gone"
        ? `Resolved: resource no longer exists (${current.summary})`
        : `Resolved: ${obs.summary}`,
    evidence: obs.evidence,
    lastSeen: maxIso(current.lastSeen, obs.observedAt),
    statusChangedAt: at,
    transitions: current.transitions + 1,
    revision,
  };
  delete next.suppression;
  return { next, expect, history: historyOf(next, current.status, obs, at) };
}

/** Why a suppression no longer holds, for the history entry of the re-opening. */
function endOf(s: NonNullable<Finding["suppression"]>, nowIso: string): string {
  if (s.until <= nowIso) return `expired ${s.until}`;
  return "withdrawn from the baseline";
}

function sameSuppression(
  a: Finding["suppression"] | undefined,
  b: Observation["suppressedBy"] | undefined,
): boolean {
  return !!a && !!b && a.until === b.until && a.reason === b.reason && a.by === b.by;
}

/**
 * A suppression re-read against the time and the deployed baseline, for a finding that nothing
 * re-evaluates (an activity finding; a drift finding whose resource could not be evaluated): one that
 * ended (its `until` passed), or came from the baseline and is no longer there, re-opens the finding
 * unless the baseline covers it today, and then — as for one the baseline now words differently — the
 * baseline's suppression replaces it. `cover` is what the baseline says today
 * (`baselineSuppression`). `undefined` when nothing changes.
 *
 * @example
 * ```ts
 * reconsiderSuppression(suppressedUntilYesterday, undefined, new Date(), "sweep:…")?.next.status; // "OPEN"
 * ```
 */
export function reconsiderSuppression(
  current: Finding,
  cover: Observation["suppressedBy"] | undefined,
  now: Date,
  cause: string,
): FindingChange | undefined {
  const s = current.suppression;
  if (current.status !== "SUPPRESSED" || !s) return undefined;
  const nowIso = now.toISOString();
  const fromBaseline = s.by === BASELINE_SUPPRESSOR;
  if (s.until > nowIso && (!fromBaseline || sameSuppression(s, cover))) return undefined;
  const at = maxIso(nowIso, current.statusChangedAt);
  // The baseline covers it today (a new wording, or a person's suppression ended under one): it stays
  // suppressed by the baseline, as an evaluation of the finding records it (`decide`), never re-opened
  // and alerted to be suppressed again.
  if (cover && cover.until > nowIso)
    return transitionTo(current, { ...current, suppression: cover }, { suppression: cover }, cause, at);
  const next: Finding = { ...current, status: "OPEN" };
  delete next.suppression;
  return transitionTo(current, next, { suppressionEnded: endOf(s, nowIso) }, cause, at);
}

/** Suppress an open finding until `until`, with a reason and the caller's identity; recorded in history. */
export function suppress(
  current: Finding,
  reason: string,
  until: string,
  by: string,
  at: string,
): FindingChange {
  const next: Finding = { ...current, status: "SUPPRESSED", suppression: { reason, until, by } };
  return userTransition(current, next, { reason, until }, by, at);
}

/**
 * Lift a suppression before its expiry: the finding is OPEN again (the next evaluation resolves it if
 * the resource is compliant by then), recorded in history with the reason and the caller's identity.
 *
 * @example
 * ```ts
 * await store.applyChange(unsuppress(current, "exception withdrawn", "arn:aws:iam::1:user/ana", now));
 * ```
 */
export function unsuppress(current: Finding, reason: string, by: string, at: string): FindingChange {
  const next: Finding = { ...current, status: "OPEN" };
  delete next.suppression;
  return userTransition(current, next, { reason }, by, at);
}

/**
 * Why a finding cannot be closed after review (`closeIncident`), or `undefined` when it can: a drift
 * finding resolves when its resource is compliant, and a resolved one is closed already.
 */
export function closeRefusal(current: Finding): string | undefined {
  if (current.kind !== "activity")
    return `finding ${current.findingId} is a drift finding: it resolves when the resource is compliant (suppress it to accept the risk)`;
  if (current.status === "RESOLVED") return `finding ${current.findingId} is already RESOLVED`;
  return undefined;
}

/**
 * Close an activity finding (an incident) after a person reviewed it: RESOLVED, with their reason in
 * the summary and their identity and reason in history; the incident's evidence and count are kept.
 * An incident has no resolution of its own (nothing makes past reads compliant), so this is how a
 * reviewed one is closed. It re-opens only on activity the reviewer did not see: the same window
 * growing, or the detection happening again later (`decide`). A drift finding cannot be closed: it
 * resolves when its resource is compliant (or is suppressed, with a reason and an expiry).
 *
 * @example
 * ```ts
 * await store.applyChange(closeIncident(current, "approved export (CHG-88)", "arn:aws:iam::1:user/ana", now));
 * ```
 */
export function closeIncident(current: Finding, reason: string, by: string, at: string): FindingChange {
  const refused = closeRefusal(current);
  if (refused) throw new PhiwatchError(refused);
  const next: Finding = {
    ...current,
    status: "RESOLVED",
    summary: `Closed after review: ${reason} (${current.summary})`,
    closure: { reason, by },
  };
  delete next.suppression;
  return userTransition(current, next, { reason, closed: "after review" }, by, at);
}

/**
 * A status change a person made: one more transition, recorded with their identity as the cause.
 * It is dated no earlier than the finding's last transition (activity is accepted a few minutes
 * ahead of the clock, so `statusChangedAt` can be later than the person's "now"): history, the report's
 * timeline and `statusChangedAt` stay in order, and the person's own time is kept as `requestedAt`.
 */
function userTransition(
  current: Finding,
  target: Finding,
  evidence: Evidence,
  by: string,
  at: string,
): FindingChange {
  const dated = maxIso(at, current.statusChangedAt);
  return transitionTo(
    current,
    target,
    dated === at ? evidence : { ...evidence, requestedAt: at },
    `user:${by}`,
    dated,
  );
}

/** One more transition of `current` to `target` (not an observation): its revision and history entry. */
function transitionTo(
  current: Finding,
  target: Finding,
  evidence: Evidence,
  cause: string,
  at: string,
): FindingChange {
  const expect = expectationOf(current);
  const next: Finding = {
    ...target,
    statusChangedAt: at,
    transitions: current.transitions + 1,
    revision: revisionAfter(expect),
  };
  return {
    next,
    expect,
    history: {
      findingId: current.findingId,
      ruleId: current.ruleId,
      subject: current.subject,
      at,
      seq: next.transitions,
      from: current.status,
      to: next.status,
      severity: current.severity,
      evidence,
      cause,
    },
  };
}

function historyOf(next: Finding, from: HistoryEntry["from"], obs: Observation, at: string): HistoryEntry {
  return {
    findingId: next.findingId,
    ruleId: next.ruleId,
    subject: next.subject,
    at,
    seq: next.transitions,
    from,
    to: next.status,
    severity: next.severity,
    evidence: obs.evidence,
    cause: obs.cause,
  };
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}
