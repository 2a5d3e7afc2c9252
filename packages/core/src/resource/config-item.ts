import * as z from "zod";
import { digits } from "../activity/event-time.ts";
import { InputTooLargeError, InvalidEventError } from "../errors.ts";
import type { ResourceSnapshot } from "./snapshot.ts";

/** Longest JSON document Config may embed as a string that we parse (a bucket policy is ≤ 20 KB). */
export const MAX_EMBEDDED_JSON_CHARS = 1024 * 1024;
/** Nesting depth up to which embedded JSON strings are looked for (real items nest ≤ 8 levels). */
const MAX_DEPTH = 12;

/**
 * A configuration item as Config delivers it (EventBridge, SNS, Lambda rule, history API, snapshot
 * file, `BatchGetResourceConfig`). This schema documents the accepted input; `fromConfigurationItem`
 * validates with a hand-written equivalent (same messages and fields) because it runs on every item of
 * every evaluation, where zod dominated the cost.
 */
export const ConfigurationItemSchema = z
  .object({
    /** ISO-8601 string (events), or epoch seconds / milliseconds / `Date` (history API, SDK). */
    configurationItemCaptureTime: z.union([z.string().min(1), z.number(), z.date()]),
    configurationItemStatus: z.string().min(1),
    /** `accountId` in the API shape. */
    awsAccountId: z.string().regex(/^\d{12}$/, "12-digit account id"),
    /** Derived from the ARN or `availabilityZone` when absent (old history API items). */
    awsRegion: z.string().min(1),
    /** `AWS::S3::Bucket`, or a third-party type of the CloudFormation registry that Config records. */
    resourceType: z.string().regex(/^[A-Za-z0-9]+::\w+::\w+$/, "Namespace::Service::Type (AWS::S3::Bucket)"),
    resourceId: z.string().min(1),
    resourceName: z.string().nullish(),
    ARN: z.string().nullish(),
    arn: z.string().nullish(),
    /** An object (events) or a JSON string (history API, `BatchGetResourceConfig`). */
    configuration: z.unknown().nullish(),
    /** Values are objects (events) or JSON strings (history API, snapshot files, `BatchGetResourceConfig`). */
    supplementaryConfiguration: z.record(z.string(), z.unknown()).nullish(),
    tags: z.record(z.string(), z.unknown()).nullish(),
    relationships: z.array(z.record(z.string(), z.unknown())).nullish(),
  })
  .passthrough();
export type ConfigurationItem = z.infer<typeof ConfigurationItemSchema>;

type Json = Record<string, unknown>;

/**
 * Normalise a configuration item into a snapshot, whatever the shape it came in:
 * - events name the account `awsAccountId` and the ARN `ARN`; the APIs, snapshot files and
 *   `rdk sample-ci` name them `accountId` and `arn`;
 * - the capture time is an ISO-8601 string in events, epoch seconds in the history API's JSON, and a
 *   `Date` from the SDK: all become an ISO-8601 string (epoch values below 1e11 are seconds, above
 *   are milliseconds; a time without a zone is UTC);
 * - `configuration` is an object in events and a JSON string from the history API;
 * - supplementary values are objects in events and JSON strings from the APIs (every value, not only
 *   policies): each top-level string value that holds JSON is parsed, and, inside documents, JSON (and
 *   URL-encoded JSON, as IAM policy documents are) in policy fields or strings that open with `{`/`[`.
 *
 * So every control sees one shape. Documents are parsed on first read (a getter that becomes the
 * parsed value; see `defineLazy`): same values, same JSON, but a document no control reads costs
 * nothing. A string that does not parse is kept as-is, and the control that reads it says so. Bad input throws `InvalidEventError` naming the field (`InputTooLargeError` for an
 * embedded document over `MAX_EMBEDDED_JSON_CHARS`), never anything else.
 *
 * @example
 * ```ts
 * const snap = fromConfigurationItem(event.detail.configurationItem);
 * snap.supplementary.BucketPolicy // → { policyText: { Version: "2012-10-17", Statement: [...] } }
 * ```
 */
export function fromConfigurationItem(input: unknown, path = "configurationItem"): ResourceSnapshot {
  if (input === null || typeof input !== "object" || Array.isArray(input))
    throw new InvalidEventError(`Invalid input: expected object, received ${typeName(input)}`, path);
  const ci = input as Json;
  const field = (name: string) => `${path}.${name}`;

  const accountKey =
    ci.awsAccountId === undefined && ci.accountId !== undefined ? "accountId" : "awsAccountId";
  const accountId = requiredString(ci[accountKey], field(accountKey));
  if (!isAccountId(accountId)) throw new InvalidEventError("12-digit account id", field(accountKey));
  const resourceType = requiredString(ci.resourceType, field("resourceType"));
  if (!RESOURCE_TYPE.test(resourceType))
    throw new InvalidEventError("Namespace::Service::Type (AWS::S3::Bucket)", field("resourceType"));
  const resourceId = requiredString(ci.resourceId, field("resourceId"));
  const status = requiredString(ci.configurationItemStatus, field("configurationItemStatus"));
  const capturedAt = captureTime(ci.configurationItemCaptureTime, field("configurationItemCaptureTime"));
  const resourceName = optionalString(ci.resourceName, field("resourceName"));
  const arn = optionalString(ci.ARN, field("ARN")) ?? optionalString(ci.arn, field("arn"));
  const region = regionOf(ci, arn, field("awsRegion"));
  const supplementaryIn = optionalRecord(ci.supplementaryConfiguration, field("supplementaryConfiguration"));
  const tagsIn = optionalRecord(ci.tags, field("tags"));
  const relationships = optionalRelationships(ci.relationships, field("relationships"));

  // Fast pass without tracking where we are; an oversized embedded document is rare, and a second
  // pass that tracks the path names the field in the error.
  let documents: { configuration: Json; supplementary: Json };
  try {
    documents = parseDocuments(ci.configuration, supplementaryIn, null, field);
  } catch (error) {
    if (error !== OVERSIZED) throw error;
    documents = parseDocuments(ci.configuration, supplementaryIn, [], field);
  }
  const { configuration, supplementary } = documents;
  const tags: Record<string, string> = {};
  if (tagsIn)
    for (const k of Object.keys(tagsIn)) if (typeof tagsIn[k] === "string") setOwn(tags, k, tagsIn[k]);
  const state =
    status === "ResourceNotRecorded"
      ? "not-recorded"
      : status.startsWith("ResourceDeleted")
        ? "deleted"
        : "present";

  // Built field by field, in the order stored snapshots have always used; optional fields are
  // absent rather than undefined (snapshots are compared and stored as JSON).
  const snapshot = { accountId, region, resourceType, resourceId } as ResourceSnapshot;
  if (resourceName) snapshot.resourceName = resourceName;
  if (arn) snapshot.arn = arn;
  snapshot.capturedAt = capturedAt;
  snapshot.state = state;
  snapshot.configuration = configuration;
  snapshot.supplementary = supplementary;
  snapshot.tags = tags;
  snapshot.source = "config";
  if (relationships) snapshot.relationships = relationships as ResourceSnapshot["relationships"];
  return snapshot;
}

/**
 * `AWS::Service::Type`, or a third-party type Config records (a CloudFormation registry type such as
 * `MyCustomNamespace::Testing::WordPress`): no control watches those, so they are ignored, not refused.
 */
const RESOURCE_TYPE = /^[A-Za-z0-9]+::\w+::\w+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const AVAILABILITY_ZONE = /^([a-z]{2}(-[a-z]+)+-\d{1,2})[a-z]$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const ISO_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const EPOCH = /^\d+(\.\d+)?$/;
/** Epoch values below this are seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
/** No Config item predates AWS: an epoch value before 2000 is a unit mistake, not a capture time. */
const EARLIEST_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_DATE_MS = 8.64e15;

function isAccountId(s: string): boolean {
  if (s.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  return typeof v;
}

function requiredString(v: unknown, field: string): string {
  if (typeof v !== "string")
    throw new InvalidEventError(`Invalid input: expected string, received ${typeName(v)}`, field);
  if (v.length === 0) throw new InvalidEventError("Too small: expected string to have >=1 characters", field);
  return v;
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new InvalidEventError(`Invalid input: expected string, received ${typeName(v)}`, field);
  return v;
}

function isRecord(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
}

function optionalRecord(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v))
    throw new InvalidEventError(`Invalid input: expected record, received ${typeName(v)}`, field);
  return v;
}

function optionalRelationships(v: unknown, field: string): Json[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v))
    throw new InvalidEventError(`Invalid input: expected array, received ${typeName(v)}`, field);
  for (let i = 0; i < v.length; i++)
    if (!isRecord(v[i]))
      throw new InvalidEventError(
        `Invalid input: expected record, received ${typeName(v[i])}`,
        `${field}.${i}`,
      );
  return v as Json[];
}

/** Define an own property even for `__proto__` (a JSON key like any other), never touching a prototype. */
function setOwn(target: Json, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The capture time as ISO-8601. Accepts an ISO-8601 string (a time without a zone is UTC), epoch
 * seconds or milliseconds (number or digit string: the history API's JSON has fractional seconds),
 * or a `Date` (the SDK's deserialised form).
 */
function captureTime(v: unknown, field: string): string {
  let ms: number;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === "number") ms = epochMs(v, field);
  else if (typeof v === "string") {
    if (v.length === 0)
      throw new InvalidEventError("Too small: expected string to have >=1 characters", field);
    // Config's own form, `2026-03-01T10:00:00.000Z`, skips the pattern tests below.
    if (isCanonicalIso(v)) {
      // Already what toISOString would print when every component is in range (the usual case).
      if (canonicalInRange(v)) return v;
      ms = Date.parse(v);
    } else if (EPOCH.test(v)) ms = epochMs(Number(v), field);
    else if (ISO_DATE.test(v)) {
      const hasTime = v.length > 10;
      ms = Date.parse(hasTime && !ISO_ZONE.test(v) ? `${v.replace(" ", "T")}Z` : v);
    } else throw new InvalidEventError("expected an ISO-8601 time or epoch seconds/milliseconds", field);
  } else
    throw new InvalidEventError(
      `Invalid input: expected an ISO-8601 string, epoch number or Date, received ${typeName(v)}`,
      field,
    );
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw new InvalidEventError("not a valid time", field);
  return new Date(ms).toISOString();
}

function isCanonicalIso(v: string): boolean {
  return (
    v.length === 24 &&
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45 &&
    v.charCodeAt(10) === 84 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    v.charCodeAt(19) === 46 &&
    v.charCodeAt(23) === 90
  );
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` with a real date and a time before 24:00 (no rollover to normalise). */
function canonicalInRange(v: string): boolean {
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 7);
  const day = digits(v, 8, 10);
  const hour = digits(v, 11, 13);
  const minute = digits(v, 14, 16);
  const second = digits(v, 17, 19);
  const milli = digits(v, 20, 23);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

function epochMs(n: number, field: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new InvalidEventError("not a valid epoch time", field);
  const ms = n < SECONDS_BELOW ? Math.round(n * 1000) : n;
  if (ms < EARLIEST_EPOCH_MS)
    throw new InvalidEventError("epoch time before 2000: not a configuration item capture time", field);
  return ms;
}

/**
 * `awsRegion`, or, on old history API items that lack it, the region of the ARN or of the
 * `availabilityZone` (`us-east-1a` → `us-east-1`). Never guessed beyond that.
 */
function regionOf(ci: Json, arn: string | undefined, field: string): string {
  const declared = ci.awsRegion;
  if (declared !== undefined && declared !== null) return requiredString(declared, field);
  const fromArn = arn?.split(":")[3];
  if (fromArn && REGION.test(fromArn)) return fromArn;
  const az = typeof ci.availabilityZone === "string" ? AVAILABILITY_ZONE.exec(ci.availabilityZone) : null;
  if (az) return az[1]!;
  throw new InvalidEventError(
    "Invalid input: expected string, received undefined (and no region in the ARN or availabilityZone)",
    field,
  );
}

/** Thrown by the untracked pass when an embedded document is over the limit (then the tracked pass runs). */
const OVERSIZED: unique symbol = Symbol("oversized embedded document");

/** `trail` null = fast pass (no path tracking); an array = tracked pass that names the field. */
type Trail = string[] | null;

function parseDocuments(
  configurationIn: unknown,
  supplementaryIn: Json | undefined,
  trail: Trail,
  field: (name: string) => string,
): { configuration: Json; supplementary: Json } {
  const configuration = parseConfiguration(configurationIn, trail && [field("configuration")]);
  const supplementary: Json = {};
  if (supplementaryIn) {
    const t = trail && [field("supplementaryConfiguration")];
    for (const k of Object.keys(supplementaryIn)) {
      const v = supplementaryIn[k];
      t?.push(k);
      if (typeof v === "string" && isDocumentCandidate(v, true)) {
        checkSize(v, t);
        defineLazy(supplementary, k, v, true, 0);
      } else setOwn(supplementary, k, parseTopLevel(v, t));
      t?.pop();
    }
  }
  return { configuration, supplementary };
}

function parseConfiguration(value: unknown, trail: Trail): Json {
  // The history API and BatchGetResourceConfig return `configuration` as a JSON string; events an object.
  const v = typeof value === "string" ? parseTopLevel(value, trail) : value;
  return isRecord(v) ? (walk(v, undefined, 0, trail) as Json) : {};
}

const POLICY_KEYS = new Set([
  "policyText",
  "policyDocument",
  "PolicyDocument",
  "assumeRolePolicyDocument",
  "AccessControlList",
]);

/**
 * A top-level value (a supplementary value, or `configuration`): the APIs encode every one as a JSON
 * string, sometimes JSON inside a JSON string, so any string holding JSON is parsed (up to 3 layers).
 */
function parseTopLevel(value: unknown, trail: Trail): unknown {
  let v = value;
  for (let layer = 0; layer < 3 && typeof v === "string"; layer++) {
    const parsed = embeddedJson(v, true, trail);
    if (parsed === NOT_JSON) break;
    v = parsed;
  }
  return walk(v, undefined, 0, trail);
}

/**
 * Lazy embedded documents. Most controls on most resources never read an embedded document (a
 * non-PHI bucket's policy, ACL and lifecycle, a role's trust policy, a key policy of a key that
 * protects nothing), and parsing them cost more than parsing the item. So a string that opens a
 * document (`{`, `[`, or URL-encoded `%7B` in a policy field) is not parsed here: its property becomes
 * a getter that parses it on first read (exactly as the eager parse did: same layers, same nested
 * parsing, same depth limit) and then replaces itself with a plain data property holding the result,
 * so every later read (and every control) sees the same object.
 *
 * What stays eager, so nothing observable changes:
 * - the size limit: whether a string is a candidate and its length are known without parsing, so an
 *   oversized embedded document still throws `InputTooLargeError` naming the field from
 *   `fromConfigurationItem` (a string found later inside a parsed document is shorter than the
 *   document, which is within the limit, so no size error can arise on read);
 * - top-level scalars (`"false"`, `"7"`) and strings that are not documents;
 * - a string that does not parse: the getter returns the string, as the eager parse kept it.
 * Only own enumerable properties of plain objects become getters (arrays stay eager), and they keep
 * their key position, so `JSON.stringify` of a snapshot, `Object.keys`, spreads and deep equality give
 * what they gave before: reading the property parses it (a stored snapshot is its parsed form).
 */
function isDocumentCandidate(s: string, policy: boolean): boolean {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return false;
  const c = s.charCodeAt(i);
  if (c === 123 /* { */ || c === 91 /* [ */) return true;
  return policy && c === 37 /* % */ && (s.startsWith("%7B", i) || s.startsWith("%7b", i));
}

/** The size check `embeddedJson` makes before parsing, made now for a value parsed later. */
function checkSize(s: string, trail: Trail): void {
  if (s.length <= MAX_EMBEDDED_JSON_CHARS) return;
  if (!trail) throw OVERSIZED;
  throw new InputTooLargeError(
    `embedded JSON document longer than ${MAX_EMBEDDED_JSON_CHARS} characters`,
    trail.join("."),
  );
}

/** Where a container keeps its not-yet-parsed documents (non-enumerable: JSON, keys and spreads skip it). */
const PENDING: unique symbol = Symbol("phiwatch.pendingDocuments");

interface Pending {
  raw: string;
  /** A supplementary value (parsed as a top-level value) rather than a string inside a document. */
  top: boolean;
  depth: number;
  done: boolean;
  value: unknown;
}

/**
 * One getter/setter pair per key name, shared by every container with a lazy value under that key:
 * objects that get the same accessors in the same order keep sharing hidden classes, so the property
 * reads of controls stay as fast as on plain data (a closure per value would give every container its
 * own shape). Bounded: beyond it, values under new key names are parsed eagerly (the same result).
 */
const accessors = new Map<string, PropertyDescriptor>();
const MAX_LAZY_KEYS = 1_000;

function accessorsFor(key: string): PropertyDescriptor | undefined {
  let d = accessors.get(key);
  if (d || accessors.size >= MAX_LAZY_KEYS) return d;
  d = {
    enumerable: true,
    configurable: true,
    get(this: Json): unknown {
      const p = (this as { [PENDING]?: Record<string, Pending> })[PENDING]![key]!;
      if (!p.done) {
        p.value = p.top ? parseTopLevel(p.raw, null) : walkString(p.raw, key, p.depth, null);
        p.done = true;
      }
      return p.value;
    },
    set(this: Json, value: unknown): void {
      const p = (this as { [PENDING]?: Record<string, Pending> })[PENDING]![key]!;
      p.value = value;
      p.done = true;
    },
  };
  accessors.set(key, d);
  return d;
}

/**
 * Append `key` to `target` as a document parsed on first read (see above), or parse it now when no
 * shared accessor is left for a new key name. Size already checked by the caller.
 */
function defineLazy(target: Json, key: string, raw: string, top: boolean, depth: number): void {
  const d = accessorsFor(key);
  if (!d) {
    setOwn(target, key, top ? parseTopLevel(raw, null) : walkString(raw, key, depth, null));
    return;
  }
  let pending = (target as { [PENDING]?: Record<string, Pending> })[PENDING];
  if (!pending) {
    pending = Object.create(null) as Record<string, Pending>;
    Object.defineProperty(target, PENDING, { value: pending, enumerable: false });
  }
  pending[key] = { raw, top, depth, done: false, value: undefined };
  Object.defineProperty(target, key, d);
}

const NOT_JSON: unique symbol = Symbol("not JSON");

/**
 * Parse a string that may hold JSON. `anyJson` = also scalars (`"false"`, `"7"`): top-level API
 * values encode those as JSON too. URL-encoded JSON (`%7B…`) is decoded first.
 */
function embeddedJson(s: string, anyJson: boolean, trail: Trail): unknown | typeof NOT_JSON {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return NOT_JSON;
  const c = s.charCodeAt(i);
  const opensDocument = c === 123 /* { */ || c === 91; /* [ */
  const urlEncoded = c === 37 /* % */ && (s.startsWith("%7B", i) || s.startsWith("%7b", i));
  const scalar =
    anyJson &&
    (c === 34 /* " */ ||
      c === 45 /* - */ ||
      (c >= 48 && c <= 57) ||
      s === "true" ||
      s === "false" ||
      s === "null");
  if (!opensDocument && !urlEncoded && !scalar) return NOT_JSON;
  if (s.length > MAX_EMBEDDED_JSON_CHARS) {
    if (!trail) throw OVERSIZED;
    throw new InputTooLargeError(
      `embedded JSON document longer than ${MAX_EMBEDDED_JSON_CHARS} characters`,
      trail.join("."),
    );
  }
  if (!urlEncoded) return tryJson(s);
  let decoded: string;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    return NOT_JSON; // not URL-encoded after all: keep the string
  }
  return tryJson(decoded);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function tryJson(s: string): unknown | typeof NOT_JSON {
  try {
    return JSON.parse(s);
  } catch {
    return NOT_JSON;
  }
}

/**
 * Parse JSON strings nested in a document: in policy fields (plain or URL-encoded) and strings that
 * open a JSON document. Copy-on-write: containers are copied only on the path to a parsed string,
 * so an item without embedded documents is not copied at all.
 */
function walk(value: unknown, key: string | undefined, depth: number, trail: Trail): unknown {
  if (typeof value === "string") return key === undefined ? value : walkString(value, key, depth, trail);
  if (value === null || typeof value !== "object" || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === null || (typeof v !== "object" && typeof v !== "string")) continue;
      const w = walk(v, key, depth + 1, trail);
      if (w !== v) {
        out ??= value.slice();
        out[i] = w;
      }
    }
    return out ?? value;
  }
  if (value instanceof Date) return value;
  const o = value as Json;
  let out: Json | undefined;
  // `for…in` over own keys (the order and set of Object.keys) without allocating a key array per
  // object: this visits every object of every item.
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    const v = o[k];
    let w = v;
    let lazy = false;
    if (typeof v === "string") {
      // A string that may hold a document is parsed on first read (see `defineLazy`); others stay.
      if (isDocumentCandidate(v, POLICY_KEYS.has(k))) {
        trail?.push(k);
        checkSize(v, trail);
        trail?.pop();
        lazy = true;
      }
    } else if (v !== null && typeof v === "object") {
      trail?.push(k);
      w = walk(v, k, depth + 1, trail);
      trail?.pop();
    }
    if (!out) {
      if (!lazy && w === v) continue;
      // Copy-on-write, key by key in order, so the copy keeps the key order of the input.
      out = {};
      for (const j in o) {
        if (j === k) break;
        if (Object.hasOwn(o, j)) setOwn(out, j, o[j]);
      }
    }
    if (lazy) defineLazy(out, k, v as string, false, depth + 1);
    else setOwn(out, k, w);
  }
  return out ?? o;
}

/** A string under `key`: parsed when it holds JSON (plain or URL-encoded), with its nested documents. */
function walkString(value: string, key: string, depth: number, trail: Trail): unknown {
  const policy = POLICY_KEYS.has(key);
  let v: unknown = value;
  for (let layer = 0; layer < 3 && typeof v === "string"; layer++) {
    const c = firstNonSpace(v);
    if (!policy && c !== 123 && c !== 91) break;
    const parsed = embeddedJson(v, false, trail); // `trail` already ends with `key`
    if (parsed === NOT_JSON) break;
    v = parsed;
  }
  return v === value || depth >= MAX_DEPTH ? v : walk(v, undefined, depth + 1, trail);
}

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i < s.length ? s.charCodeAt(i) : -1;
}
