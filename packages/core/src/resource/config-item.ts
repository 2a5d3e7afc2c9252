import { z } from "zod";
import { InvalidEventError } from "../errors.ts";
import type { ResourceSnapshot } from "./snapshot.ts";

/** A configuration item as Config delivers it (EventBridge, SNS, Lambda rule, history API, snapshot file). */
export const ConfigurationItemSchema = z
  .object({
    configurationItemCaptureTime: z.string().min(1),
    configurationItemStatus: z.string().min(1),
    awsAccountId: z.string().regex(/^\d{12}$/, "12-digit account id"),
    awsRegion: z.string().min(1),
    resourceType: z.string().regex(/^AWS::\w+::\w+$/, "AWS::Service::Type"),
    resourceId: z.string().min(1),
    resourceName: z.string().nullish(),
    ARN: z.string().nullish(),
    arn: z.string().nullish(),
    configuration: z.unknown().nullish(),
    supplementaryConfiguration: z.record(z.string(), z.unknown()).nullish(),
    tags: z.record(z.string(), z.unknown()).nullish(),
    relationships: z.array(z.record(z.string(), z.unknown())).nullish(),
  })
  .passthrough();
export type ConfigurationItem = z.infer<typeof ConfigurationItemSchema>;

/**
 * Normalise a configuration item into a snapshot. Config nests JSON documents as strings (bucket
 * ACLs and policies, URL-encoded IAM policy documents): they are parsed here once, so controls see
 * objects. A string that does not parse is kept as-is, and the control that reads it says so.
 *
 * @example
 * ```ts
 * const snap = fromConfigurationItem(event.detail.configurationItem);
 * snap.supplementary.BucketPolicy // → { policyText: { Version: "2012-10-17", Statement: [...] } }
 * ```
 */
export function fromConfigurationItem(input: unknown, path = "configurationItem"): ResourceSnapshot {
  const parsed = ConfigurationItemSchema.safeParse(apiShapeToEventShape(input));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidEventError(issue.message, [path, ...issue.path.map(String)].join("."));
  }
  const ci = parsed.data;
  const configuration = parseConfiguration(ci.configuration);
  const supplementary: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ci.supplementaryConfiguration ?? {}))
    supplementary[k] = deepParseJsonStrings(v);
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(ci.tags ?? {})) if (typeof v === "string") tags[k] = v;
  const status = ci.configurationItemStatus;
  const state =
    status === "ResourceNotRecorded"
      ? "not-recorded"
      : status.startsWith("ResourceDeleted")
        ? "deleted"
        : "present";
  const arn = ci.ARN ?? ci.arn ?? undefined;
  return {
    accountId: ci.awsAccountId,
    region: ci.awsRegion,
    resourceType: ci.resourceType,
    resourceId: ci.resourceId,
    ...(ci.resourceName ? { resourceName: ci.resourceName } : {}),
    ...(arn ? { arn } : {}),
    capturedAt: new Date(ci.configurationItemCaptureTime).toISOString(),
    state,
    configuration,
    supplementary,
    tags,
    source: "config",
    ...(ci.relationships ? { relationships: ci.relationships as ResourceSnapshot["relationships"] } : {}),
  };
}

/**
 * Config's APIs (`GetResourceConfigHistory`, `BatchGetResourceConfig`, snapshot files, `rdk sample-ci`)
 * name two fields differently from its events: `accountId` for `awsAccountId`, `arn` for `ARN`.
 */
function apiShapeToEventShape(input: unknown): unknown {
  if (!input || typeof input !== "object") return input;
  const o = input as Record<string, unknown>;
  if (o.awsAccountId === undefined && typeof o.accountId === "string")
    return { ...o, awsAccountId: o.accountId };
  return input;
}

function parseConfiguration(value: unknown): Record<string, unknown> {
  // The history API returns `configuration` as a JSON string; events carry an object.
  const v = typeof value === "string" ? tryJson(value) : value;
  return v && typeof v === "object" && !Array.isArray(v)
    ? (deepParseJsonStrings(v) as Record<string, unknown>)
    : {};
}

const POLICY_KEYS = new Set([
  "policyText",
  "policyDocument",
  "PolicyDocument",
  "assumeRolePolicyDocument",
  "AccessControlList",
]);

/** Parse JSON (and URL-encoded JSON) documents that Config embeds as strings, in known fields. */
function deepParseJsonStrings(value: unknown, key?: string, depth = 0): unknown {
  if (depth > 12) return value;
  if (typeof value === "string") {
    if (key && (POLICY_KEYS.has(key) || /^\s*[{[]/.test(value))) {
      const direct = tryJson(value);
      if (direct !== undefined) return deepParseJsonStrings(direct, undefined, depth + 1);
      if (value.startsWith("%7B") || value.startsWith("%7b")) {
        try {
          const decoded = tryJson(decodeURIComponent(value));
          if (decoded !== undefined) return deepParseJsonStrings(decoded, undefined, depth + 1);
        } catch {
          // not URL-encoded after all: keep the string
        }
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => deepParseJsonStrings(v, key, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepParseJsonStrings(v, k, depth + 1);
    return out;
  }
  return value;
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
