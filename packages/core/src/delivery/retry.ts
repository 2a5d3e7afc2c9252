/**
 * Delivery retry policy, pure: the forwarder asks what to do after each attempt and the queue (SQS
 * visibility timeout / delay) carries out the wait. Exponential backoff with full jitter spreads a
 * backlog across the recovery instead of hammering a SIEM the moment it comes back.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included; after the last failed one the delivery is dead-lettered. */
  maxAttempts: number;
  /** Backoff base: the cap of the first retry's delay. */
  baseDelayMs: number;
  /** Cap on a computed backoff delay. */
  maxDelayMs: number;
  /** Cap on a server's `Retry-After` (a receiver cannot park a delivery for days). */
  maxRetryAfterMs: number;
}

/**
 * Defaults: 8 attempts over roughly an hour and a half at most (1 s, 2 s, … capped at 15 min, the
 * longest SQS message delay), so a SIEM that is down for an hour still receives everything.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
};

export type StatusClass = "ok" | "retry" | "permanent";

/**
 * Classify an HTTP status: 2xx delivered; 408, 425, 429 and 5xx worth retrying; any other 4xx (and
 * 1xx/3xx, since redirects are never followed — a redirect could point inside) is permanent.
 *
 * @example
 * ```ts
 * classifyStatus(503) // → "retry"
 * classifyStatus(401) // → "permanent"
 * ```
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return "ok";
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status < 600)) return "retry";
  return "permanent";
}

/**
 * Parse `Retry-After`: delay-seconds or an HTTP-date. Returns milliseconds from `now` (0 for a
 * date in the past) or `undefined` when the header is absent or not valid.
 *
 * @example
 * ```ts
 * parseRetryAfter("120")                            // → 120000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", new Date("2015-10-21T07:27:00Z")) // → 60000
 * ```
 */
export function parseRetryAfter(
  value: string | undefined | null,
  now: Date = new Date(),
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (v === "" || v.length > 64) return undefined;
  if (/^\d+$/.test(v)) {
    const seconds = Number(v);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // HTTP-date (IMF-fixdate, plus the obsolete RFC 850 and asctime forms Date.parse also reads).
  if (!/^[A-Za-z]{3},? /.test(v) && !/^[A-Za-z]+day, /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * Full-jitter backoff for the retry after attempt `attempt` (1-based): a uniform delay in
 * [0, min(maxDelay, base × 2^(attempt−1))).
 *
 * @example
 * ```ts
 * backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0.5) // → 2000 (half of 4 s)
 * ```
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 40)));
  return Math.floor(Math.min(Math.max(random(), 0), 1 - Number.EPSILON) * exp);
}

/** What one delivery attempt produced. */
export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfter?: string | null }
  /** Network failure, timeout, TLS failure: the receiver may be back soon. */
  | { kind: "network-error"; message: string }
  /** Refused before sending (SSRF guard, bad URL, missing secret): retrying cannot help. */
  | { kind: "refused"; message: string };

export type RetryDecision =
  | { action: "delivered" }
  | { action: "retry"; delayMs: number; reason: string }
  | { action: "dead-letter"; reason: string };

/**
 * Decide what follows attempt number `attempt` (1-based).
 *
 * @example
 * ```ts
 * nextStep(1, { kind: "response", status: 503, retryAfter: "30" }) // → { action: "retry", delayMs: ≥ 30000, … }
 * nextStep(8, { kind: "response", status: 503 })                   // → { action: "dead-letter", … }
 * nextStep(1, { kind: "response", status: 400 })                   // → { action: "dead-letter", … }
 * ```
 */
export function nextStep(
  attempt: number,
  outcome: AttemptOutcome,
  options: { policy?: RetryPolicy; now?: Date; random?: () => number } = {},
): RetryDecision {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  let reason: string;
  let retryAfterMs: number | undefined;
  if (outcome.kind === "refused") return { action: "dead-letter", reason: `refused: ${outcome.message}` };
  if (outcome.kind === "response") {
    const cls = classifyStatus(outcome.status);
    if (cls === "ok") return { action: "delivered" };
    if (cls === "permanent") return { action: "dead-letter", reason: `HTTP ${outcome.status} (permanent)` };
    reason = `HTTP ${outcome.status}`;
    retryAfterMs = parseRetryAfter(outcome.retryAfter, options.now);
  } else {
    reason = `network: ${outcome.message}`;
  }
  if (attempt >= policy.maxAttempts)
    return { action: "dead-letter", reason: `${reason} after ${attempt} attempts` };
  const jitter = backoffDelay(attempt, policy, options.random);
  // Honour Retry-After as a floor (never earlier than the server asked), capped so it cannot stall us.
  const delayMs =
    retryAfterMs === undefined ? jitter : Math.max(jitter, Math.min(retryAfterMs, policy.maxRetryAfterMs));
  return { action: "retry", delayMs, reason };
}
