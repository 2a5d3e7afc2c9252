import { type AccessEvent, type AccessTargetType, OBJECT_KEY_ID_HEX } from "./access-event.ts";
import { isoAt } from "./local-clock.ts";
import type { Principal } from "./principal.ts";

/** Start of the window that holds `at` (windows are aligned on epoch multiples of their length). */
export function windowStartOf(at: number, windowMinutes: number): number {
  const len = windowMinutes * 60_000;
  return Math.floor(at / len) * len;
}

/**
 * What one batch adds to one (target, principal, window): sets of short hashes, so adding the same
 * event twice (duplicate delivery, a replayed log file) changes nothing.
 */
export interface WindowDelta {
  target: string;
  targetType: AccessTargetType;
  principal: Principal;
  accountId: string;
  region: string;
  /** ISO-8601 start of the window. */
  windowStart: string;
  windowStartMs: number;
  readIds: Set<string>;
  deniedIds: Set<string>;
  listIds: Set<string>;
  objects: Set<string>;
  networks: Set<string>;
  vpces: Set<string>;
  uaClasses: Set<string>;
  /** This batch's events of the window, ordered by event time (for first-event detectors). */
  events: AccessEvent[];
}

/** The deduplicated totals of one window after the batch was added. */
export interface WindowTotals {
  target: string;
  principal: string;
  windowStart: string;
  reads: number;
  denied: number;
  lists: number;
  /** Distinct objects read in the window. */
  objects: number;
  networks: string[];
  vpces: string[];
  uaClasses: string[];
  /** Counts past the per-window set cap are approximate (see docs/detectors.md). */
  overflow: boolean;
  /** A detector raised a finding on this window: folding never learns it as usual behaviour. */
  flagged?: boolean;
}

/**
 * Distinct objects among a window's object-key hashes. Hashes are grouped by the id of the key that
 * made them (a hash of 16 hex, stored before hashes carried an id, is a group of its own): a window
 * whose reads were hashed with two keys — the one that straddles a rotation of `PHIWATCH_HASH_KEY`,
 * or earlier reads delivered again after it — counts the larger group, never one object twice. In the
 * straddling window that is a lower bound (objects read only before and only after the rotation are
 * not added up); reads, counted by event id, stay exact.
 *
 * @example
 * ```ts
 * distinctObjects(["a41c" + h1, "a41c" + h2, "07d2" + h1b]); // 2 (not 3)
 * ```
 */
export function distinctObjects(hashes: Iterable<string>): number {
  return largestGroup(hashes, (h) => (h.length > 16 ? h.slice(0, OBJECT_KEY_ID_HEX) : ""));
}

/**
 * The size of the largest group of `items` by `groupOf`: `distinctObjects` on hashes as text, and the
 * access store on the same hashes as stored bytes.
 */
export function largestGroup<T>(items: Iterable<T>, groupOf: (item: T) => string | number): number {
  const counts = new Map<string | number, number>();
  let most = 0;
  for (const item of items) {
    const g = groupOf(item);
    const n = (counts.get(g) ?? 0) + 1;
    counts.set(g, n);
    if (n > most) most = n;
  }
  return most;
}

export function pairKey(target: string, principal: string): string {
  return `${target}\u0000${principal}`;
}

/**
 * Aggregate a batch of access events per (target, principal, window) in memory, so the store does
 * one update per key instead of one per event.
 *
 * @example
 * ```ts
 * const deltas = aggregate(events, 15); // 2000 GetObject by one role in 15 min → 1 delta
 * ```
 */
export function aggregate(events: readonly AccessEvent[], windowMinutes: number): WindowDelta[] {
  // target → principal → window start: nested maps hash short strings the events already hold
  // (principal ids are shared by every event of a caller) instead of one long key per event.
  const byKey = new Map<string, Map<string, Map<number, WindowDelta>>>();
  const out: WindowDelta[] = [];
  for (const e of events) {
    const ws = windowStartOf(e.at, windowMinutes);
    let byPrincipal = byKey.get(e.target.id);
    if (!byPrincipal) {
      byPrincipal = new Map();
      byKey.set(e.target.id, byPrincipal);
    }
    let byWindow = byPrincipal.get(e.principal.id);
    if (!byWindow) {
      byWindow = new Map();
      byPrincipal.set(e.principal.id, byWindow);
    }
    let d = byWindow.get(ws);
    if (!d) {
      d = {
        target: e.target.id,
        targetType: e.target.type,
        principal: e.principal,
        accountId: e.accountId,
        region: e.region,
        windowStart: isoAt(ws),
        windowStartMs: ws,
        readIds: new Set(),
        deniedIds: new Set(),
        listIds: new Set(),
        objects: new Set(),
        networks: new Set(),
        vpces: new Set(),
        uaClasses: new Set(),
        events: [],
      };
      byWindow.set(ws, d);
      out.push(d);
    }
    d.events.push(e);
    if (e.denied) {
      d.deniedIds.add(e.idHash);
      continue;
    }
    if (e.action === "list") d.listIds.add(e.idHash);
    else {
      d.readIds.add(e.idHash);
      if (e.objectHash) d.objects.add(e.objectHash);
    }
    d.networks.add(e.source.network);
    if (e.source.vpce) d.vpces.add(e.source.vpce);
    d.uaClasses.add(e.source.uaClass);
  }
  for (const d of out) d.events.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1));
  return out.sort((a, b) => a.windowStartMs - b.windowStartMs);
}
