import type { Finding, FindingStatus, Severity } from "../finding/types.ts";
import { partitionOfResource } from "../policy/resources.ts";
import { type FindingEvent, findingEvent } from "./json.ts";
import type { RedactionOptions } from "./redact.ts";
import type { Transition } from "./transition.ts";

/**
 * OCSF output: a drift finding is a Compliance Finding (class 2003), an activity finding a Detection
 * Finding (class 2004), both in the Findings category (2). Target schema: OCSF 1.3.0 — the first
 * release where both classes carry `resources` (plural) and `finding_info` as used here; they exist
 * unchanged in later 1.x releases. Required attributes filled (1.3.0):
 * base — activity_id, category_uid, class_uid, type_uid, severity_id, time, metadata
 * (product.vendor_name/name, version); finding — finding_info (uid; title recommended);
 * compliance_finding — compliance (standards); cloud profile — cloud (provider).
 */
export const OCSF_VERSION = "1.3.0";

/**
 * phiwatch's release, reported as `metadata.product.version` (docs/webhooks.md). Kept equal to the
 * packages' `version` by test/unit/format/siem.test.ts; a constant, so the Lambda bundles read no
 * package.json at run time.
 */
export const PHIWATCH_VERSION = "0.1.0";

export const OCSF_CATEGORY_FINDINGS = 2;
export const OCSF_CLASS = { compliance: 2003, detection: 2004 } as const;

const ACTIVITY = {
  1: "Create",
  2: "Update",
  3: "Close",
} as const;
type ActivityId = keyof typeof ACTIVITY;

const SEVERITY_ID: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: "Informational" },
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};

/** Finding `status_id` (finding lifecycle, not the outcome of an activity). */
const STATUS_ID: Record<FindingStatus, { id: number; name: string }> = {
  OPEN: { id: 1, name: "New" },
  SUPPRESSED: { id: 3, name: "Suppressed" },
  RESOLVED: { id: 4, name: "Resolved" },
};

/** The HIPAA rule as an OCSF compliance standard. */
export const HIPAA_STANDARD = "HIPAA Security Rule (45 CFR Part 164)";

export interface OcsfOptions {
  /** phiwatch version reported in `metadata.product.version`; default {@link PHIWATCH_VERSION}. */
  productVersion?: string;
  redaction?: RedactionOptions;
}

/** One OCSF event, as a plain object ready for JSON (attribute names as the schema spells them). */
export type OcsfEvent = Record<string, unknown> & {
  activity_id: number;
  category_uid: number;
  class_uid: number;
  type_uid: number;
  severity_id: number;
  time: number;
  metadata: { version: string; product: { name: string; vendor_name: string; version: string } } & Record<
    string,
    unknown
  >;
  finding_info: { uid: string; title: string } & Record<string, unknown>;
};

/**
 * Map one finding change to OCSF: OPENED → Create (1); RESOLVED → Close (3); every other
 * announced change → Update (2). `type_uid` = class_uid × 100 + activity_id. Times are epoch
 * milliseconds (OCSF `timestamp_t`).
 *
 * @example
 * ```ts
 * const e = toOcsf(undefined, driftFinding, "OPENED");
 * e.class_uid  // → 2003
 * e.type_uid   // → 200301
 * ```
 */
export function toOcsf(
  old: Finding | undefined,
  next: Finding,
  transition: Transition,
  options: OcsfOptions = {},
): OcsfEvent {
  return ocsfFromEvent(findingEvent(old, next, transition, options.redaction), options);
}

/**
 * The same mapping from an already built (and redacted) {@link FindingEvent} — what the delivery
 * queue carries — so the forwarder can encode any format from the queued event alone.
 *
 * @example
 * ```ts
 * ocsfFromEvent(JSON.parse(sqsRecord.body).event).class_uid // → 2003 | 2004
 * ```
 */
export function ocsfFromEvent(
  event: FindingEvent,
  options: Pick<OcsfOptions, "productVersion"> = {},
): OcsfEvent {
  const f = event.finding;
  const transition = event.transition;
  const drift = f.kind === "drift";
  const classUid = drift ? OCSF_CLASS.compliance : OCSF_CLASS.detection;
  const className = drift ? "Compliance Finding" : "Detection Finding";
  const activityId: ActivityId = transition === "OPENED" ? 1 : transition === "RESOLVED" ? 3 : 2;
  const sev = SEVERITY_ID[f.severity];
  const status = STATUS_ID[f.status];
  const ms = (iso: string) => Date.parse(iso);

  const resources: Record<string, unknown>[] = [
    {
      uid: f.subject.resourceId,
      type: f.subject.resourceType,
      region: f.subject.region,
      // A bucket's id is its name: the partition is then its region's (aws-us-gov in GovCloud).
      cloud_partition: partitionOfResource({ arn: f.subject.resourceId, region: f.subject.region }),
      ...(nameOf(f.subject.resourceId) ? { name: nameOf(f.subject.resourceId) } : {}),
    },
  ];
  if (f.subject.principal)
    resources.push({ uid: f.subject.principal, type: "AWS::IAM::Principal", region: f.subject.region });

  const out: OcsfEvent = {
    activity_id: activityId,
    activity_name: ACTIVITY[activityId],
    category_uid: OCSF_CATEGORY_FINDINGS,
    category_name: "Findings",
    class_uid: classUid,
    class_name: className,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${ACTIVITY[activityId]}`,
    severity_id: sev.id,
    severity: sev.name,
    status_id: status.id,
    status: status.name,
    time: ms(event.at),
    message: f.summary,
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: "phiwatch",
        vendor_name: "phiwatch",
        version: options.productVersion ?? PHIWATCH_VERSION,
      },
      profiles: ["cloud"],
      uid: event.eventId,
      correlation_uid: f.findingId,
      log_name: drift ? "phiwatch-drift" : "phiwatch-activity",
    },
    finding_info: {
      uid: f.findingId,
      title: f.title,
      desc: f.summary,
      types: [drift ? "Configuration Drift" : "Activity Detection"],
      created_time: ms(f.firstSeen),
      first_seen_time: ms(f.firstSeen),
      last_seen_time: ms(f.lastSeen),
      modified_time: ms(f.statusChangedAt),
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: "Rule" },
    },
    cloud: {
      provider: "AWS",
      region: f.subject.region,
      account: { uid: f.subject.accountId, type_id: 10, type: "AWS Account" },
    },
    resources,
    unmapped: {
      phiwatch: {
        transition,
        kind: f.kind,
        ...(event.previous ? { previous: event.previous } : {}),
        evidence: f.evidence,
        hipaa: f.hipaa,
        ...(f.suppression ? { suppression: f.suppression } : {}),
        ...(f.closure ? { closure: f.closure } : {}),
      },
    },
  };
  if (f.remediation) out.remediation = { desc: f.remediation };
  if (drift) {
    out.compliance = {
      standards: [HIPAA_STANDARD],
      requirements: f.hipaa.map((h) => (h.startsWith("164.") ? `45 CFR ${h}` : h)),
      control: f.ruleId,
      // The check's own outcome: it fails while the finding is open or suppressed (suppression
      // silences alerts; it does not make the resource compliant).
      status_id: f.status === "RESOLVED" ? 1 : 3,
      status: f.status === "RESOLVED" ? "Pass" : "Fail",
    };
  } else {
    if (f.count !== undefined) out.count = f.count;
    out.start_time = ms(f.windowStart ?? f.firstSeen);
    out.end_time = ms(f.lastSeen);
  }
  return out;
}

function nameOf(id: string): string | undefined {
  if (!id.startsWith("arn:")) return id;
  const resource = id.split(":").slice(5).join(":");
  const last = resource.split("/").filter(Boolean).pop();
  return last && last !== resource ? last : undefined;
}

/**
 * Attributes each OCSF class requires (1.3.0), including those of the objects phiwatch fills;
 * dotted paths. Tests and receivers check payloads against it.
 */
export const OCSF_REQUIRED: Readonly<Record<2003 | 2004, readonly string[]>> = {
  2003: [...findingRequired(), "compliance.standards", "cloud.provider"],
  2004: [...findingRequired(), "cloud.provider"],
};

/** Attributes both finding classes require, before their own. */
function findingRequired(): string[] {
  return [
    "activity_id",
    "category_uid",
    "class_uid",
    "type_uid",
    "severity_id",
    "time",
    "metadata.version",
    "metadata.product.vendor_name",
    "metadata.product.name",
    "finding_info.uid",
    "finding_info.title",
  ];
}
