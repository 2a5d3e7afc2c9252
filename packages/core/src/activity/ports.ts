import type { AccessProfile } from "./profile.ts";
import type { WindowDelta, WindowTotals } from "./window.ts";

/** Learning state of one PHI target: when phiwatch first saw activity on it (learning-period start). */
export interface TargetState {
  target: string;
  firstSeen: string;
  /**
   * Epoch seconds: the target's last activity plus `profileTtlDays` (DynamoDB TTL). Past it every
   * profile learned on the target has expired too, so its learning period starts again. Absent on
   * state written before it existed (kept until the next activity sets it).
   */
  expiresAt?: number;
}

/**
 * Where access windows and profiles live. The DynamoDB adapter is `@phiwatch/aws`
 * (`DynamoAccessStore`); `MemoryAccessStore` serves tests, the bench and dry runs.
 */
export interface AccessStore {
  /**
   * Add each delta to its window (idempotent set union, one write per delta) and return the window
   * totals after the update, in the same order.
   */
  addWindows(
    deltas: readonly WindowDelta[],
    expiresAt: (delta: WindowDelta) => number,
  ): Promise<WindowTotals[]>;
  /** Windows of one (target, principal) with `fromIso <= windowStart < toIso`, in time order. */
  listWindows(target: string, principal: string, fromIso: string, toIso: string): Promise<WindowTotals[]>;
  /** Mark windows a detector raised a finding on (folds then do not learn them as usual). */
  flagWindows(keys: ReadonlyArray<{ target: string; principal: string; windowStart: string }>): Promise<void>;
  /**
   * The profile of (target, principal) as of `atMs` (epoch ms, event time: the first event of the
   * activity at hand). A profile whose `expiresAt` is at or before it has expired and is absent, as it
   * will be once DynamoDB's TTL deletes it (lazily: days after `expiresAt`).
   */
  getProfile(target: string, principal: string, atMs: number): Promise<AccessProfile | undefined>;
  /**
   * Write a profile only if the stored one still has `expectFoldedThrough` (`null` = none live at
   * `atMs`: absent, or expired by then, which it replaces): two concurrent folds cannot both apply.
   */
  putProfile(
    profile: AccessProfile,
    expectFoldedThrough: string | null,
    atMs: number,
  ): Promise<"applied" | "conflict">;
  getTarget(target: string): Promise<TargetState | undefined>;
  /**
   * Record activity on the target from `firstSeen`: create the state, or start it again from
   * `firstSeen` when the stored one expired before then (a target silent longer than the profiles
   * live learns again); otherwise lower `firstSeen` to it and raise `expiresAt` to `expiresAt`.
   * Returns the stored state.
   */
  touchTarget(target: string, firstSeen: string, expiresAt?: number): Promise<TargetState>;
}
