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
 * - `supplementary.TrailStatus`: GetTrailStatus response (`IsLogging`, …).
 * Settings are read from Config's camelCase or DescribeTrails' PascalCase alike, and so are selectors
 * (the API's PascalCase, or the camelCase of a CloudTrail record's `PutEventSelectors` parameters). Missing selectors
 * or status make coverage "unknown", which the controls report as "cannot prove", never as a pass.
 */
export const TRAIL_TYPE = "AWS::CloudTrail::Trail";

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
  /** `undefined` = selectors not read. */
  eventSelectors?: unknown[];
  advancedEventSelectors?: unknown[];
  /** Config's flag: false means the default selector (all management events, no data events). */
  hasCustomEventSelectors?: boolean;
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

/** One advanced field selector as a predicate on a string value. */
function fieldMatches(fs: Record<string, unknown>, value: string): boolean {
  const list = (k: string) => {
    const v = field(fs, k);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
  };
  const eq = list("Equals");
  const sw = list("StartsWith");
  const ew = list("EndsWith");
  const positives = [eq, sw, ew].some((l) => l !== undefined && l.length > 0);
  const positive =
    !positives ||
    (eq ?? []).includes(value) ||
    (sw ?? []).some((p) => value.startsWith(p)) ||
    (ew ?? []).some((p) => value.endsWith(p));
  const negative =
    (list("NotEquals") ?? []).includes(value) ||
    (list("NotStartsWith") ?? []).some((p) => value.startsWith(p)) ||
    (list("NotEndsWith") ?? []).some((p) => value.endsWith(p));
  return positive && !negative;
}

/**
 * Does an `resources.ARN` field selector match every object ARN of the bucket
 * (`arn:aws:s3:::bucket/<any key>`)? `partial` when it matches some of them only.
 */
function arnSetCoverage(
  fs: Record<string, unknown>,
  bucketObjectPrefix: string,
): "full" | "partial" | "none" {
  const list = (k: string) => {
    const v = field(fs, k);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  };
  const eq = list("Equals");
  const sw = list("StartsWith");
  const ew = list("EndsWith");
  let positive: "full" | "partial" | "none";
  if (eq.length + sw.length + ew.length === 0) positive = "full";
  else if (sw.some((p) => bucketObjectPrefix.startsWith(p)) || ew.includes("")) positive = "full";
  else if (
    sw.some((p) => p.startsWith(bucketObjectPrefix)) ||
    eq.some((v) => v.startsWith(bucketObjectPrefix)) ||
    ew.length > 0
  )
    positive = "partial";
  else positive = "none";
  if (positive === "none") return "none";
  // Exclusions: a whole-bucket exclusion removes it; any narrower one leaves part of it unrecorded.
  if (list("NotStartsWith").some((p) => bucketObjectPrefix.startsWith(p))) return "none";
  // NotEquals names one object; the bucket prefix itself would be an object with an empty key,
  // which S3 cannot hold, so it excludes nothing.
  const narrows =
    list("NotStartsWith").some((p) => p.startsWith(bucketObjectPrefix)) ||
    list("NotEquals").some((v) => v.startsWith(bucketObjectPrefix) && v !== bucketObjectPrefix) ||
    list("NotEndsWith").length > 0;
  return narrows ? "partial" : positive;
}

const RANK = { none: 0, partial: 1, full: 2 } as const;

/**
 * Coverage of S3 *object reads* (`GetObject`, read-only data events) of one bucket by a trail's
 * selectors — classic `EventSelectors` (`DataResources` of type `AWS::S3::Object` whose values are
 * ARN prefixes in the trail's partition: `arn:aws:s3` or `arn:aws:s3:::` = every bucket, `arn:aws:s3:::bucket/` = the whole
 * bucket, longer = a prefix only) or `AdvancedEventSelectors` (`eventCategory` = Data,
 * `resources.type` = AWS::S3::Object, `resources.ARN` Equals / StartsWith / EndsWith and their Not*
 * forms, `readOnly`, `eventName`, `eventSource`; a filter on any other field records only some reads,
 * so counts as partial). A trail with advanced selectors ignores classic ones, as CloudTrail does.
 * Region and logging status are not considered here (see {@link trailCoversBucketReads}).
 *
 * @example
 * ```ts
 * s3ReadCoverage(trailView(trail), "phi-recordings").coverage; // "full"
 * ```
 */
export function s3ReadCoverage(trail: TrailView, bucket: string): CoverageResult {
  // Selectors name objects in the trail's own partition (`arn:aws-us-gov:s3:::bucket/` in GovCloud).
  const partition = trail.arn?.startsWith("arn:") ? trail.arn.split(":")[1] || "aws" : "aws";
  const objectPrefix = `arn:${partition}:s3:::${bucket}/`;
  if (trail.advancedEventSelectors && trail.advancedEventSelectors.length > 0) {
    let best: CoverageResult = { coverage: "none", reason: "no advanced selector records S3 object reads" };
    trail.advancedEventSelectors.forEach((raw, i) => {
      const sel = obj(raw);
      const n = field(sel, "Name");
      const name = typeof n === "string" ? ` "${n.slice(0, 64)}"` : "";
      const label = `AdvancedEventSelectors[${i}]${name}`;
      const r = advancedSelectorCoverage(sel, objectPrefix);
      if (RANK[r.coverage] > RANK[best.coverage as keyof typeof RANK])
        best = { coverage: r.coverage, selector: label, reason: r.reason };
    });
    return best;
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
  const all = (name: string, value: string) => (byField.get(name) ?? []).every((f) => fieldMatches(f, value));
  if (!byField.has("eventCategory") || !all("eventCategory", "Data"))
    return { coverage: "none", reason: "not a data-event selector" };
  if (!byField.has("resources.type") || !all("resources.type", "AWS::S3::Object"))
    return { coverage: "none", reason: "not AWS::S3::Object" };
  if (!all("readOnly", "true")) return { coverage: "none", reason: "write events only (readOnly=false)" };
  if (!all("eventName", "GetObject")) return { coverage: "none", reason: "eventName excludes GetObject" };
  if (!all("eventSource", "s3.amazonaws.com")) return { coverage: "none", reason: "eventSource excludes S3" };
  let coverage: "full" | "partial" | "none" = "full";
  for (const f of byField.get("resources.ARN") ?? []) {
    const c = arnSetCoverage(f, objectPrefix);
    if (RANK[c] < RANK[coverage]) coverage = c;
  }
  if (coverage === "none") return { coverage, reason: "resources.ARN excludes the bucket" };
  const others = [...byField.keys()].filter((k) => !KNOWN_FIELDS.has(k));
  if (others.length > 0) return { coverage: "partial", reason: `also filters on ${others.join(", ")}` };
  return {
    coverage,
    reason:
      coverage === "full" ? "records GetObject on every object" : "resources.ARN covers some objects only",
  };
}

/**
 * Whether a trail records management events (read and write, or at least write): the default
 * selector, a classic selector with `IncludeManagementEvents` (not ReadOnly), or an advanced
 * selector with `eventCategory = Management` that does not restrict to read-only events.
 */
export function recordsManagementEvents(trail: TrailView): boolean | undefined {
  if (trail.advancedEventSelectors && trail.advancedEventSelectors.length > 0) {
    return trail.advancedEventSelectors.some((raw) => {
      const fields = fieldSelectors(obj(raw));
      const cat = fields.filter((f) => field(f, "Field") === "eventCategory");
      const ro = fields.filter((f) => field(f, "Field") === "readOnly");
      return (
        cat.length > 0 &&
        cat.every((f) => fieldMatches(f!, "Management")) &&
        ro.every((f) => fieldMatches(f!, "false"))
      );
    });
  }
  if (trail.eventSelectors === undefined) return trail.hasCustomEventSelectors === false ? true : undefined;
  if (trail.eventSelectors.length === 0) return false;
  return trail.eventSelectors.some((raw) => {
    const sel = obj(raw);
    return field(sel, "IncludeManagementEvents") !== false && field(sel, "ReadWriteType") !== "ReadOnly";
  });
}

/** Verdict of one trail on one bucket's reads, region and logging status included. */
export interface TrailBucketCoverage extends CoverageResult {
  trail: string;
}

/**
 * Whether one trail records reads of one bucket: it must log (`IsLogging`), reach the bucket's
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
  if (sel.coverage === "none" || sel.coverage === "partial") return { trail: label, ...sel };
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
  return { trail: label, ...sel };
}

/**
 * Best coverage of a bucket's reads over several trails (`full` beats `unknown` beats `partial`
 * beats `none`), with every trail's verdict for evidence.
 */
export function bucketReadCoverage(
  trails: readonly ResourceSnapshot[],
  bucket: { name: string; region?: string },
): { coverage: Coverage; by?: TrailBucketCoverage; trails: TrailBucketCoverage[] } {
  const order: Record<Coverage, number> = { none: 0, partial: 1, unknown: 2, full: 3 };
  const results = trails.map((t) => trailCoversBucketReads(t, bucket));
  let by: TrailBucketCoverage | undefined;
  for (const r of results) if (!by || order[r.coverage] > order[by.coverage]) by = r;
  return { coverage: by?.coverage ?? "none", ...(by ? { by } : {}), trails: results };
}
