import { BASELINE_SUPPRESSOR } from "../finding/types.ts";
import type { Baseline, PhiBucket } from "./schema.ts";
import { suppressionEnd } from "./until.ts";

const globCache = new Map<string, RegExp>();

/**
 * IAM-style wildcard match: `*` matches any run of characters, `?` one character; case-sensitive
 * like ARNs.
 *
 * @example
 * ```ts
 * globMatch("arn:aws:iam::*:role/qa-*", "arn:aws:iam::111122223333:role/qa-supervisor"); // true
 * ```
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
      "s",
    );
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(value);
}

export function matchesAny(patterns: readonly string[], value: string): boolean {
  for (const p of patterns) if (globMatch(p, value)) return true;
  return false;
}

/** The baseline entry that makes this bucket a PHI bucket, if any. */
export function phiBucketOf(
  baseline: Baseline,
  bucketName: string,
  tags: Record<string, string> = {},
): PhiBucket | undefined {
  for (const b of baseline.phiBuckets) {
    if (b.name !== undefined && b.name === bucketName) return b;
    if (b.prefix !== undefined && bucketName.startsWith(b.prefix)) return b;
    if (
      b.tag !== undefined &&
      b.tag.key in tags &&
      (b.tag.value === undefined || tags[b.tag.key] === b.tag.value)
    )
      return b;
  }
  return undefined;
}

/** True when the object key lies under one of the bucket's raw-audio prefixes (`*` = one path segment). */
export function isRawObjectKey(bucket: PhiBucket, objectKey: string): boolean {
  if (!bucket.holds.includes("recordings")) return false;
  return bucket.rawPrefixes.some((prefix) => prefixMatch(prefix, objectKey));
}

function prefixMatch(prefix: string, key: string): boolean {
  const ps = prefix.split("/");
  const ks = key.split("/");
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (i === ps.length - 1) return p === "" || (ks[i] ?? "").startsWith(p);
    if (ks[i] === undefined) return false;
    if (p !== "*" && p !== ks[i]) return false;
  }
  return true;
}

/** `arn:aws:iam::A:role/aws-service-role/<service principal>/<name>`: a service-linked role and its service. */
const SERVICE_LINKED =
  /^arn:[\w-]+:iam::\d{12}:role\/aws-service-role\/([a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?)\//;

/**
 * The service principal of a service-linked role ARN (IAM reserves the `/aws-service-role/` path for
 * them, only the service can assume one, and their permissions are the service's own: customers cannot
 * attach or edit policies on them), or undefined.
 *
 * @example
 * ```ts
 * serviceOfLinkedRole("arn:aws:iam::111122223333:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_abc");
 * // "connect.amazonaws.com"
 * ```
 */
export function serviceOfLinkedRole(arn: string): string | undefined {
  return SERVICE_LINKED.exec(arn)?.[1];
}

/** The pipeline service (`principals.services`) whose service-linked role this is, if any. */
export function pipelineServiceOf(baseline: Baseline, arn: string): string | undefined {
  const service = serviceOfLinkedRole(arn);
  return service && baseline.principals.services.includes(service) ? service : undefined;
}

export type PrincipalRole = "rawReader" | "analytics" | "operator" | "service";

/** Roles the baseline gives an identity (a principal may be both operator and raw reader). */
export function rolesOf(baseline: Baseline, principalArn: string): Set<PrincipalRole> {
  const roles = new Set<PrincipalRole>();
  const p = baseline.principals;
  if (matchesAny(p.rawReaders, principalArn)) roles.add("rawReader");
  if (matchesAny(p.analytics, principalArn)) roles.add("analytics");
  if (matchesAny(p.operators, principalArn)) roles.add("operator");
  if (p.services.includes(principalArn)) roles.add("service");
  return roles;
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const partsCache = new Map<string, Intl.DateTimeFormat>();

/** Local day-of-week (0 = Sunday) and minutes since midnight in the organisation's time zone. */
export function localTime(timeZone: string, at: Date): { day: number; minutes: number; hour: number } {
  let fmt = partsCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    partsCache.set(timeZone, fmt);
  }
  let weekday = "Sun";
  let hour = 0;
  let minute = 0;
  for (const part of fmt.formatToParts(at)) {
    if (part.type === "weekday") weekday = part.value;
    else if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  const day = DAY_NAMES.indexOf(weekday.toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
  return { day, minutes: hour * 60 + minute, hour };
}

/** Hour of week 0..167 (Sunday 00h = 0) in the organisation's time zone. */
export function hourOfWeek(timeZone: string, at: Date): number {
  const t = localTime(timeZone, at);
  return t.day * 24 + t.hour;
}

/** Inside the baseline's declared business hours, in the organisation's time zone (never UTC). */
export function isBusinessHours(baseline: Baseline, at: Date): boolean {
  const bh = baseline.organisation.businessHours;
  const t = localTime(baseline.organisation.timeZone, at);
  if (!bh.days.includes(DAY_NAMES[t.day]!)) return false;
  const [sh, sm] = bh.start.split(":").map(Number) as [number, number];
  const [eh, em] = bh.end.split(":").map(Number) as [number, number];
  return t.minutes >= sh * 60 + sm && t.minutes < eh * 60 + em;
}

/**
 * The baseline suppression covering a finding, if one is active at `now`: `rule` matches the control or
 * detector id and `resource` the resource id, its display name or the principal (both IAM-style globs).
 *
 * @example
 * ```ts
 * // until: "2026-12-31", organisation.timeZone: America/New_York
 * baselineSuppression(baseline, "s3-acls-disabled", { resourceId: "legacy-exports" }, new Date());
 * // → { reason: "…", until: "2027-01-01T05:00:00.000Z", by: "baseline" } | undefined
 * ```
 */
export function baselineSuppression(
  baseline: Baseline,
  ruleId: string,
  subject: { resourceId: string; resourceName?: string; principal?: string },
  now: Date,
): { reason: string; until: string; by: string } | undefined {
  for (const s of baseline.suppressions) {
    // A date is inclusive, through the end of that day in the organisation's time zone (until.ts).
    const until = suppressionEnd(s.until, baseline.organisation.timeZone);
    if (!until || Date.parse(until) <= now.getTime() || !globMatch(s.rule, ruleId)) continue;
    const candidates = [subject.resourceId, subject.resourceName, subject.principal].filter(
      (x): x is string => !!x,
    );
    if (candidates.some((c) => globMatch(s.resource, c)))
      return { reason: s.reason, until, by: BASELINE_SUPPRESSOR };
  }
  return undefined;
}
