import { asRecord, managementDetection, requestMember, succeeded } from "../activity/management.ts";
import type { CloudTrailRecord } from "../activity/record.ts";
import type { Baseline } from "../baseline/schema.ts";
import { WATCHED_TYPES } from "../controls/texts.ts";
import type { Severity } from "../finding/types.ts";
import { managementCoverage, s3ReadCoverage, type TrailView } from "../resource/cloudtrail.ts";
import {
  GLOBAL_TYPES,
  type RecordingGroup,
  type RecordingMode,
  recordingFrequency,
  recordsType,
} from "../resource/config-recorder.ts";
import { CONNECT_FLOW, CONNECT_FLOW_MODULE, CONNECT_INSTANCE } from "../resource/connect.ts";
import { type DetectionDraft, defineDetector, type RecordContext } from "./types.ts";

export default defineDetector({
  id: "tamper-audit-logging",
  title: "Audit logging of PHI access is never stopped or weakened",
  input: "management",
  events: [
    "cloudtrail.amazonaws.com:StopLogging",
    "cloudtrail.amazonaws.com:DeleteTrail",
    "cloudtrail.amazonaws.com:UpdateTrail",
    "cloudtrail.amazonaws.com:PutEventSelectors",
    // AWS Config feeds drift monitoring: stopping or deleting its recorder or delivery channel blinds it.
    "config.amazonaws.com:StopConfigurationRecorder",
    "config.amazonaws.com:DeleteConfigurationRecorder",
    "config.amazonaws.com:DeleteDeliveryChannel",
    // Narrowing what the recorder records blinds drift monitoring of the dropped types just as surely.
    "config.amazonaws.com:PutConfigurationRecorder",
    "config.amazonaws.com:DisassociateResourceTypes",
    // phiwatch's own EventBridge rules (`phiwatch-<stage>-…`, and `phiwatch-forward` in member accounts):
    // disabling or deleting one, or removing its target, silently stops what it feeds.
    "events.amazonaws.com:DisableRule",
    "events.amazonaws.com:DeleteRule",
    "events.amazonaws.com:RemoveTargets",
    "events.amazonaws.com:PutRule",
  ],
  hipaa: ["164.312(b)"],
  severity: "critical",
  rationale:
    "Audit controls: stopping or deleting a trail, turning off log-file validation or encryption, or dropping the data-event selectors that record PHI reads blinds every other detector — the first move of an intruder. Stopping AWS Config's recorder, deleting its delivery channel, or narrowing its recording group so it no longer records a type phiwatch watches (or records it only daily) blinds drift monitoring the same way, as does disabling or deleting phiwatch's own EventBridge rules.",
  remediation:
    "Restart logging (aws cloudtrail start-logging --name <trail>), restore validation/KMS/selectors, and find out who made the change; restore the Config recording group (aws configservice put-configuration-recorder with the types in the evidence, or all supported types); re-enable phiwatch's rules (aws events enable-rule --name <rule>, or redeploy); deny cloudtrail:StopLogging/DeleteTrail/UpdateTrail/PutEventSelectors, config:PutConfigurationRecorder/DisassociateResourceTypes and events:DisableRule/DeleteRule/RemoveTargets on phiwatch-* with an SCP outside break-glass roles.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    const req = r.requestParameters ?? {};
    if (r.eventName === "PutConfigurationRecorder" || r.eventName === "DisassociateResourceTypes")
      return recordingNarrowed(r, ctx);
    if (r.eventSource === "config.amazonaws.com") {
      const name = String(req.configurationRecorderName ?? req.deliveryChannelName ?? "default").slice(
        0,
        256,
      );
      const subject = { resourceType: "AWS::Config::ConfigurationRecorder", resourceId: name };
      const what =
        r.eventName === "DeleteDeliveryChannel"
          ? `AWS Config delivery channel ${name} deleted`
          : r.eventName === "DeleteConfigurationRecorder"
            ? `AWS Config recorder ${name} deleted`
            : `AWS Config recorder ${name} stopped`;
      const outside = outsideRegions(r, ctx);
      return [
        managementDetection(
          r,
          ctx,
          subject,
          `${what}: configuration drift is no longer recorded${outside ? OUTSIDE_NOTE : ""}`,
          outside ?? {},
        ),
      ];
    }
    if (r.eventSource === "events.amazonaws.com") return phiwatchRuleTampering(r, ctx);
    const trail = String(req.name ?? req.trailName ?? "unknown").slice(0, 512);
    const subject = { resourceType: "AWS::CloudTrail::Trail", resourceId: trail };
    const d = (summary: string, evidence: Record<string, unknown>) => [
      managementDetection(r, ctx, subject, summary, evidence),
    ];
    switch (r.eventName) {
      case "StopLogging":
        return d(`CloudTrail logging stopped on ${trail}`, {});
      case "DeleteTrail":
        return d(`CloudTrail trail ${trail} deleted`, {});
      case "UpdateTrail": {
        const weak: string[] = [];
        if (req.enableLogFileValidation === false) weak.push("log file validation turned off");
        if (req.kmsKeyId === "") weak.push("KMS encryption removed");
        if (req.isMultiRegionTrail === false) weak.push("trail made single-region");
        if (req.includeGlobalServiceEvents === false) weak.push("global service events excluded");
        if (weak.length === 0) return [];
        return d(`CloudTrail trail ${trail} weakened: ${weak.join(", ")}`, { weakened: weak });
      }
      case "PutEventSelectors": {
        const weak = selectorWeaknesses(req, r.awsRegion, ctx.baseline);
        if (weak.length === 0) return [];
        return d(`CloudTrail trail ${trail} selectors weakened: ${weak.join(", ")}`, { weakened: weak });
      }
      default:
        return [];
    }
  },
});

/**
 * Types whose recording the detector judges: those the sweep reads through AWS Config (the Connect
 * types are read through Connect's API) in every region. The global IAM types are left out: AWS
 * recommends recording them in one region only, so a recorder elsewhere without them is the norm and
 * one region's event cannot tell.
 */
const JUDGED_TYPES = WATCHED_TYPES.filter(
  (t) => !GLOBAL_TYPES.has(t) && t !== CONNECT_INSTANCE && t !== CONNECT_FLOW && t !== CONNECT_FLOW_MODULE,
);

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

const OUTSIDE_NOTE = " (a region outside the baseline's allowedRegions)";

/**
 * Evidence for a Config recorder event in a region outside the baseline's `allowedRegions`, or
 * undefined inside them. Such an event still alerts: the recorder there is what lets `region-allow-list`
 * see a PHI bucket, key or Connect instance created outside the residency commitment (through the
 * config-change path), and blinding it first is how such a copy would go unseen. A recorder stopped or
 * deleted there stays critical: it may be the one region that records the global IAM types (AWS
 * recommends recording them in one region only, which need not be an allowed one), and the sweep also
 * reads phiwatch's own region. A recording group narrowed there (the regional types only: the global
 * ones are not judged) alerts at medium.
 */
function outsideRegions(r: CloudTrailRecord, ctx: RecordContext): Record<string, unknown> | undefined {
  const region = r.awsRegion;
  if (!region || ctx.baseline.allowedRegions.includes(region)) return undefined;
  return { region, regionOutsideBaseline: true, allowedRegions: ctx.baseline.allowedRegions };
}

/**
 * A recorder whose new recording group no longer records a watched type (the sweep's own test,
 * `recordsType`), or records it daily (drift seen up to a day late), or DisassociateResourceTypes
 * removing a watched type. No recording group is Config's default (every supported type).
 */
function recordingNarrowed(r: CloudTrailRecord, ctx: RecordContext): DetectionDraft[] {
  const req = r.requestParameters ?? {};
  const region = r.awsRegion ?? "us-east-1";
  let name: string;
  let dropped: string[];
  let daily: string[] = [];
  if (r.eventName === "DisassociateResourceTypes") {
    const arn = String(requestMember(req, "configurationRecorderArn") ?? "");
    // arn:aws:config:REGION:ACCOUNT:configuration-recorder/NAME/ID
    name = /configuration-recorder\/([^/]+)/.exec(arn)?.[1] ?? "default";
    const removed = new Set(strings(requestMember(req, "resourceTypes")));
    dropped = JUDGED_TYPES.filter((t) => removed.has(t));
  } else {
    const recorder = asRecord(requestMember(req, "configurationRecorder"));
    name = String(recorder?.name ?? "default");
    const group = asRecord(recorder?.recordingGroup) as RecordingGroup | undefined;
    const mode = asRecord(recorder?.recordingMode) as RecordingMode | undefined;
    dropped = JUDGED_TYPES.filter((t) => !recordsType(group, t, region));
    daily = JUDGED_TYPES.filter((t) => !dropped.includes(t) && recordingFrequency(mode, t) === "DAILY");
  }
  if (dropped.length === 0 && daily.length === 0) return [];
  name = name.slice(0, 256);
  const what: string[] = [];
  if (dropped.length > 0) what.push(`no longer records ${dropped.join(", ")}`);
  if (daily.length > 0) what.push(`records ${daily.join(", ")} only daily`);
  const outside = outsideRegions(r, ctx);
  const severity: Severity | undefined = dropped.length > 0 && !outside ? undefined : "medium";
  return [
    managementDetection(
      r,
      ctx,
      { resourceType: "AWS::Config::ConfigurationRecorder", resourceId: name },
      `AWS Config recorder ${name} ${what.join(" and ")}: configuration drift of ${dropped.length > 0 ? "those types is no longer seen" : "those types is seen up to a day late"}${outside ? OUTSIDE_NOTE : ""}`,
      {
        ...(dropped.length > 0 ? { notRecorded: dropped } : {}),
        ...(daily.length > 0 ? { recordedDaily: daily } : {}),
        ...outside,
      },
      severity ? { severity } : {},
    ),
  ];
}

/** Names of the EventBridge rules phiwatch deploys (infra/, `Plan.resourceName`) and the member stack's. */
const PHIWATCH_RULE = /^phiwatch-[a-z0-9-]{1,58}$/;

/**
 * A phiwatch rule disabled (DisableRule, or PutRule with state DISABLED), deleted, or stripped of a
 * target. Only events a still-enabled tamper rule sees can be judged: the tamper rule's own disabling,
 * and the member stack's forwarding rule, go unseen (docs/detectors.md).
 */
function phiwatchRuleTampering(r: CloudTrailRecord, ctx: RecordContext): DetectionDraft[] {
  const req = r.requestParameters ?? {};
  const name = String(req.name ?? req.rule ?? "");
  if (!PHIWATCH_RULE.test(name)) return [];
  const what =
    r.eventName === "DisableRule"
      ? "disabled"
      : r.eventName === "DeleteRule"
        ? "deleted"
        : r.eventName === "RemoveTargets"
          ? "stripped of targets"
          : String(req.state ?? "").toUpperCase() === "DISABLED"
            ? "disabled (PutRule)"
            : undefined;
  if (!what) return [];
  return [
    managementDetection(
      r,
      ctx,
      { resourceType: "AWS::Events::Rule", resourceId: name },
      `phiwatch EventBridge rule ${name} ${what}: the events it routes are no longer evaluated`,
      { rule: name },
    ),
  ];
}

/**
 * What the new selectors stop recording: management events (all of them, the read-only ones such as a
 * PHI key's Decrypt, the writes, or those of a source they exclude, such as kms.amazonaws.com), or full
 * reads of a PHI bucket — judged by the same
 * coverage rules as `cloudtrail-phi-data-events` (`s3ReadCoverage`): anything short of "full" for a
 * PHI bucket is a weakening ("unknown": selectors whose meaning AWS does not document, said so).
 */
function selectorWeaknesses(
  req: Record<string, unknown>,
  region: string | undefined,
  baseline: Baseline,
): string[] {
  const basic = Array.isArray(req.eventSelectors) ? req.eventSelectors : undefined;
  const advanced = Array.isArray(req.advancedEventSelectors) ? req.advancedEventSelectors : undefined;
  const view: TrailView = {
    name: "new selectors",
    // No ARN: the selectors name objects in the partition of the record's region (s3ReadCoverage).
    homeRegion: region ?? "us-east-1",
    multiRegion: true,
    organization: false,
    logFileValidation: true,
    // CloudTrail records requestParameters in camelCase; the trail readers take either casing.
    eventSelectors: basic ?? [],
    ...(advanced ? { advancedEventSelectors: advanced } : {}),
  };
  const weak: string[] = [];
  const mgmt = managementCoverage(view);
  if (mgmt.records !== true)
    weak.push(
      mgmt.unrecorded.length === 2
        ? "management events no longer recorded"
        : mgmt.excludedSources.length > 0
          ? `management events of ${mgmt.excludedSources.join(", ")} no longer recorded`
          : mgmt.unrecorded[0] === "read-only"
            ? "read-only management events (KMS Decrypt among them) no longer recorded"
            : "write management events no longer recorded",
    );
  // A prefix pattern stands for every bucket it matches, a tag for any bucket: the selectors must
  // cover every object ARN under `arn:PARTITION:s3:::<prefix>` (tag: `arn:PARTITION:s3:::`).
  const judged = baseline.phiBuckets.map((b) => ({
    label: b.name ?? (b.prefix !== undefined ? `${b.prefix}*` : "(tagged buckets)"),
    coverage: s3ReadCoverage(view, b.name ?? { prefix: b.prefix ?? "" }).coverage,
  }));
  const uncovered = judged
    .filter((b) => b.coverage === "none" || b.coverage === "partial")
    .map((b) => b.label);
  const unproven = judged.filter((b) => b.coverage === "unknown").map((b) => b.label);
  if (uncovered.length > 0) weak.push(`S3 read data events not recorded for ${uncovered.join(", ")}`);
  if (unproven.length > 0)
    weak.push(
      `S3 read data events not provably recorded for ${unproven.join(", ")} (undocumented operator mix)`,
    );
  return weak;
}
