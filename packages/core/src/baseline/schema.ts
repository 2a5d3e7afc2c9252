import * as z from "zod";
import { AccessDetectorSettingsSchema } from "../activity/settings.ts";
import { checkUrl } from "../delivery/ssrf.ts";
import { SEVERITIES } from "../finding/types.ts";
import { AlertPolicySchema, DEFAULT_ALERT_POLICY } from "../format/alert.ts";
import { suppressionEnd } from "./until.ts";

const Severity = z.enum(SEVERITIES);
const AccountId = z.string().regex(/^\d{12}$/, "a 12-digit AWS account id");
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM (24h)");
const Day = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
/** An ARN, or an ARN pattern with `*` and `?` wildcards, as IAM writes them. */
const ArnPattern = z
  .string()
  .regex(/^(arn:aws[\w-]*:[^\s]+|[\w.-]+\.amazonaws\.com)$/, "an ARN, ARN pattern or service principal");

const BucketHolds = z.enum([
  "recordings",
  "transcripts",
  "ctr",
  "exports",
  "evidence",
  "chat-transcripts",
  "reports",
]);

export const PhiBucketSchema = z
  .object({
    name: z.string().min(3).max(63).optional(),
    prefix: z.string().min(1).max(63).optional(),
    tag: z
      .object({ key: z.string().min(1), value: z.string().optional() })
      .strict()
      .optional(),
    holds: z.array(BucketHolds).min(1).default(["recordings"]),
    /** Object-key prefixes that hold raw audio (Connect writes `connect/<instance>/CallRecordings/`). */
    rawPrefixes: z.array(z.string()).default(["connect/*/CallRecordings/"]),
  })
  .strict()
  .refine((b) => [b.name, b.prefix, b.tag].filter(Boolean).length === 1, {
    message: "give exactly one of name, prefix or tag",
  });

export const WebhookTargetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and dashes"),
    url: z.string().url(),
    format: z.enum(["hec", "ocsf", "json"]).default("json"),
    /** Where the HMAC secret comes from; the secret itself never appears in the baseline. */
    secret: z.union([
      z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }).strict(),
      z.object({ file: z.string().min(1) }).strict(),
      z.object({ ssm: z.string().startsWith("/") }).strict(),
      z.object({ secretsManager: z.string().min(1) }).strict(),
    ]),
    /** Splunk HEC token, same sources as `secret` (HEC format only). */
    token: z
      .union([
        z.object({ env: z.string() }).strict(),
        z.object({ file: z.string() }).strict(),
        z.object({ ssm: z.string() }).strict(),
        z.object({ secretsManager: z.string() }).strict(),
      ])
      .optional(),
    /**
     * Splunk index of the HEC envelopes (HEC format only); omitted, the token's default index. The
     * token must be allowed to write to it, or HEC refuses every delivery (dead-lettered with its answer).
     */
    index: z
      .string()
      .max(255)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "a Splunk index name: lowercase letters, digits, _ and -")
      .optional(),
    minSeverity: Severity.default("low"),
    /** Delivery retries: exponential backoff with full jitter, then the dead-letter queue. */
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(8),
        baseDelayMs: z.number().int().min(1).max(600_000).default(1_000),
        maxDelayMs: z
          .number()
          .int()
          .min(1)
          .max(12 * 3600_000)
          .default(15 * 60_000),
      })
      .strict()
      .default({ maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }),
    /** Allow plain http / private addresses (only for loopback receivers in local mode). */
    allowInsecureLocal: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.index !== undefined && t.format !== "hec")
      ctx.addIssue({ code: "custom", path: ["index"], message: "index is for format: hec only" });
    // The sender's own static checks (scheme, credentials, literal private or metadata addresses): a
    // URL they refuse would dead-letter every delivery, so it is refused here, at check and deploy time.
    const checked = checkUrl(t.url, { allowInsecureLocal: t.allowInsecureLocal });
    if (!checked.ok) ctx.addIssue({ code: "custom", path: ["url"], message: checked.message });
  });

const CONNECT_DEFAULTS = {
  instances: [] as string[],
  requireRedaction: true,
  redactionEntities: ["NAME", "ADDRESS", "PHONE", "EMAIL", "SSN", "CREDIT_DEBIT_NUMBER"],
  requireRedactedOnly: false,
  recordingAtFlowStart: "assume-on" as const,
};

/**
 * Amazon Connect expectations.
 *
 * @example
 * ```yaml
 * connect:
 *   instances: ["8dab73a7-51ab-4610-8c72-359333b63f10"]
 *   redactionEntities: [SSN, CREDIT_DEBIT_NUMBER]
 *   recordingAtFlowStart: assume-off   # only when no flow is ever entered with recording on
 * ```
 */
export const ConnectBaselineSchema = z
  .object({
    /** Instance ids or ARNs in scope; empty = every instance recorded in the baseline's accounts. */
    instances: z.array(z.string().min(1)).default([]),
    /** Contact Lens analytics must redact sensitive data wherever a flow enables it. */
    requireRedaction: z.boolean().default(true),
    /**
     * Entity types a flow that lists redaction entities must include (`ALL` covers every type). A flow
     * that lists none redacts every entity Contact Lens supports.
     */
    redactionEntities: z
      .array(z.string().regex(/^[A-Z_]+$/, "a Contact Lens entity type such as SSN"))
      .default(() => [...CONNECT_DEFAULTS.redactionEntities]),
    /** Fail `RedactedAndOriginal`: keep only redacted analytics output. */
    requireRedactedOnly: z.boolean().default(false),
    /**
     * Recording state a flow starts with. A flow can be entered from another flow or an agent transfer
     * with recording on, so by default only an explicit pause proves it is off (`assume-on`).
     */
    recordingAtFlowStart: z.enum(["assume-on", "assume-off"]).default("assume-on"),
  })
  .strict();

/**
 * How CloudTrail data events (S3 GetObject on PHI buckets, KMS Decrypt on PHI keys) reach phiwatch
 * (docs/deploy.md, "Choosing the data-event path"):
 * - `eventbridge`: EventBridge rule → SQS → access function. Seconds of latency; needs the trail's
 *   data-event selectors and EventBridge delivery of read-only data events in every account.
 * - `trail-logs`: S3 ObjectCreated of the trail's `.json.gz` log files → SQS → access function.
 *   About 5-15 minutes of latency; sees every delivered record; no EventBridge charge.
 */
export const IngestSchema = z
  .object({
    access: z.enum(["eventbridge", "trail-logs"]).default("eventbridge"),
    trail: z
      .object({
        /** Bucket the (organisation) trail delivers its log files to. */
        bucket: z.string().min(3).max(63),
        /** The trail's S3 key prefix (before `AWSLogs/`), empty when the trail has none. */
        prefix: z.string().max(200).default(""),
        /** KMS key that encrypts the log files (SSE-KMS), which the access function must decrypt. */
        kmsKey: ArnPattern.optional(),
        /** Let phiwatch write the bucket's notification configuration (same account; replaces any other). */
        manageNotification: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((i) => i.access !== "trail-logs" || i.trail !== undefined, {
    message: "access: trail-logs needs trail.bucket",
    path: ["trail"],
  });

export const BaselineSchema = z
  .object({
    version: z.literal(1),
    organisation: z
      .object({
        name: z.string().min(1).max(200),
        timeZone: z.string().refine(isTimeZone, "an IANA time zone such as America/New_York").default("UTC"),
        businessHours: z
          .object({
            days: z.array(Day).min(1).default(["mon", "tue", "wed", "thu", "fri"]),
            start: Hhmm.default("07:00"),
            end: Hhmm.default("19:00"),
          })
          .strict()
          .default({ days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "19:00" }),
      })
      .strict(),
    accounts: z.array(AccountId).min(1),
    allowedRegions: z
      .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-east-1"))
      .min(1),
    phiBuckets: z.array(PhiBucketSchema).min(1),
    /** PHI keys; keys that encrypt PHI buckets are added to these automatically. */
    phiKeys: z.array(ArnPattern).default([]),
    principals: z
      .object({
        /** May read raw recordings (QA supervisors, the Connect service, Contact Lens). */
        rawReaders: z.array(ArnPattern).default([]),
        /** Analytics / QA roles that must NOT read raw audio (transcripts only). */
        analytics: z.array(ArnPattern).default([]),
        /** May change or delete PHI objects and bucket policies. */
        operators: z.array(ArnPattern).default([]),
        /** AWS service principals that read PHI as part of the pipeline. */
        services: z.array(z.string()).default(["connect.amazonaws.com", "transcribe.amazonaws.com"]),
      })
      .strict()
      .default({
        rawReaders: [],
        analytics: [],
        operators: [],
        services: ["connect.amazonaws.com", "transcribe.amazonaws.com"],
      }),
    retentionDays: z.number().int().positive().max(36500).default(2555),
    /**
     * Expectations of PHI buckets beyond the basics (s3-versioning-mfa-delete, s3-object-lock,
     * s3-retention-lifecycle, s3-policy-least-privilege). Every field has a default, so older
     * baselines still parse.
     *
     * @example
     * ```yaml
     * s3:
     *   requireMfaDelete: true
     *   objectLock: { required: true, mode: COMPLIANCE, minDays: 2555 }
     *   denyOutsiders: true
     * ```
     */
    s3: z
      .object({
        /** MFA delete must be on (it can only be set by the root user with the CLI). */
        requireMfaDelete: z.boolean().default(false),
        objectLock: z
          .object({
            /** Require Object Lock on every PHI bucket; when false only buckets holding `evidence`. */
            required: z.boolean().default(false),
            /** Required default-retention mode; COMPLIANCE also satisfies GOVERNANCE. Omit for either. */
            mode: z.enum(["GOVERNANCE", "COMPLIANCE"]).optional(),
            /** Minimum default retention in days; omit to require only a default retention of any period. */
            minDays: z.number().int().positive().max(36500).optional(),
          })
          .strict()
          .default({ required: false }),
        /** Require a lifecycle rule that expires PHI after `retentionDays` (disposal, 164.310(d)(2)). */
        requireLifecycleExpiration: z.boolean().default(true),
        /** Require the bucket policy to Deny every principal outside the baseline's principals. */
        denyOutsiders: z.boolean().default(false),
      })
      .strict()
      .default({
        requireMfaDelete: false,
        objectLock: { required: false },
        requireLifecycleExpiration: true,
        denyOutsiders: false,
      }),
    /** KMS expectations for PHI keys (kms-rotation). */
    kms: z
      .object({
        /** Longest acceptable automatic-rotation period; omit to require only that rotation is on. */
        maxRotationDays: z.number().int().min(90).max(2560).optional(),
      })
      .strict()
      .default({}),
    detectors: z
      .object({
        learningDays: z.number().int().min(0).max(90).default(14),
        windowMinutes: z.number().int().min(1).max(60).default(15),
        volume: z
          .object({
            /** Never fire below this many reads in a window (15 → 18 must stay quiet). */
            floor: z.number().int().min(1).default(50),
            /** Fire when observed > mean + sigma × stddev of the learned profile… */
            sigma: z.number().positive().default(4),
            /** …and observed ≥ ratio × mean. */
            ratio: z.number().positive().default(5),
          })
          .strict()
          .default({ floor: 50, sigma: 4, ratio: 5 }),
        /** Access detector settings (see docs/detectors.md). */
        access: AccessDetectorSettingsSchema.prefault({}),
      })
      .strict()
      .default({
        learningDays: 14,
        windowMinutes: 15,
        volume: { floor: 50, sigma: 4, ratio: 5 },
        access: AccessDetectorSettingsSchema.parse({}),
      }),
    severityOverrides: z.record(z.string(), Severity).default({}),
    suppressions: z
      .array(
        z
          .object({
            rule: z.string().min(1),
            resource: z.string().min(1),
            reason: z.string().min(3).max(500),
            // An ISO-8601 date or date-time of a day that exists (`Date.parse` alone accepts "Dec 31",
            // read as 2001, and rolls 2026-02-30 over to 2 March). A date is inclusive: through the end
            // of that day in the organisation's time zone (until.ts).
            until: z
              .string()
              .refine(
                (s) => suppressionEnd(s, "UTC") !== undefined,
                "an ISO-8601 date (YYYY-MM-DD) or date-time, of a day the calendar has",
              ),
          })
          .strict(),
      )
      .default([]),
    webhooks: z.array(WebhookTargetSchema).default([]),
    /** Who hears about what on the SNS alerts topic (minimum severity, quiet-hours paging, flood collapse). */
    alerts: AlertPolicySchema.default(DEFAULT_ALERT_POLICY),
    /** Amazon Connect expectations (connect-* controls). */
    connect: ConnectBaselineSchema.default(() => ({
      ...CONNECT_DEFAULTS,
      instances: [],
      redactionEntities: [...CONNECT_DEFAULTS.redactionEntities],
    })),
    /** How CloudTrail data events reach the access function (deployment choice). */
    ingest: IngestSchema.default({ access: "eventbridge" }),
  })
  .strict();

export type Baseline = z.infer<typeof BaselineSchema>;
export type BaselineInput = z.input<typeof BaselineSchema>;
export type PhiBucket = z.infer<typeof PhiBucketSchema>;
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;
export type Ingest = z.infer<typeof IngestSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
