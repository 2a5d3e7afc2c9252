import type { AccessProfile } from "./profile.ts";
import type { WindowDelta, WindowTotals } from "./window.ts";

/** Learning state of one PHI target: when phiwatch first saw activity on it (learning-period start). */
export interface TargetState {
  target: string;
  firstSeen: string;
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
  getProfile(target: string, principal: string): Promise<AccessProfile | undefined>;
  /**
   * Write a profile only if the stored one still has `expectFoldedThrough` (`null` = none stored):
   * two concurrent folds cannot both apply.
   */
  putProfile(profile: AccessProfile, expectFoldedThrough: string | null): Promise<"applied" | "conflict">;
  getTarget(target: string): Promise<TargetState | undefined>;
  /** Lower the target's `firstSeen` to `firstSeen` (or create it); returns the stored state. */
  touchTarget(target: string, firstSeen: string): Promise<TargetState>;
}
