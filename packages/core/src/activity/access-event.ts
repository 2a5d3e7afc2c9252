import { createHash, createHmac, createSecretKey, hash } from "node:crypto";
import { isRawObjectKey, matchesAny, phiBucketOf } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import { InvalidEventError } from "../errors.ts";
import { canonicalTimeMs, eventTimeIso } from "./event-time.ts";
import { type Principal, principalOf, sanitiseIdentityText } from "./principal.ts";
import type { CloudTrailRecord } from "./record.ts";

export type AccessTargetType = "AWS::S3::Bucket" | "AWS::KMS::Key";
export type AccessAction = "read" | "list" | "decrypt";

/** A PHI access (or attempted access) normalised from one CloudTrail data event. No PHI inside. */
export interface AccessEvent {
  eventId: string;
  /** Short hash of the event id: the dedup unit of window counts. */
  idHash: string;
  /** Event time (never arrival time), ISO-8601, and as epoch ms. */
  eventTime: string;
  at: number;
  /** Account that owns the target (CloudTrail `recipientAccountId`). */
  accountId: string;
  region: string;
  eventName: string;
  action: AccessAction;
  target: { type: AccessTargetType; id: string };
  /**
   * Keyed hash of the object key (S3 reads), led by the hash key's id (see `objectKeyHasher`); the
   * key itself is never kept.
   */
  objectHash?: string;
  /** The object lies under one of the bucket's raw-audio prefixes. */
  rawAudio: boolean;
  principal: Principal;
  denied: boolean;
  errorCode?: string;
  /** Where the call came from: network prefix (`ip4:203.0.113.0/24`), VPC endpoint, user-agent class. */
  source: { ip?: string; network: string; vpce?: string; uaClass: string };
  tlsVersion?: string;
  /** Positive evidence of a request without TLS 1.2+ (see docs/detectors.md). */
  insecureTransport: boolean;
  /** Caller's account differs from the target's account. */
  crossAccount: boolean;
}

/**
 * Keyed hash for object keys: counts distinct objects without storing keys. Each hash is the key's
 * id (`keyId`, 4 hex) followed by HMAC-SHA256(secret, object key) truncated to 64 bits (16 hex).
 */
export type KeyHasher = ((objectKey: string) => string) & { readonly keyId: string };

/** Label of the key id's derivation: the id names a secret without revealing anything of it. */
export const OBJECT_KEY_ID_LABEL = "phiwatch:object-key-id:v1";
/** Hex digits of the key id that leads every object-key hash. */
export const OBJECT_KEY_ID_HEX = 4;

/**
 * Build the object-key hasher from a secret (`PHIWATCH_HASH_KEY`). Without the secret an attacker
 * who reads the table cannot test guesses of object keys against the stored hashes.
 *
 * Every hash is led by the secret's key id (16 bits of HMAC-SHA256(secret, "phiwatch:object-key-id:v1")),
 * so hashes made before and after a rotation of the secret are told apart and never counted as
 * different objects (see `distinctObjects`).
 *
 * @example
 * ```ts
 * const hash = objectKeyHasher(process.env.PHIWATCH_HASH_KEY!);
 * hash("connect/x/CallRecordings/2026/…wav"); // "a41c9f2c…" (4 + 16 hex)
 * hash.keyId; // "a41c"
 * ```
 */
export function objectKeyHasher(secret: string): KeyHasher {
  if (secret.length < 16) throw new InvalidEventError("at least 16 characters", "PHIWATCH_HASH_KEY");
  // One key object for every call: createHmac with a string key imports the key each time.
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  const keyId = createHmac("sha256", key)
    .update(OBJECT_KEY_ID_LABEL)
    .digest("hex")
    .slice(0, OBJECT_KEY_ID_HEX);
  const hasher = (objectKey: string) =>
    keyId + createHmac("sha256", key).update(objectKey).digest("hex").slice(0, 16);
  return Object.assign(hasher, { keyId });
}

/**
 * The object-key hash secret: `PHIWATCH_HASH_KEY` when set (deployments: from SSM/Secrets Manager),
 * else one derived from the table name (local mode and backfills against the same table agree).
 */
export function hashSecret(env: Record<string, string | undefined>, tableName: string): string {
  return env.PHIWATCH_HASH_KEY ?? createHash("sha256").update(`phiwatch:${tableName}`).digest("hex");
}

export function eventIdHash(eventId: string): string {
  // One-shot hash: no Hash object per event.
  return hash("sha256", eventId).slice(0, 16);
}

/**
 * S3 data events the access detectors count as a read of a PHI object, logged under that object's
 * ARN (readOnly). Trail coverage (`resource/cloudtrail.ts`) requires a selector to record every one:
 * a read the trail drops is a read no detector sees.
 */
export const S3_READ_EVENTS = ["GetObject", "SelectObjectContent"] as const;
const S3_READS = new Set<string>(S3_READ_EVENTS);
/** Server-side copies: they read the object named by `x-amz-copy-source`. */
const S3_COPIES = new Set(["CopyObject", "UploadPartCopy"]);
const S3_LISTS = new Set(["ListObjects", "ListObjectsV2", "ListObjectVersions", "ListBucket"]);
const KMS_READS = new Set(["Decrypt"]);
const DENIED = /AccessDenied|UnauthorizedOperation|Forbidden|InvalidAccessKeyId|SignatureDoesNotMatch/i;
const INSECURE_TLS = new Set(["SSLv3", "TLSv1", "TLSv1.1"]);

/**
 * Normalise one CloudTrail record into a PHI access event, or `undefined` when it is not a read,
 * list or decrypt of a PHI bucket or PHI key (those are not access-monitored).
 *
 * @example
 * ```ts
 * const ev = toAccessEvent(record, baseline, objectKeyHasher(secret));
 * ev?.target; // { type: "AWS::S3::Bucket", id: "northwind-connect-recordings" }
 * ```
 */
export function toAccessEvent(
  rec: CloudTrailRecord,
  baseline: Baseline,
  hashKey: KeyHasher,
): AccessEvent | undefined {
  let action: AccessAction;
  let target: AccessEvent["target"];
  let objectHash: string | undefined;
  let rawAudio = false;
  const req = rec.requestParameters ?? {};
  if (
    rec.eventSource === "s3.amazonaws.com" &&
    (S3_READS.has(rec.eventName) || S3_LISTS.has(rec.eventName))
  ) {
    action = S3_READS.has(rec.eventName) ? "read" : "list";
    const bucket = bucketOf(rec);
    if (!bucket) return undefined;
    const entry = phiBucketOf(baseline, bucket);
    if (!entry) return undefined;
    target = { type: "AWS::S3::Bucket", id: bucket };
    if (action === "read") {
      const key = objectKeyOf(rec, bucket);
      if (key === undefined) throw new InvalidEventError("missing", "requestParameters.key");
      objectHash = hashKey(key);
      rawAudio = isRawObjectKey(entry, key);
    }
  } else if (rec.eventSource === "s3.amazonaws.com" && S3_COPIES.has(rec.eventName)) {
    // A server-side copy reads its source: copying recordings to another bucket (any account) is a
    // read of the PHI bucket, recorded only under the destination with the source in a header.
    const src = copySourceOf(req["x-amz-copy-source"]);
    const entry = src && phiBucketOf(baseline, src.bucket);
    if (!src || !entry) return undefined;
    action = "read";
    target = { type: "AWS::S3::Bucket", id: src.bucket };
    objectHash = hashKey(src.key);
    rawAudio = isRawObjectKey(entry, src.key);
  } else if (rec.eventSource === "kms.amazonaws.com" && KMS_READS.has(rec.eventName)) {
    action = "decrypt";
    const keyArn =
      rec.resources?.find((r) => r.type === "AWS::KMS::Key")?.ARN ??
      (typeof req.keyId === "string" ? req.keyId : undefined);
    if (!keyArn) return undefined;
    const ctx = req.encryptionContext as Record<string, unknown> | undefined;
    const ctxBucket =
      typeof ctx?.["aws:s3:arn"] === "string"
        ? (ctx["aws:s3:arn"] as string).replace(/^arn:[\w-]+:s3:::/, "").split("/")[0]
        : undefined;
    const phi = matchesAny(baseline.phiKeys, keyArn) || (!!ctxBucket && !!phiBucketOf(baseline, ctxBucket));
    if (!phi) return undefined;
    target = { type: "AWS::KMS::Key", id: keyArn };
  } else if (
    rec.eventSource === "s3.amazonaws.com" &&
    rec.errorCode !== undefined &&
    DENIED.test(rec.errorCode) &&
    rec.managementEvent !== true &&
    rec.eventCategory !== "Management"
  ) {
    // Any other object call denied on a PHI bucket (HeadObject, PutObject, DeleteObject…) is a probe
    // the policy stopped: it only feeds access-denied-burst (denied events are never reads).
    const bucket = bucketOf(rec);
    if (!bucket || !phiBucketOf(baseline, bucket)) return undefined;
    action = "read";
    target = { type: "AWS::S3::Bucket", id: bucket };
  } else {
    return undefined;
  }

  // A call that failed for another reason than a denial (NoSuchKey, InvalidRange, a bad ciphertext)
  // read nothing: it is neither a read nor a probe the policy stopped.
  const denied = rec.errorCode !== undefined && DENIED.test(rec.errorCode);
  if (rec.errorCode && !denied) return undefined;
  const recipient = rec.recipientAccountId ?? rec.userIdentity.accountId ?? "";
  const principal = principalOf(rec.userIdentity, recipient);
  // A cross-account call is delivered to both accounts, the caller's copy with the caller's account
  // as recipient: the target's owner is read from the record's resources when it names it.
  const owner = ownerOf(rec, target) ?? recipient;
  const fastAt = canonicalTimeMs(rec.eventTime);
  const at = Number.isNaN(fastAt) ? Date.parse(rec.eventTime) : fastAt;
  const tlsVersion = rec.tlsDetails?.tlsVersion;
  const ip = rec.sourceIPAddress;
  const addr = ip ? addressOf(ip) : undefined;
  // Built field by field (no spreads: this runs for every event); the key order is the documented one.
  const source = (
    addr?.version ? { ip, network: addr.network } : { network: addr?.network ?? "none" }
  ) as AccessEvent["source"];
  if (rec.vpcEndpointId) source.vpce = sanitiseIdentityText(rec.vpcEndpointId, 64);
  source.uaClass = userAgentClassCached(rec.userAgent);
  const ev = {
    eventId: rec.eventID,
    // Both copies of a cross-account call share `sharedEventID`: one read, counted once.
    idHash: eventIdHash(rec.sharedEventID ?? rec.eventID),
    eventTime: eventTimeIso(rec.eventTime, at, !Number.isNaN(fastAt)),
    at,
    accountId: owner,
    region: rec.awsRegion,
    eventName: rec.eventName,
    action,
    target,
  } as AccessEvent;
  if (objectHash) ev.objectHash = objectHash;
  ev.rawAudio = rawAudio;
  ev.principal = principal;
  ev.denied = denied;
  if (rec.errorCode) ev.errorCode = sanitiseIdentityText(rec.errorCode, 64);
  ev.source = source;
  if (tlsVersion) ev.tlsVersion = cached(tlsCache, tlsVersion, tlsText);
  ev.insecureTransport = insecure(rec);
  ev.crossAccount =
    principal.kind !== "service" &&
    principal.accountId !== "" &&
    owner !== "" &&
    principal.accountId !== owner;
  return ev;
}

/** Caches of per-string derivations (callers, networks and clients repeat across a batch), bounded. */
const MAX_CACHED = 4096;
/** Longer strings are classified every time rather than cached (caller-supplied, unbounded). */
const MAX_CACHED_LENGTH = 256;
const addressCache = new Map<string, { version: 0 | 4 | 6; network: string }>();
const uaCache = new Map<string, string>();
const tlsCache = new Map<string, string>();

function cached<V>(cache: Map<string, V>, key: string, compute: (k: string) => V): V {
  if (key.length > MAX_CACHED_LENGTH) return compute(key);
  let v = cache.get(key);
  if (v === undefined) {
    v = compute(key);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** `isIP(ip)` and `networkOf(ip)` of a non-empty source address. */
function addressOf(ip: string): { version: 0 | 4 | 6; network: string } {
  return cached(addressCache, ip, (k) => ({ version: isIP(k), network: networkOf(k) }));
}

function tlsText(v: string): string {
  return sanitiseIdentityText(v, 16);
}

function userAgentClassCached(ua: string | undefined): string {
  return ua ? cached(uaCache, ua, userAgentClass) : "none";
}

/** The account owning the target, when the record names it: the bucket's resource entry, the key's ARN. */
function ownerOf(rec: CloudTrailRecord, target: AccessEvent["target"]): string | undefined {
  if (target.type === "AWS::KMS::Key") return /^arn:[\w-]+:kms:[^:]*:(\d{12}):/.exec(target.id)?.[1];
  const suffix = `:::${target.id}`;
  const r = rec.resources?.find((x) => x.type === "AWS::S3::Bucket" && x.ARN?.endsWith(suffix));
  return r?.accountId && /^\d{12}$/.test(r.accountId) ? r.accountId : undefined;
}

function bucketOf(rec: CloudTrailRecord): string | undefined {
  const b = rec.requestParameters?.bucketName;
  if (typeof b === "string" && b) return b;
  const arn = rec.resources?.find((r) => r.type === "AWS::S3::Bucket")?.ARN;
  return arn?.replace(/^arn:[\w-]+:s3:::/, "") || undefined;
}

function objectKeyOf(rec: CloudTrailRecord, bucket: string): string | undefined {
  const k = rec.requestParameters?.key;
  if (typeof k === "string" && k) return k;
  const arn = rec.resources?.find((r) => r.type === "AWS::S3::Object")?.ARN;
  // In the record's own partition (`arn:aws-us-gov:s3:::bucket/key` in GovCloud).
  const at = arn?.indexOf(`:s3:::${bucket}/`) ?? -1;
  return arn !== undefined && at > 4 && /^arn:[\w-]+$/.test(arn.slice(0, at))
    ? arn.slice(at + `:s3:::${bucket}/`.length)
    : undefined;
}

/**
 * Source bucket and key of `x-amz-copy-source` as sent: `bucket/key` or `/bucket/key`, the key
 * URL-encoded or not, optionally `?versionId=…`. Access-point sources (`arn:…`) name no bucket.
 */
function copySourceOf(v: unknown): { bucket: string; key: string } | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.startsWith("/") ? v.slice(1) : v;
  const slash = s.indexOf("/");
  if (slash <= 0 || s.startsWith("arn:")) return undefined;
  const q = s.indexOf("?versionId=");
  const raw = s.slice(slash + 1, q > slash ? q : undefined);
  let key = raw;
  try {
    key = decodeURIComponent(raw);
  } catch {
    // Not URL-encoded (a literal `%`): the key as written.
  }
  return key ? { bucket: s.slice(0, slash), key } : undefined;
}

/**
 * Network of a source address, coarse enough that a person's changing home address does not look
 * new every day: IPv4 /24, IPv6 /48; AWS service callers (`s3.amazonaws.com`, `AWS Internal`) by name.
 */
export function networkOf(ip: string | undefined): string {
  if (!ip) return "none";
  const v = isIP(ip);
  if (v === 4) return `ip4:${ip.split(".").slice(0, 3).join(".")}.0/24`;
  if (v === 6) {
    const head = expand6(ip).slice(0, 3).join(":");
    return `ip6:${head}::/48`;
  }
  return `aws:${sanitiseIdentityText(ip.toLowerCase(), 64)}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:]{2,39}$/i;

/** 4, 6 or 0 like node:net's isIP (core does no network I/O, so it does not import node:net). */
function isIP(s: string): 0 | 4 | 6 {
  if (IPV4.test(s)) return 4;
  if (IPV6.test(s) && s.includes(":") && (s.match(/::/g)?.length ?? 0) <= 1) return 6;
  return 0;
}

function expand6(ip: string): string[] {
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = Array(Math.max(0, 8 - h.length - t.length)).fill("0");
  return [...h, ...(ip.includes("::") ? fill : []), ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}

/**
 * Client type of a user agent. A new *client type* (a script where a browser was) is more telling
 * than a new address, and the class never carries the caller-supplied string itself.
 */
export function userAgentClass(ua: string | undefined): string {
  if (!ua) return "none";
  const s = ua.toLowerCase();
  if (s === "aws internal" || /^\[?[\w.-]+\.amazonaws\.com\]?$/.test(s)) return "aws-service";
  if (s.includes("s3console") || s.includes("console.amazonaws.com") || s.includes("signin.amazonaws.com"))
    return "console";
  if (s.includes("aws-cli/")) return "aws-cli";
  if (s.includes("boto3/") || s.includes("botocore/")) return "sdk-python";
  if (s.includes("aws-sdk-java")) return "sdk-java";
  if (s.includes("aws-sdk-js") || s.includes("aws-sdk-nodejs")) return "sdk-js";
  if (s.includes("aws-sdk-go")) return "sdk-go";
  if (s.includes("aws-sdk-dotnet") || s.includes("aws-sdk-net")) return "sdk-dotnet";
  if (s.includes("aws-sdk-")) return "sdk-other";
  if (s.includes("terraform")) return "terraform";
  if (s.startsWith("mozilla/")) return "browser";
  if (/^(curl|wget|python-requests|go-http-client|okhttp|postmanruntime)/.test(s)) return "http-tool";
  return "other";
}

function insecure(rec: CloudTrailRecord): boolean {
  const v = rec.tlsDetails?.tlsVersion;
  if (v) return INSECURE_TLS.has(v);
  // S3 records a CipherSuite for every TLS request; a signed S3 request without one came over HTTP.
  const aed = rec.additionalEventData;
  return (
    rec.eventSource === "s3.amazonaws.com" &&
    !!aed &&
    typeof aed.SignatureVersion === "string" &&
    aed.CipherSuite === undefined &&
    rec.tlsDetails === undefined
  );
}
