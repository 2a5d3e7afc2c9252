import { PhiwatchError } from "../errors.ts";
import { findingId } from "./id.ts";
import { decide, type FindingChange, type Observation } from "./lifecycle.ts";
import type { FindingStore } from "./ports.ts";
import type { Finding } from "./types.ts";

const MAX_ATTEMPTS = 8;

/**
 * Record one observation: read the finding, decide the transition, apply it conditionally, and on a
 * race re-read and re-decide. The same observation applied any number of times gives one finding and
 * one history entry.
 *
 * @example
 * ```ts
 * const outcome = await recordObservation(store, observation);
 * outcome.finding?.status // "OPEN"
 * ```
 */
export async function recordObservation(
  store: FindingStore,
  obs: Observation,
  now: Date = new Date(),
  /**
   * The finding as just read by the caller (`getFindings`, several at once): the first decision is
   * made on it. A conflicting write re-reads it, as always, so a stale copy costs a retry, never a
   * wrong write.
   */
  read?: { current: Finding | undefined },
): Promise<{ changed: boolean; transitioned: boolean; finding?: Finding }> {
  const id = findingId(obs.ruleId, obs.subject, obs.discriminator ?? "");
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = attempt === 0 && read ? read.current : await store.getFinding(id);
    const change = decide(current, obs, now);
    if (!change) return { changed: false, transitioned: false, ...(current ? { finding: current } : {}) };
    const result = await store.applyChange(change);
    if (result === "applied")
      return { changed: true, transitioned: change.history !== undefined, finding: change.next };
  }
  throw new PhiwatchError(`finding ${id}: gave up after ${MAX_ATTEMPTS} conflicting writes`);
}

/**
 * Apply a change decided on the stored finding, conditionally; on a race re-read and decide again.
 * For changes that are not observations (a suppression re-read against the baseline and the clock).
 *
 * @example
 * ```ts
 * await applyDecision(store, id, (f) => f && reconsiderSuppression(f, cover, now, "sweep:…"));
 * ```
 */
export async function applyDecision(
  store: FindingStore,
  id: string,
  decideOn: (current: Finding | undefined) => FindingChange | undefined,
): Promise<{ changed: boolean; finding?: Finding }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.getFinding(id);
    const change = decideOn(current);
    if (!change) return { changed: false, ...(current ? { finding: current } : {}) };
    if ((await store.applyChange(change)) === "applied") return { changed: true, finding: change.next };
  }
  throw new PhiwatchError(`finding ${id}: gave up after ${MAX_ATTEMPTS} conflicting writes`);
}
