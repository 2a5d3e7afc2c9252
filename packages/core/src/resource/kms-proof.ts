import type { FactLookup } from "../control/types.ts";

/** Whether a key reference names an AWS-managed key by alias (`alias/aws/…`, by name or alias ARN). */
export function isAwsManagedAlias(ref: string): boolean {
  return /(^|:)alias\/aws\//.test(ref);
}

/**
 * Key states in which KMS refuses cryptographic operations — Decrypt, GenerateDataKey (KMS developer
 * guide, "Key states of AWS KMS keys"): what the key protects cannot be read, and nothing new can be
 * encrypted under it. A multi-Region replica is `Creating` until KMS has copied it.
 */
export const UNUSABLE_KEY_STATES: ReadonlySet<string> = new Set([
  "Disabled",
  "PendingDeletion",
  "PendingReplicaDeletion",
  "Unavailable",
  "PendingImport",
  "Creating",
]);

/** Outcome of proving a key is customer-managed; `evidence` holds key ARN and manager, never more. */
export type KeyProof =
  | { ok: true; evidence: Record<string, string> }
  | { ok: false; summary: string; evidence: Record<string, string> };

/**
 * Prove from the resolved KMS facts that `ref` is a customer-managed key. An AWS-managed alias, a
 * key KMS reports as `KeyManager=AWS`, and a key that could not be described (denied, not found,
 * not requested) all fail — the last with `proof: "cannot prove"`.
 *
 * @example
 * ```ts
 * const proof = customerManagedKey(ctx.facts, trail.kmsKeyId, resource.accountId, resource.region);
 * if (!proof.ok) return fail(proof.summary, proof.evidence);
 * ```
 */
export function customerManagedKey(
  facts: FactLookup,
  ref: string,
  accountId: string,
  region: string,
): KeyProof {
  if (isAwsManagedAlias(ref))
    return {
      ok: false,
      summary: `AWS-managed key ${ref.slice(ref.indexOf("alias/"))}`,
      evidence: { keyId: ref },
    };
  const key = facts.kmsKey(ref, accountId, region);
  if (!key)
    return {
      ok: false,
      summary: "cannot prove the key is customer-managed: key not resolved",
      evidence: { keyId: ref, proof: "cannot prove" },
    };
  if (!key.ok)
    return {
      ok: false,
      summary: `cannot prove the key is customer-managed: ${key.reason}`,
      evidence: { keyId: ref, proof: "cannot prove", reason: key.reason },
    };
  const evidence = { keyId: ref, keyArn: key.value.arn, keyManager: key.value.keyManager };
  if (key.value.keyManager !== "CUSTOMER")
    return { ok: false, summary: "the key is AWS-managed (KeyManager=AWS)", evidence };
  return { ok: true, evidence };
}

/**
 * Key origins whose material KMS cannot rotate automatically (`EnableKeyRotation`: "You cannot enable
 * automatic rotation of … KMS keys with imported key material, or KMS keys in a custom key store"),
 * with how such a key is rotated instead.
 */
export const MANUAL_ROTATION: Readonly<Record<string, string>> = {
  EXTERNAL:
    "imported key material (origin EXTERNAL): import new key material and rotate it on demand (aws kms rotate-key-on-demand), or move the PHI buckets to a new key",
  AWS_CLOUDHSM:
    "a CloudHSM key store (origin AWS_CLOUDHSM): create a new key in the key store and move the PHI buckets and the alias to it",
  EXTERNAL_KEY_STORE:
    "an external key store (origin EXTERNAL_KEY_STORE): rotate the key in the external key manager, or create a new KMS key and move the PHI buckets to it",
};

/**
 * How a key of this origin is rotated when KMS cannot rotate it automatically (`MANUAL_ROTATION`), or
 * undefined when it can (`AWS_KMS`, no origin recorded, or an origin this release does not know: judged
 * by its rotation status). The one rule for the control, the sweep's and DescribeKey's rotation reads,
 * and the evidence report.
 */
export function manualRotation(origin: unknown): string | undefined {
  return typeof origin === "string" && Object.hasOwn(MANUAL_ROTATION, origin)
    ? MANUAL_ROTATION[origin]
    : undefined;
}
