import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { InputTooLargeError, InvalidEventError, UnsupportedEventError } from "../errors.ts";
import { EventBridgeEnvelopeSchema, MAX_EVENT_BYTES, parseWith } from "../events/eventbridge.ts";

/** EventBridge detail-types that carry a CloudTrail record as `detail`. */
export const CLOUDTRAIL_DETAIL_TYPES = [
  "AWS API Call via CloudTrail",
  "AWS Console Sign In via CloudTrail",
  "AWS Service Event via CloudTrail",
] as const;

/** A CloudTrail log file larger than this (uncompressed) is refused; CloudTrail rolls files far below it. */
export const MAX_LOG_FILE_BYTES = 128 * 1024 * 1024;
/** Records per log file we accept (CloudTrail writes a few thousand at most). */
export const MAX_LOG_FILE_RECORDS = 250_000;

const Str = z.string().max(4096);

/**
 * The EventBridge envelope of a CloudTrail event. `version` is optional: CloudWatch Events envelopes
 * from before EventBridge (2015–2019 captures) have none.
 */
export const CloudTrailEnvelopeSchema = EventBridgeEnvelopeSchema.extend({ version: z.string().optional() });
const Obj = z.record(z.string(), z.unknown());

export const UserIdentitySchema = z
  .object({
    type: z.string().min(1).max(64),
    principalId: Str.optional(),
    arn: Str.optional(),
    accountId: Str.optional(),
    userName: Str.optional(),
    invokedBy: Str.optional(),
    identityProvider: Str.optional(),
    sessionContext: z
      .object({
        sessionIssuer: z
          .object({
            type: Str.optional(),
            arn: Str.optional(),
            accountId: Str.optional(),
            userName: Str.optional(),
          })
          .loose()
          .optional(),
        attributes: Obj.optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type UserIdentity = z.infer<typeof UserIdentitySchema>;

/**
 * One CloudTrail record, as CloudTrail writes it (log file, EventBridge `detail`). Only the fields
 * phiwatch reads are typed; everything else passes through untouched.
 */
export const CloudTrailRecordSchema = z
  .object({
    eventVersion: Str.optional(),
    eventTime: z
      .string()
      .max(64)
      .refine((s) => !Number.isNaN(Date.parse(s)), "an ISO-8601 timestamp"),
    eventSource: z.string().min(1).max(256),
    eventName: z.string().min(1).max(256),
    awsRegion: z.string().min(1).max(64),
    eventID: z.string().min(1).max(256),
    eventType: Str.optional(),
    eventCategory: Str.optional(),
    managementEvent: z.boolean().optional(),
    readOnly: z.boolean().optional(),
    recipientAccountId: Str.optional(),
    sharedEventID: Str.optional(),
    sourceIPAddress: Str.optional(),
    userAgent: Str.optional(),
    vpcEndpointId: Str.optional(),
    errorCode: Str.optional(),
    errorMessage: Str.optional(),
    userIdentity: UserIdentitySchema,
    requestParameters: Obj.nullish(),
    responseElements: z.unknown().optional(),
    additionalEventData: Obj.nullish(),
    resources: z
      .array(z.object({ type: Str.optional(), ARN: Str.optional(), accountId: Str.optional() }).loose())
      .max(1000)
      .nullish(),
    tlsDetails: z.object({ tlsVersion: Str.optional(), cipherSuite: Str.optional() }).loose().nullish(),
  })
  .loose();
export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

/**
 * Read CloudTrail records from any of the shapes they are delivered in: an EventBridge "AWS API Call
 * via CloudTrail" envelope, a single raw record, or a log file `{"Records":[…]}`. Every record is
 * validated; the first bad one throws an `InvalidEventError` naming the field
 * (e.g. `Records.3.eventTime`).
 *
 * @example
 * ```ts
 * const records = readCloudTrail(JSON.parse(sqsRecord.body));
 * records[0].eventName; // "GetObject"
 * ```
 */
export function readCloudTrail(input: unknown): CloudTrailRecord[] {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new InvalidEventError("expected a JSON object", "event");
  const obj = input as Record<string, unknown>;
  if ("detail-type" in obj) {
    const detail = fastEnvelopeDetail(obj);
    const env =
      detail === BAD
        ? parseWith(CloudTrailEnvelopeSchema, obj)
        : { "detail-type": obj["detail-type"] as string, detail };
    if (!(CLOUDTRAIL_DETAIL_TYPES as readonly string[]).includes(env["detail-type"])) {
      throw new UnsupportedEventError(
        `"${env["detail-type"]}" is not a CloudTrail event`,
        "event.detail-type",
      );
    }
    return [parseRecord(env.detail, "event.detail")];
  }
  if ("Records" in obj) {
    if (!Array.isArray(obj.Records)) throw new InvalidEventError("expected an array", "Records");
    if (obj.Records.length > MAX_LOG_FILE_RECORDS)
      throw new InputTooLargeError(`more than ${MAX_LOG_FILE_RECORDS} records`, "Records");
    return obj.Records.map((r, i) => parseRecord(r, i));
  }
  if ("eventName" in obj || "eventSource" in obj) return [parseRecord(obj, "record")];
  throw new UnsupportedEventError(
    "not CloudTrail (expected an EventBridge envelope, a record or a log file {Records:[…]})",
    "event",
  );
}

/** `path`: where the record sits (a number is its index in `Records`), named by errors. */
function parseRecord(input: unknown, path: string | number): CloudTrailRecord {
  // Hot path (every data event of a batch): a hand-written check of the same schema. Anything it is
  // not sure of goes through zod, which then either accepts it or throws its own error, so accepted
  // inputs, results and error messages are zod's (a property test holds the two together).
  const fast = fastRecord(input);
  if (fast !== BAD) return fast as CloudTrailRecord;
  return parseWith(CloudTrailRecordSchema, input, typeof path === "number" ? `Records.${path}` : path);
}

// --- Fast path of CloudTrailRecordSchema / UserIdentitySchema / CloudTrailEnvelopeSchema -------------
// Each check returns the value zod would produce (a copy for objects, keys in zod's order: declared
// keys first, then the others in input order, `__proto__` dropped), or BAD when the input is invalid or
// merely unusual (non-plain objects, symbol keys): the caller then asks zod.

const BAD: unique symbol = Symbol("invalid");
type Check = (v: unknown) => unknown;
interface Field {
  key: string;
  check: Check;
  required: boolean;
}

function plain(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    (v as { constructor?: unknown }).constructor === Object
  );
}

const str =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === "string" && v.length >= min && v.length <= max ? v : BAD;
const bool: Check = (v) => (typeof v === "boolean" ? v : BAD);
const any: Check = (v) => v;
const isoTime: Check = (v) =>
  typeof v === "string" && v.length <= 64 && !Number.isNaN(Date.parse(v)) ? v : BAD;
const nullable =
  (c: Check): Check =>
  (v) =>
    v === null ? null : c(v);
/** `z.record(z.string(), z.unknown())`: own enumerable string keys, shallow copy. */
const record: Check = (v) => {
  if (!plain(v) || Object.getOwnPropertySymbols(v).length > 0) return BAD;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (k !== "__proto__") out[k] = v[k];
  return out;
};
const arrayOf =
  (c: Check, max: number): Check =>
  (v) => {
    if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || v.length > max) return BAD;
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = c(v[i]);
      if (x === BAD) return BAD;
      out[i] = x;
    }
    return out;
  };
const req = (key: string, check: Check): Field => ({ key, check, required: true });
// `.optional()`: an absent key stays absent, a present `undefined` stays `undefined`.
const opt = (key: string, check: Check): Field => ({
  key,
  check: (v) => (v === undefined ? undefined : check(v)),
  required: false,
});

/** `z.object(shape).loose()`. */
function loose(fields: Field[]): Check {
  const declared = new Set(fields.map((f) => f.key));
  return (v) => {
    if (!plain(v)) return BAD;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!(f.key in v)) {
        if (f.required) return BAD;
        continue;
      }
      const x = f.check(v[f.key]);
      if (x === BAD) return BAD;
      out[f.key] = x;
    }
    for (const k in v) if (!declared.has(k) && k !== "__proto__") out[k] = v[k];
    return out;
  };
}

const S = str(0, 4096);
const fastIdentity = loose([
  req("type", str(1, 64)),
  ...["principalId", "arn", "accountId", "userName", "invokedBy", "identityProvider"].map((k) => opt(k, S)),
  opt(
    "sessionContext",
    loose([
      opt("sessionIssuer", loose(["type", "arn", "accountId", "userName"].map((k) => opt(k, S)))),
      opt("attributes", record),
    ]),
  ),
]);
const fastRecord = loose([
  opt("eventVersion", S),
  req("eventTime", isoTime),
  req("eventSource", str(1, 256)),
  req("eventName", str(1, 256)),
  req("awsRegion", str(1, 64)),
  req("eventID", str(1, 256)),
  opt("eventType", S),
  opt("eventCategory", S),
  opt("managementEvent", bool),
  opt("readOnly", bool),
  ...["recipientAccountId", "sharedEventID", "sourceIPAddress", "userAgent", "vpcEndpointId"].map((k) =>
    opt(k, S),
  ),
  opt("errorCode", S),
  opt("errorMessage", S),
  req("userIdentity", fastIdentity),
  opt("requestParameters", nullable(record)),
  opt("responseElements", any),
  opt("additionalEventData", nullable(record)),
  opt("resources", nullable(arrayOf(loose(["type", "ARN", "accountId"].map((k) => opt(k, S))), 1000))),
  opt("tlsDetails", nullable(loose(["tlsVersion", "cipherSuite"].map((k) => opt(k, S))))),
]);

/** `detail` of a valid CloudTrail EventBridge envelope, or BAD (then zod validates and names the field). */
function fastEnvelopeDetail(obj: Record<string, unknown>): unknown {
  const nonEmpty = (v: unknown) => typeof v === "string" && v.length > 0;
  if (obj.version !== undefined && typeof obj.version !== "string") return BAD;
  if (!nonEmpty(obj.id) || !nonEmpty(obj["detail-type"]) || !nonEmpty(obj.source)) return BAD;
  if (!nonEmpty(obj.time) || !nonEmpty(obj.region)) return BAD;
  if (typeof obj.account !== "string" || !ACCOUNT.test(obj.account)) return BAD;
  const res = obj.resources;
  if (res !== undefined && (!Array.isArray(res) || !res.every((r) => typeof r === "string"))) return BAD;
  return record(obj.detail);
}
const ACCOUNT = /^\d{12}$/;

/**
 * Parse a CloudTrail log file as delivered to S3 (`.json.gz` or `.json`), detecting gzip by its magic
 * bytes, with a size limit on the uncompressed text.
 *
 * @example
 * ```ts
 * const records = parseCloudTrailLogFile(await s3Body.transformToByteArray(), "s3://trail/…json.gz");
 * ```
 */
export function parseCloudTrailLogFile(bytes: Uint8Array, source: string): CloudTrailRecord[] {
  let text: string;
  try {
    const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    const buf = gz ? gunzipSync(bytes, { maxOutputLength: MAX_LOG_FILE_BYTES }) : Buffer.from(bytes);
    if (buf.length > MAX_LOG_FILE_BYTES) throw new RangeError("too large");
    text = buf.toString("utf8");
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new InputTooLargeError(`larger than ${MAX_LOG_FILE_BYTES} bytes uncompressed`, source);
    throw new InvalidEventError(`not a gzip or JSON file (${(error as Error).message})`, source, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(`not valid JSON (${(error as Error).message})`, source, { cause: error });
  }
  if (!json || typeof json !== "object" || !Array.isArray((json as { Records?: unknown }).Records))
    throw new InvalidEventError("a CloudTrail log file is {Records:[…]}", `${source}.Records`);
  return readCloudTrail(json);
}

/** An S3 object to fetch (a CloudTrail log file announced by S3, EventBridge or CloudTrail's SNS topic). */
export interface LogObjectRef {
  bucket: string;
  key: string;
}

/** What one queue message asks the access handler to do. */
export type AccessMessage =
  | { kind: "records"; records: CloudTrailRecord[] }
  | { kind: "log-files"; objects: LogObjectRef[] }
  | { kind: "ignore"; reason: string };

/**
 * Read one SQS message body of the access queue: an EventBridge envelope of a CloudTrail data event,
 * a raw record or log-file JSON, or a notification that a CloudTrail log file landed in S3 (S3 event
 * notification, EventBridge "Object Created", CloudTrail's SNS notification, possibly SNS-wrapped).
 *
 * @example
 * ```ts
 * const msg = readAccessMessage(record.body);
 * if (msg.kind === "log-files") for (const o of msg.objects) await fetchLog(o.bucket, o.key);
 * ```
 */
export function readAccessMessage(body: string): AccessMessage {
  if (Buffer.byteLength(body, "utf8") > MAX_EVENT_BYTES)
    throw new InputTooLargeError(`larger than ${MAX_EVENT_BYTES} bytes`, "body");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidEventError(`not valid JSON (${(error as Error).message})`, "body", { cause: error });
  }
  return classify(json, 0);
}

function classify(json: unknown, depth: number): AccessMessage {
  if (!json || typeof json !== "object" || Array.isArray(json))
    throw new InvalidEventError("expected a JSON object", "body");
  const obj = json as Record<string, unknown>;
  // SNS → SQS without raw delivery wraps the message once.
  if (obj.Type === "Notification" && typeof obj.Message === "string" && depth === 0) {
    try {
      return classify(JSON.parse(obj.Message), 1);
    } catch (error) {
      if (error instanceof InvalidEventError) throw error;
      throw new InvalidEventError("SNS Message is not JSON", "body.Message", { cause: error });
    }
  }
  if (obj.Event === "s3:TestEvent") return { kind: "ignore", reason: "S3 test event" };
  if (typeof obj.s3Bucket === "string" && Array.isArray(obj.s3ObjectKey)) {
    return {
      kind: "log-files",
      objects: obj.s3ObjectKey.map((k, i) => {
        if (typeof k !== "string" || k === "") throw new InvalidEventError("not a key", `s3ObjectKey.${i}`);
        return { bucket: obj.s3Bucket as string, key: k };
      }),
    };
  }
  if (obj["detail-type"] === "Object Created" && obj.source === "aws.s3") {
    const d = obj.detail as { bucket?: { name?: unknown }; object?: { key?: unknown } } | undefined;
    if (typeof d?.bucket?.name !== "string") throw new InvalidEventError("missing", "detail.bucket.name");
    if (typeof d?.object?.key !== "string") throw new InvalidEventError("missing", "detail.object.key");
    return { kind: "log-files", objects: [{ bucket: d.bucket.name, key: d.object.key }] };
  }
  if (Array.isArray(obj.Records) && obj.Records.length > 0 && isS3Notification(obj.Records[0])) {
    return {
      kind: "log-files",
      objects: obj.Records.map((r, i) => {
        const rec = r as { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } };
        const bucket = rec?.s3?.bucket?.name;
        const key = rec?.s3?.object?.key;
        if (typeof bucket !== "string") throw new InvalidEventError("missing", `Records.${i}.s3.bucket.name`);
        if (typeof key !== "string") throw new InvalidEventError("missing", `Records.${i}.s3.object.key`);
        // S3 notifications URL-encode keys with `+` for spaces.
        return { bucket, key: decodeS3Key(key, `Records.${i}.s3.object.key`) };
      }),
    };
  }
  return { kind: "records", records: readCloudTrail(obj) };
}

function isS3Notification(r: unknown): boolean {
  return !!r && typeof r === "object" && (r as { eventSource?: unknown }).eventSource === "aws:s3";
}

function decodeS3Key(key: string, field: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch (error) {
    throw new InvalidEventError("not URL-encoded", field, { cause: error });
  }
}
