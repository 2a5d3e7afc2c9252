import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketVersioningStatus, supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
const days = (v: unknown): number | undefined => (typeof v === "number" && v > 0 ? v : undefined);

interface Rule {
  id: string;
  enabled: boolean;
  /** Whole bucket: no prefix, tag or size filter. */
  wholeBucket: boolean;
  expirationDays?: number;
  expirationDate?: string;
  noncurrentDays?: number;
}

/** Lifecycle rules in Config's shape (`expirationInDays`, `filter.predicate`) or the API's (`Expiration.Days`). */
function rules(c: Record<string, unknown>): Rule[] {
  const list = Array.isArray(c.rules) ? c.rules : Array.isArray(c.Rules) ? c.Rules : [];
  return list.map((r, i): Rule => {
    const x = obj(r) ?? {};
    const exp = obj(x.Expiration);
    const predicate = obj(obj(x.filter)?.predicate);
    const apiFilter = obj(x.Filter);
    const prefix =
      (typeof x.prefix === "string" ? x.prefix : "") ||
      (typeof predicate?.prefix === "string" ? predicate.prefix : "") ||
      (typeof apiFilter?.Prefix === "string" ? apiFilter.Prefix : "") ||
      (typeof x.Prefix === "string" ? x.Prefix : "");
    const otherFilter =
      (predicate !== undefined && predicate.type !== "LifecyclePrefixPredicate") ||
      (apiFilter !== undefined && Object.keys(apiFilter).some((k) => k !== "Prefix"));
    const expirationDate = x.expirationDate ?? exp?.Date;
    return {
      id: typeof (x.id ?? x.ID) === "string" ? String(x.id ?? x.ID) : `#${i}`,
      enabled: (x.status ?? x.Status) === "Enabled",
      wholeBucket: prefix === "" && !otherFilter,
      ...(days(x.expirationInDays ?? exp?.Days) !== undefined
        ? { expirationDays: days(x.expirationInDays ?? exp?.Days)! }
        : {}),
      ...(typeof expirationDate === "string" ? { expirationDate } : {}),
      ...(days(x.noncurrentVersionExpirationInDays ?? obj(x.NoncurrentVersionExpiration)?.NoncurrentDays) !==
      undefined
        ? {
            noncurrentDays: days(
              x.noncurrentVersionExpirationInDays ?? obj(x.NoncurrentVersionExpiration)?.NoncurrentDays,
            )!,
          }
        : {}),
    };
  });
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
    const lc = supplementaryObject(resource, "BucketLifecycleConfiguration");
    const all = lc ? rules(lc) : [];
    const enabled = all.filter((r) => r.enabled);
    const tooSoon = enabled.flatMap((r) => {
      const out: Record<string, unknown>[] = [];
      if (r.expirationDays !== undefined && r.expirationDays < retention)
        out.push({ rule: r.id, expirationInDays: r.expirationDays });
      if (r.expirationDate !== undefined) out.push({ rule: r.id, expirationDate: r.expirationDate });
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
    const disposal = enabled.find((r) => r.wholeBucket && r.expirationDays !== undefined);
    if (ctx.baseline.s3.requireLifecycleExpiration && !disposal)
      return fail("no enabled lifecycle rule expires the whole bucket after the retention period", {
        ...evidence,
        lifecycle: lc ? "no whole-bucket expiration rule" : "none recorded",
      });
    // With versioning Enabled or Suspended, Expiration only adds a delete marker: the object stays as
    // a noncurrent version until a NoncurrentVersionExpiration deletes it.
    const versioning = bucketVersioningStatus(resource);
    const versioned = versioning === "Enabled" || versioning === "Suspended";
    if (
      ctx.baseline.s3.requireLifecycleExpiration &&
      versioned &&
      !enabled.some((r) => r.wholeBucket && r.noncurrentDays !== undefined)
    )
      return fail("versioned bucket: expired objects stay as noncurrent versions that no rule deletes", {
        ...evidence,
        versioning,
        lifecycle: "no whole-bucket rule expires noncurrent versions",
      });
    return pass(
      disposal
        ? `whole-bucket expiration after ${disposal.expirationDays} days`
        : "no rule expires PHI early",
      { ...evidence, ...(disposal ? { rule: disposal.id, expirationInDays: disposal.expirationDays } : {}) },
    );
  },
});
