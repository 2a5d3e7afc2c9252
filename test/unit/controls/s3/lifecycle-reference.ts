import fc from "fast-check";

/**
 * A concrete model of S3 Lifecycle for the s3-retention-lifecycle properties: which objects of a
 * finite universe a rule set expires, and when, per the S3 User Guide (intro-lifecycle-rules,
 * intro-lifecycle-filters, lifecycle-expire-general-considerations, lifecycle-conflicts):
 * - a filter holds at most one prefix, any tags (key and value both exact) and size bounds that
 *   exclude their own value; an empty filter (or a rule-level `Prefix` of "") is the whole bucket;
 * - `Expiration.Days` ends an object's life as the current version E days after creation; a `Date`
 *   applies to every qualifying object, also after the date has passed ("not a one-time action"), so
 *   an object created the day before is expired within a day;
 * - `NoncurrentVersionExpiration` permanently deletes a version N days after it became noncurrent (an
 *   overwrite on the day of creation makes that N days of life), and only once more than
 *   `NewerNoncurrentVersions` newer noncurrent versions exist: the newest K are kept for ever;
 * - transitions, `AbortIncompleteMultipartUpload` and `ExpiredObjectDeleteMarker` delete no object data;
 * - disabled rules do nothing.
 */

export interface Filter {
  /** A rule-level `Prefix` (legacy, V1) instead of a `Filter`. */
  legacy?: string;
  prefix?: string;
  tags: Array<[string, string]>;
  gt?: number;
  lt?: number;
  /** Written as an `And` (two or more predicates). */
  and?: boolean;
}

export interface Rule {
  id: string;
  enabled: boolean;
  filter: Filter;
  expDays?: number;
  /** Midnight UTC, in any form a recorder may write: ISO string, epoch milliseconds, a `Date`. */
  expDate?: string | number | Date;
  ncDays?: number;
  newer?: number;
  deleteMarker?: boolean;
  transitionDays?: number;
  abortDays?: number;
}

export interface S3Object {
  key: string;
  tags: Record<string, string>;
  size: number;
}

export const KEYS = ["a", "a/b", "ab", "b", "logs/x", "docs/y"];
export const PREFIXES = ["", "a", "a/", "b", "logs/", "zz"];
const TAG_SETS: Array<Record<string, string>> = [
  {},
  { k1: "v1" },
  { k1: "v2" },
  { k2: "" },
  { k1: "v1", k2: "v1" },
];
const THRESHOLDS = [0, 1, 127, 128, 999, 1_000_000];
/** Every size on either side of every threshold, so a gap between two size filters holds an object. */
const SIZES = [...new Set([0, 1_000_000_000, ...THRESHOLDS.flatMap((t) => [t - 1, t, t + 1])])].filter(
  (s) => s >= 0,
);
export const DAYS = [1, 30, 99, 100, 101, 365, 2555];

export const UNIVERSE: S3Object[] = KEYS.flatMap((key) =>
  TAG_SETS.flatMap((tags) => SIZES.map((size) => ({ key, tags, size }))),
);

export function matches(f: Filter, o: S3Object): boolean {
  const prefix = f.legacy ?? f.prefix ?? "";
  if (!o.key.startsWith(prefix)) return false;
  if (f.tags.some(([k, v]) => o.tags[k] !== v)) return false;
  if (f.gt !== undefined && !(o.size > f.gt)) return false;
  if (f.lt !== undefined && !(o.size < f.lt)) return false;
  return true;
}

export type Versioning = "Enabled" | "Suspended" | "Off" | undefined;

/** Some object of the universe loses its current version, or a version of it is deleted, before `retention` days. */
export function expiresEarly(rules: Rule[], retention: number, versioning: Versioning): boolean {
  // A never-versioned bucket has no noncurrent versions for NoncurrentVersionExpiration to delete.
  const mayHaveVersions = versioning !== "Off";
  return rules.some(
    (r) =>
      r.enabled &&
      UNIVERSE.some((o) => matches(r.filter, o)) &&
      ((r.expDays !== undefined && r.expDays < retention) ||
        r.expDate !== undefined ||
        (mayHaveVersions && r.ncDays !== undefined && r.ncDays < retention)),
  );
}

/** Objects whose current version no enabled rule ever expires. */
export function neverExpired(rules: Rule[]): S3Object[] {
  return UNIVERSE.filter(
    (o) =>
      !rules.some(
        (r) => r.enabled && matches(r.filter, o) && (r.expDays !== undefined || r.expDate !== undefined),
      ),
  );
}

/** Objects some of whose noncurrent versions no enabled rule ever deletes. */
export function noncurrentKept(rules: Rule[]): S3Object[] {
  return UNIVERSE.filter(
    (o) =>
      !rules.some(
        (r) => r.enabled && matches(r.filter, o) && r.ncDays !== undefined && r.newer === undefined,
      ),
  );
}

// ---- generators ----

const tag = fc.tuple(fc.constantFrom("k1", "k2"), fc.constantFrom("v1", "v2", ""));

export const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constant<Filter>({ tags: [] }),
  fc.constantFrom(...PREFIXES).map((legacy): Filter => ({ legacy, tags: [] })),
  fc.constantFrom(...PREFIXES).map((prefix): Filter => ({ prefix, tags: [] })),
  tag.map((t): Filter => ({ tags: [t] })),
  fc.constantFrom(...THRESHOLDS).map((gt): Filter => ({ gt, tags: [] })),
  fc.constantFrom(...THRESHOLDS.filter((t) => t > 0)).map((lt): Filter => ({ lt, tags: [] })),
  // And: at least two predicates, unique tag keys, gt < lt.
  fc
    .record({
      prefix: fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
      tags: fc.uniqueArray(tag, { maxLength: 2, selector: (t) => t[0] }),
      gt: fc.option(fc.constantFrom(...THRESHOLDS), { nil: undefined }),
      lt: fc.option(fc.constantFrom(...THRESHOLDS.filter((t) => t > 0)), { nil: undefined }),
    })
    .filter(
      (a) =>
        [a.prefix !== undefined, a.gt !== undefined, a.lt !== undefined].filter(Boolean).length +
          a.tags.length >=
          2 &&
        (a.gt === undefined || a.lt === undefined || a.gt < a.lt),
    )
    .map(
      (a): Filter => ({
        tags: a.tags,
        ...(a.prefix !== undefined ? { prefix: a.prefix } : {}),
        ...(a.gt !== undefined ? { gt: a.gt } : {}),
        ...(a.lt !== undefined ? { lt: a.lt } : {}),
        and: true,
      }),
    ),
);

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

export const ruleArb: fc.Arbitrary<Rule> = fc
  .record({
    enabled: fc.boolean(),
    filter: filterArb,
    expDays: maybe(fc.constantFrom(...DAYS)),
    expDate: maybe(
      fc.constantFrom<string | number | Date>(
        "2020-01-01T00:00:00.000Z",
        "2099-01-01T00:00:00.000Z",
        Date.parse("2030-01-01T00:00:00Z"),
        new Date("2030-01-01T00:00:00Z"),
      ),
    ),
    ncDays: maybe(fc.constantFrom(...DAYS)),
    newer: maybe(fc.constantFrom(1, 5, 100)),
    deleteMarker: fc.boolean(),
    transitionDays: maybe(fc.constantFrom(0, 30, 90)),
    abortDays: maybe(fc.constantFrom(1, 7)),
  })
  .map((r) => {
    // Days and Date exclude each other, and both exclude ExpiredObjectDeleteMarker;
    // NewerNoncurrentVersions needs NoncurrentDays.
    const out: Rule = { id: "", enabled: r.enabled, filter: r.filter };
    if (r.expDays !== undefined) out.expDays = r.expDays;
    else if (r.expDate !== undefined) out.expDate = r.expDate;
    else if (r.deleteMarker) out.deleteMarker = true;
    if (r.ncDays !== undefined) {
      out.ncDays = r.ncDays;
      if (r.newer !== undefined) out.newer = r.newer;
    }
    if (r.transitionDays !== undefined) out.transitionDays = r.transitionDays;
    if (r.abortDays !== undefined && r.filter.tags.length === 0) out.abortDays = r.abortDays;
    return out;
  });

export const rulesArb = fc
  .array(ruleArb, { maxLength: 4 })
  .map((rs) => rs.map((r, i) => ({ ...r, id: `r${i}` })));

// ---- serialisers: the same rule set as Config records it and as GetBucketLifecycleConfiguration returns it ----

function configPredicate(f: Filter): Record<string, unknown> | null {
  const parts: Record<string, unknown>[] = [];
  if (f.prefix !== undefined) parts.push({ type: "LifecyclePrefixPredicate", prefix: f.prefix });
  for (const [key, value] of f.tags) parts.push({ type: "LifecycleTagPredicate", tag: { key, value } });
  if (f.gt !== undefined)
    parts.push({ type: "LifecycleObjectSizeGreaterThanPredicate", objectSizeGreaterThan: f.gt });
  if (f.lt !== undefined)
    parts.push({ type: "LifecycleObjectSizeLessThanPredicate", objectSizeLessThan: f.lt });
  if (f.and) return { type: "LifecycleAndOperator", operands: parts };
  return parts[0] ?? null;
}

/** Config's shape (AWS SDK for Java v1 `BucketLifecycleConfiguration.Rule`, -1 for an unset day count). */
export function toConfig(rules: Rule[]): Record<string, unknown> {
  return {
    rules: rules.map((r) => ({
      id: r.id,
      prefix: r.filter.legacy ?? null,
      status: r.enabled ? "Enabled" : "Disabled",
      filter: r.filter.legacy !== undefined ? null : { predicate: configPredicate(r.filter) },
      expirationInDays: r.expDays ?? -1,
      expiredObjectDeleteMarker: r.deleteMarker ?? false,
      noncurrentVersionExpirationInDays: r.ncDays ?? -1,
      expirationDate: r.expDate ?? null,
      transitions:
        r.transitionDays !== undefined
          ? [{ days: r.transitionDays, date: null, storageClass: "GLACIER" }]
          : null,
      noncurrentVersionTransitions: null,
      abortIncompleteMultipartUpload: r.abortDays !== undefined ? { daysAfterInitiation: r.abortDays } : null,
    })),
  };
}

function apiFilter(f: Filter): Record<string, unknown> {
  if (f.and)
    return {
      And: {
        ...(f.prefix !== undefined ? { Prefix: f.prefix } : {}),
        ...(f.tags.length ? { Tags: f.tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
        ...(f.gt !== undefined ? { ObjectSizeGreaterThan: f.gt } : {}),
        ...(f.lt !== undefined ? { ObjectSizeLessThan: f.lt } : {}),
      },
    };
  if (f.prefix !== undefined) return { Prefix: f.prefix };
  if (f.tags[0]) return { Tag: { Key: f.tags[0][0], Value: f.tags[0][1] } };
  if (f.gt !== undefined) return { ObjectSizeGreaterThan: f.gt };
  if (f.lt !== undefined) return { ObjectSizeLessThan: f.lt };
  return {};
}

/** The API's shape (GetBucketLifecycleConfiguration as JSON). */
export function toApi(rules: Rule[]): Record<string, unknown> {
  return {
    Rules: rules.map((r) => ({
      ID: r.id,
      Status: r.enabled ? "Enabled" : "Disabled",
      ...(r.filter.legacy !== undefined ? { Prefix: r.filter.legacy } : { Filter: apiFilter(r.filter) }),
      ...(r.expDays !== undefined
        ? { Expiration: { Days: r.expDays } }
        : r.expDate !== undefined
          ? { Expiration: { Date: r.expDate } }
          : r.deleteMarker
            ? { Expiration: { ExpiredObjectDeleteMarker: true } }
            : {}),
      ...(r.ncDays !== undefined
        ? {
            NoncurrentVersionExpiration: {
              NoncurrentDays: r.ncDays,
              ...(r.newer !== undefined ? { NewerNoncurrentVersions: r.newer } : {}),
            },
          }
        : {}),
      ...(r.transitionDays !== undefined
        ? { Transitions: [{ Days: r.transitionDays, StorageClass: "GLACIER" }] }
        : {}),
      ...(r.abortDays !== undefined
        ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.abortDays } }
        : {}),
    })),
  };
}
