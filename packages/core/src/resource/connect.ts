import type { Baseline } from "../baseline/schema.ts";
import type { ResourceSnapshot } from "./snapshot.ts";

/**
 * Amazon Connect snapshots. AWS Config records `AWS::Connect::Instance` (with
 * `configuration.Attributes.ContactLens`) but not its storage configuration, and records no contact
 * flows, so the sweep builds these snapshots from API reads (`source: "api"`). The shapes below are
 * what the connect-* controls read; every field keeps the name and casing of the API response it
 * comes from, so a recorded response can be pasted in.
 *
 * `AWS::Connect::Instance` (`resourceId` = instance id):
 * - `configuration`: DescribeInstance `.Instance` (`Id`, `Arn`, `InstanceAlias`, `InstanceStatus`,
 *   …), or a Config item's configuration. A Config item may carry `Attributes.ContactLens` (boolean).
 * - `supplementary.Attributes`: instance attributes, either as DescribeInstanceAttribute results
 *   `[{ AttributeType: "CONTACT_LENS", Value: "true" }, …]` (ListInstanceAttributes `.Attributes`)
 *   or as a map `{ CONTACT_LENS: "true", … }`.
 * - `supplementary.StorageConfigs`: ListInstanceStorageConfigs `.StorageConfigs` per resource type,
 *   `{ CALL_RECORDINGS: [{ StorageType: "S3", S3Config: { BucketName, BucketPrefix,
 *   EncryptionConfig: { EncryptionType: "KMS", KeyId } } }], CHAT_TRANSCRIPTS: […], … }`. A type
 *   read and found empty is `[]`; a type not read is absent (the control then says "cannot prove").
 * - `supplementary.StorageConfigsRefused`: `{ EMAIL_MESSAGES: "InvalidRequestException", … }`, the
 *   types of {@link CONNECT_OPTIONAL_STORAGE_TYPES} whose read Connect refused with one of
 *   {@link CONNECT_STORAGE_REFUSALS} while it answered the instance's other types (docs/scan.md).
 *
 * `AWS::Connect::ContactFlow` and `AWS::Connect::ContactFlowModule` (`resourceId` = flow id):
 * - `configuration`: DescribeContactFlow `.ContactFlow` (`Arn`, `Id`, `Name`, `Type`, `State`,
 *   `Status`, `Content`) — `Content` is the Flow-language document, as a JSON string or parsed —
 *   plus `InstanceId` when the ARN does not carry it.
 *
 * @example
 * ```ts
 * contactLensEnabled(instanceSnapshot); // true | false | undefined (not read)
 * ```
 */
export const CONNECT_INSTANCE = "AWS::Connect::Instance";
export const CONNECT_FLOW = "AWS::Connect::ContactFlow";
export const CONNECT_FLOW_MODULE = "AWS::Connect::ContactFlowModule";

/**
 * The storage types the sweep reads per instance (ListInstanceStorageConfigs, one call per type): those the
 * controls and the report look at. A snapshot that lacks one of them was not read in full.
 */
export const CONNECT_STORAGE_TYPES = [
  "CALL_RECORDINGS",
  "CHAT_TRANSCRIPTS",
  "SCHEDULED_REPORTS",
  "SCREEN_RECORDINGS",
  "CONTACT_TRACE_RECORDS",
  "MEDIA_STREAMS",
  "CONTACT_EVALUATIONS",
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
] as const;

/**
 * Storage types of features an instance may not have (chat and e-mail attachments, Contact Lens
 * evaluation forms, the e-mail channel), added to the API after the others. For these alone, a read that
 * Connect refuses with one of {@link CONNECT_STORAGE_REFUSALS}, while it answers the instance's other
 * types, counts as "no association of this type" rather than "not read": see docs/scan.md, "Connect
 * storage types an instance may not have".
 */
export const CONNECT_OPTIONAL_STORAGE_TYPES: readonly string[] = [
  "CONTACT_EVALUATIONS",
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
];

/**
 * The ListInstanceStorageConfigs errors that say the request itself does not apply (AWS API reference:
 * InvalidRequestException, InvalidParameterException, ResourceNotFoundException). Throttling, denial and
 * service faults are not among them: those leave the type unread.
 */
export const CONNECT_STORAGE_REFUSALS: readonly string[] = [
  "InvalidRequestException",
  "InvalidParameterException",
  "ResourceNotFoundException",
];

/** One storage association of an instance (ListInstanceStorageConfigs entry). */
export interface InstanceStorageConfig {
  storageType: string;
  s3?: { bucketName: string; bucketPrefix?: string; encryption?: { type?: string; keyId?: string } };
  kinesisVideoStream?: { prefix?: string; encryption?: { type?: string; keyId?: string } };
  kinesisStreamArn?: string;
  kinesisFirehoseArn?: string;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

function encryptionOf(v: unknown): { type?: string; keyId?: string } | undefined {
  const e = obj(v);
  if (!e) return undefined;
  const type = str(e.EncryptionType);
  const keyId = str(e.KeyId);
  return { ...(type ? { type } : {}), ...(keyId ? { keyId } : {}) };
}

function storageConfigOf(v: unknown): InstanceStorageConfig | undefined {
  const c = obj(v);
  if (!c) return undefined;
  const out: InstanceStorageConfig = { storageType: str(c.StorageType) ?? "UNKNOWN" };
  const s3 = obj(c.S3Config);
  if (s3 && str(s3.BucketName)) {
    const prefix = str(s3.BucketPrefix);
    const encryption = encryptionOf(s3.EncryptionConfig);
    out.s3 = {
      bucketName: str(s3.BucketName)!,
      ...(prefix ? { bucketPrefix: prefix } : {}),
      ...(encryption ? { encryption } : {}),
    };
  }
  const kvs = obj(c.KinesisVideoStreamConfig);
  if (kvs) {
    const prefix = str(kvs.Prefix);
    const encryption = encryptionOf(kvs.EncryptionConfig);
    out.kinesisVideoStream = { ...(prefix ? { prefix } : {}), ...(encryption ? { encryption } : {}) };
  }
  const ks = str(obj(c.KinesisStreamConfig)?.StreamArn);
  if (ks) out.kinesisStreamArn = ks;
  const kf = str(obj(c.KinesisFirehoseConfig)?.FirehoseArn);
  if (kf) out.kinesisFirehoseArn = kf;
  return out;
}

/**
 * Storage associations per Connect resource type (`CALL_RECORDINGS`, `CHAT_TRANSCRIPTS`, …), or
 * undefined when the snapshot does not carry them (a Config item). An entry that is not an object, and
 * a type whose value is neither a list nor one entry, come back as `"unreadable"`: never as "none".
 */
export function instanceStorageConfigs(
  s: ResourceSnapshot,
): Map<string, Array<InstanceStorageConfig | "unreadable">> | undefined {
  const raw = obj(s.supplementary.StorageConfigs);
  if (!raw) return undefined;
  const out = new Map<string, Array<InstanceStorageConfig | "unreadable">>();
  for (const [type, list] of Object.entries(raw)) {
    const items = Array.isArray(list) ? list : obj(list) ? [list] : [undefined];
    out.set(
      type,
      items.map((i) => storageConfigOf(i) ?? "unreadable"),
    );
  }
  return out;
}

/**
 * The optional storage types whose read Connect refused as not applying (type → error name), from
 * `supplementary.StorageConfigsRefused`. Only {@link CONNECT_OPTIONAL_STORAGE_TYPES} refused with one of
 * {@link CONNECT_STORAGE_REFUSALS} count: any other entry is ignored, so its type stays "not read".
 *
 * @example
 * ```ts
 * instanceStorageRefusals(s).get("EMAIL_MESSAGES"); // "InvalidRequestException" | undefined
 * ```
 */
export function instanceStorageRefusals(s: ResourceSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, answer] of Object.entries(obj(s.supplementary.StorageConfigsRefused) ?? {}))
    if (
      CONNECT_OPTIONAL_STORAGE_TYPES.includes(type) &&
      typeof answer === "string" &&
      CONNECT_STORAGE_REFUSALS.includes(answer)
    )
      out.set(type, answer);
  return out;
}

/** Value of one instance attribute (`CONTACT_LENS`, …) as a string, or undefined when not read. */
export function instanceAttribute(s: ResourceSnapshot, attributeType: string): string | undefined {
  const attrs = s.supplementary.Attributes;
  if (Array.isArray(attrs)) {
    for (const a of attrs) {
      const o = obj(a);
      if (o?.AttributeType === attributeType && o.Value !== undefined) return String(o.Value);
    }
  }
  const map = obj(attrs);
  if (map && map[attributeType] !== undefined) return String(map[attributeType]);
  return undefined;
}

/** Whether Contact Lens is on for the instance; undefined when neither API nor Config says. */
export function contactLensEnabled(s: ResourceSnapshot): boolean | undefined {
  const api = instanceAttribute(s, "CONTACT_LENS");
  if (api !== undefined) return api.toLowerCase() === "true";
  const config = obj(s.configuration.Attributes)?.ContactLens;
  if (config === true || config === "true") return true;
  if (config === false || config === "false") return false;
  return undefined;
}

/** Instance id of an instance, flow or module snapshot (from configuration or the ARN). */
export function connectInstanceId(s: ResourceSnapshot): string | undefined {
  if (s.resourceType === CONNECT_INSTANCE) return str(s.configuration.Id) ?? s.resourceId;
  const explicit = str(s.configuration.InstanceId);
  if (explicit) return explicit;
  const arn = str(s.configuration.Arn) ?? s.arn ?? "";
  return /:instance\/([\w-]+)/.exec(arn)?.[1];
}

/** Whether the baseline puts this Connect resource in scope (empty `connect.instances` = all). */
export function inConnectScope(baseline: Baseline, s: ResourceSnapshot): boolean {
  const wanted = baseline.connect.instances;
  if (wanted.length === 0) return true;
  const id = connectInstanceId(s);
  if (!id) return false;
  return wanted.some((w) => w === id || w.endsWith(`:instance/${id}`));
}

/** The flow document of a flow or module snapshot (string or object), or undefined. */
export function flowContentOf(s: ResourceSnapshot): unknown {
  return s.configuration.Content;
}
