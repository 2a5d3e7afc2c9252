import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketVersioningStatus, supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Thrown inside the reader: a recorded value that cannot be read (the control says "cannot prove"). */
class Unreadable {
  constructor(readonly field: string) {}
}

/**
 * A day count: a positive number (Config writes `60.0`; a numeric string is read too); absent, null
 * or Config's `-1` = not set. Anything else is unreadable, never "not set".
 */
function days(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === -1) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n === "number" && Number.isFinite(n) && n > 0) return n;
  throw new Unreadable(field);
}

/** Objects a rule selects: key prefix, how many tags, object size bounds (exclusive). */
interface Scope {
  prefix: string;
  tags: number;
  gt?: number;
  lt?: number;
  /** A predicate this reader does not know: selects an unknown subset. */
  other: boolean;
}

interface Rule {
  id: string;
  enabled: boolean;
  scope: Scope;
  expirationDays?: number;
  /** Date-based expiration, as recorded (ISO string, epoch number, Date): any form counts. */
  expirationDate?: unknown;
  noncurrentDays?: number;
  /** NewerNoncurrentVersions: the newest N noncurrent versions are never deleted. */
  newerNoncurrentVersions?: number;
}

const size = (v: unknown, field: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n === "number" && Number.isFinite(n) && n >= 0) return n;
  throw new Unreadable(field);
};

/** Add one predicate (Config's `filter.predicate` or an operand of its `LifecycleAndOperator`). */
function addConfigPredicate(scope: Scope, p: Record<string, unknown>): void {
  switch (p.type) {
    case "LifecyclePrefixPredicate":
      if (typeof p.prefix === "string") scope.prefix = p.prefix;
      else if (p.prefix !== null && p.prefix !== undefined) throw new Unreadable("filter.predicate.prefix");
      return;
    case "LifecycleTagPredicate":
      scope.tags++;
      return;
    case "LifecycleObjectSizeGreaterThanPredicate":
      scope.gt = size(p.objectSizeGreaterThan, "filter.predicate.objectSizeGreaterThan");
      return;
    case "LifecycleObjectSizeLessThanPredicate":
      scope.lt = size(p.objectSizeLessThan, "filter.predicate.objectSizeLessThan");
      return;
    case "LifecycleAndOperator": {
      const operands = Array.isArray(p.operands) ? p.operands : [];
      for (const o of operands) addConfigPredicate(scope, obj(o) ?? {});
      return;
    }
    default:
      scope.other = true;
  }
}

/** The API's `Filter` (`Prefix`, `Tag`, `ObjectSizeGreaterThan`, `ObjectSizeLessThan`, `And`). */
function addApiFilter(scope: Scope, f: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === null) continue;
    if (k === "Prefix" && typeof v === "string") scope.prefix = v;
    else if (k === "Tag") scope.tags++;
    else if (k === "Tags" && Array.isArray(v)) scope.tags += v.length;
    else if (k === "ObjectSizeGreaterThan") scope.gt = size(v, "Filter.ObjectSizeGreaterThan");
    else if (k === "ObjectSizeLessThan") scope.lt = size(v, "Filter.ObjectSizeLessThan");
    else if (k === "And" && obj(v)) addApiFilter(scope, obj(v)!);
    else scope.other = true;
  }
}

function scopeOf(x: Record<string, unknown>): Scope {
  const scope: Scope = { prefix: "", tags: 0, other: false };
  // The rule-level Prefix (lifecycle V1) in either casing; then the V2 Filter in Config's or the API's shape.
  const legacy = x.prefix ?? x.Prefix;
  if (typeof legacy === "string") scope.prefix = legacy;
  const predicate = obj(obj(x.filter)?.predicate);
  if (predicate) addConfigPredicate(scope, predicate);
  const apiFilter = obj(x.Filter);
  if (apiFilter) addApiFilter(scope, apiFilter);
  return scope;
}

/** Lifecycle rules in Config's shape (`expirationInDays`, `filter.predicate`) or the API's (`Expiration.Days`). */
function rules(c: Record<string, unknown>): Rule[] {
  const list = c.rules ?? c.Rules;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Unreadable("rules");
  return list.map((r, i): Rule => {
    const x = obj(r);
    if (!x) throw new Unreadable(`rules[${i}]`);
    const status = x.status ?? x.Status;
    if (status !== "Enabled" && status !== "Disabled") throw new Unreadable(`rules[${i}].status`);
    const exp = obj(x.Expiration);
    const nve = obj(x.noncurrentVersionExpiration) ?? obj(x.NoncurrentVersionExpiration);
    const expirationDate = x.expirationDate ?? exp?.Date;
    const expirationDays = days(x.expirationInDays ?? exp?.Days, `rules[${i}].expirationInDays`);
    const noncurrentDays = days(
      x.noncurrentVersionExpirationInDays ?? nve?.NoncurrentDays ?? nve?.noncurrentDays ?? nve?.days,
      `rules[${i}].noncurrentVersionExpirationInDays`,
    );
    const newer = days(
      nve?.NewerNoncurrentVersions ?? nve?.newerNoncurrentVersions,
      `rules[${i}].NewerNoncurrentVersions`,
    );
    return {
      id: typeof (x.id ?? x.ID) === "string" ? String(x.id ?? x.ID) : `#${i}`,
      enabled: status === "Enabled",
      scope: scopeOf(x),
      ...(expirationDays !== undefined ? { expirationDays } : {}),
      ...(expirationDate !== undefined && expirationDate !== null && expirationDate !== ""
        ? { expirationDate }
        : {}),
      ...(noncurrentDays !== undefined ? { noncurrentDays } : {}),
      ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}),
    };
  });
}

/**
 * Whether the rules together select every object of the bucket: some select every key and tag set,
 * and their size ranges (bounds exclusive, sizes whole bytes) leave no size out. A prefix or tag
 * filter never covers the bucket (S3 cannot exclude a prefix, and untagged objects exist).
 */
function coverBucket(rs: Rule[]): boolean {
  const ranges = rs
    .filter((r) => r.scope.prefix === "" && r.scope.tags === 0 && !r.scope.other)
    .map((r) => [r.scope.gt === undefined ? 0 : Math.floor(r.scope.gt) + 1, r.scope.lt ?? Infinity] as const)
    .sort((a, b) => a[0] - b[0]);
  // `next` = the smallest size not yet covered; [lo, hi) covers lo … hi-1 (hi = ObjectSizeLessThan).
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) return false;
    next = Math.max(next, Math.ceil(hi));
    if (next === Infinity) return true;
  }
  return false;
}

export default defineControl({
  id: "s3-retention-lifecycle",
  title: "PHI buckets keep data for the baseline's retention, then dispose of it by lifecycle",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.316(b)(2)(i)", "164.310(d)(2)"],
  severity: "medium",
  rationale:
    "Records must be kept for the retention period and then disposed of deliberately. A lifecycle rule that " +
    "expires objects (or their old versions) sooner destroys records; no expiring rule keeps PHI forever.",
  remediation: {
    console:
      "S3 › bucket › Management › Lifecycle rules › one rule for the whole bucket: expire current versions after " +
      "RETENTION days and noncurrent versions no sooner; remove rules that expire sooner.",
    cli:
      "aws s3api put-bucket-lifecycle-configuration --bucket BUCKET --lifecycle-configuration " +
      '\'{"Rules":[{"ID":"phi-retention","Status":"Enabled","Filter":{},"Expiration":{"Days":RETENTION},' +
      '"NoncurrentVersionExpiration":{"NoncurrentDays":RETENTION}}]}\'',
  },
  evaluate(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const retention = ctx.baseline.retentionDays;
    const recorded = resource.supplementary.BucketLifecycleConfiguration;
    const lc = supplementaryObject(resource, "BucketLifecycleConfiguration");
    let all: Rule[];
    try {
      if (!lc && recorded !== undefined && recorded !== null)
        throw new Unreadable("BucketLifecycleConfiguration");
      all = lc ? rules(lc) : [];
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      // An unreadable rule may expire PHI tomorrow: never a pass, whatever the rest says.
      return fail(`cannot prove the lifecycle keeps PHI for the ${retention}-day retention`, {
        retentionDays: retention,
        unreadable: error.field,
        proof: "cannot prove",
      });
    }
    const enabled = all.filter((r) => r.enabled);
    const tooSoon = enabled.flatMap((r) => {
      const out: Record<string, unknown>[] = [];
      if (r.expirationDays !== undefined && r.expirationDays < retention)
        out.push({ rule: r.id, expirationInDays: r.expirationDays });
      // A date applies to every object that qualifies, also after it has passed: an object written the
      // day before is expired within a day, whenever "now" is.
      if (r.expirationDate !== undefined)
        out.push({
          rule: r.id,
          expirationDate:
            r.expirationDate instanceof Date ? r.expirationDate.toISOString() : String(r.expirationDate),
        });
      if (r.noncurrentDays !== undefined && r.noncurrentDays < retention)
        out.push({ rule: r.id, noncurrentVersionExpirationInDays: r.noncurrentDays });
      return out;
    });
    const evidence = { retentionDays: retention, rules: all.length };
    if (tooSoon.length > 0)
      return fail(`lifecycle expires PHI sooner than the ${retention}-day retention`, {
        ...evidence,
        expiresSooner: tooSoon,
      });
    if (!ctx.baseline.s3.requireLifecycleExpiration) return pass("no rule expires PHI early", evidence);
    const expiring = enabled.filter((r) => r.expirationDays !== undefined);
    if (!coverBucket(expiring))
      return fail("no enabled lifecycle rule expires the whole bucket after the retention period", {
        ...evidence,
        lifecycle: lc ? "no whole-bucket expiration rule" : "none recorded",
      });
    // With versioning Enabled or Suspended, Expiration only adds a delete marker: the object stays as
    // a noncurrent version until a NoncurrentVersionExpiration deletes it — and one with
    // NewerNoncurrentVersions never deletes the newest N ("both values must be exceeded").
    const versioning = bucketVersioningStatus(resource);
    const deleting = enabled.filter(
      (r) => r.noncurrentDays !== undefined && r.newerNoncurrentVersions === undefined,
    );
    const keptNewest = enabled.filter((r) => r.newerNoncurrentVersions !== undefined).map((r) => r.id);
    if (versioning !== "Off" && !coverBucket(deleting)) {
      if (versioning === null)
        return fail("cannot prove disposal: the bucket's versioning status is not recorded", {
          ...evidence,
          versioning: "not recorded",
          proof: "cannot prove",
        });
      return fail("versioned bucket: expired objects stay as noncurrent versions that no rule deletes", {
        ...evidence,
        versioning,
        lifecycle: "no whole-bucket rule expires noncurrent versions",
        ...(keptNewest.length ? { newerNoncurrentVersionsKept: keptNewest } : {}),
      });
    }
    const longest = Math.max(...expiring.map((r) => r.expirationDays!));
    return pass(`whole-bucket expiration after ${longest} days at most`, {
      ...evidence,
      expiringRules: expiring.map((r) => r.id),
      expirationInDays: longest,
    });
  },
});
