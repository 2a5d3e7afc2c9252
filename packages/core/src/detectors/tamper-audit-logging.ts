import { managementDetection, succeeded } from "../activity/management.ts";
import type { Baseline } from "../baseline/schema.ts";
import { defineDetector } from "./types.ts";

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
  ],
  hipaa: ["164.312(b)"],
  severity: "critical",
  rationale:
    "Audit controls: stopping or deleting a trail, turning off log-file validation or encryption, or dropping the data-event selectors that record PHI reads blinds every other detector — the first move of an intruder. Stopping AWS Config's recorder or deleting its delivery channel blinds drift monitoring the same way.",
  remediation:
    "Restart logging (aws cloudtrail start-logging --name <trail>), restore validation/KMS/selectors, and find out who made the change; deny cloudtrail:StopLogging/DeleteTrail/UpdateTrail/PutEventSelectors with an SCP outside break-glass roles.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    const req = r.requestParameters ?? {};
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
      return [managementDetection(r, ctx, subject, `${what}: configuration drift is no longer recorded`, {})];
    }
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
        const weak = selectorWeaknesses(req, ctx.baseline);
        if (weak.length === 0) return [];
        return d(`CloudTrail trail ${trail} selectors weakened: ${weak.join(", ")}`, { weakened: weak });
      }
      default:
        return [];
    }
  },
});

type Sel = Record<string, unknown>;

/** What the new selectors stop recording: management events, reads of PHI buckets. */
function selectorWeaknesses(req: Record<string, unknown>, baseline: Baseline): string[] {
  const basic = Array.isArray(req.eventSelectors) ? (req.eventSelectors as Sel[]) : [];
  const advanced = Array.isArray(req.advancedEventSelectors) ? (req.advancedEventSelectors as Sel[]) : [];
  const weak: string[] = [];
  const mgmt =
    basic.some((s) => s.includeManagementEvents !== false && s.readWriteType !== "WriteOnly") ||
    advanced.some((s) =>
      fields(s).some((f) => f.Field === "eventCategory" && list(f.Equals).includes("Management")),
    );
  if (!mgmt) weak.push("management events no longer recorded");
  const uncovered = baseline.phiBuckets
    .map((b) => b.name ?? (b.prefix ? `${b.prefix}*` : undefined) ?? "(tagged buckets)")
    .filter((name) => !covers(basic, advanced, name));
  if (uncovered.length > 0) weak.push(`S3 read data events not recorded for ${uncovered.join(", ")}`);
  return weak;
}

function covers(basic: Sel[], advanced: Sel[], bucket: string): boolean {
  const name = bucket.replace(/\*$/, "");
  const tagged = bucket === "(tagged buckets)";
  const matchArn = (v: string) =>
    v === "arn:aws:s3" ||
    v === "arn:aws:s3:::" ||
    (!tagged && `arn:aws:s3:::${name}/`.startsWith(v.endsWith("/") ? v : `${v}/`)) ||
    (!tagged &&
      !bucket.endsWith("*") &&
      (v === `arn:aws:s3:::${name}` || v.startsWith(`arn:aws:s3:::${name}/`)));
  for (const s of basic) {
    if (s.readWriteType === "WriteOnly") continue;
    const res = Array.isArray(s.dataResources) ? (s.dataResources as Sel[]) : [];
    if (res.some((d) => d.type === "AWS::S3::Object" && list(d.values).some(matchArn))) return true;
  }
  for (const s of advanced) {
    const f = fields(s);
    const eq = (field: string) => f.filter((x) => x.Field === field).flatMap((x) => list(x.Equals));
    if (!eq("eventCategory").includes("Data") || !eq("resources.type").includes("AWS::S3::Object")) continue;
    if (eq("readOnly").includes("false")) continue;
    const starts = f
      .filter((x) => x.Field === "resources.ARN")
      .flatMap((x) => [...list(x.StartsWith), ...list(x.Equals)]);
    const notStarts = f.filter((x) => x.Field === "resources.ARN").flatMap((x) => list(x.NotStartsWith));
    if (!tagged && notStarts.some((v) => `arn:aws:s3:::${name}/`.startsWith(v))) continue;
    if (starts.length === 0 || starts.some(matchArn)) return true;
  }
  return false;
}

function fields(
  s: Sel,
): Array<{ Field?: unknown; Equals?: unknown; StartsWith?: unknown; NotStartsWith?: unknown }> {
  const f = s.FieldSelectors ?? s.fieldSelectors;
  return Array.isArray(f) ? f : [];
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
