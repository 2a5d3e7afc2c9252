import type { Finding, FindingStatus, Severity } from "../finding/types.ts";
import { type RedactionOptions, redactText, redactValue } from "./redact.ts";
import { eventId, type Transition, transitionTime } from "./transition.ts";

/** Version tag of the plain JSON payload; bumped on any incompatible change. */
export const FINDING_EVENT_SCHEMA = "phiwatch.finding-event/1";

/** The finding as it leaves phiwatch: every caller-supplied string redacted. */
export interface PublicFinding {
  findingId: string;
  kind: Finding["kind"];
  ruleId: string;
  title: string;
  severity: Severity;
  status: FindingStatus;
  subject: {
    accountId: string;
    region: string;
    resourceType: string;
    resourceId: string;
    resourceName?: string;
    principal?: string;
  };
  hipaa: string[];
  summary: string;
  evidence: Record<string, unknown>;
  remediation?: string;
  firstSeen: string;
  lastSeen: string;
  statusChangedAt: string;
  transitions: number;
  count?: number;
  windowStart?: string;
  suppression?: { reason: string; until: string; by: string };
  closure?: { reason: string; by: string };
}

/** The plain JSON webhook payload and the machine part of an SNS alert. */
export interface FindingEvent {
  schema: typeof FINDING_EVENT_SCHEMA;
  /** Stable id of this announcement (`findingId:transitions:transition`): receivers deduplicate on it. */
  eventId: string;
  transition: Transition;
  /** When the change happened (ISO-8601). */
  at: string;
  previous?: { status: FindingStatus; severity: Severity };
  finding: PublicFinding;
}

/**
 * The event with its finding's evidence replaced by a pointer to the API, for a carrier with a size
 * limit (an SNS alert, a queued SIEM delivery): the finding still goes out, its evidence stays stored.
 *
 * @example
 * ```ts
 * withEvidenceOmitted(event, "an SNS alert").finding.evidence;
 * // { omitted: "evidence too large for an SNS alert (312040 bytes): GET /findings/f-… returns it" }
 * ```
 */
export function withEvidenceOmitted<E extends FindingEvent>(event: E, carrier: string): E {
  const f = event.finding;
  const bytes = Buffer.byteLength(JSON.stringify(f.evidence));
  return {
    ...event,
    finding: {
      ...f,
      evidence: {
        omitted: `evidence too large for ${carrier} (${bytes} bytes): GET /findings/${f.findingId} returns it`,
      },
    },
  };
}

// Identifiers phiwatch produces itself (account ids, regions, resource types, rule ids) follow strict
// shapes; anything else in those fields is treated as caller-supplied text and redacted.
const SAFE_ID = /^[A-Za-z0-9:._/+=,@*-]{0,256}$/;

/**
 * A finding with PHI-looking text redacted everywhere a caller could have put text: summary, title,
 * evidence (keys and values), resource id and principal (session names are e-mails), suppression.
 *
 * @example
 * ```ts
 * publicFinding({ …finding, summary: "read by jane@example.org" }).summary // → "read by [email]"
 * ```
 */
export function publicFinding(f: Finding, redaction: RedactionOptions = {}): PublicFinding {
  const r = (s: string) => redactText(s, redaction);
  const id = (s: string) => (SAFE_ID.test(s) ? r(s) : r(s.replace(/[^\x20-\x7e]/g, "?")));
  const out: PublicFinding = {
    findingId: id(f.findingId),
    kind: f.kind,
    ruleId: id(f.ruleId),
    title: r(f.title),
    severity: f.severity,
    status: f.status,
    subject: {
      accountId: id(f.subject.accountId),
      region: id(f.subject.region),
      resourceType: id(f.subject.resourceType),
      resourceId: id(f.subject.resourceId),
      ...(f.subject.resourceName !== undefined ? { resourceName: id(f.subject.resourceName) } : {}),
      ...(f.subject.principal !== undefined ? { principal: id(f.subject.principal) } : {}),
    },
    hipaa: f.hipaa.map(r),
    summary: r(f.summary),
    evidence: redactValue(f.evidence, redaction) as Record<string, unknown>,
    ...(f.remediation !== undefined ? { remediation: r(f.remediation) } : {}),
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    statusChangedAt: f.statusChangedAt,
    transitions: f.transitions,
    ...(f.count !== undefined ? { count: f.count } : {}),
    ...(f.windowStart !== undefined ? { windowStart: f.windowStart } : {}),
  };
  if (f.suppression)
    out.suppression = {
      reason: r(f.suppression.reason),
      until: f.suppression.until,
      by: r(f.suppression.by),
    };
  if (f.closure) out.closure = { reason: r(f.closure.reason), by: r(f.closure.by) };
  return out;
}

/**
 * The plain JSON payload for one finding change.
 *
 * @example
 * ```ts
 * const event = findingEvent(undefined, finding, "OPENED");
 * JSON.stringify(event) // → {"schema":"phiwatch.finding-event/1","eventId":"f-…:1:OPENED",…}
 * ```
 */
export function findingEvent(
  old: Finding | undefined,
  next: Finding,
  transition: Transition,
  redaction: RedactionOptions = {},
): FindingEvent {
  return {
    schema: FINDING_EVENT_SCHEMA,
    eventId: eventId(next, transition),
    transition,
    at: transitionTime(next, transition),
    ...(old ? { previous: { status: old.status, severity: old.severity } } : {}),
    finding: publicFinding(next, redaction),
  };
}
