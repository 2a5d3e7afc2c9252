/** Error names AWS services use for throttling (and S3's SlowDown). */
const THROTTLE_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "LimitExceededException",
]);

/** Error names of a denied read (missing permission, SCP, key policy). */
const DENIED_NAMES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
  "Forbidden",
]);

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export function isThrottle(error: unknown): boolean {
  return THROTTLE_NAMES.has((error as Error).name) || status(error) === 429;
}

export function isDenied(error: unknown): boolean {
  return DENIED_NAMES.has((error as Error).name) || status(error) === 403;
}

export interface BackoffOptions {
  /** Attempts in all (first call included). */
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Epoch ms (a run's deadline): no pause is started that would end after it. The throttling error is
   * thrown instead, and the caller reports the read as failed (cannot prove), not as waited for.
   */
  deadline?: number;
}

/** Whether a run's deadline (epoch ms; none = no deadline) has passed: nothing new starts after it. */
export const pastDeadline = (deadline: number | undefined): boolean =>
  deadline !== undefined && Date.now() > deadline;

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Call `fn`, retrying throttling errors with exponential backoff and full jitter (AWS's
 * recommendation: `random(0, min(cap, base·2^n))`). Other errors are thrown at once.
 *
 * @example
 * ```ts
 * const page = await withBackoff(() => config.send(new ListDiscoveredResourcesCommand(input)));
 * ```
 */
export async function withBackoff<T>(fn: () => Promise<T>, opts: BackoffOptions = {}): Promise<T> {
  const max = opts.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isThrottle(error) || attempt >= max) throw error;
      const ms = pauseMs(attempt, opts);
      if (opts.deadline !== undefined && Date.now() + ms > opts.deadline) throw error;
      await (opts.sleep ?? realSleep)(ms);
    }
  }
}

/**
 * Wait before retry number `attempt` (1 = the first retry): full jitter, `random(0, min(cap, base·2^(n-1)))`.
 * For work a call hands back rather than throws (BatchGetResourceConfig's unprocessed keys).
 *
 * @example
 * ```ts
 * for (let round = 0; pending.length > 0; round++) { if (round > 0) await backoffPause(round); … }
 * ```
 */
export async function backoffPause(attempt: number, opts: BackoffOptions = {}): Promise<void> {
  await (opts.sleep ?? realSleep)(pauseMs(attempt, opts));
}

/** The pause before retry number `attempt`: full jitter, `random(0, min(cap, base·2^(n-1)))`. */
function pauseMs(attempt: number, opts: BackoffOptions): number {
  const base = opts.baseMs ?? 200;
  const cap = opts.capMs ?? 10_000;
  const random = opts.random ?? Math.random;
  return Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
}

/** "AccessDeniedException: User … is not authorized …" cut to one short line (AWS messages carry no PHI). */
export function reasonOf(error: unknown): string {
  const e = error as Error;
  const msg = (e.message ?? "").replace(/\s+/g, " ").slice(0, 200);
  return msg ? `${e.name}: ${msg}` : e.name;
}
