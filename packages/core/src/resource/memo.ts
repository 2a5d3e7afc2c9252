/**
 * Per-snapshot memo shared by controls: facts derived from one snapshot (its parsed bucket policy, the
 * parsed identity policies of a role, whether it is a PHI bucket) are computed once per evaluation
 * instead of once per control. Keyed weakly on the snapshot (or another immutable input such as the
 * baseline), so entries die with it; `deps` are compared by identity, so a different baseline or fact
 * lookup recomputes. Values are shared between controls: treat them as read-only. Snapshots are
 * immutable once normalised (derive a new object to change one, as `{ ...s, supplementary }` does): a
 * snapshot mutated in place after an evaluation would be answered from the memo.
 */
const memos = new WeakMap<object, Map<string, { deps: readonly unknown[]; value: unknown }>>();

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The value of `compute()` for `owner` under `key`, computed once while `deps` stay the same objects.
 * A `compute` that throws is not memoised (each caller sees the error, as without the memo).
 *
 * @example
 * ```ts
 * const doc = memoOn(snapshot, "bucketPolicy", [], () => parseBucketPolicy(snapshot));
 * const ip = memoOn(roleSnapshot, "identityScope", [ctx.facts, ctx.baseline], () => scope(roleSnapshot, ctx));
 * ```
 */
export function memoOn<T>(owner: object, key: string, deps: readonly unknown[], compute: () => T): T {
  let byKey = memos.get(owner);
  const hit = byKey?.get(key);
  if (hit && sameDeps(hit.deps, deps)) return hit.value as T;
  const value = compute();
  if (!byKey) {
    byKey = new Map();
    memos.set(owner, byKey);
  }
  byKey.set(key, { deps, value });
  return value;
}
