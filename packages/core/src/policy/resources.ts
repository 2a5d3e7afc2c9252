import { globMatch, phiBucketOf } from "../baseline/match.ts";
import type { Baseline, PhiBucket } from "../baseline/schema.ts";
import type {
  EvaluationContext,
  FactLookup,
  FactRequest,
  PreviousSnapshot,
  Verdict,
} from "../control/types.ts";
import { notApplicable } from "../control/types.ts";
import { InvalidEventError, PhiwatchError } from "../errors.ts";
import { isAwsManagedAlias } from "../resource/kms-proof.ts";
import { memoOn } from "../resource/memo.ts";
import { bucketEncryption, bucketName } from "../resource/s3.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import { type PolicyDocument, parsePolicyDocument } from "./document.ts";

/**
 * Readers that turn Config snapshots into what the policy evaluator needs: the bucket policy, the
 * key policy, the PHI resource sets of the baseline. Pure; the controls in `controls/s3`, `kms` and
 * `iam` share them.
 */

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A document that was present but could not be parsed: controls report it, never pass on it. */
export interface Unreadable {
  unreadable: string;
}

/**
 * The bucket policy of an S3 snapshot: a document, `undefined` when the bucket has none, or
 * `{ unreadable }` when Config recorded something that does not parse.
 *
 * @example
 * ```ts
 * const p = bucketPolicy(snapshot); // rdk sample → { statements: [{ effect: "Deny", … }] }
 * ```
 */
export function bucketPolicy(s: ResourceSnapshot): PolicyDocument | undefined | Unreadable {
  // Several S3 controls read it: parsed once per snapshot (shared, read-only).
  return memoOn(s, "bucketPolicy", [], () => readBucketPolicy(s));
}

function readBucketPolicy(s: ResourceSnapshot): PolicyDocument | undefined | Unreadable {
  const holder = supplementaryObject(s, "BucketPolicy");
  // Config wraps the policy as `{ policyText }`; an API read may give the document itself.
  const text =
    holder && "policyText" in holder ? holder.policyText : (holder ?? s.supplementary.BucketPolicy);
  if (text === null || text === undefined || text === "") return undefined;
  return readDocument(text, "supplementaryConfiguration.BucketPolicy.policyText");
}

/** The key policy of a KMS key snapshot (Config `supplementaryConfiguration.Policy`). */
export function keyPolicy(s: ResourceSnapshot): PolicyDocument | undefined | Unreadable {
  return memoOn(s, "keyPolicy", [], () => readKeyPolicy(s));
}

function readKeyPolicy(s: ResourceSnapshot): PolicyDocument | undefined | Unreadable {
  const text = s.supplementary.Policy ?? s.supplementary.KeyPolicy;
  if (text === null || text === undefined || text === "") return undefined;
  return readDocument(text, "supplementaryConfiguration.Policy");
}

/** Parse a policy document, turning a parse error into `{ unreadable: reason }`. */
export function readDocument(input: unknown, field: string): PolicyDocument | Unreadable {
  try {
    return parsePolicyDocument(input, field);
  } catch (error) {
    if (error instanceof InvalidEventError) return { unreadable: error.message.slice(0, 200) };
    throw error;
  }
}

export function isUnreadable(v: unknown): v is Unreadable {
  return !!v && typeof v === "object" && "unreadable" in v;
}

/**
 * ARN of a bucket and the pattern of all its objects, in `partition` (the bucket's:
 * {@link partitionOfResource}; `arn:aws-us-gov:s3:::b` in GovCloud).
 */
export function bucketArns(name: string, partition = "aws"): { bucket: string; objects: string } {
  return { bucket: `arn:${partition}:s3:::${name}`, objects: `arn:${partition}:s3:::${name}/*` };
}

/**
 * Object ARN patterns of a bucket's raw-audio prefixes (`connect/*\/CallRecordings/` →
 * `arn:aws:s3:::b/connect/*\/CallRecordings/*`), in `partition` (`aws-us-gov` in GovCloud). Empty when
 * the bucket holds no recordings.
 */
export function rawObjectPatterns(bucketPattern: string, phi: PhiBucket, partition = "aws"): string[] {
  return rawKeyPatterns(phi).map((k) => `arn:${partition}:s3:::${bucketPattern}/${k}`);
}

/**
 * The partition an ARN names (`arn:aws-us-gov:iam::…` → `aws-us-gov`), or `aws` when it is not an ARN
 * with a plain partition. An identity's policies can only name resources of its own partition: S3
 * objects in GovCloud are `arn:aws-us-gov:s3:::bucket/key`, in China `arn:aws-cn:s3:::bucket/key`.
 *
 * @example
 * ```ts
 * partitionOfArn("arn:aws-us-gov:iam::111122223333:role/qa"); // "aws-us-gov"
 * ```
 */
export function partitionOfArn(arn: string): string {
  const m = /^arn:([a-z][a-z0-9-]*):/.exec(arn);
  return m ? m[1]! : "aws";
}

/**
 * The partition a resource lives in, for the ARNs phiwatch builds to ask about it (its bucket and
 * object ARNs, its key ARN, its account's root): the partition of its ARN when it has one
 * ({@link partitionOfArn}), else that of its region — `us-gov-*` → `aws-us-gov`, `cn-*` → `aws-cn`,
 * `us-iso-*` → `aws-iso`, `us-isob-*` → `aws-iso-b`, any other → `aws`. A policy can only name
 * resources and principals of its own partition: a bucket policy in GovCloud names
 * `arn:aws-us-gov:s3:::bucket/*`, never `arn:aws:s3:::bucket/*`.
 *
 * @example
 * ```ts
 * partitionOfResource({ arn: "arn:aws-cn:s3:::phi-recordings" }); // "aws-cn"
 * partitionOfResource({ region: "us-gov-west-1" }); // "aws-us-gov"
 * ```
 */
export function partitionOfResource(resource: {
  arn?: string | undefined;
  region?: string | undefined;
}): string {
  const { arn, region } = resource;
  if (arn?.startsWith("arn:")) return partitionOfArn(arn);
  if (region === undefined || region === "") return "aws";
  if (/^us-gov-[a-z]+-\d+$/.test(region)) return "aws-us-gov";
  if (/^cn-[a-z]+-\d+$/.test(region)) return "aws-cn";
  if (/^us-isob-[a-z]+-\d+$/.test(region)) return "aws-iso-b";
  if (/^us-iso-[a-z]+-\d+$/.test(region)) return "aws-iso";
  return "aws";
}

/**
 * Object-key patterns of a bucket's raw-audio prefixes (`connect/*\/CallRecordings/` →
 * `connect/*\/CallRecordings/*`), as the bucket and its access points expose them. Empty when the bucket
 * holds no recordings.
 */
export function rawKeyPatterns(phi: PhiBucket): string[] {
  if (!phi.holds.includes("recordings")) return [];
  return phi.rawPrefixes.map((p) => `${p}*`);
}

/** One PHI bucket (or family of buckets, for a prefix entry) as resource patterns. */
export interface PhiTarget {
  /** Bucket name, or `prefix*` for a prefix entry. */
  bucket: string;
  bucketArn: string;
  objects: string;
  raw: string[];
  /** Object-key patterns of the raw audio (`raw` without the bucket: for access point questions). */
  rawKeys: string[];
}

/**
 * The PHI buckets of the baseline as ARN patterns in `partition` (the identity's: `aws`, `aws-us-gov`,
 * `aws-cn`), for identity-policy questions. Tag entries need the bucket inventory; `incomplete` says
 * when it was not available.
 *
 * @example
 * ```ts
 * phiTargets(baseline, facts.inventory("AWS::S3::Bucket", acct)).targets[0].objects; // "arn:aws:s3:::phi-recordings/*"
 * ```
 */
export function phiTargets(
  baseline: Baseline,
  inventory: readonly ResourceSnapshot[] | undefined,
  partition = "aws",
): { targets: PhiTarget[]; incomplete: boolean } {
  // Asked by every identity control of every role: once per baseline, inventory and partition (shared,
  // read-only).
  return memoOn(baseline, partition === "aws" ? "phiTargets" : `phiTargets|${partition}`, [inventory], () =>
    computePhiTargets(baseline, inventory, partition),
  );
}

function computePhiTargets(
  baseline: Baseline,
  inventory: readonly ResourceSnapshot[] | undefined,
  partition: string,
): { targets: PhiTarget[]; incomplete: boolean } {
  const targets: PhiTarget[] = [];
  let incomplete = false;
  const add = (pattern: string, phi: PhiBucket) => {
    if (targets.some((t) => t.bucket === pattern)) return;
    targets.push({
      bucket: pattern,
      bucketArn: `arn:${partition}:s3:::${pattern}`,
      objects: `arn:${partition}:s3:::${pattern}/*`,
      raw: rawObjectPatterns(pattern, phi, partition),
      rawKeys: rawKeyPatterns(phi),
    });
  };
  for (const b of baseline.phiBuckets) {
    if (b.name !== undefined) add(b.name, b);
    else if (b.prefix !== undefined) add(`${b.prefix}*`, b);
    else if (!inventory) incomplete = true;
  }
  for (const s of inventory ?? []) {
    if (s.state !== "present") continue;
    const phi = phiBucketOf(baseline, bucketName(s), s.tags);
    if (phi?.tag) add(bucketName(s), phi);
  }
  return { targets, incomplete };
}

/** Whether a baseline entry matches buckets by tag (those need the bucket inventory to be named). */
export function baselineHasTagBuckets(baseline: Baseline): boolean {
  return baseline.phiBuckets.some((b) => b.tag !== undefined);
}

/**
 * Does this bucket snapshot's default encryption use the given key? Compares key ARNs and key ids;
 * aliases cannot be compared without KMS and are returned in `aliases`.
 */
export function bucketUsesKey(
  s: ResourceSnapshot,
  keyArn: string,
  keyId: string,
): { uses: boolean; aliases: string[] } {
  const aliases: string[] = [];
  let uses = false;
  for (const rule of bucketEncryption(s)) {
    const ref = rule.kmsKeyId;
    if (!ref) continue;
    if (ref === keyArn || ref === keyId || ref.endsWith(`:key/${keyId}`)) uses = true;
    else if (ref.startsWith("alias/") || ref.includes(":alias/")) aliases.push(ref);
  }
  return { uses, aliases };
}

/**
 * Identity of a KMS key snapshot: its ARN (built in the partition of its region when the item names
 * none) and key id.
 */
export function keyIdentity(s: ResourceSnapshot): { arn: string; keyId: string } {
  const c = s.configuration;
  const keyId = typeof c.keyId === "string" && c.keyId !== "" ? c.keyId : s.resourceId;
  const arn =
    s.arn ??
    (typeof c.arn === "string"
      ? c.arn
      : `arn:${partitionOfResource(s)}:kms:${s.region}:${s.accountId}:key/${keyId}`);
  return { arn, keyId };
}

/** An alias a PHI bucket names that could be the key asked about, and why it could not be resolved. */
export interface UnresolvedAlias {
  bucket: string;
  alias: string;
  reason: string;
}

/**
 * Whether a KMS key protects PHI: listed in the baseline's `phiKeys`, or the default encryption key of
 * a PHI bucket in the inventory — named by ARN or key id, or through an alias that `facts` (DescribeKey
 * of the alias, asked in the bucket's account and region) resolve to the key. An alias that could be
 * the key (of its account and region) but is not resolved is returned in `unresolvedAliases`.
 * `inventory` undefined = the bucket inventory was not available.
 */
export function phiKeyOf(
  baseline: Baseline,
  key: { arn: string; keyId: string; accountId: string; region: string },
  inventory: readonly ResourceSnapshot[] | undefined,
  facts?: FactLookup,
): { phi: boolean | "unknown"; via: string[]; unresolvedAliases: UnresolvedAlias[] } {
  const via = baseline.phiKeys.filter((p) => globMatch(p, key.arn)).map((p) => `baseline phiKeys ${p}`);
  const unresolvedAliases: UnresolvedAlias[] = [];
  for (const b of inventory ? phiBucketsOf(baseline, inventory) : [])
    if (bucketUsesKey(b, key.arn, key.keyId).uses)
      via.push(`default encryption of PHI bucket ${bucketName(b)}`);
  for (const a of inventory ? phiBucketAliases(baseline, inventory) : []) {
    // An alias names a key of its own account and region: no other key can be behind it.
    if (a.keyAccountId !== key.accountId || a.keyRegion !== key.region) continue;
    const fact = facts?.kmsKey(a.alias, a.accountId, a.region);
    if (!fact?.ok)
      unresolvedAliases.push({
        bucket: a.bucket,
        alias: a.alias,
        reason: fact ? fact.reason : "not resolved",
      });
    else if (fact.value.arn === key.arn || fact.value.arn.endsWith(`:key/${key.keyId}`))
      via.push(`default encryption of PHI bucket ${a.bucket}, through ${a.alias}`);
  }
  if (via.length > 0) return { phi: true, via, unresolvedAliases };
  return { phi: inventory === undefined ? "unknown" : false, via, unresolvedAliases };
}

/** An alias the default encryption of a PHI bucket names, and where the key behind it lives. */
export interface PhiBucketAlias {
  bucket: string;
  alias: string;
  /** The bucket's account and region, where its DescribeKey of the alias is asked (`kms-key` fact). */
  accountId: string;
  region: string;
  /** The alias ARN's account and region, else the bucket's: an alias names a key of its own. */
  keyAccountId: string;
  keyRegion: string;
}

/**
 * The aliases the present PHI buckets of a bucket inventory name in their default encryption, by name
 * (`alias/x`) or alias ARN, AWS-managed ones (`alias/aws/…`) left out. Once per baseline and inventory
 * (shared, read-only).
 *
 * @example
 * ```ts
 * phiBucketAliases(baseline, inventory); // [{ bucket: "phi-recordings", alias: "alias/phi", … }]
 * ```
 */
export function phiBucketAliases(
  baseline: Baseline,
  inventory: readonly ResourceSnapshot[],
): readonly PhiBucketAlias[] {
  return memoOn(inventory, "phiBucketAliases", [baseline], () => {
    const out: PhiBucketAlias[] = [];
    for (const b of phiBucketsOf(baseline, inventory))
      for (const { kmsKeyId: ref } of bucketEncryption(b)) {
        if (!ref || isAwsManagedAlias(ref)) continue;
        const arn = /^arn:aws[\w-]*:kms:([^:]*):(\d{12}):alias\/./.exec(ref);
        if (!arn && !ref.startsWith("alias/")) continue;
        const at = { bucket: bucketName(b), alias: ref, accountId: b.accountId, region: b.region };
        out.push({ ...at, keyAccountId: arn ? arn[2]! : b.accountId, keyRegion: arn ? arn[1]! : b.region });
      }
    return out;
  });
}

/**
 * The present PHI buckets of a bucket inventory, in inventory order. Every KMS and trail control
 * asks it of the same inventory: computed once per baseline and inventory (shared, read-only).
 *
 * @example
 * ```ts
 * phiBucketsOf(baseline, facts.inventory("AWS::S3::Bucket", acct) ?? []).map(bucketName);
 * ```
 */
export function phiBucketsOf(
  baseline: Baseline,
  inventory: readonly ResourceSnapshot[],
): readonly ResourceSnapshot[] {
  return memoOn(inventory, "phiBuckets", [baseline], () =>
    inventory.filter(
      (b) => b.state === "present" && phiBucketOf(baseline, bucketName(b), b.tags) !== undefined,
    ),
  );
}

/**
 * The KMS keys the PHI buckets of a bucket inventory encrypt with by default (PHI keys without being in
 * the baseline's `phiKeys`): key ARNs, a bare key id read in the bucket's partition, account and region, and the
 * aliases that cannot be resolved without KMS (`alias/aws/s3`, the AWS-managed key, left out). Once per
 * baseline and inventory (shared, read-only).
 *
 * @example
 * ```ts
 * phiBucketKeys(baseline, inventory).keys; // ["arn:aws:kms:us-east-1:111122223333:key/9975ba19-…"]
 * ```
 */
export function phiBucketKeys(
  baseline: Baseline,
  inventory: readonly ResourceSnapshot[],
): { keys: readonly string[]; aliases: ReadonlyArray<{ bucket: string; alias: string; scope: string }> } {
  return memoOn(inventory, "phiBucketKeys", [baseline], () => {
    const keys = new Set<string>();
    const aliases: Array<{ bucket: string; alias: string; scope: string }> = [];
    for (const b of phiBucketsOf(baseline, inventory))
      for (const { kmsKeyId: ref } of bucketEncryption(b)) {
        if (!ref || ref.endsWith("alias/aws/s3")) continue;
        const arn = /^arn:(aws[\w-]*):kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/.exec(ref);
        if (arn?.[4] === "key") keys.add(ref);
        else if (arn)
          aliases.push({
            bucket: bucketName(b),
            alias: ref,
            scope: `arn:${arn[1]}:kms:${arn[2]}:${arn[3]}:key/*`,
          });
        else if (ref.startsWith("alias/"))
          aliases.push({
            bucket: bucketName(b),
            alias: ref,
            scope: `arn:${partitionOfResource(b)}:kms:${b.region}:${b.accountId}:key/*`,
          });
        // A bare key id names a key of the bucket's own partition (arn:aws-us-gov:kms:… in GovCloud).
        else keys.add(`arn:${partitionOfResource(b)}:kms:${b.region}:${b.accountId}:key/${ref}`);
      }
    return { keys: [...keys], aliases };
  });
}

/**
 * Whether a bucket's change can move the kms-* verdicts of a key of its account (their `affectedBy`):
 * a key's verdict reads the bucket inventory only through `phiKeyOf` — the present PHI buckets whose
 * default encryption names the key by ARN or key id (`bucketUsesKey`, its `via`), and the aliases any
 * of them names (the key behind one is a PHI key; one not resolved may be). So the change moves the
 * verdict only if the item it replaced (`previous`, which the key's last verdict was decided on) or
 * the new one is present and names the key, or names an alias other than `alias/aws/s3` (which no key
 * id or ARN matches: it could be any key). The bucket's PHI-ness is not needed: a bucket that names the key is re-evaluated
 * for it whether or not it is (or was) PHI. `previous` unknown (`undefined`): every key.
 *
 * @example
 * ```ts
 * bucketChangeMovesKey(key, bucketOnKey2, bucketOnKey1); // true for key 1 and key 2 only
 * bucketChangeMovesKey(key, bucketOnAlias, null); // true for every key
 * ```
 */
export function bucketChangeMovesKey(
  key: ResourceSnapshot,
  changed: ResourceSnapshot,
  previous: PreviousSnapshot,
): boolean {
  if (previous === undefined || changed.resourceType !== "AWS::S3::Bucket") return true;
  const { arn, keyId } = keyIdentity(key);
  for (const b of previous ? [previous, changed] : [changed]) {
    // A deleted bucket is not in the inventory a key is decided on (`phiBucketsOf`).
    if (b.state !== "present") continue;
    const u = bucketUsesKey(b, arn, keyId);
    if (u.uses || u.aliases.some((a) => !a.endsWith("alias/aws/s3"))) return true;
  }
  return false;
}

/** Fact request for the bucket inventory that decides which keys are PHI keys. */
export function bucketInventoryRequest(accountId: string): FactRequest {
  return { kind: "inventory", resourceType: "AWS::S3::Bucket", accountId };
}

/**
 * The kms-* controls' follow-up facts (`followUpFacts`): DescribeKey of each alias the PHI buckets of
 * the key's account name that could be this key (an alias of the key's account and region), asked in
 * the bucket's account and region as `phiKeyOf` looks it up. None before the bucket inventory is known,
 * and none for an AWS-managed key (it takes no customer alias).
 */
export function phiKeyAliasRequests(resource: ResourceSnapshot, ctx: EvaluationContext): FactRequest[] {
  const inventory = ctx.facts.inventory("AWS::S3::Bucket", resource.accountId);
  if (!inventory || resource.configuration.keyManager === "AWS") return [];
  const out: FactRequest[] = [];
  for (const a of phiBucketAliases(ctx.baseline, inventory))
    if (a.keyAccountId === resource.accountId && a.keyRegion === resource.region)
      out.push({ kind: "kms-key", ref: a.alias, accountId: a.accountId, region: a.region });
  return out;
}

/** A key the kms-* controls judge: why it is a PHI key, or the aliases it may be behind. */
export interface PhiKeyGate {
  key: { arn: string; keyId: string };
  /** Why it protects PHI (`phiBecause`), or which unresolved aliases it may be behind. */
  via: string[];
  /** Not empty when the key is a PHI key only if it is behind one of these (not resolved). */
  unresolvedAliases: UnresolvedAlias[];
}

/**
 * Shared gate of the kms-* controls: the key's identity and why it is a PHI key, or the verdict to
 * return (NOT_APPLICABLE). When the bucket inventory is unavailable and the baseline does not list the
 * key, it throws: the engine records ERROR, so an open finding is neither resolved nor invented. A
 * customer-managed key of the account and region of an alias a PHI bucket names that could not be
 * resolved may be the key behind it: it is judged as a PHI key, and `phiKeyVerdict` makes a failure
 * say it cannot prove the key protects no PHI.
 */
export function phiKeyGate(
  resource: ResourceSnapshot,
  ctx: EvaluationContext,
): PhiKeyGate | { verdict: Verdict } {
  const key = keyIdentity(resource);
  const r = phiKeyOf(
    ctx.baseline,
    { ...key, accountId: resource.accountId, region: resource.region },
    ctx.facts.inventory("AWS::S3::Bucket", resource.accountId),
    ctx.facts,
  );
  if (r.phi === "unknown")
    throw new PhiwatchError("cannot tell whether the key protects PHI: bucket inventory not available");
  if (r.phi) return { key, via: r.via, unresolvedAliases: [] };
  // AWS-managed keys take no customer alias (`alias/aws/…` is reserved for them).
  const maybe = resource.configuration.keyManager === "AWS" ? [] : r.unresolvedAliases;
  if (maybe.length === 0)
    return { verdict: notApplicable("the key protects no PHI bucket and is not in the baseline's phiKeys") };
  return {
    key,
    via: maybe.map(
      (a) =>
        `may be the key behind ${a.alias}, named by the default encryption of PHI bucket ${a.bucket} (alias not resolved: ${a.reason})`,
    ),
    unresolvedAliases: maybe,
  };
}

/**
 * The `evaluate` of a kms-* control: the gate (`phiKeyGate`), then `judge` on a key it lets through,
 * its verdict settled by `phiKeyVerdict`.
 *
 * @example
 * ```ts
 * evaluate: onPhiKey((resource, ctx, gate) => pass("key state Enabled", { phiBecause: gate.via })),
 * ```
 */
export function onPhiKey<P>(
  judge: (resource: ResourceSnapshot, ctx: EvaluationContext<P>, gate: PhiKeyGate) => Verdict,
): (resource: ResourceSnapshot, ctx: EvaluationContext<P>) => Verdict {
  return (resource, ctx) => {
    const gate = phiKeyGate(resource, ctx);
    if ("verdict" in gate) return gate.verdict;
    return phiKeyVerdict(gate, judge(resource, ctx, gate));
  };
}

/**
 * A kms-* verdict on a key the gate let through: unchanged for a PHI key, and for a pass (the key meets
 * the control whether or not it is behind the alias); a failure of a key that may be behind an
 * unresolved alias says it cannot prove the key protects no PHI (`proof: "cannot prove"`).
 */
export function phiKeyVerdict(gate: PhiKeyGate, verdict: Verdict): Verdict {
  if (gate.unresolvedAliases.length === 0 || verdict.status !== "NON_COMPLIANT") return verdict;
  const named = gate.unresolvedAliases.map((a) => `${a.alias} of PHI bucket ${a.bucket}`);
  return {
    ...verdict,
    summary: `cannot prove the key is not behind ${named.slice(0, 3).join(", ")}${named.length > 3 ? ` and ${named.length - 3} more` : ""} (alias not resolved): ${verdict.summary}`,
    evidence: {
      ...verdict.evidence,
      proof: "cannot prove",
      unresolvedAliases: gate.unresolvedAliases.slice(0, 20).map((a) => ({ ...a })),
    },
  };
}

/**
 * A supplementary-configuration value as an object. Items from Config's history API and snapshot
 * files carry these values as JSON strings (sometimes JSON inside a JSON string): parse them here, so
 * every control reads one shape whatever the source. Returns the first of `keys` that is present.
 *
 * @example
 * ```ts
 * supplementaryObject(snapshot, "BucketVersioningConfiguration")?.status; // "Enabled"
 * ```
 */
export function supplementaryObject(
  s: ResourceSnapshot,
  ...keys: string[]
): Record<string, unknown> | undefined {
  for (const k of keys) {
    let v: unknown = s.supplementary[k];
    for (let i = 0; i < 3 && typeof v === "string"; i++) {
      try {
        v = JSON.parse(v);
      } catch {
        v = undefined;
      }
    }
    const o = obj(v);
    if (o) return o;
  }
  return undefined;
}

/**
 * A bucket's versioning status as recorded (`Enabled`, `Suspended`, `Off`), in Config's camelCase or
 * the API's PascalCase; null when not recorded.
 *
 * @example
 * ```ts
 * bucketVersioningStatus(snapshot); // "Enabled"
 * ```
 */
export function bucketVersioningStatus(s: ResourceSnapshot): string | null {
  const v = supplementaryObject(s, "BucketVersioningConfiguration");
  return typeof v?.status === "string" ? v.status : typeof v?.Status === "string" ? v.Status : null;
}
