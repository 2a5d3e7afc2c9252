import { S3_READ_EVENTS } from "../activity/access-event.ts";
import { partitionOfResource } from "../policy/resources.ts";
import type { ResourceSnapshot } from "./snapshot.ts";

/**
 * CloudTrail trail snapshots and data-event coverage.
 *
 * An `AWS::CloudTrail::Trail` Config item records the trail's settings (`isMultiRegionTrail`,
 * `logFileValidationEnabled`, `kmsKeyId`, `homeRegion`, `hasCustomEventSelectors`, …) but neither
 * its event selectors nor whether it is logging. The sweep (and the config-change path, before
 * evaluating a trail) adds them from the API, under `supplementary`, in the API's own casing:
 * - `supplementary.EventSelectors`: GetEventSelectors `.EventSelectors` (classic selectors);
 * - `supplementary.AdvancedEventSelectors`: GetEventSelectors `.AdvancedEventSelectors`;
 * - `supplementary.TrailStatus`: GetTrailStatus response (`IsLogging`, the delivery errors and times).
 * Settings are read from Config's camelCase or DescribeTrails' PascalCase alike, and so are selectors
 * (the API's PascalCase, or the camelCase of a CloudTrail record's `PutEventSelectors` parameters). Missing selectors
 * or status make coverage "unknown", which the controls report as "cannot prove", never as a pass.
 */
export const TRAIL_TYPE = "AWS::CloudTrail::Trail";

/**
 * The account that owns a trail another account sees — an AWS Organizations *organisation trail* as a
 * member account sees it — or `undefined` for the account's own trails.
 *
 * Config records a trail only in the account (and home region) that owns it, under its name; a member
 * account's Config has no item for its organisation's trail although that trail records the member's
 * activity. The sweep reads it from CloudTrail (`DescribeTrails` with shadow trails, then
 * `GetEventSelectors`/`GetTrailStatus` on its ARN, which a member account must name it by) and keeps it
 * in the member's inventory with the trail ARN as resource id — which is how it is told apart here.
 *
 * @example
 * ```ts
 * organizationTrailOwner({ accountId: "111122223333",
 *   resourceId: "arn:aws:cloudtrail:us-east-1:999900001111:trail/org" }); // "999900001111"
 * ```
 */
export function organizationTrailOwner(
  s: Pick<ResourceSnapshot, "accountId" | "resourceId"> & { resourceType?: string },
): string | undefined {
  if (s.resourceType !== undefined && s.resourceType !== TRAIL_TYPE) return undefined;
  const m = /^arn:[\w-]+:cloudtrail:[\w-]*:(\d{12}):trail\//.exec(s.resourceId);
  return m && m[1] !== s.accountId ? m[1] : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Case-insensitive field read (Config writes camelCase, the API PascalCase). */
function field(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  // for…in: own keys in Object.entries order, without allocating an entry per key.
  for (const k in o) if (k.toLowerCase() === lower && Object.hasOwn(o, k)) return o[k];
  return undefined;
}

/** The field selectors of an advanced selector (`FieldSelectors`, or CloudTrail's `fieldSelectors`). */
function fieldSelectors(
  sel: Record<string, unknown> | undefined,
): Array<Record<string, unknown> | undefined> {
  const f = field(sel, "FieldSelectors");
  return Array.isArray(f) ? f.map(obj) : [];
}

const bool = (v: unknown): boolean | undefined =>
  v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;

/**
 * The owner of an organisation trail seen from a member account, when phiwatch also watches the owner
 * (`accounts`: the baseline's): the owner's Config records the trail and the per-trail settings
 * controls (log validation, KMS) judge it there, once, rather than again in every member account. An
 * owner phiwatch does not watch leaves the member's copy as the only place to judge those settings.
 *
 * @example
 * ```ts
 * judgedByOwner(memberCopy, baseline.accounts); // "999900001111" when the management account is watched
 * ```
 */
export function judgedByOwner(
  resource: Pick<ResourceSnapshot, "accountId" | "resourceId" | "resourceType">,
  accounts: readonly string[],
): string | undefined {
  const owner = organizationTrailOwner(resource);
  return owner !== undefined && accounts.includes(owner) ? owner : undefined;
}

/** The settings of a trail that controls read. */
export interface TrailView {
  name: string;
  arn?: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  logFileValidation: boolean;
  kmsKeyId?: string;
  /** `undefined` = status not read (Config items do not carry it). */
  isLogging?: boolean;
  /** Delivery of log files to the S3 bucket; `undefined` = status not read. */
  logDelivery?: Delivery;
  /** Delivery of digest files (log file validation); `undefined` = status not read. */
  digestDelivery?: Delivery;
  /** `undefined` = selectors not read. */
  eventSelectors?: unknown[];
  advancedEventSelectors?: unknown[];
  /** Config's flag: false means the default selector (all management events, no data events). */
  hasCustomEventSelectors?: boolean;
}

/**
 * What GetTrailStatus says of a delivery: `ok` (no error, or a delivery succeeded after it), `failing`
 * (the latest attempt failed, or nothing was ever delivered), `unknown` (an error is recorded and
 * nothing orders it against the last delivery). `error` is the S3 error code, bounded, for evidence.
 */
export type Delivery = { state: "ok"; error?: string } | { state: "failing" | "unknown"; error: string };

/**
 * An S3 error code as evidence: CloudTrail reports codes (`AccessDenied`, `NoSuchBucket`); anything
 * else (free text could name a bucket or key) is withheld, and a code is cut to 64 characters.
 */
function errorCode(v: unknown): string | undefined {
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const code = v.trim();
  return /^[A-Za-z][\w.:-]*$/.test(code) ? code.slice(0, 64) : "(not an error code: withheld)";
}

/** A GetTrailStatus time in ms: an ISO string, the wire format's epoch seconds, or a `Date`. */
function timeOf(v: unknown): number | undefined {
  const t =
    typeof v === "number"
      ? v * 1000
      : typeof v === "string" && v !== ""
        ? Date.parse(v)
        : v instanceof Date
          ? v.getTime()
          : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Log file delivery. `LatestDeliveryError` is the S3 error of a failed delivery, and may outlive the
 * failure; `LatestDeliveryAttemptTime` is the latest attempt, `LatestDeliveryAttemptSucceeded` the
 * time of the latest successful one (equal to it when that attempt succeeded) and `LatestDeliveryTime`
 * the last delivery: an error counts unless a success is at or after the latest attempt.
 */
function logDeliveryOf(status: Record<string, unknown>): Delivery {
  const error = errorCode(field(status, "LatestDeliveryError"));
  if (error === undefined) return { state: "ok" };
  const attempt = timeOf(field(status, "LatestDeliveryAttemptTime"));
  const successes = [field(status, "LatestDeliveryAttemptSucceeded"), field(status, "LatestDeliveryTime")]
    .map(timeOf)
    .filter((t): t is number => t !== undefined);
  const success = successes.length > 0 ? Math.max(...successes) : undefined;
  if (success === undefined) return { state: "failing", error };
  if (attempt === undefined) return { state: "unknown", error };
  return success >= attempt ? { state: "ok" } : { state: "failing", error };
}

/** How long after the last digest delivered a recorded digest error counts as current. */
const DIGEST_SILENCE_MS = 2 * 3600_000;

/**
 * Digest delivery. CloudTrail records no attempt time for digests, only the last one delivered, and
 * delivers a digest file for every hour (each covers the log files of the hour before it: CloudTrail
 * user guide, "CloudTrail digest file structure"). So a recorded `LatestDigestDeliveryError` is judged
 * against the time the status was read (`readAt`, the snapshot's capture time): no digest for more than
 * two hours before it means the error is current (`failing`); a digest within two hours means digests
 * still arrive, and the error may be an old one (`ok`, the error kept for evidence). No digest ever
 * delivered is `failing`; an unreadable read time leaves it `unknown`.
 */
function digestDeliveryOf(status: Record<string, unknown>, readAt: number | undefined): Delivery {
  const error = errorCode(field(status, "LatestDigestDeliveryError"));
  if (error === undefined) return { state: "ok" };
  const last = timeOf(field(status, "LatestDigestDeliveryTime"));
  if (last === undefined) return { state: "failing", error };
  if (readAt === undefined) return { state: "unknown", error };
  return readAt - last > DIGEST_SILENCE_MS ? { state: "failing", error } : { state: "ok", error };
}

/**
 * What a trail's log delivery means for what it records, in the words every trail control uses:
 * `failing` — it keeps nothing; `unknown` — an error nothing orders against the last delivery. Undefined
 * when delivery is fine or its status was not read.
 */
export function deliveryProblem(
  t: TrailView,
): { state: "failing" | "unknown"; reason: string; deliveryError: string } | undefined {
  const d = t.logDelivery;
  if (d?.state === "failing")
    return {
      state: "failing",
      reason: `log files not delivered: the latest delivery attempt failed (${d.error})`,
      deliveryError: d.error,
    };
  if (d?.state === "unknown")
    return {
      state: "unknown",
      reason: `delivery error ${d.error} recorded; whether log files were delivered since not recorded`,
      deliveryError: d.error,
    };
  return undefined;
}

/**
 * Read a trail snapshot (Config item or API read).
 *
 * @example
 * ```ts
 * trailView(snapshot).multiRegion; // true
 * ```
 */
export function trailView(s: ResourceSnapshot): TrailView {
  const c = s.configuration;
  const sup = s.supplementary;
  const status = obj(field(sup, "TrailStatus")) ?? obj(field(c, "TrailStatus"));
  const selectors = field(sup, "EventSelectors") ?? field(c, "EventSelectors");
  const advanced = field(sup, "AdvancedEventSelectors") ?? field(c, "AdvancedEventSelectors");
  const kms = field(c, "kmsKeyId");
  const name = field(c, "name");
  const arn = field(c, "trailARN") ?? s.arn;
  const home = field(c, "homeRegion");
  const isLogging = bool(field(status, "IsLogging"));
  const custom = bool(field(c, "hasCustomEventSelectors"));
  return {
    name: typeof name === "string" ? name : (s.resourceName ?? s.resourceId),
    ...(typeof arn === "string" ? { arn } : {}),
    homeRegion: typeof home === "string" && home !== "" ? home : s.region,
    multiRegion: bool(field(c, "isMultiRegionTrail")) ?? false,
    organization: bool(field(c, "isOrganizationTrail")) ?? false,
    logFileValidation: bool(field(c, "logFileValidationEnabled")) ?? false,
    ...(typeof kms === "string" && kms !== "" ? { kmsKeyId: kms } : {}),
    ...(isLogging !== undefined ? { isLogging } : {}),
    // Judged only where the status was read (it says whether the trail logs); an error GetTrailStatus
    // leaves out is none.
    ...(status && isLogging !== undefined
      ? {
          logDelivery: logDeliveryOf(status),
          digestDelivery: digestDeliveryOf(status, timeOf(s.capturedAt)),
        }
      : {}),
    ...(Array.isArray(selectors) ? { eventSelectors: selectors } : {}),
    ...(Array.isArray(advanced) ? { advancedEventSelectors: advanced } : {}),
    ...(custom !== undefined ? { hasCustomEventSelectors: custom } : {}),
  };
}

/** How fully a trail's selectors record one kind of event. */
export type Coverage = "full" | "partial" | "none" | "unknown";

/** The coverage verdict with the selector that decides it (evidence: names and indexes only). */
export interface CoverageResult {
  coverage: Coverage;
  /** `EventSelectors[0]` or `AdvancedEventSelectors[1] "name"`. */
  selector?: string;
  reason: string;
}

const RANK = { none: 0, partial: 1, full: 2 } as const;

/**
 * How two different positive operators of ONE field selector combine (`Equals` with `StartsWith`, say).
 * AWS documents OR between the values of one operator and that each Not* value excludes, but not this:
 * coverage is proven only when it holds under both readings (see {@link s3ReadCoverage}).
 */
type Reading = "or" | "and";

function stringList(fs: Record<string, unknown>, k: string): string[] {
  const v = field(fs, k);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The positive operators a field selector uses, each with its values. */
function positiveOperators(fs: Record<string, unknown>): Array<{ op: string; values: string[] }> {
  return ["Equals", "StartsWith", "EndsWith"]
    .map((op) => ({ op, values: stringList(fs, op) }))
    .filter((o) => o.values.length > 0);
}

/** One advanced field selector as a predicate on a string value, under one reading of mixed operators. */
function fieldMatches(fs: Record<string, unknown>, value: string, reading: Reading = "and"): boolean {
  const hits = positiveOperators(fs).map(({ op, values }) =>
    op === "Equals"
      ? values.includes(value)
      : op === "StartsWith"
        ? values.some((p) => value.startsWith(p))
        : values.some((p) => value.endsWith(p)),
  );
  const positive = hits.length === 0 || (reading === "or" ? hits.some(Boolean) : hits.every(Boolean));
  const negative =
    stringList(fs, "NotEquals").includes(value) ||
    stringList(fs, "NotStartsWith").some((p) => value.startsWith(p)) ||
    stringList(fs, "NotEndsWith").some((p) => value.endsWith(p));
  return positive && !negative;
}

/** Whether an S3 ARN names an object (`arn:aws:s3:::bucket/key`, key not empty). */
function namesAnObject(arn: string): boolean {
  const path = arn.slice(arn.indexOf(":::") + 3);
  const slash = path.indexOf("/");
  return slash > 0 && slash < path.length - 1;
}

/**
 * Does an `resources.ARN` field selector match every ARN that starts with `arnPrefix` — every object
 * of one bucket (`arn:aws:s3:::bucket/`), or of every bucket whose name starts with a prefix
 * (`arn:aws:s3:::phi-transcripts-`)? `partial` when it matches some of them only.
 */
function arnSetCoverage(
  fs: Record<string, unknown>,
  arnPrefix: string,
  reading: Reading,
): "full" | "partial" | "none" {
  const list = (k: string) => stringList(fs, k);
  const byOperator = positiveOperators(fs).map(({ op, values }): "full" | "partial" | "none" => {
    if (op === "StartsWith") {
      if (values.some((p) => arnPrefix.startsWith(p))) return "full";
      return values.some((p) => p.startsWith(arnPrefix)) ? "partial" : "none";
    }
    // An exact ARN is one object; any suffix is borne by some keys, but not every key.
    if (op === "Equals") return values.some((v) => v.startsWith(arnPrefix)) ? "partial" : "none";
    return "partial";
  });
  let positive: "full" | "partial" | "none" = "full";
  if (byOperator.length > 0) {
    const ranks = byOperator.map((c) => RANK[c]);
    const rank = reading === "or" ? Math.max(...ranks) : Math.min(...ranks);
    positive = rank === 2 ? "full" : rank === 1 ? "partial" : "none";
  }
  if (positive === "none") return "none";
  // Exclusions: a whole-set exclusion removes it; any narrower one leaves part of it unrecorded.
  if (list("NotStartsWith").some((p) => arnPrefix.startsWith(p))) return "none";
  // NotEquals names one object; a bucket's own prefix (`arn:aws:s3:::bucket/`) would be an object
  // with an empty key, which S3 cannot hold, so it excludes nothing.
  const narrows =
    list("NotStartsWith").some((p) => p.startsWith(arnPrefix)) ||
    list("NotEquals").some((v) => v.startsWith(arnPrefix) && namesAnObject(v)) ||
    list("NotEndsWith").length > 0;
  return narrows ? "partial" : positive;
}

/**
 * Coverage of S3 *object reads* of one bucket — every event the access detectors count as a PHI read
 * ({@link S3_READ_EVENTS}: `GetObject` and `SelectObjectContent`, read-only data events logged under
 * the object's ARN) — by a trail's selectors — classic `EventSelectors` (`DataResources` of type `AWS::S3::Object` whose values are
 * ARN prefixes in the trail's partition — its ARN's, else its home region's: `arn:aws:s3` or `arn:aws:s3:::` = every bucket, `arn:aws:s3:::bucket/` = the whole
 * bucket, longer = a prefix only) or `AdvancedEventSelectors` (`eventCategory` = Data,
 * `resources.type` = AWS::S3::Object, `resources.ARN` Equals / StartsWith / EndsWith and their Not*
 * forms, `readOnly`, `eventName`, `eventSource`; a filter on any other field records only some reads,
 * so counts as partial). A trail with advanced selectors ignores classic ones, as CloudTrail does.
 * A field selector that mixes positive operators (`StartsWith` and `EndsWith`, say) has no documented
 * meaning: when coverage is full under one reading (OR) but not under the other (AND), it is
 * `unknown` — never `full`.
 * `bucket` may also be `{ prefix }`: every bucket whose name starts with it (`{ prefix: "" }` = any
 * bucket), as a baseline's prefix and tag entries stand for buckets not known by name.
 * Region and logging status are not considered here (see {@link trailCoversBucketReads}).
 *
 * @example
 * ```ts
 * s3ReadCoverage(trailView(trail), "phi-recordings").coverage; // "full"
 * s3ReadCoverage(trailView(trail), { prefix: "phi-transcripts-" }).coverage; // "partial"
 * ```
 */
export function s3ReadCoverage(trail: TrailView, bucket: string | { prefix: string }): CoverageResult {
  // Selectors name objects in the trail's own partition (`arn:aws-us-gov:s3:::bucket/` in GovCloud):
  // its ARN's, or its home region's when no ARN was recorded.
  const partition = partitionOfResource({ arn: trail.arn, region: trail.homeRegion });
  const objectPrefix =
    typeof bucket === "string"
      ? `arn:${partition}:s3:::${bucket}/`
      : `arn:${partition}:s3:::${bucket.prefix}`;
  if (trail.advancedEventSelectors && trail.advancedEventSelectors.length > 0) {
    const strict = advancedCoverage(trail.advancedEventSelectors, objectPrefix, "and");
    if (strict.coverage === "full") return strict;
    const lenient = advancedCoverage(trail.advancedEventSelectors, objectPrefix, "or");
    if (lenient.coverage !== "full") return lenient;
    return {
      coverage: "unknown",
      ...(lenient.selector ? { selector: lenient.selector } : {}),
      reason: "a field selector mixes Equals/StartsWith/EndsWith, whose combination AWS does not document",
    };
  }
  if (trail.eventSelectors === undefined)
    return trail.hasCustomEventSelectors === false
      ? { coverage: "none", reason: "default selector: management events only, no data events" }
      : { coverage: "unknown", reason: "event selectors not read" };
  let best: CoverageResult = { coverage: "none", reason: "no classic selector records S3 object reads" };
  trail.eventSelectors.forEach((raw, i) => {
    const sel = obj(raw);
    const rwField = field(sel, "ReadWriteType");
    const rw = typeof rwField === "string" ? rwField : "All";
    if (rw === "WriteOnly") return;
    const dataResources = field(sel, "DataResources");
    const resources = Array.isArray(dataResources) ? dataResources : [];
    for (const dr of resources) {
      const d = obj(dr);
      const values = field(d, "Values");
      if (field(d, "Type") !== "AWS::S3::Object" || !Array.isArray(values)) continue;
      for (const v of values) {
        if (typeof v !== "string") continue;
        let c: "full" | "partial" | "none" = "none";
        if (objectPrefix.startsWith(v)) c = "full";
        else if (v.startsWith(objectPrefix)) c = "partial";
        if (RANK[c] > RANK[best.coverage as keyof typeof RANK])
          best = {
            coverage: c,
            selector: `EventSelectors[${i}]`,
            reason: c === "full" ? `DataResources value ${v}` : "DataResources covers an object prefix only",
          };
      }
    }
  });
  return best;
}

/**
 * Coverage of every PHI read (each of {@link S3_READ_EVENTS}) by advanced selectors, under one reading
 * of mixed operators. Per event name, the best selector (each one alone); the reads are covered when
 * every name is — one selector for GetObject and another for SelectObjectContent add up. A name no
 * selector records, or records only in part, is a definite miss whatever the others do.
 */
function advancedCoverage(
  selectors: readonly unknown[],
  objectPrefix: string,
  reading: Reading,
): CoverageResult {
  const perName = S3_READ_EVENTS.map((eventName) => ({
    eventName,
    r: advancedNameCoverage(selectors, objectPrefix, reading, eventName),
  }));
  const missed = perName.filter((p) => p.r.coverage === "none" || p.r.coverage === "partial");
  if (missed.length > 0) {
    // Every name recorded nowhere: none. Otherwise some read is recorded and another is not: partial.
    const worst = missed.find((p) => p.r.coverage === "none") ?? missed[0]!;
    if (missed.every((p) => p.r.coverage === "none") && missed.length === perName.length)
      return { ...worst.r, reason: "no advanced selector records S3 object reads" };
    const recorded = perName.filter((p) => p.r.coverage !== "none").map((p) => p.eventName);
    return {
      coverage: "partial",
      ...(worst.r.selector ? { selector: worst.r.selector } : {}),
      reason:
        worst.r.coverage === "none"
          ? `records ${recorded.join(", ")} but not ${worst.eventName} (${worst.r.reason})`
          : `${worst.eventName}: ${worst.r.reason}`,
    };
  }
  const unknown = perName.find((p) => p.r.coverage === "unknown");
  if (unknown) return unknown.r;
  const first = perName[0]!.r;
  return {
    coverage: "full",
    ...(first.selector ? { selector: first.selector } : {}),
    reason: `records ${S3_READ_EVENTS.join(" and ")} on every object`,
  };
}

/** Best coverage of one read event name over advanced selectors (each one alone). */
function advancedNameCoverage(
  selectors: readonly unknown[],
  objectPrefix: string,
  reading: Reading,
  eventName: string,
): CoverageResult {
  let best: CoverageResult = { coverage: "none", reason: `no advanced selector records ${eventName}` };
  let partial = 0;
  selectors.forEach((raw, i) => {
    const sel = obj(raw);
    const n = field(sel, "Name");
    const name = typeof n === "string" ? ` "${n.slice(0, 64)}"` : "";
    const label = `AdvancedEventSelectors[${i}]${name}`;
    const r = advancedSelectorCoverage(sel, objectPrefix, reading, eventName);
    if (r.coverage === "partial") partial++;
    if (RANK[r.coverage] > RANK[best.coverage as keyof typeof RANK])
      best = { coverage: r.coverage, selector: label, reason: r.reason };
  });
  // Two partial selectors may add up to every read (EndsWith .wav and NotEndsWith .wav): not computed.
  if (best.coverage === "partial" && partial > 1)
    return {
      coverage: "unknown",
      reason: "several selectors each record part of the reads; their union is not computed",
    };
  return best;
}

const KNOWN_FIELDS = new Set([
  "eventCategory",
  "resources.type",
  "resources.ARN",
  "readOnly",
  "eventName",
  "eventSource",
]);

function advancedSelectorCoverage(
  sel: Record<string, unknown> | undefined,
  objectPrefix: string,
  reading: Reading,
  eventName: string,
): { coverage: "full" | "partial" | "none"; reason: string } {
  const fields = fieldSelectors(sel);
  const byField = new Map<string, Record<string, unknown>[]>();
  for (const f of fields) {
    const name = field(f, "Field");
    if (!f || typeof name !== "string") continue;
    const list = byField.get(name) ?? [];
    list.push(f);
    byField.set(name, list);
  }
  const all = (name: string, value: string) =>
    (byField.get(name) ?? []).every((f) => fieldMatches(f, value, reading));
  if (!byField.has("eventCategory") || !all("eventCategory", "Data"))
    return { coverage: "none", reason: "not a data-event selector" };
  if (!byField.has("resources.type") || !all("resources.type", "AWS::S3::Object"))
    return { coverage: "none", reason: "not AWS::S3::Object" };
  if (!all("readOnly", "true")) return { coverage: "none", reason: "write events only (readOnly=false)" };
  if (!all("eventName", eventName)) return { coverage: "none", reason: `eventName excludes ${eventName}` };
  if (!all("eventSource", "s3.amazonaws.com")) return { coverage: "none", reason: "eventSource excludes S3" };
  let coverage: "full" | "partial" | "none" = "full";
  for (const f of byField.get("resources.ARN") ?? []) {
    const c = arnSetCoverage(f, objectPrefix, reading);
    if (RANK[c] < RANK[coverage]) coverage = c;
  }
  if (coverage === "none") return { coverage, reason: "resources.ARN excludes the bucket" };
  const others = [...byField.keys()].filter((k) => !KNOWN_FIELDS.has(k));
  if (others.length > 0) return { coverage: "partial", reason: `also filters on ${others.join(", ")}` };
  return {
    coverage,
    reason:
      coverage === "full" ? `records ${eventName} on every object` : "resources.ARN covers some objects only",
  };
}

/** Whether a trail records every management event, read-only and write, and which sources it drops. */
export interface ManagementCoverage {
  /** `undefined` = selectors not read. */
  records: boolean | undefined;
  /** Event sources some kind of management event is not recorded for (`ExcludeManagementEventSources`, advanced `eventSource` NotEquals). */
  excludedSources: string[];
  /** The kinds of management event no selector records: `read-only` (KMS Decrypt, Describe*, Get*…), `write`. */
  unrecorded: Array<"read-only" | "write">;
}

/**
 * Which management events a trail records: the default selector, classic selectors with
 * `IncludeManagementEvents` less their `ExcludeManagementEventSources` (read-only events unless
 * `ReadWriteType` is WriteOnly, writes unless it is ReadOnly), or advanced selectors with
 * `eventCategory = Management` (read-only events unless `readOnly` excludes `true`, writes unless it
 * excludes `false`) less the sources their `eventSource` NotEquals drops (kms.amazonaws.com,
 * rdsdata.amazonaws.com). Read-only events and writes of every source must each be recorded by some
 * selector: a PHI key's Decrypt is a read-only management event, so a write-only trail leaves
 * kms-decrypt-anomaly blind, and a trail that drops KMS events leaves key tampering unrecorded too.
 *
 * @example
 * ```ts
 * managementCoverage(trailView(trail)); // { records: false, excludedSources: ["kms.amazonaws.com"], unrecorded: [] }
 * ```
 */
export function managementCoverage(trail: TrailView): ManagementCoverage {
  // Per selector that records management reads (writes): the sources it drops.
  const reads: string[][] = [];
  const writes: string[][] = [];
  if (trail.advancedEventSelectors && trail.advancedEventSelectors.length > 0) {
    for (const raw of trail.advancedEventSelectors) {
      const fields = fieldSelectors(obj(raw)).filter((f): f is Record<string, unknown> => f !== undefined);
      const of = (name: string) => fields.filter((f) => field(f, "Field") === name);
      const cat = of("eventCategory");
      if (cat.length === 0 || !cat.every((f) => fieldMatches(f, "Management"))) continue;
      const readOnly = of("readOnly");
      const recordsReads = readOnly.every((f) => fieldMatches(f, "true"));
      const recordsWrites = readOnly.every((f) => fieldMatches(f, "false"));
      if (!recordsReads && !recordsWrites) continue;
      // Only NotEquals on eventSource names what it drops; any other filter records an unknown subset.
      const src = of("eventSource");
      const others = fields.filter(
        (f) => !["eventCategory", "readOnly", "eventSource"].includes(String(field(f, "Field"))),
      );
      const onlyNotEquals = src.every((f) =>
        ["Equals", "StartsWith", "EndsWith", "NotStartsWith", "NotEndsWith"].every(
          (k) => stringList(f, k).length === 0,
        ),
      );
      if (others.length > 0 || !onlyNotEquals) continue;
      const dropped = src.flatMap((f) => stringList(f, "NotEquals"));
      if (recordsReads) reads.push(dropped);
      if (recordsWrites) writes.push(dropped);
    }
  } else {
    if (trail.eventSelectors === undefined)
      return {
        records: trail.hasCustomEventSelectors === false ? true : undefined,
        excludedSources: [],
        unrecorded: [],
      };
    for (const raw of trail.eventSelectors) {
      const sel = obj(raw);
      if (bool(field(sel, "IncludeManagementEvents")) === false) continue;
      const rw = field(sel, "ReadWriteType");
      const excluded = field(sel, "ExcludeManagementEventSources");
      const dropped = Array.isArray(excluded)
        ? excluded.filter((x): x is string => typeof x === "string")
        : [];
      if (rw !== "WriteOnly") reads.push(dropped);
      if (rw !== "ReadOnly") writes.push(dropped);
    }
  }
  const unrecorded: Array<"read-only" | "write"> = [];
  if (reads.length === 0) unrecorded.push("read-only");
  if (writes.length === 0) unrecorded.push("write");
  // A source is dropped for a kind of event when every selector recording that kind drops it.
  const droppedByAll = (drops: string[][]) =>
    drops.length === 0 ? [] : [...new Set(drops[0])].filter((s) => drops.every((d) => d.includes(s)));
  const excludedSources = [...new Set([...droppedByAll(reads), ...droppedByAll(writes)])].sort();
  return { records: unrecorded.length === 0 && excludedSources.length === 0, excludedSources, unrecorded };
}

/**
 * Whether a trail records management events, read-only and write, of every event source: see
 * {@link managementCoverage}.
 */
export function recordsManagementEvents(trail: TrailView): boolean | undefined {
  return managementCoverage(trail).records;
}

/** Verdict of one trail on one bucket's reads, region and logging status included. */
export interface TrailBucketCoverage extends CoverageResult {
  trail: string;
  /** The S3 error code of a trail whose log delivery fails or cannot be told (GetTrailStatus). */
  deliveryError?: string;
}

/**
 * Whether one trail records reads of one bucket: it must log (`IsLogging`), deliver its log files to
 * S3 (a trail whose latest delivery attempt failed records nothing: `none`; an error nothing orders
 * against the last delivery: `unknown` — see {@link TrailView.logDelivery}), reach the bucket's
 * region (multi-region, or single-region in the bucket's region — S3 data events are delivered in
 * the bucket's region) and select the bucket's object reads in full.
 *
 * @example
 * ```ts
 * trailCoversBucketReads(trailSnapshot, { name: "phi-recordings", region: "us-east-1" }).coverage;
 * ```
 */
export function trailCoversBucketReads(
  trail: ResourceSnapshot,
  bucket: { name: string; region?: string },
): TrailBucketCoverage {
  const t = trailView(trail);
  const label = t.name;
  if (trail.state !== "present") return { trail: label, coverage: "none", reason: "trail deleted" };
  if (!t.multiRegion && bucket.region !== undefined && bucket.region !== t.homeRegion)
    return { trail: label, coverage: "none", reason: `single-region trail in ${t.homeRegion}` };
  const sel = s3ReadCoverage(t, bucket.name);
  if (sel.coverage === "none") return { trail: label, ...sel };
  // Data events S3 refuses (bucket deleted, its policy or key refusing CloudTrail) are kept nowhere.
  const d = deliveryProblem(t);
  if (t.isLogging !== false && d?.state === "failing")
    return { trail: label, coverage: "none", reason: d.reason, deliveryError: d.deliveryError };
  if (sel.coverage === "partial") return { trail: label, ...sel };
  if (t.isLogging === false) return { trail: label, coverage: "none", reason: "trail is not logging" };
  if (!t.multiRegion && bucket.region === undefined)
    return {
      trail: label,
      coverage: "unknown",
      reason: "single-region trail and the bucket's region is unknown",
    };
  if (t.isLogging === undefined)
    return {
      trail: label,
      coverage: "unknown",
      reason: "logging status not read",
      ...(sel.selector ? { selector: sel.selector } : {}),
    };
  if (d?.state === "unknown")
    return {
      trail: label,
      coverage: "unknown",
      reason: d.reason,
      ...(sel.selector ? { selector: sel.selector } : {}),
      deliveryError: d.deliveryError,
    };
  return { trail: label, ...sel };
}

/**
 * Best coverage of a bucket's reads over several trails (`full` beats `unknown` beats `partial`
 * beats `none`; among equals, a trail with a delivery error — one that selects the bucket — is named),
 * with every trail's verdict for evidence.
 */
export function bucketReadCoverage(
  trails: readonly ResourceSnapshot[],
  bucket: { name: string; region?: string },
): { coverage: Coverage; by?: TrailBucketCoverage; trails: TrailBucketCoverage[] } {
  const order: Record<Coverage, number> = { none: 0, partial: 1, unknown: 2, full: 3 };
  const results = trails.map((t) => trailCoversBucketReads(t, bucket));
  let by: TrailBucketCoverage | undefined;
  for (const r of results)
    if (
      !by ||
      order[r.coverage] > order[by.coverage] ||
      (order[r.coverage] === order[by.coverage] && r.deliveryError && !by.deliveryError)
    )
      by = r;
  // Two trails that each record part of the reads may record all of them together: cannot prove either way.
  if (by?.coverage === "partial" && results.filter((r) => r.coverage === "partial").length > 1)
    by = {
      ...by,
      coverage: "unknown",
      reason: "several trails each record part of the reads; their union is not computed",
    };
  return { coverage: by?.coverage ?? "none", ...(by ? { by } : {}), trails: results };
}
