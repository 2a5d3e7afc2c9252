import type { AccessStore, TargetState } from "./ports.ts";
import { type AccessProfile, cloneProfile } from "./profile.ts";
import { distinctObjects, pairKey, type WindowDelta, type WindowTotals } from "./window.ts";

interface MemWindow {
  target: string;
  principal: string;
  windowStart: string;
  reads: Set<string>;
  denied: Set<string>;
  lists: Set<string>;
  objects: Set<string>;
  networks: Set<string>;
  vpces: Set<string>;
  uaClasses: Set<string>;
  flagged?: boolean;
}

/**
 * In-memory `AccessStore` with the same semantics as the DynamoDB adapter (set union, conditional
 * profile writes). Counts the writes it would have made, for the bench.
 *
 * @example
 * ```ts
 * const store = new MemoryAccessStore();
 * await processAccessEvents(events, { store, baseline, detectors: DETECTORS });
 * store.writes; // one per (target, principal, window) per batch, plus profile folds
 * ```
 */
export class MemoryAccessStore implements AccessStore {
  readonly windows = new Map<string, Map<string, MemWindow>>();
  readonly profiles = new Map<string, AccessProfile>();
  readonly targets = new Map<string, TargetState>();
  writes = 0;

  async addWindows(deltas: readonly WindowDelta[]): Promise<WindowTotals[]> {
    return deltas.map((d) => {
      this.writes += 1;
      const pk = pairKey(d.target, d.principal.id);
      let m = this.windows.get(pk);
      if (!m) {
        m = new Map();
        this.windows.set(pk, m);
      }
      let w = m.get(d.windowStart);
      if (!w) {
        w = {
          target: d.target,
          principal: d.principal.id,
          windowStart: d.windowStart,
          reads: new Set(),
          denied: new Set(),
          lists: new Set(),
          objects: new Set(),
          networks: new Set(),
          vpces: new Set(),
          uaClasses: new Set(),
        };
        m.set(d.windowStart, w);
      }
      for (const x of d.readIds) w.reads.add(x);
      for (const x of d.deniedIds) w.denied.add(x);
      for (const x of d.listIds) w.lists.add(x);
      for (const x of d.objects) w.objects.add(x);
      for (const x of d.networks) w.networks.add(x);
      for (const x of d.vpces) w.vpces.add(x);
      for (const x of d.uaClasses) w.uaClasses.add(x);
      return totals(w);
    });
  }

  async listWindows(
    target: string,
    principal: string,
    fromIso: string,
    toIso: string,
  ): Promise<WindowTotals[]> {
    const m = this.windows.get(pairKey(target, principal));
    if (!m) return [];
    return [...m.values()]
      .filter((w) => w.windowStart >= fromIso && w.windowStart < toIso)
      .sort((a, b) => (a.windowStart < b.windowStart ? -1 : 1))
      .map(totals);
  }

  async flagWindows(keys: ReadonlyArray<{ target: string; principal: string; windowStart: string }>) {
    for (const k of keys) {
      const w = this.windows.get(pairKey(k.target, k.principal))?.get(k.windowStart);
      if (!w || w.flagged) continue;
      this.writes += 1;
      w.flagged = true;
    }
  }

  async getProfile(target: string, principal: string, atMs: number): Promise<AccessProfile | undefined> {
    const p = this.live(pairKey(target, principal), atMs);
    return p ? cloneProfile(p) : undefined;
  }

  async putProfile(
    profile: AccessProfile,
    expect: string | null,
    atMs: number,
  ): Promise<"applied" | "conflict"> {
    this.writes += 1;
    const k = pairKey(profile.target, profile.principal);
    const cur = this.live(k, atMs);
    if ((cur?.foldedThrough ?? null) !== expect) return "conflict";
    this.profiles.set(k, cloneProfile(profile));
    return "applied";
  }

  /** The stored profile unless it expired by `atMs` (kept, as DynamoDB keeps it until its TTL runs). */
  private live(k: string, atMs: number): AccessProfile | undefined {
    const p = this.profiles.get(k);
    return p && p.expiresAt > Math.floor(atMs / 1000) ? p : undefined;
  }

  async getTarget(target: string): Promise<TargetState | undefined> {
    return this.targets.get(target);
  }

  async touchTarget(target: string, firstSeen: string, expiresAt?: number): Promise<TargetState> {
    const cur = this.targets.get(target);
    const restart = !cur || (cur.expiresAt !== undefined && cur.expiresAt <= epochSeconds(firstSeen));
    const next: TargetState = restart
      ? { target, firstSeen, ...(expiresAt !== undefined ? { expiresAt } : {}) }
      : {
          target,
          firstSeen: cur.firstSeen <= firstSeen ? cur.firstSeen : firstSeen,
          ...(expiresAt !== undefined || cur.expiresAt !== undefined
            ? { expiresAt: Math.max(expiresAt ?? 0, cur.expiresAt ?? 0) }
            : {}),
        };
    if (cur && cur.firstSeen === next.firstSeen && cur.expiresAt === next.expiresAt) return cur;
    this.writes += 1;
    this.targets.set(target, next);
    return next;
  }
}

function totals(w: MemWindow): WindowTotals {
  return {
    target: w.target,
    principal: w.principal,
    windowStart: w.windowStart,
    reads: w.reads.size,
    denied: w.denied.size,
    lists: w.lists.size,
    objects: distinctObjects(w.objects),
    networks: [...w.networks].sort(),
    vpces: [...w.vpces].sort(),
    uaClasses: [...w.uaClasses].sort(),
    overflow: false,
    ...(w.flagged ? { flagged: true } : {}),
  };
}

function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
