/**
 * Per-snapshot memo shared by controls: facts derived from one snapshot (its parsed bucket policy, the
 * parsed identity policies of a role, whether it is a PHI bucket) are computed once per evaluation
 * instead of once per control. Held by the snapshot (or another immutable input such as the baseline),
 * so entries die with it; `deps` are compared by identity, so a different baseline or fact lookup
 * recomputes. Values are shared between controls: treat them as read-only. Snapshots are immutable once
 * normalised (derive a new object to change one, as `{ ...s, supplementary }` does): a snapshot mutated
 * in place after an evaluation would be answered from the memo.
 */
interface Memo {
  /** The object the memo belongs to (an object created with the owner as prototype inherits the property). */
  owner: object;
  entries: Map<string, { deps: readonly unknown[]; value: unknown }>;
}

/**
 * The memo of an owner, in a non-enumerable symbol property (JSON, `Object.keys`, spreads and equality
 * skip it). Not a `WeakMap` keyed on the owner: V8's young-generation collector keeps the values of a
 * long-lived `WeakMap` alive while their keys are young, so every snapshot evaluated since the last full
 * collection — with its parsed policies and identity scope — survived each scavenge, was copied to the
 * old generation, and V8 then allocated those objects there directly (pretenuring): scavenges took
 * 3–15 ms instead of 1–5 ms on the drift bench and the old generation filled up every ~60 scavenges.
 */
const MEMO: unique symbol = Symbol("phiwatch.memo");
/** Owners that cannot take a property (frozen, sealed, non-extensible): held weakly instead. */
const sealedOwners = new WeakMap<object, Memo>();

function memoOf(owner: object): Memo | undefined {
  const memo = (owner as { [MEMO]?: Memo })[MEMO];
  return memo !== undefined && memo.owner === owner ? memo : sealedOwners.get(owner);
}

function attachMemo(owner: object): Memo {
  const memo: Memo = { owner, entries: new Map() };
  if (Object.isExtensible(owner)) Object.defineProperty(owner, MEMO, { value: memo });
  else sealedOwners.set(owner, memo);
  return memo;
}

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
  const hit = memoOf(owner)?.entries.get(key);
  if (hit && sameDeps(hit.deps, deps)) return hit.value as T;
  const value = compute();
  // Looked up again: `compute` may have memoised something else on the same owner.
  (memoOf(owner) ?? attachMemo(owner)).entries.set(key, { deps, value });
  return value;
}
