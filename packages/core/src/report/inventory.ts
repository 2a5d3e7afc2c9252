import { matchesAny, phiBucketOf } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import type { Finding } from "../finding/types.ts";
import { supplementaryObject } from "../policy/resources.ts";
import { bucketReadCoverage, TRAIL_TYPE, trailView } from "../resource/cloudtrail.ts";
import {
  CONNECT_INSTANCE,
  connectInstanceId,
  contactLensEnabled,
  instanceStorageConfigs,
  instanceStorageRefusals,
} from "../resource/connect.ts";
import { manualRotation } from "../resource/kms-proof.ts";
import {
  bucketEncryption,
  bucketName,
  bucketPublicAccessBlock,
  PUBLIC_ACCESS_FLAGS,
} from "../resource/s3.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";

/** One PHI bucket as the data-path inventory describes it. "unknown" = not recorded. */
export interface PhiBucketPath {
  name: string;
  accountId?: string;
  region?: string;
  holds: string[];
  /** False when the baseline names the bucket but no snapshot of it was recorded. */
  observed: boolean;
  encryption: string;
  kmsKey?: string;
  keyManager?: string;
  keyRotation?: string;
  publicAccessBlock: string;
  versioning: string;
  objectLock: string;
  retention: string;
  replication: string;
  accessLogging: string;
  trailCoverage: string;
  /** Identities that can read raw recordings: declared (baseline) and found by controls (open findings). */
  rawReaders: { declared: string[]; undesignated: string[] };
}

export interface TrailPath {
  name: string;
  region: string;
  multiRegion: boolean;
  logging: string;
  logFileValidation: boolean;
  kmsKey: string;
}

export interface ConnectStoragePath {
  instance: string;
  alias?: string;
  region: string;
  contactLens: string;
  storage: Array<{ type: string; target: string; encryption: string }>;
}

export interface KeyPath {
  keyId: string;
  arn: string;
  manager: string;
  state: string;
  rotation: string;
}

/** The inventory of PHI data paths: the current-state architecture document of the report. */
export interface DataPathInventory {
  buckets: PhiBucketPath[];
  keys: KeyPath[];
  trails: TrailPath[];
  connect: ConnectStoragePath[];
  accountPublicAccessBlock: Array<{ accountId: string; flags: string }>;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function pick(o: Record<string, unknown> | undefined, ...names: string[]): unknown {
  if (!o) return undefined;
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}
const present = (s: ResourceSnapshot) => s.state === "present";

function flagsText(pab: Record<string, boolean> | undefined): string {
  if (!pab) return "not configured (all off)";
  const off = PUBLIC_ACCESS_FLAGS.filter((f) => !pab[f]);
  return off.length === 0 ? "all four on" : `off: ${off.join(", ")}`;
}

/** Key facts from the inventory (KMS Config items or API reads), by ARN or key id. */
function findKey(keys: ResourceSnapshot[], ref: string): ResourceSnapshot | undefined {
  return keys.find((k) => {
    const arn = k.arn ?? (typeof k.configuration.arn === "string" ? k.configuration.arn : "");
    return arn === ref || k.resourceId === ref || ref.endsWith(`:key/${k.resourceId}`);
  });
}

function keyView(k: ResourceSnapshot): KeyPath {
  const c = k.configuration;
  const rot = pick(k.supplementary, "KeyRotationStatus") ?? pick(c, "keyRotationEnabled");
  const period = pick(k.supplementary, "RotationPeriodInDays");
  const manager = String(pick(c, "keyManager", "KeyManager") ?? "unknown");
  const origin = pick(c, "origin", "Origin");
  return {
    keyId: k.resourceId,
    arn: k.arn ?? String(pick(c, "arn", "Arn") ?? k.resourceId),
    manager,
    state: String(pick(c, "keyState", "KeyState") ?? "unknown"),
    rotation:
      manager === "AWS"
        ? "AWS-managed (yearly)"
        : manualRotation(origin) !== undefined
          ? `manual only (origin ${String(origin)})`
          : rot === true || rot === "true"
            ? `on${period !== undefined ? `, every ${period} days` : ""}`
            : rot === false || rot === "false"
              ? "OFF"
              : "unknown",
  };
}

function bucketPath(
  s: ResourceSnapshot,
  holds: string[],
  keys: ResourceSnapshot[],
  trails: ResourceSnapshot[],
): Omit<PhiBucketPath, "rawReaders"> {
  const enc = bucketEncryption(s);
  const rule = enc[0];
  const key = rule?.kmsKeyId ? findKey(keys, rule.kmsKeyId) : undefined;
  const kv = key ? keyView(key) : undefined;
  const versioning = supplementaryObject(s, "BucketVersioningConfiguration");
  const lock = supplementaryObject(s, "ObjectLockConfiguration", "BucketObjectLockConfiguration");
  const lockRule = obj(pick(lock, "rule", "Rule"));
  const ret = obj(pick(lockRule, "defaultRetention", "DefaultRetention"));
  const lifecycle = supplementaryObject(s, "BucketLifecycleConfiguration");
  const rules = Array.isArray(lifecycle?.rules) ? lifecycle.rules.map(obj) : [];
  const expirations = rules
    .filter((r) => r && r.status === "Enabled")
    .map((r) => Number(r?.expirationInDays))
    .filter((d) => Number.isFinite(d) && d > 0);
  const replication = supplementaryObject(s, "BucketReplicationConfiguration", "ReplicationConfiguration");
  // Config keys replication rules by rule id (an object); the S3 API returns an array.
  const replRules: unknown[] = Array.isArray(replication?.rules)
    ? replication.rules
    : Object.values(obj(replication?.rules) ?? {});
  const destinations = replRules
    .map((r) => pick(obj(pick(obj(r), "destinationConfig", "Destination")), "bucketARN", "Bucket"))
    .filter((d): d is string => typeof d === "string");
  const logging = supplementaryObject(s, "BucketLoggingConfiguration");
  const logTarget = pick(logging, "destinationBucketName", "TargetBucket");
  const cov = bucketReadCoverage(trails, { name: bucketName(s), region: s.region });
  const lockEnabled = pick(lock, "objectLockEnabled", "ObjectLockEnabled");
  return {
    name: bucketName(s),
    accountId: s.accountId,
    region: s.region,
    holds,
    observed: true,
    encryption: rule ? (rule.algorithm ?? "unknown") : "none recorded",
    ...(rule?.kmsKeyId ? { kmsKey: rule.kmsKeyId } : {}),
    ...(kv ? { keyManager: kv.manager, keyRotation: kv.rotation } : {}),
    ...(rule?.kmsKeyId?.endsWith("alias/aws/s3") ? { keyManager: "AWS" } : {}),
    ...(rule && rule.algorithm === "AES256" ? { keyManager: "AWS (SSE-S3)" } : {}),
    publicAccessBlock: flagsText(bucketPublicAccessBlock(s)),
    versioning: versioning
      ? `${String(pick(versioning, "status", "Status") ?? "Off")}${pick(versioning, "isMfaDeleteEnabled") === true ? ", MFA delete" : ""}`
      : "unknown",
    objectLock:
      lockEnabled === "Enabled"
        ? `on${ret ? `, ${String(pick(ret, "mode", "Mode") ?? "")} ${String(pick(ret, "days", "Days") ?? pick(ret, "years", "Years") ?? "")}${pick(ret, "days", "Days") !== undefined ? " days" : " years"}` : ", no default retention"}`
        : "off",
    retention:
      expirations.length > 0 ? `expires after ${Math.min(...expirations)} days` : "no expiration rule",
    replication: destinations.length > 0 ? destinations.join(", ") : "none",
    accessLogging: typeof logTarget === "string" && logTarget !== "" ? `to ${logTarget}` : "off",
    trailCoverage:
      trails.length === 0
        ? "unknown: no trail recorded"
        : cov.coverage === "full"
          ? `object reads recorded by ${cov.by?.trail ?? "a trail"}`
          : `${cov.coverage}${cov.by ? `: ${cov.by.reason}` : ""}`,
  };
}

/**
 * Build the inventory of PHI data paths from the latest snapshots and the open findings: every PHI
 * bucket with its key, rotation, retention, Object Lock and trail coverage; who can read raw
 * recordings; the trails; Connect's storage configurations. Pure.
 *
 * @example
 * ```ts
 * const inv = dataPathInventory(baseline, snapshots, findings);
 * inv.buckets[0].encryption; // "AES256"
 * ```
 */
export function dataPathInventory(
  baseline: Baseline,
  snapshots: readonly ResourceSnapshot[],
  findings: readonly Finding[],
): DataPathInventory {
  const live = snapshots.filter(present);
  const of = (t: string) => live.filter((s) => s.resourceType === t);
  const keys = of("AWS::KMS::Key");
  const trails = of(TRAIL_TYPE);
  const undesignated = [
    ...new Set(
      findings
        .filter(
          (f) =>
            f.status === "OPEN" &&
            (f.ruleId === "iam-analytics-no-raw-audio" || f.ruleId === "iam-raw-readers-designated"),
        )
        .map((f) => {
          // Config ids IAM roles by their opaque id (AROA…): show the ARN the control evaluated.
          const identity = f.evidence.identity;
          if (typeof identity === "string" && identity.startsWith("arn:")) return identity;
          const name = (f.subject as { resourceName?: string }).resourceName;
          return f.subject.resourceId.startsWith("arn:")
            ? f.subject.resourceId
            : `${f.subject.resourceType} ${name ?? f.subject.resourceId}`;
        }),
    ),
  ].sort();
  const declared = [...baseline.principals.rawReaders, ...baseline.principals.services];

  const buckets: PhiBucketPath[] = [];
  const seen = new Set<string>();
  for (const s of of("AWS::S3::Bucket")) {
    const phi = phiBucketOf(baseline, bucketName(s), s.tags);
    if (!phi) continue;
    seen.add(bucketName(s));
    buckets.push({
      ...bucketPath(s, [...phi.holds], keys, trails),
      rawReaders: phi.holds.includes("recordings")
        ? { declared, undesignated }
        : { declared: [], undesignated: [] },
    });
  }
  for (const b of baseline.phiBuckets) {
    if (b.name === undefined || seen.has(b.name)) continue;
    buckets.push({
      name: b.name,
      holds: [...b.holds],
      observed: false,
      encryption: "not observed",
      publicAccessBlock: "not observed",
      versioning: "not observed",
      objectLock: "not observed",
      retention: "not observed",
      replication: "not observed",
      accessLogging: "not observed",
      trailCoverage: "not observed",
      rawReaders: b.holds.includes("recordings")
        ? { declared, undesignated }
        : { declared: [], undesignated: [] },
    });
  }
  buckets.sort((a, b) => a.name.localeCompare(b.name));

  const phiKeyRefs = new Set(buckets.map((b) => b.kmsKey).filter((k): k is string => k !== undefined));
  const keyPaths = keys
    .filter((k) => {
      const v = keyView(k);
      return (
        matchesAny(baseline.phiKeys, v.arn) ||
        [...phiKeyRefs].some((r) => r === v.arn || r === k.resourceId || r.endsWith(`:key/${k.resourceId}`))
      );
    })
    .map(keyView)
    .sort((a, b) => a.arn.localeCompare(b.arn));

  const trailPaths = trails
    .map((t) => {
      const v = trailView(t);
      return {
        name: v.name,
        region: v.homeRegion,
        multiRegion: v.multiRegion,
        logging: v.isLogging === undefined ? "unknown" : v.isLogging ? "yes" : "NO",
        logFileValidation: v.logFileValidation,
        kmsKey: v.kmsKeyId ?? "none (SSE-S3)",
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  const connect = of(CONNECT_INSTANCE)
    .map((s) => {
      const lens = contactLensEnabled(s);
      const configs = instanceStorageConfigs(s);
      const storage: ConnectStoragePath["storage"] = [];
      if (configs)
        for (const [type, list] of configs) {
          if (list.length === 0) storage.push({ type, target: "not configured", encryption: "—" });
          for (const c of list) {
            if (c === "unreadable") {
              storage.push({ type, target: "unreadable", encryption: "unknown" });
              continue;
            }
            const target = c.s3
              ? `s3://${c.s3.bucketName}/${c.s3.bucketPrefix ?? ""}`
              : c.kinesisVideoStream
                ? `Kinesis Video Streams (${c.kinesisVideoStream.prefix ?? ""})`
                : (c.kinesisStreamArn ?? c.kinesisFirehoseArn ?? c.storageType);
            const e = c.s3?.encryption ?? c.kinesisVideoStream?.encryption;
            storage.push({
              type,
              target,
              encryption: e?.keyId ? `${e.type ?? "KMS"} ${e.keyId}` : (e?.type ?? "none"),
            });
          }
        }
      // Types of features the instance lacks (Connect refused the read as not applying): listed, so the
      // inventory shows they were asked for, not forgotten.
      for (const [type, answer] of instanceStorageRefusals(s))
        if (!configs?.has(type))
          storage.push({ type, target: `refused by Connect: ${answer}`, encryption: "—" });
      const alias = s.configuration.InstanceAlias;
      return {
        instance: connectInstanceId(s) ?? s.resourceId,
        ...(typeof alias === "string" ? { alias } : {}),
        region: s.region,
        contactLens: lens === undefined ? "unknown" : lens ? "on" : "off",
        storage,
      };
    })
    .sort((a, b) => a.instance.localeCompare(b.instance));

  const accountPublicAccessBlock = of("AWS::S3::AccountPublicAccessBlock").map((s) => {
    const c = s.configuration;
    const flags: Record<string, boolean> = {};
    for (const f of PUBLIC_ACCESS_FLAGS) {
      const v = c[f] ?? c[f[0]!.toUpperCase() + f.slice(1)];
      flags[f] = v === true || v === "true";
    }
    return { accountId: s.accountId, flags: flagsText(flags) };
  });

  return { buckets, keys: keyPaths, trails: trailPaths, connect, accountPublicAccessBlock };
}
