import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures: `X-Phiwatch-Signature: t=<unix seconds>,v1=<hex hmac-sha256(secret, t + "." + body)>`.
 *
 * The timestamp is inside the signed bytes, so a captured request cannot be replayed outside the
 * receiver's window with a fresh `t`. During a secret rotation the sender puts one `v1` per active
 * secret in the header; a receiver accepts the request when any `v1` matches any secret it holds.
 * Unknown schemes (`v0=`, `v2=`) are ignored so the header can evolve without breaking receivers.
 */

export const SIGNATURE_HEADER = "X-Phiwatch-Signature";
/** Default replay window: requests signed more than 5 minutes before (or after) `now` are refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Longest header accepted by the parser (8 signatures fit easily). */
export const MAX_SIGNATURE_HEADER_LENGTH = 1024;
const MAX_SIGNATURES = 8;

export type Secret = string | Uint8Array;
export type Body = string | Uint8Array;

/** hex HMAC-SHA256 of `t + "." + body` under `secret`. */
export function computeSignature(secret: Secret, t: number, body: Body): string {
  const h = createHmac("sha256", secret);
  h.update(`${t}.`);
  h.update(body);
  return h.digest("hex");
}

/**
 * The header value for `body`, signed with every active secret (current first, then the ones being
 * rotated out).
 *
 * @example
 * ```ts
 * const header = signatureHeader(["new-secret", "old-secret"], body, 1767225600);
 * // → "t=1767225600,v1=5f…,v1=a9…"
 * ```
 */
export function signatureHeader(
  secrets: Secret | readonly Secret[],
  body: Body,
  t: number = Math.floor(Date.now() / 1000),
): string {
  const list = Array.isArray(secrets) ? (secrets as readonly Secret[]) : [secrets as Secret];
  if (list.length === 0) throw new RangeError("signatureHeader: at least one secret is required");
  if (list.length > MAX_SIGNATURES)
    throw new RangeError(`signatureHeader: at most ${MAX_SIGNATURES} secrets`);
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError("signatureHeader: t must be unix seconds");
  for (const s of list) if (s.length === 0) throw new RangeError("signatureHeader: empty secret");
  return [`t=${t}`, ...list.map((s) => `v1=${computeSignature(s, t, body)}`)].join(",");
}

export interface ParsedSignature {
  t: number;
  /** Lower-case hex digests, 64 characters each. */
  v1: string[];
}

/**
 * Parse a signature header strictly: exactly one `t` (decimal unix seconds), one or more `v1`
 * (64 hex characters), unknown schemes ignored, anything else rejected.
 *
 * @example
 * ```ts
 * parseSignatureHeader("t=1767225600,v1=" + "ab".repeat(32)) // → { ok: true, value: { t: 1767225600, v1: ["abab…"] } }
 * parseSignatureHeader("v1=zz")                               // → { ok: false, reason: "malformed" }
 * ```
 */
export function parseSignatureHeader(
  header: string | undefined | null,
): { ok: true; value: ParsedSignature } | { ok: false; reason: "missing" | "malformed" } {
  if (header === undefined || header === null || header.trim() === "")
    return { ok: false, reason: "missing" };
  if (header.length > MAX_SIGNATURE_HEADER_LENGTH) return { ok: false, reason: "malformed" };
  let t: number | undefined;
  const v1: string[] = [];
  for (const rawPart of header.split(",")) {
    const part = rawPart.trim();
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, reason: "malformed" };
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: "malformed" };
      t = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value) || v1.length >= MAX_SIGNATURES)
        return { ok: false, reason: "malformed" };
      v1.push(value.toLowerCase());
    } else if (!/^[a-z][a-z0-9]{0,15}$/.test(key)) {
      return { ok: false, reason: "malformed" };
    }
  }
  if (t === undefined || v1.length === 0) return { ok: false, reason: "malformed" };
  return { ok: true, value: { t, v1 } };
}

export type VerifyFailure = "missing" | "malformed" | "expired" | "future" | "mismatch";

export interface VerifyOptions {
  /** The raw header value (`req.headers["x-phiwatch-signature"]`). */
  header: string | undefined | null;
  /** The raw request body, byte for byte as received (before any JSON parsing). */
  body: Body;
  /** Secrets the receiver accepts (current and, during rotation, previous). */
  secrets: Secret | readonly Secret[];
  /** Replay window in seconds, applied both ways (clock skew). Default 300. */
  toleranceSeconds?: number;
  /** Current time in unix seconds (tests). */
  now?: number;
}

/**
 * Verify a webhook request as a receiver: parse the header, refuse timestamps outside the replay
 * window, and compare every `v1` against every secret in constant time.
 *
 * @example
 * ```ts
 * const result = verifySignature({ header: req.headers["x-phiwatch-signature"], body: rawBody, secrets: [process.env.PHIWATCH_SECRET!] });
 * if (!result.ok) return res.writeHead(401).end(result.reason);
 * ```
 */
export function verifySignature(
  options: VerifyOptions,
): { ok: true; t: number } | { ok: false; reason: VerifyFailure } {
  const parsed = parseSignatureHeader(options.header);
  if (!parsed.ok) return parsed;
  const { t, v1 } = parsed.value;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (t < now - tolerance) return { ok: false, reason: "expired" };
  if (t > now + tolerance) return { ok: false, reason: "future" };
  const secrets = Array.isArray(options.secrets)
    ? (options.secrets as readonly Secret[])
    : [options.secrets as Secret];
  let matched = false;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const expected = Buffer.from(computeSignature(secret, t, options.body), "hex");
    for (const candidate of v1) {
      // Both are 32 bytes (the parser only admits 64 hex characters), as timingSafeEqual requires.
      // No early exit: every pair is compared so timing does not reveal which secret matched.
      if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) matched = true;
    }
  }
  return matched ? { ok: true, t } : { ok: false, reason: "mismatch" };
}
