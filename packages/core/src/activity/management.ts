import { matchesAny, phiBucketOf } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import type { DetectionDraft, RecordContext } from "../detectors/types.ts";
import type { Evidence, FindingSubject } from "../finding/types.ts";
import { partitionOfResource } from "../policy/resources.ts";
import { sanitiseIdentityText } from "./principal.ts";
import type { CloudTrailRecord } from "./record.ts";

/** A successful call (failed calls changed nothing; Panther's rules label them benign too). */
export function succeeded(r: CloudTrailRecord): boolean {
  return r.errorCode === undefined || r.errorCode === null || r.errorCode === "";
}

/** A JSON object member of a CloudTrail record (request or response), or undefined for any other value. */
export const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * A request member in either casing of its first letter: the API reference's (S3's PascalCase, Config's
 * camelCase), or the other, which some operations' CloudTrail records use (no published record settles
 * it for the newer ones).
 *
 * @example
 * ```ts
 * requestMember({ blockPublicAcls: false }, "BlockPublicAcls"); // false
 * ```
 */
export function requestMember(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o || name === "") return undefined;
  const first = name[0]!;
  const other = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
  return o[name] ?? o[other + name.slice(1)];
}

export function accountOf(r: CloudTrailRecord): string {
  return r.recipientAccountId ?? r.userIdentity.accountId ?? "";
}

/**
 * Detection for a management event. Discriminator = the API action and its UTC day: one finding per
 * action, resource and day (a redelivered event changes nothing; the same change next week alerts again).
 */
export function managementDetection(
  r: CloudTrailRecord,
  ctx: RecordContext,
  subject: Omit<FindingSubject, "accountId" | "region">,
  summary: string,
  evidence: Evidence,
  extra: Partial<DetectionDraft> = {},
): DetectionDraft {
  return {
    subject: { accountId: accountOf(r), region: r.awsRegion, ...subject },
    summary: `${summary} by ${ctx.principal.id}`,
    evidence: {
      eventName: r.eventName,
      eventId: r.eventID,
      eventTime: r.eventTime,
      principal: ctx.principal.id,
      principalKind: ctx.principal.kind,
      sourceNetwork: r.sourceIPAddress ? sanitiseIdentityText(r.sourceIPAddress, 64) : "none",
      ...evidence,
    },
    observedAt: new Date(Date.parse(r.eventTime)).toISOString(),
    cause: r.eventID,
    discriminator: `${r.eventName}:${new Date(Date.parse(r.eventTime)).toISOString().slice(0, 10)}`,
    ...extra,
  };
}

/** Bucket name of an S3 management event, when it is a PHI bucket. */
export function phiBucketOfRecord(r: CloudTrailRecord, baseline: Baseline): string | undefined {
  const b = r.requestParameters?.bucketName;
  if (typeof b !== "string") return undefined;
  return phiBucketOf(baseline, b) ? b : undefined;
}

/**
 * Key ARN of a KMS management event (a bare key id is qualified with the partition of the event's
 * region, its account and region).
 */
export function keyArnOf(r: CloudTrailRecord): string | undefined {
  const fromResources = r.resources?.find((x) => x.type === "AWS::KMS::Key")?.ARN;
  if (fromResources) return fromResources;
  const id = r.requestParameters?.keyId;
  if (typeof id !== "string" || id === "") return undefined;
  if (id.startsWith("arn:")) return id;
  return `arn:${partitionOfResource({ region: r.awsRegion })}:kms:${r.awsRegion}:${accountOf(r)}:${id.startsWith("alias/") ? id : `key/${id}`}`;
}

export function isPhiKey(baseline: Baseline, arn: string): boolean {
  return matchesAny(baseline.phiKeys, arn);
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Action?: unknown;
}

/** Weaknesses of a resource policy: public grants without conditions, grants to unknown accounts. */
export function policyWeaknesses(policy: unknown, knownAccounts: readonly string[]): string[] {
  const out = new Set<string>();
  const stmts = statements(policy);
  for (const s of stmts) {
    if (s.Effect !== "Allow") continue;
    const principals = principalValues(s.Principal);
    const hasCondition =
      !!s.Condition && typeof s.Condition === "object" && Object.keys(s.Condition).length > 0;
    if (principals.includes("*") && !hasCondition) out.add("allows any principal (*) without a condition");
    for (const p of principals) {
      const acct = /^(\d{12})$/.exec(p)?.[1] ?? /^arn:[\w-]+:iam::(\d{12}):/.exec(p)?.[1];
      if (acct && !knownAccounts.includes(acct)) out.add(`allows account ${acct} outside the baseline`);
    }
  }
  return [...out].sort();
}

/**
 * True when the policy has a Deny testing aws:SecureTransport = false with `Bool` (or `BoolIfExists`, with
 * or without a `ForAnyValue:`/`ForAllValues:` qualifier),
 * the value `false` or `"false"` (what s3-tls-only asks). aws:SecureTransport is a Boolean key: a
 * string operator on it (`StringEquals "false"`) or another spelling (`"False"`) has no documented
 * meaning, and the control does not count it either.
 */
export function deniesInsecureTransport(policy: unknown): boolean {
  return statements(policy).some((s) => {
    if (s.Effect !== "Deny" || !s.Condition || typeof s.Condition !== "object") return false;
    return Object.entries(s.Condition as Record<string, unknown>).some(([op, entry]) => {
      // `ForAnyValue:`/`ForAllValues:` set qualifiers too: s3-tls-only counts them (policy/condition.ts).
      if (!/^(forallvalues:|foranyvalue:)?bool(ifexists)?$/i.test(op) || !entry || typeof entry !== "object")
        return false;
      return Object.entries(entry as Record<string, unknown>).some(
        ([key, value]) =>
          key.toLowerCase() === "aws:securetransport" &&
          (Array.isArray(value) ? value : [value]).some((v) => v === false || v === "false"),
      );
    });
  });
}

function statements(policy: unknown): Statement[] {
  const p = policy as { Statement?: unknown } | undefined;
  if (!p || typeof p !== "object") return [];
  const s = p.Statement;
  return (Array.isArray(s) ? s : s ? [s] : []) as Statement[];
}

function principalValues(p: unknown): string[] {
  if (p === "*") return ["*"];
  if (!p || typeof p !== "object") return [];
  const out: string[] = [];
  for (const v of Object.values(p as Record<string, unknown>)) {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === "string") out.push(x);
  }
  return out;
}
