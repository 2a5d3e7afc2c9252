import type { Baseline } from "../baseline/schema.ts";
import { watchedTypes } from "../control/engine.ts";
import type { Control } from "../control/types.ts";
import { CONTROLS } from "../controls/index.ts";
import { DETECTORS } from "../detectors/index.ts";
import type { Detector } from "../detectors/types.ts";
import { DefinitionError, PhiwatchError } from "../errors.ts";
import type { EventPattern } from "../eventpattern/match.ts";

/** Detail type of CloudTrail API calls (management and data events) on EventBridge. */
export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";

/** S3 data events the access function reads (successful or not); see activity/access-event.ts. */
export const ACCESS_S3_EVENTS = [
  "GetObject",
  "SelectObjectContent",
  "ListObjects",
  "ListObjectsV2",
  "ListObjectVersions",
] as const;

/**
 * Error codes of a denied request (the access-denied-burst detector's probes). EventBridge's wildcard
 * is case-sensitive; these are the spellings AWS services use.
 */
export const DENIED_ERROR_CODES: readonly EventPatternValue[] = [
  { wildcard: "*AccessDenied*" },
  { wildcard: "*UnauthorizedOperation*" },
  { wildcard: "*Forbidden*" },
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
];

/** S3 server-side copies: they read the PHI object named by `x-amz-copy-source`, whatever the destination. */
export const ACCESS_S3_COPY_EVENTS = ["CopyObject", "UploadPartCopy"] as const;

type EventPatternValue = string | { [op: string]: unknown };

/**
 * Management detectors that read `*:*` (every call) but only for one kind of caller: the rule selects
 * that caller instead of every event in the account.
 */
const CALLER_SCOPED: Record<string, EventPattern> = {
  "root-activity": { userIdentity: { type: ["Root"] } },
};

/**
 * Resource types whose Config changes phiwatch evaluates: every type a control names, depends on (an
 * IAM group's policy changes what its users may do) or reads facts from (account-level Block Public
 * Access, KMS keys) — the types the config-change handler keeps (`ControlSet.watches`) and the sweep
 * enumerates (one definition: `watchedTypes`). Controls for any type (`*`, e.g. no-phi-in-metadata, region-allow-list) run on these
 * types too; other types are not routed (an account records thousands of EC2 and network changes
 * phiwatch has no control for).
 *
 * @example
 * ```ts
 * watchedResourceTypes().includes("AWS::S3::Bucket"); // true
 * ```
 */
export function watchedResourceTypes(controls: readonly Control[] = CONTROLS): string[] {
  return watchedTypes(controls);
}

/**
 * The AWS Config rule: configuration item changes (and oversized-item notifications) of watched types
 * in the baseline's accounts. Every region: a PHI resource outside the allowed regions is itself a
 * finding (region-allow-list), so the rule must not filter it away.
 *
 * @example
 * ```ts
 * compilePattern(configChangePattern(baseline)).matches(event);
 * ```
 */
export function configChangePattern(
  baseline: Baseline,
  controls: readonly Control[] = CONTROLS,
): EventPattern {
  const types = watchedResourceTypes(controls);
  return {
    source: ["aws.config"],
    "detail-type": ["Config Configuration Item Change"],
    account: [...baseline.accounts],
    detail: {
      messageType: ["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"],
      $or: [
        { configurationItem: { resourceType: types } },
        { configurationItemSummary: { resourceType: types } },
      ],
    },
  };
}

/** `eventSource:eventName` pairs of the management detectors, by event source. */
export function tamperEvents(detectors: readonly Detector[] = DETECTORS): {
  bySource: Map<string, string[]>;
  callerScoped: EventPattern[];
} {
  const bySource = new Map<string, Set<string>>();
  const callerScoped: EventPattern[] = [];
  for (const d of detectors) {
    if (d.input !== "management") continue;
    for (const e of d.events) {
      const [source, name] = e.split(":") as [string, string | undefined];
      if (!name) throw new DefinitionError(`detector ${d.id}: event "${e}" is not eventSource:eventName`);
      if (source === "*" && name === "*") {
        const scope = CALLER_SCOPED[d.id];
        if (!scope) {
          throw new DefinitionError(
            `detector ${d.id} reads every CloudTrail event ("*:*"): add its caller scope to CALLER_SCOPED in plan/patterns.ts`,
          );
        }
        callerScoped.push(scope);
        continue;
      }
      let set = bySource.get(source);
      if (!set) {
        set = new Set();
        bySource.set(source, set);
      }
      set.add(name);
    }
  }
  return {
    bySource: new Map([...bySource].sort().map(([s, names]) => [s, [...names].sort()])),
    callerScoped,
  };
}

/**
 * Event-name prefixes the tamper rule matches instead of listing each name, to keep the pattern within
 * the default quota as detectors read more events (each baseline account costs 15 characters of it too).
 * Only prefixes of S3 bucket-configuration calls: management events of an administrator's pace, and no
 * S3 data event (object reads and writes, which can arrive by the thousand) starts with them. The extra
 * bucket-configuration events they route (PutBucketTagging, DeleteBucketCors, …) cost one invocation
 * each and fire nothing: the function runs only the detectors whose exact event names match.
 */
export const TAMPER_NAME_PREFIXES: readonly string[] = ["PutBucket", "DeleteBucket"];

/** The event names, with every group of two or more sharing a {@link TAMPER_NAME_PREFIXES} prefix as one. */
function compactNames(names: readonly string[]): EventPatternValue[] {
  const out: EventPatternValue[] = [];
  const grouped = new Set<string>();
  for (const prefix of TAMPER_NAME_PREFIXES) {
    const group = names.filter((n) => n.startsWith(prefix));
    if (group.length < 2) continue;
    for (const n of group) grouped.add(n);
    out.push({ prefix });
  }
  return [...names.filter((n) => !grouped.has(n)), ...out];
}

/**
 * The tamper rule: CloudTrail management events that the tamper detectors read (trail, bucket, key,
 * Config, Connect changes and phiwatch's own resources), failed ones included (a denied StopLogging is
 * a probe), plus every call by the root user. S3 bucket events are kept for every bucket: the trail's
 * own bucket and buckets matched by tag cannot be told apart in a pattern, and the detectors check PHI
 * scope themselves.
 *
 * The named events of every source share one branch (`source` × `eventName`), which keeps the
 * pattern within EventBridge's default 2048-character quota with room for the baseline's accounts:
 * a branch per source repeated its overhead for each. The cross product may route an event name of one
 * source under another (connect.amazonaws.com DeleteRule): the function runs only the detectors whose
 * `eventSource:eventName` the record matches, so such an event costs one invocation and nothing else.
 *
 * @example
 * ```ts
 * tamperPattern(baseline).$or; // the named events of every source, whole sources, root activity
 * ```
 */
export function tamperPattern(baseline: Baseline, detectors: readonly Detector[] = DETECTORS): EventPattern {
  const { bySource, callerScoped } = tamperEvents(detectors);
  const branches: EventPattern[] = [];
  const sourceOf = (eventSource: string) => `aws.${eventSource.replace(/\.amazonaws\.com$/, "")}`;
  const named = [...bySource].filter(([, names]) => !names.includes("*"));
  if (named.length > 0)
    branches.push({
      source: named.map(([eventSource]) => sourceOf(eventSource)),
      detail: { eventName: compactNames([...new Set(named.flatMap(([, names]) => names))].sort()) },
    });
  // A source read whole (`source:*`) cannot share the branch: its events carry no name to list.
  for (const [eventSource, names] of bySource)
    if (names.includes("*")) branches.push({ source: [sourceOf(eventSource)] });
  for (const scope of callerScoped) branches.push({ detail: scope });
  return {
    "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
    account: [...baseline.accounts],
    ...orOf(branches),
  };
}

/**
 * The access rule (path `eventbridge`): S3 reads and lists on PHI buckets and every denied S3 data
 * event on them, and KMS Decrypt on PHI keys. Buckets declared by name match exactly, by prefix with
 * `prefix`; a bucket declared by tag cannot be recognised in an event, so then every bucket's events
 * are routed and the access function keeps the PHI ones. PHI keys declared with `?` wildcards are
 * widened to `*` (EventBridge has no single-character wildcard); the function re-checks.
 *
 * @example
 * ```ts
 * accessPattern(baseline).$or.length; // 3 or 4 branches (reads, copies, denied, decrypt)
 * ```
 */
export function accessPattern(baseline: Baseline): EventPattern {
  const byTag = baseline.phiBuckets.some((b) => b.tag !== undefined);
  const buckets: EventPatternValue[] = byTag
    ? []
    : baseline.phiBuckets.map((b) => (b.name !== undefined ? b.name : { prefix: b.prefix! }));
  const bucketFilter = byTag ? {} : { requestParameters: { bucketName: buckets } };
  // The copy source is `bucket/key` or `/bucket/key`: one wildcard per bucket covers both (it may also
  // match a longer bucket name ending the same way; the function filters exactly), which keeps the
  // pattern within EventBridge's size quota for more buckets than two prefixes each would.
  const sources: EventPatternValue[] = baseline.phiBuckets.map((b) =>
    b.name !== undefined ? { wildcard: `*${b.name}/*` } : { wildcard: `*${b.prefix!}*` },
  );
  const copyFilter = byTag ? {} : { requestParameters: { "x-amz-copy-source": sources } };
  const branches: EventPattern[] = [
    {
      source: ["aws.s3"],
      detail: { eventSource: ["s3.amazonaws.com"], eventName: [...ACCESS_S3_EVENTS], ...bucketFilter },
    },
    {
      source: ["aws.s3"],
      detail: { eventSource: ["s3.amazonaws.com"], eventName: [...ACCESS_S3_COPY_EVENTS], ...copyFilter },
    },
    {
      source: ["aws.s3"],
      detail: {
        eventSource: ["s3.amazonaws.com"],
        eventCategory: ["Data"],
        errorCode: [...DENIED_ERROR_CODES],
        ...bucketFilter,
      },
    },
  ];
  const keys = phiKeyValues(baseline.phiKeys);
  if (keys.length > 0) {
    branches.push({
      source: ["aws.kms"],
      detail: { eventSource: ["kms.amazonaws.com"], eventName: ["Decrypt"], resources: { ARN: keys } },
    });
  }
  return {
    "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
    account: [...baseline.accounts],
    ...orOf(branches),
  };
}

/** Where the trail delivers log files under `ingest.trail` (prefix/AWSLogs/[org-id/]account/CloudTrail/…). */
export function trailLogKeyWildcard(prefix: string): string {
  const p = prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`;
  // Escape the characters the wildcard language gives meaning to, in the user's prefix.
  return `${p.replace(/[\\*]/g, "\\$&")}AWSLogs/*/CloudTrail/*.json.gz`;
}

/**
 * The trail-log rule (path `trail-logs`): S3 "Object Created" events of the trail's log files (not
 * its digest files, `CloudTrail-Digest/`, nor CloudTrail Insights files) → SQS → access function,
 * which reads the `.json.gz` files with the same parser as `phiwatch learn`. The trail bucket must
 * send its events to EventBridge (a bucket setting that adds to, and does not replace, its other
 * notifications); a bucket in another account forwards them with the member stack.
 *
 * @example
 * ```ts
 * trailLogPattern(baseline)?.detail; // { bucket: { name: ["org-trail-logs"] }, object: { key: [{ wildcard: "AWSLogs/*\/CloudTrail/*.json.gz" }] } }
 * ```
 */
export function trailLogPattern(baseline: Baseline): EventPattern | undefined {
  const trail = baseline.ingest.trail;
  if (baseline.ingest.access !== "trail-logs" || !trail) return undefined;
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [trail.bucket] },
      object: { key: [{ wildcard: trailLogKeyWildcard(trail.prefix) }] },
    },
  };
}

/** The rules phiwatch deploys, by role, for one baseline. */
export interface RulePlan {
  id: "config-change" | "tamper" | "access" | "trail-logs";
  description: string;
  pattern: EventPattern;
  target: "config-change" | "tamper" | "access-queue";
}

/**
 * EventBridge's default "Event pattern size" quota, in characters (adjustable to 4096 on request): a
 * larger pattern is refused when the rule is created, so the deploy would fail half-way.
 */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/**
 * The quota from `PHIWATCH_EVENT_PATTERN_MAX` (an account that raised it): an integer from 2048 to
 * 4096, the quota's range; unset = the default.
 *
 * @example
 * ```ts
 * eventPatternMax(process.env.PHIWATCH_EVENT_PATTERN_MAX); // 2048
 * ```
 */
export function eventPatternMax(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return EVENT_PATTERN_MAX_CHARS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < EVENT_PATTERN_MAX_CHARS || n > 4096)
    throw new PhiwatchError(
      `PHIWATCH_EVENT_PATTERN_MAX must be an integer from 2048 to 4096, got "${value.slice(0, 20)}"`,
    );
  return n;
}

/**
 * The rules whose pattern is over `max` characters (as deployed: `JSON.stringify`), with their size.
 *
 * @example
 * ```ts
 * oversizedRules(eventRules(baseline, { maxPatternChars: Infinity })); // [] for the example baseline
 * ```
 */
export function oversizedRules(
  rules: readonly RulePlan[],
  max = EVENT_PATTERN_MAX_CHARS,
): Array<{ id: RulePlan["id"]; chars: number }> {
  return rules.map((r) => ({ id: r.id, chars: patternChars(r) })).filter((r) => r.chars > max);
}

/** A rule's pattern size as EventBridge counts it: the characters of the pattern as deployed. */
export function patternChars(rule: RulePlan): number {
  return JSON.stringify(rule.pattern).length;
}

/**
 * Every EventBridge rule for a baseline: Config changes and tamper events straight to their functions,
 * data events (or trail log files, as the baseline chooses) to the access queue.
 *
 * @example
 * ```ts
 * eventRules(baseline).map((r) => r.id); // ["config-change", "tamper", "access"]
 * ```
 */
export function eventRules(
  baseline: Baseline,
  /** The account's "Event pattern size" quota (default 2048); a pattern over it is an error here, not at deploy. */
  opts: { maxPatternChars?: number } = {},
): RulePlan[] {
  const rules: RulePlan[] = [
    {
      id: "config-change",
      description: "Config configuration item changes of the resource types phiwatch controls",
      pattern: configChangePattern(baseline),
      target: "config-change",
    },
    {
      id: "tamper",
      description: "CloudTrail management events on the tamper list, and root activity",
      pattern: tamperPattern(baseline),
      target: "tamper",
    },
  ];
  const trail = trailLogPattern(baseline);
  if (trail) {
    rules.push({
      id: "trail-logs",
      description: "CloudTrail log files delivered to the trail bucket",
      pattern: trail,
      target: "access-queue",
    });
  } else {
    rules.push({
      id: "access",
      description: "S3 reads and denied data events on PHI buckets, KMS Decrypt on PHI keys",
      pattern: accessPattern(baseline),
      target: "access-queue",
    });
  }
  const max = opts.maxPatternChars ?? EVENT_PATTERN_MAX_CHARS;
  const over = oversizedRules(rules, max);
  if (over.length > 0)
    throw new PhiwatchError(
      `EventBridge rule pattern too large: ${over.map((r) => `${r.id} ${r.chars} characters`).join(", ")} ` +
        `(the account's "Event pattern size" quota is ${max}). Name PHI buckets by prefix or tag instead ` +
        "of one by one, use `ingest.access: trail-logs` for the access rule, or raise the quota (up to 4096) " +
        "and set PHIWATCH_EVENT_PATTERN_MAX to it.",
    );
  return rules;
}

/**
 * The EventBridge envelope AWS wraps around a CloudTrail record ("AWS API Call via CloudTrail"):
 * `source` is `aws.` + the service of `eventSource`, `account` the recipient account, `region` the
 * record's region, `detail` the record itself. Used to test the rules on published raw records.
 *
 * @example
 * ```ts
 * cloudTrailEnvelope(record)["detail-type"]; // "AWS API Call via CloudTrail"
 * ```
 */
export function cloudTrailEnvelope(record: Record<string, unknown>): Record<string, unknown> {
  const eventSource = String(record.eventSource ?? "");
  return {
    version: "0",
    id: String(record.eventID ?? "00000000-0000-0000-0000-000000000000"),
    "detail-type": CLOUDTRAIL_DETAIL_TYPE,
    source: `aws.${eventSource.replace(/\.amazonaws\.com$/, "")}`,
    account: String(
      record.recipientAccountId ??
        (record.userIdentity as { accountId?: string } | undefined)?.accountId ??
        "",
    ),
    time: String(record.eventTime ?? ""),
    region: String(record.awsRegion ?? ""),
    resources: [],
    detail: record,
  };
}

function phiKeyValues(patterns: readonly string[]): EventPatternValue[] {
  return patterns.map((p) => {
    if (!/[*?]/.test(p)) return p;
    // Collapse runs of wildcards: EventBridge refuses consecutive `*`.
    return { wildcard: p.replace(/\?/g, "*").replace(/\*+/g, "*") };
  });
}

/** One branch is the pattern itself; two or more become `$or` (which needs at least two). */
function orOf(branches: EventPattern[]): EventPattern {
  if (branches.length === 0) throw new DefinitionError("a rule needs at least one branch");
  if (branches.length === 1) return mergeTop(branches[0]!);
  return { $or: branches };
}

function mergeTop(p: EventPattern): EventPattern {
  return { ...p };
}

/**
 * Event sources the tamper rule reads only for phiwatch's own functions, topic and table
 * (tamper-phiwatch), which exist in the security account's own region: no member account forwards them.
 * Its member role is an IAM role (global, events in us-east-1): `iam.amazonaws.com` is forwarded.
 */
export const OWN_DEPLOYMENT_SOURCES: ReadonlySet<string> = new Set([
  "lambda.amazonaws.com",
  "sns.amazonaws.com",
  "dynamodb.amazonaws.com",
]);

/**
 * What a member account forwards to the security account's default event bus (infra/member-account.yaml):
 * Config item changes, CloudTrail API calls of the services phiwatch watches (plus every root call),
 * and the trail bucket's "Object Created" events when the trail bucket lives in that account. Coarser
 * than the security account's rules on purpose: the template is static (StackSets deploy one template
 * to every account) and the fine, baseline-derived filtering happens once, in the security account.
 *
 * @example
 * ```ts
 * memberForwardPattern("org-trail-logs").$or.length; // 3
 * ```
 */
export function memberForwardPattern(
  trailBucket: string,
  detectors: readonly Detector[] = DETECTORS,
): EventPattern {
  const sources = new Set(["aws.config", "aws.s3", "aws.kms"]);
  for (const source of tamperEvents(detectors).bySource.keys()) {
    if (OWN_DEPLOYMENT_SOURCES.has(source)) continue;
    sources.add(`aws.${source.replace(/\.amazonaws\.com$/, "")}`);
  }
  return {
    $or: [
      {
        source: [...sources].sort(),
        "detail-type": ["Config Configuration Item Change", CLOUDTRAIL_DETAIL_TYPE],
      },
      { "detail-type": [CLOUDTRAIL_DETAIL_TYPE], detail: { userIdentity: { type: ["Root"] } } },
      { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [trailBucket] } } },
    ],
  };
}
