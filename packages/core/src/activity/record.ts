import { gunzipSync } from "node:zlib";
import * as z from "zod";
import { InputTooLargeError, InvalidEventError, jsonErrorReason, UnsupportedEventError } from "../errors.ts";
import { EventBridgeEnvelopeSchema, MAX_EVENT_BYTES, parseWith } from "../events/eventbridge.ts";
import { parseEventTime } from "./event-time.ts";

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
      // The detail-type is the event's text: not repeated in the reason (the payload holds it).
      throw new UnsupportedEventError(
        `not a CloudTrail event (expected ${CLOUDTRAIL_DETAIL_TYPES.map((t) => `"${t}"`).join(" or ")})`,
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
// Each check returns the value zod would produce — a copy of every object, declared keys first in the
// schema's order (a present `undefined` kept, an absent key left out), then the other keys in for…in
// order without `__proto__` — or BAD when the input is invalid or merely unusual (not a plain object,
// symbol keys): the caller then asks zod. Fields are read by name, not in a loop over key names:
// V8 compiles named reads to a few instructions, a loop's keyed reads to a hash lookup each.

const BAD: unique symbol = Symbol("invalid");
type Raw = Record<string, unknown>;

function plain(v: unknown): v is Raw {
  return (
    typeof v === "object" &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    (v as { constructor?: unknown }).constructor === Object
  );
}

/** `z.string().max(max)` with an optional `.min(min)`. */
function isStr(x: unknown, min: number, max: number): x is string {
  return typeof x === "string" && x.length >= min && x.length <= max;
}
/** `Str.optional()`: absent, `undefined` or a string of at most 4096 characters. */
function optStr(x: unknown): boolean {
  return x === undefined || (typeof x === "string" && x.length <= 4096);
}

/** zod's catchall: the undeclared keys, in for…in order, without `__proto__`. */
function copyRest(v: Raw, out: Raw, declared: Set<string>): void {
  for (const k in v) if (!declared.has(k) && k !== "__proto__") out[k] = v[k];
}

/** `z.record(z.string(), z.unknown())`: own enumerable string keys, shallow copy. */
function copyRecord(v: unknown): unknown {
  if (!plain(v) || Object.getOwnPropertySymbols(v).length > 0) return BAD;
  const out: Raw = {};
  for (const k of Object.keys(v)) if (k !== "__proto__") out[k] = v[k];
  return out;
}
function nullableRecord(v: unknown): unknown {
  return v === null ? null : copyRecord(v);
}

const ISSUER_KEYS = new Set(["type", "arn", "accountId", "userName"]);
function fastIssuer(v: unknown): unknown {
  if (!plain(v)) return BAD;
  const { type, arn, accountId, userName } = v;
  if (!optStr(type) || !optStr(arn) || !optStr(accountId) || !optStr(userName)) return BAD;
  const o: Raw = {};
  if (type !== undefined || "type" in v) o.type = type;
  if (arn !== undefined || "arn" in v) o.arn = arn;
  if (accountId !== undefined || "accountId" in v) o.accountId = accountId;
  if (userName !== undefined || "userName" in v) o.userName = userName;
  copyRest(v, o, ISSUER_KEYS);
  return o;
}

const SESSION_KEYS = new Set(["sessionIssuer", "attributes"]);
function fastSessionContext(v: unknown): unknown {
  if (!plain(v)) return BAD;
  const o: Raw = {};
  const { sessionIssuer, attributes } = v;
  if (sessionIssuer !== undefined) {
    const x = fastIssuer(sessionIssuer);
    if (x === BAD) return BAD;
    o.sessionIssuer = x;
  } else if ("sessionIssuer" in v) o.sessionIssuer = undefined;
  if (attributes !== undefined) {
    const x = copyRecord(attributes);
    if (x === BAD) return BAD;
    o.attributes = x;
  } else if ("attributes" in v) o.attributes = undefined;
  copyRest(v, o, SESSION_KEYS);
  return o;
}

const IDENTITY_KEYS = new Set([
  "type",
  "principalId",
  "arn",
  "accountId",
  "userName",
  "invokedBy",
  "identityProvider",
  "sessionContext",
]);
/** `UserIdentitySchema`. */
function fastIdentity(v: unknown): unknown {
  if (!plain(v)) return BAD;
  const { type, principalId, arn, accountId, userName, invokedBy, identityProvider, sessionContext } = v;
  if (!isStr(type, 1, 64)) return BAD;
  if (!optStr(principalId) || !optStr(arn) || !optStr(accountId) || !optStr(userName)) return BAD;
  if (!optStr(invokedBy) || !optStr(identityProvider)) return BAD;
  const o: Raw = { type };
  if (principalId !== undefined || "principalId" in v) o.principalId = principalId;
  if (arn !== undefined || "arn" in v) o.arn = arn;
  if (accountId !== undefined || "accountId" in v) o.accountId = accountId;
  if (userName !== undefined || "userName" in v) o.userName = userName;
  if (invokedBy !== undefined || "invokedBy" in v) o.invokedBy = invokedBy;
  if (identityProvider !== undefined || "identityProvider" in v) o.identityProvider = identityProvider;
  if (sessionContext !== undefined) {
    const x = fastSessionContext(sessionContext);
    if (x === BAD) return BAD;
    o.sessionContext = x;
  } else if ("sessionContext" in v) o.sessionContext = undefined;
  copyRest(v, o, IDENTITY_KEYS);
  return o;
}

const RESOURCE_KEYS = new Set(["type", "ARN", "accountId"]);
function fastResource(v: unknown): unknown {
  if (!plain(v)) return BAD;
  const { type, ARN, accountId } = v;
  if (!optStr(type) || !optStr(ARN) || !optStr(accountId)) return BAD;
  const o: Raw = {};
  if (type !== undefined || "type" in v) o.type = type;
  if (ARN !== undefined || "ARN" in v) o.ARN = ARN;
  if (accountId !== undefined || "accountId" in v) o.accountId = accountId;
  copyRest(v, o, RESOURCE_KEYS);
  return o;
}
function fastResources(v: unknown): unknown {
  if (v === null) return null;
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || v.length > 1000) return BAD;
  const out = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = fastResource(v[i]);
    if (x === BAD) return BAD;
    out[i] = x;
  }
  return out;
}

const TLS_KEYS = new Set(["tlsVersion", "cipherSuite"]);
function fastTls(v: unknown): unknown {
  if (v === null) return null;
  if (!plain(v)) return BAD;
  const { tlsVersion, cipherSuite } = v;
  if (!optStr(tlsVersion) || !optStr(cipherSuite)) return BAD;
  const o: Raw = {};
  if (tlsVersion !== undefined || "tlsVersion" in v) o.tlsVersion = tlsVersion;
  if (cipherSuite !== undefined || "cipherSuite" in v) o.cipherSuite = cipherSuite;
  copyRest(v, o, TLS_KEYS);
  return o;
}

const RECORD_KEYS = new Set([
  "eventVersion",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
  "eventID",
  "eventType",
  "eventCategory",
  "managementEvent",
  "readOnly",
  "recipientAccountId",
  "sharedEventID",
  "sourceIPAddress",
  "userAgent",
  "vpcEndpointId",
  "errorCode",
  "errorMessage",
  "userIdentity",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "resources",
  "tlsDetails",
]);

/** `CloudTrailRecordSchema`. */
function fastRecord(v: unknown): unknown {
  if (!plain(v)) return BAD;
  const { eventVersion, eventTime, eventSource, eventName, awsRegion, eventID } = v;
  if (!optStr(eventVersion)) return BAD;
  if (!isStr(eventTime, 0, 64) || Number.isNaN(parseEventTime(eventTime))) return BAD;
  if (!isStr(eventSource, 1, 256) || !isStr(eventName, 1, 256)) return BAD;
  if (!isStr(awsRegion, 1, 64) || !isStr(eventID, 1, 256)) return BAD;
  const { eventType, eventCategory, managementEvent, readOnly, recipientAccountId, sharedEventID } = v;
  if (!optStr(eventType) || !optStr(eventCategory) || !optStr(recipientAccountId)) return BAD;
  if (!optStr(sharedEventID)) return BAD;
  if (managementEvent !== undefined && typeof managementEvent !== "boolean") return BAD;
  if (readOnly !== undefined && typeof readOnly !== "boolean") return BAD;
  const { sourceIPAddress, userAgent, vpcEndpointId, errorCode, errorMessage } = v;
  if (!optStr(sourceIPAddress) || !optStr(userAgent) || !optStr(vpcEndpointId)) return BAD;
  if (!optStr(errorCode) || !optStr(errorMessage)) return BAD;
  const userIdentity = fastIdentity(v.userIdentity);
  if (userIdentity === BAD) return BAD;
  const { requestParameters, responseElements, additionalEventData, resources, tlsDetails } = v;
  const req = requestParameters === undefined ? undefined : nullableRecord(requestParameters);
  if (req === BAD) return BAD;
  const aed = additionalEventData === undefined ? undefined : nullableRecord(additionalEventData);
  if (aed === BAD) return BAD;
  const res = resources === undefined ? undefined : fastResources(resources);
  if (res === BAD) return BAD;
  const tls = tlsDetails === undefined ? undefined : fastTls(tlsDetails);
  if (tls === BAD) return BAD;

  const o: Raw = {};
  if (eventVersion !== undefined || "eventVersion" in v) o.eventVersion = eventVersion;
  o.eventTime = eventTime;
  o.eventSource = eventSource;
  o.eventName = eventName;
  o.awsRegion = awsRegion;
  o.eventID = eventID;
  if (eventType !== undefined || "eventType" in v) o.eventType = eventType;
  if (eventCategory !== undefined || "eventCategory" in v) o.eventCategory = eventCategory;
  if (managementEvent !== undefined || "managementEvent" in v) o.managementEvent = managementEvent;
  if (readOnly !== undefined || "readOnly" in v) o.readOnly = readOnly;
  if (recipientAccountId !== undefined || "recipientAccountId" in v)
    o.recipientAccountId = recipientAccountId;
  if (sharedEventID !== undefined || "sharedEventID" in v) o.sharedEventID = sharedEventID;
  if (sourceIPAddress !== undefined || "sourceIPAddress" in v) o.sourceIPAddress = sourceIPAddress;
  if (userAgent !== undefined || "userAgent" in v) o.userAgent = userAgent;
  if (vpcEndpointId !== undefined || "vpcEndpointId" in v) o.vpcEndpointId = vpcEndpointId;
  if (errorCode !== undefined || "errorCode" in v) o.errorCode = errorCode;
  if (errorMessage !== undefined || "errorMessage" in v) o.errorMessage = errorMessage;
  o.userIdentity = userIdentity;
  if (requestParameters !== undefined || "requestParameters" in v) o.requestParameters = req;
  if (responseElements !== undefined || "responseElements" in v) o.responseElements = responseElements;
  if (additionalEventData !== undefined || "additionalEventData" in v) o.additionalEventData = aed;
  if (resources !== undefined || "resources" in v) o.resources = res;
  if (tlsDetails !== undefined || "tlsDetails" in v) o.tlsDetails = tls;
  copyRest(v, o, RECORD_KEYS);
  return o;
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v.length > 0;
}
/** `detail` of a valid CloudTrail EventBridge envelope, or BAD (then zod validates and names the field). */
function fastEnvelopeDetail(obj: Raw): unknown {
  if (obj.version !== undefined && typeof obj.version !== "string") return BAD;
  if (!nonEmpty(obj.id) || !nonEmpty(obj["detail-type"]) || !nonEmpty(obj.source)) return BAD;
  if (!nonEmpty(obj.time) || !nonEmpty(obj.region)) return BAD;
  if (typeof obj.account !== "string" || !ACCOUNT.test(obj.account)) return BAD;
  const res = obj.resources;
  if (res !== undefined && (!Array.isArray(res) || !res.every((r) => typeof r === "string"))) return BAD;
  // zod copies `detail` as a record, then parses the copy as a record: parsing the original gives the
  // same result when it is a plain object without symbol keys (the copy only drops `__proto__`, which
  // the record parse drops too).
  const d = obj.detail;
  return plain(d) && Object.getOwnPropertySymbols(d).length === 0 ? d : BAD;
}
const ACCOUNT = /^\d{12}$/;

/** Whether bytes start with gzip's magic number (1f 8b): gzip is recognised by content, not by name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parse a CloudTrail log file as delivered to S3 (`.json.gz` or `.json`), detecting gzip by its magic
 * bytes, with a size limit on the uncompressed text. JSON that is not `{Records:[…]}` (a CloudTrail
 * digest file, a Config snapshot) throws `UnsupportedEventError`; bytes that do not decompress or parse,
 * `InvalidEventError`.
 *
 * @example
 * ```ts
 * const records = parseCloudTrailLogFile(await s3Body.transformToByteArray(), "s3://trail/…json.gz");
 * ```
 */
export function parseCloudTrailLogFile(
  bytes: Uint8Array,
  source: string,
  opts: {
    /**
     * Called for each record that is not a valid CloudTrail record (it is skipped): without it, one
     * bad record refuses the whole file. A file that is not a log file at all always throws.
     */
    onRejected?: (index: number, error: InvalidEventError, record: unknown) => void;
  } = {},
): CloudTrailRecord[] {
  let text: string;
  try {
    const buf = isGzip(bytes)
      ? gunzipSync(bytes, { maxOutputLength: MAX_LOG_FILE_BYTES })
      : Buffer.from(bytes);
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
    throw new InvalidEventError(`not valid JSON (${jsonErrorReason(error)})`, source, { cause: error });
  }
  // Well-formed JSON of another kind (a digest file, a Config snapshot beside the logs): a reader of a
  // whole bucket skips it by this class, while a file that does not parse stays an input error.
  if (!json || typeof json !== "object" || !Array.isArray((json as { Records?: unknown }).Records))
    throw new UnsupportedEventError("a CloudTrail log file is {Records:[…]}", `${source}.Records`);
  const onRejected = opts.onRejected;
  if (!onRejected) return readCloudTrail(json);
  try {
    return readCloudTrail(json);
  } catch (error) {
    if (!(error instanceof InvalidEventError) || error instanceof InputTooLargeError) throw error;
  }
  // One record at a time, so a bad record costs only itself (the file's other reads still count).
  const out: CloudTrailRecord[] = [];
  const records = (json as { Records: unknown[] }).Records;
  for (let i = 0; i < records.length; i++) {
    try {
      out.push(...readCloudTrail({ Records: [records[i]] }));
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      // Parsed alone, the record is `Records.0`: name it by its place in the file.
      const field = error.field.replace(/^Records\.0(?=\.|$)/, `Records.${i}`);
      const message = error.message.startsWith(`${error.field}: `)
        ? error.message.slice(error.field.length + 2)
        : error.message;
      onRejected(i, new InvalidEventError(message, field, { cause: error }), records[i]);
    }
  }
  return out;
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
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short bodies need no byte count.
  if (body.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(body, "utf8") > MAX_EVENT_BYTES)
    throw new InputTooLargeError(`larger than ${MAX_EVENT_BYTES} bytes`, "body");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    // The reason only: V8's message quotes the body (an object key, caller text) into the dead letter.
    throw new InvalidEventError(`not valid JSON (${jsonErrorReason(error)})`, "body", { cause: error });
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
