import * as z from "zod";
import { type Finding, SEVERITIES, type Severity, severityRank } from "../finding/types.ts";
import { type FindingEvent, findingEvent, withEvidenceOmitted } from "./json.ts";
import type { RedactionOptions } from "./redact.ts";
import { redactText } from "./redact.ts";
import {
  classifyTransition,
  DEFAULT_STILL_HAPPENING_MINUTES,
  effectiveSeverity,
  isStillHappening,
  type Transition,
} from "./transition.ts";

const SeverityEnum = z.enum(SEVERITIES);

/**
 * Who hears about what. Meant to sit in the baseline as `alerts:` (see docs/webhooks.md); every
 * field has a default, so `AlertPolicySchema.parse({})` is a working policy.
 */
export const AlertPolicySchema = z
  .object({
    /** Findings below this severity are stored and forwarded to SIEMs, but not alerted. */
    minSeverity: SeverityEnum.default("medium"),
    /** Per-kind minimum overriding `minSeverity` (e.g. alert every activity finding from `low`). */
    minSeverityByKind: z
      .object({ drift: SeverityEnum.optional(), activity: SeverityEnum.optional() })
      .strict()
      .default({}),
    /** Announce resolutions of alerted findings (the all-clear). */
    announceResolved: z.boolean().default(true),
    /** At most one "still happening" update per activity finding per this many minutes. */
    stillHappeningMinutes: z.number().int().min(5).max(1440).default(DEFAULT_STILL_HAPPENING_MINUTES),
    /**
     * Quiet-hours escalation: the `urgency` message attribute is `page` at or above `atOrAbove`
     * during business hours and at or above `quietHoursAtOrAbove` outside them (fewer eyes on
     * e-mail at night, so more goes to the pager); otherwise `notify`. Subscribers route on it.
     */
    page: z
      .object({
        atOrAbove: SeverityEnum.default("critical"),
        quietHoursAtOrAbove: SeverityEnum.default("high"),
      })
      .strict()
      .default({ atOrAbove: "critical", quietHoursAtOrAbove: "high" }),
  })
  .strict();
export type AlertPolicy = z.infer<typeof AlertPolicySchema>;
export type AlertPolicyInput = z.input<typeof AlertPolicySchema>;

/** The policy with every default applied. */
export const DEFAULT_ALERT_POLICY: AlertPolicy = AlertPolicySchema.parse({});

export type Urgency = "page" | "notify";

export type AlertDecision =
  | { alert: true; transition: Transition; urgency: Urgency }
  | {
      alert: false;
      reason: "no-change" | "not-alertable" | "suppressed" | "below-minimum" | "rate-limited";
      transition?: Transition;
    };

export interface AlertContext {
  policy?: AlertPolicy;
  now?: Date;
  /** When this finding was last announced (for flood collapse); defaults to its status change time. */
  lastAlertedAt?: string;
  /** Inside business hours at `now`? (`isBusinessHours(baseline, now)`); default: yes. */
  businessHours?: boolean;
}

/**
 * Decide whether a finding change is alerted: OPENED, REOPENED, RESOLVED (of an unsuppressed finding,
 * when `announceResolved`), severity ESCALATED, and rate-limited STILL_HAPPENING updates, at or above
 * the policy's minimum for the finding's kind. Suppressed findings never alert.
 *
 * @example
 * ```ts
 * decideAlert(undefined, open, { policy: DEFAULT_ALERT_POLICY })
 * // → { alert: true, transition: "OPENED", urgency: "notify" }
 * decideAlert(open, { ...open, status: "SUPPRESSED", transitions: 2 }) // → { alert: false, reason: "suppressed" }
 * ```
 */
export function decideAlert(old: Finding | undefined, next: Finding, ctx: AlertContext = {}): AlertDecision {
  const policy = ctx.policy ?? DEFAULT_ALERT_POLICY;
  const now = ctx.now ?? new Date();
  let transition = classifyTransition(old, next);
  if (transition === undefined) return { alert: false, reason: "no-change" };
  if (transition === "SUPPRESSED" || next.status === "SUPPRESSED")
    return { alert: false, reason: "suppressed", transition };
  // The team chose not to hear about a suppressed finding: its resolution is not news either.
  if (transition === "RESOLVED" && old?.status === "SUPPRESSED")
    return { alert: false, reason: "suppressed", transition };
  if (transition === "UPDATED") {
    if (!isStillHappening(old, next, ctx.lastAlertedAt, now, policy.stillHappeningMinutes)) {
      const growing = next.kind === "activity" && (next.count ?? 0) > (old?.count ?? 0);
      return { alert: false, reason: growing ? "rate-limited" : "not-alertable", transition };
    }
    transition = "STILL_HAPPENING";
  }
  if (transition === "DEESCALATED") return { alert: false, reason: "not-alertable", transition };
  if (transition === "RESOLVED" && !policy.announceResolved)
    return { alert: false, reason: "not-alertable", transition };
  const severity = effectiveSeverity(old, next);
  const min = policy.minSeverityByKind[next.kind] ?? policy.minSeverity;
  if (severityRank(severity) < severityRank(min))
    return { alert: false, reason: "below-minimum", transition };
  return {
    alert: true,
    transition,
    urgency: urgencyOf(severity, transition, policy, ctx.businessHours ?? true),
  };
}

function urgencyOf(
  severity: Severity,
  transition: Transition,
  policy: AlertPolicy,
  business: boolean,
): Urgency {
  // The all-clear never pages anyone.
  if (transition === "RESOLVED") return "notify";
  const threshold = business ? policy.page.atOrAbove : policy.page.quietHoursAtOrAbove;
  return severityRank(severity) >= severityRank(threshold) ? "page" : "notify";
}

/** SNS limits: Subject ≤ 100 ASCII characters, no line breaks; a message attribute value is a string. */
export const SNS_SUBJECT_MAX = 100;

/** Message attributes set on every alert, all `String`, usable in SNS filter policies. */
export interface AlertAttributes {
  severity: Severity;
  kind: Finding["kind"];
  controlId: string;
  account: string;
  region: string;
  status: Finding["status"];
  transition: Transition;
  urgency: Urgency;
}

export interface AlertMessage {
  /** Deterministic: use as SNS FIFO `MessageDeduplicationId` and in the idempotency store. */
  dedupKey: string;
  subject: string;
  /** Human text for e-mail, SMS-to-chat and phones: what, where, why it matters, HIPAA, what to do. */
  text: string;
  /** The machine payload (same shape as the plain JSON webhook payload plus `alert`). */
  payload: FindingEvent & { alert: { urgency: Urgency; subject: string } };
  attributes: AlertAttributes;
}

export interface BuildAlertOptions {
  /** Why the rule exists (the control's `rationale`); without it the HIPAA safeguard is explained. */
  rationale?: string;
  /** How to fix it; defaults to the finding's `remediation`. */
  remediation?: string;
  /** A link to the finding in your console or runbook (e.g. an internal URL); printed as is. */
  link?: string;
  redaction?: RedactionOptions;
}

const TRANSITION_WORDS: Record<Transition, string> = {
  OPENED: "NEW",
  REOPENED: "REOPENED",
  RESOLVED: "RESOLVED",
  ESCALATED: "ESCALATED",
  DEESCALATED: "DE-ESCALATED",
  SUPPRESSED: "SUPPRESSED",
  STILL_HAPPENING: "STILL HAPPENING",
  UPDATED: "UPDATED",
};

/**
 * Build the SNS alert for a finding change already accepted by {@link decideAlert}.
 *
 * @example
 * ```ts
 * const d = decideAlert(old, next, ctx);
 * if (d.alert) {
 *   const msg = buildAlert(old, next, d.transition, d.urgency, { rationale: control.rationale });
 *   await sns.send(new PublishCommand({ TopicArn, ...snsPublishInput(msg) }));
 * }
 * ```
 */
export function buildAlert(
  old: Finding | undefined,
  next: Finding,
  transition: Transition,
  urgency: Urgency,
  options: BuildAlertOptions = {},
): AlertMessage {
  const event = findingEvent(old, next, transition, options.redaction);
  const f = event.finding;
  const severity = effectiveSeverity(old, next);
  const word = TRANSITION_WORDS[transition];
  const where = f.subject.principal
    ? `${shortId(f.subject.principal)} on ${shortId(f.subject.resourceName ?? f.subject.resourceId)}`
    : shortId(f.subject.resourceName ?? f.subject.resourceId);
  const subject = snsSubject(`[phiwatch] ${severity.toUpperCase()} ${word}: ${f.ruleId} - ${where}`);

  const r = (s: string) => redactText(s, options.redaction);
  const lines: string[] = [];
  lines.push(`${severity.toUpperCase()} - ${word}: ${f.title}`);
  if (transition === "ESCALATED" && old)
    lines.push(`Severity raised from ${old.severity} to ${next.severity}.`);
  if (transition === "STILL_HAPPENING")
    lines.push(`Still happening: ${f.count ?? 0} events since ${f.windowStart ?? f.firstSeen}.`);
  if (transition === "REOPENED") lines.push("This finding had been resolved (or its suppression expired).");
  lines.push("");
  lines.push(`What: ${f.summary}`);
  lines.push(`Where: ${f.subject.resourceType} ${f.subject.resourceId}`);
  if (f.subject.principal) lines.push(`Who: ${f.subject.principal}`);
  lines.push(`Account ${f.subject.accountId}, region ${f.subject.region}`);
  if (f.count !== undefined && transition !== "STILL_HAPPENING") lines.push(`Events: ${f.count}`);
  lines.push("");
  const why = options.rationale ? r(options.rationale) : safeguardsOf(f.hipaa);
  if (transition === "RESOLVED" && f.closure)
    lines.push(
      `Closed after review by ${f.closure.by}: ${f.closure.reason}. It re-opens if the incident grows or happens again.`,
    );
  else if (transition === "RESOLVED")
    lines.push("Why it matters: the control is satisfied again; no action needed.");
  else if (why) lines.push(`Why it matters: ${why}`);
  if (f.hipaa.length > 0) lines.push(`HIPAA: ${f.hipaa.map(cite).join("; ")}`);
  const todo = options.remediation ? r(options.remediation) : f.remediation;
  if (transition !== "RESOLVED") {
    lines.push(
      `What to do: ${todo ?? "review the finding and its evidence, then fix or suppress it with a reason."}`,
    );
  }
  lines.push("");
  lines.push(`Finding ${f.findingId} (${f.ruleId}), first seen ${f.firstSeen}, at ${event.at}`);
  lines.push(`Details: phiwatch history ${f.subject.resourceId}`);
  if (options.link) lines.push(options.link);

  return {
    dedupKey: event.eventId,
    subject,
    text: toAscii(lines.join("\n")),
    payload: { ...event, alert: { urgency, subject } },
    attributes: {
      severity,
      kind: next.kind,
      controlId: f.ruleId,
      account: f.subject.accountId,
      region: f.subject.region,
      status: next.status,
      transition,
      urgency,
    },
  };
}

/**
 * The `Subject`, `Message`, `MessageStructure` and `MessageAttributes` of an SNS `Publish` call (no
 * SDK types here; the shape matches `PublishCommandInput`). With `structured` (default), `Message` is
 * per-protocol JSON: people (e-mail, SMS, default) get the text; machines (SQS, Lambda, HTTP(S),
 * Firehose) get the JSON payload.
 *
 * @example
 * ```ts
 * await sns.send(new PublishCommand({ TopicArn, ...snsPublishInput(alert) }));
 * ```
 */
export function snsPublishInput(
  alert: AlertMessage,
  options: { structured?: boolean } = {},
): {
  Subject: string;
  Message: string;
  MessageStructure?: "json";
  MessageAttributes: Record<string, { DataType: "String"; StringValue: string }>;
} {
  const MessageAttributes: Record<string, { DataType: "String"; StringValue: string }> = {};
  for (const [k, v] of Object.entries(alert.attributes))
    MessageAttributes[k] = { DataType: "String", StringValue: String(v) };
  if (options.structured === false) return { Subject: alert.subject, Message: alert.text, MessageAttributes };
  const structured = (payload: AlertMessage["payload"]) => {
    const json = JSON.stringify(payload);
    return JSON.stringify({
      default: alert.text,
      email: alert.text,
      sms: alert.subject,
      sqs: json,
      lambda: json,
      http: json,
      https: json,
      firehose: json,
      "email-json": json,
    });
  };
  let Message = structured(alert.payload);
  // The payload is in the message once per machine protocol: large evidence (an identity control's
  // access list over many PHI buckets) passes SNS's limit, and a refused publish would be retried
  // until the stream record is dead-lettered — the alert lost. Send it without the evidence instead.
  const attributeBytes = Object.entries(MessageAttributes).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.StringValue) + v.DataType.length,
    0,
  );
  const fits = (m: string) =>
    Buffer.byteLength(m) + Buffer.byteLength(alert.subject) + attributeBytes <= SNS_MESSAGE_MAX_BYTES;
  if (!fits(Message)) Message = structured(withEvidenceOmitted(alert.payload, "an SNS alert"));
  return { Subject: alert.subject, Message, MessageStructure: "json", MessageAttributes };
}

/** SNS `Publish` limit: Message, Subject and message attributes together, in UTF-8 bytes (256 KB). */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

/**
 * An SNS-safe subject: printable ASCII, one line, starting with a letter, digit or punctuation,
 * at most 100 characters (cut with "..." when longer).
 *
 * @example
 * ```ts
 * snsSubject("ünïcode\nline") // → "unicode line"
 * ```
 */
export function snsSubject(text: string): string {
  let s = toAscii(text)
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/ {2,}/g, " ")
    .trim();
  if (s === "") s = "phiwatch alert";
  if (s.length > SNS_SUBJECT_MAX) s = `${s.slice(0, SNS_SUBJECT_MAX - 3).trimEnd()}...`;
  return s;
}

/** Fold to ASCII: strip accents, map common typography, drop the rest (SNS subjects and SMS). */
function toAscii(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/\u2026/g, "...")
    .replace(/\u00a7/g, "")
    .replace(/[^\n\x20-\x7e]/g, "");
}

/** The last meaningful part of an ARN or path, so the subject shows the bucket or role, not the prefix. */
function shortId(id: string): string {
  if (!id.startsWith("arn:")) return id;
  const resource = id.split(":").slice(5).join(":");
  const parts = resource.split("/").filter(Boolean);
  if (parts[0] === "assumed-role" && parts.length >= 3) return `${parts[1]}/${parts.slice(2).join("/")}`;
  return parts[parts.length - 1] ?? resource;
}

function cite(c: string): string {
  return c.startsWith("164.") ? `45 CFR ${c}` : c;
}

/** HIPAA Security/Privacy Rule provisions cited by the catalog, in plain words. */
const SAFEGUARDS: Record<string, string> = {
  "164.308(a)(1)(ii)(D)": "information system activity review",
  "164.308(a)(3)": "workforce security",
  "164.308(a)(4)": "information access management (only authorised people reach PHI)",
  "164.308(a)(5)(ii)(C)": "log-in monitoring",
  "164.308(a)(6)": "security incident procedures",
  "164.308(a)(7)": "contingency plan (PHI must stay available)",
  "164.310(d)(2)": "disposal and re-use of media holding PHI",
  "164.312(a)(1)": "access control to PHI",
  "164.312(a)(2)(iv)": "encryption of PHI at rest",
  "164.312(b)": "audit controls (a record of who touched PHI)",
  "164.312(c)(1)": "integrity of PHI (no improper alteration or destruction)",
  "164.312(e)(1)": "transmission security (PHI encrypted in transit)",
  "164.316(b)(2)(i)": "documentation retention",
  "164.502(b)": "minimum necessary use of PHI",
  "164.514(b)": "de-identification (no identifiers where PHI does not belong)",
};

function safeguardsOf(hipaa: readonly string[]): string | undefined {
  const names = hipaa.map((h) => SAFEGUARDS[h]).filter((x): x is string => x !== undefined);
  if (names.length === 0) return undefined;
  return `weakens the HIPAA safeguard for ${names.join(" and ")}.`;
}
