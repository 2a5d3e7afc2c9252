import { managementDetection, succeeded } from "../activity/management.ts";
import { phiBucketOf } from "../baseline/match.ts";
import { defineDetector } from "./types.ts";

/** Storage types that hold PHI: every InstanceStorageResourceType but AGENT_EVENTS. */
const PHI_STORAGE = new Set([
  "CALL_RECORDINGS",
  "CHAT_TRANSCRIPTS",
  "SCHEDULED_REPORTS",
  "MEDIA_STREAMS",
  "CONTACT_TRACE_RECORDS",
  "SCREEN_RECORDINGS",
  "CONTACT_EVALUATIONS",
  // Files and e-mails customers send, and Contact Lens real-time transcript segments.
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
  "REAL_TIME_CONTACT_ANALYSIS_SEGMENTS",
  "REAL_TIME_CONTACT_ANALYSIS_VOICE_SEGMENTS",
  "REAL_TIME_CONTACT_ANALYSIS_CHAT_SEGMENTS",
]);

export default defineDetector({
  id: "tamper-connect",
  title: "Contact Lens redaction and PHI storage of Connect instances are never weakened",
  input: "management",
  events: [
    "connect.amazonaws.com:UpdateInstanceAttribute",
    "connect.amazonaws.com:DisassociateInstanceStorageConfig",
    "connect.amazonaws.com:UpdateInstanceStorageConfig",
    "connect.amazonaws.com:AssociateInstanceStorageConfig",
  ],
  hipaa: ["164.502(b)"],
  severity: "high",
  rationale:
    "Minimum necessary: turning Contact Lens off removes PHI redaction from transcripts, and re-pointing recording or transcript storage away from a PHI bucket (or dropping its KMS key) sends PHI where no control watches it. Flow publishing is checked by the connect-flow-pause-recording control on the flow's configuration, not here: CloudTrail does not carry the flow content.",
  remediation:
    "Restore the instance attribute / storage configuration (aws connect update-instance-attribute, associate-instance-storage-config) and review who changed it.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    const req = r.requestParameters ?? {};
    const instance = String(req.InstanceId ?? req.instanceId ?? "unknown").slice(0, 256);
    const subject = { resourceType: "AWS::Connect::Instance", resourceId: instance };
    if (r.eventName === "UpdateInstanceAttribute") {
      const type = String(req.AttributeType ?? req.attributeType ?? "");
      const value = String(req.Value ?? req.value ?? "");
      if (type !== "CONTACT_LENS" || value !== "false") return [];
      return [
        managementDetection(r, ctx, subject, `Contact Lens turned off on Connect instance ${instance}`, {
          attributeType: type,
          value,
        }),
      ];
    }
    const resourceType = String(req.ResourceType ?? req.resourceType ?? "");
    if (resourceType && !PHI_STORAGE.has(resourceType)) return [];
    if (r.eventName === "DisassociateInstanceStorageConfig") {
      return [
        managementDetection(
          r,
          ctx,
          subject,
          `${resourceType || "PHI"} storage disassociated from Connect instance ${instance}`,
          {
            resourceType,
          },
        ),
      ];
    }
    const cfg = (req.StorageConfig ?? req.storageConfig) as Record<string, unknown> | undefined;
    const s3 = cfg?.S3Config as { BucketName?: unknown; EncryptionConfig?: { KeyId?: unknown } } | undefined;
    const weak: string[] = [];
    if (s3) {
      const bucket = typeof s3.BucketName === "string" ? s3.BucketName : "";
      if (!phiBucketOf(ctx.baseline, bucket))
        weak.push(
          `stored in ${bucket.slice(0, 63) || "an unnamed bucket"}, not a PHI bucket of the baseline`,
        );
      if (!s3.EncryptionConfig?.KeyId) weak.push("no KMS key");
    }
    if (weak.length === 0) return [];
    return [
      managementDetection(
        r,
        ctx,
        subject,
        `${resourceType} storage of Connect instance ${instance} changed: ${weak.join("; ")}`,
        {
          resourceType,
          weakened: weak,
        },
      ),
    ];
  },
});
