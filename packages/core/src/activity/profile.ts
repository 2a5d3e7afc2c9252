import type { AccessTargetType } from "./access-event.ts";
import { parseEventTime } from "./event-time.ts";
import { formatLocalDate, isoAt, localDateAt, localTimeAt } from "./local-clock.ts";
import type { WindowTotals } from "./window.ts";

/** Most sources / user-agent classes / VPC endpoints a profile remembers (least recently seen evicted). */
export const MAX_PROFILE_SOURCES = 64;
/** A fold never walks back further than this (a principal idle for months restarts from its last month). */
export const MAX_FOLD_SPAN_MS = 28 * 24 * 3600_000;

const HOURS = 168;

/**
 * Learned behaviour of one principal on one PHI bucket or key. Reads per window are learned per
 * hour-of-week (in the organisation's time zone) as a bias-corrected EWMA of mean and variance;
 * reads per day per day-of-week the same way. Bounded size (≈ 6 KB), TTL on staleness.
 */
export interface AccessProfile {
  target: string;
  targetType: AccessTargetType;
  principal: string;
  accountId: string;
  region: string;
  windowMinutes: number;
  timeZone: string;
  /** Start of the first window with reads, and of the last one. */
  firstSeen: string;
  lastSeen: string;
  /** Start of the last window folded in: folding is idempotent because it never goes back past it. */
  foldedThrough: string;
  /** Windows folded (including quiet ones) and windows with reads. */
  windows: number;
  activeWindows: number;
  /** Reads per window, per hour-of-week: sample count, mean, variance. */
  n: number[];
  mean: number[];
  variance: number[];
  /**
   * Share of the slot's windows with any read (EWMA of 0/1): a routine is active most weeks, while a
   * single incident moves it by at most alpha.
   */
  active: number[];
  /** Reads per local day, per day-of-week (0 = Sunday). */
  dayN: number[];
  dayMean: number[];
  dayVariance: number[];
  /** Local day being accumulated (`YYYY-MM-DD`) and its reads so far. */
  dayOpen: { day: string; dow: number; reads: number } | null;
  /** Distinct objects per active window (mean, variance, samples). */
  objN: number;
  objMean: number;
  objVariance: number;
  /** List events folded in (a principal that never lists and suddenly sweeps is telling). */
  lists: number;
  /** Reads outside and inside business hours (share of off-hours work). */
  totalReads: number;
  /** Network / VPC endpoint / user-agent class → last seen (ISO). */
  networks: Record<string, string>;
  vpces: Record<string, string>;
  uaClasses: Record<string, string>;
  /** DynamoDB TTL (epoch seconds). */
  expiresAt: number;
}

export interface FoldSettings {
  windowMinutes: number;
  timeZone: string;
  alpha: number;
  ttlDays: number;
  /** Returns the cap of a sample in this slot, or Infinity while the profile is still learning. */
  clip?: (profile: AccessProfile, slot: number) => number;
  /** Same for a whole day of this day-of-week. */
  clipDay?: (profile: AccessProfile, dow: number) => number;
}

export function emptyProfile(
  base: Pick<AccessProfile, "target" | "targetType" | "principal" | "accountId" | "region">,
  firstWindow: string,
  s: FoldSettings,
): AccessProfile {
  const prev = new Date(Date.parse(firstWindow) - s.windowMinutes * 60_000).toISOString();
  return {
    ...base,
    windowMinutes: s.windowMinutes,
    timeZone: s.timeZone,
    firstSeen: firstWindow,
    lastSeen: firstWindow,
    foldedThrough: prev,
    windows: 0,
    activeWindows: 0,
    n: Array(HOURS).fill(0),
    mean: Array(HOURS).fill(0),
    variance: Array(HOURS).fill(0),
    active: Array(HOURS).fill(0),
    dayN: Array(7).fill(0),
    dayMean: Array(7).fill(0),
    dayVariance: Array(7).fill(0),
    dayOpen: null,
    objN: 0,
    objMean: 0,
    objVariance: 0,
    lists: 0,
    totalReads: 0,
    networks: {},
    vpces: {},
    uaClasses: {},
    expiresAt: 0,
  };
}

/**
 * Deep copy of a profile (plain JSON data), as `structuredClone` makes it, about 15× faster: profiles
 * are copied several times per (target, principal) and batch. Anything that is not a plain object,
 * an array or a primitive is handed to `structuredClone`.
 */
export function cloneProfile(p: AccessProfile): AccessProfile {
  return cloneData(p) as AccessProfile;
}

function cloneData(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v) && proto === Array.prototype) {
    // Holes would become undefined entries: leave sparse arrays to structuredClone.
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return structuredClone(v);
      out[i] = cloneData(v[i]);
    }
    return out;
  }
  if (proto !== Object.prototype) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = cloneData((v as Record<string, unknown>)[k]);
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

/** Bias-corrected EWMA update: the plain mean for the first 1/alpha samples, then exponential decay. */
function ewma(n: number, mean: number, variance: number, x: number, alpha: number) {
  const a = Math.max(alpha, 1 / (n + 1));
  const d = x - mean;
  const m = mean + a * d;
  const v = (1 - a) * (variance + a * d * d);
  return { n: n + 1, mean: m, variance: v };
}

/**
 * Fold completed windows into the profile, from just after `foldedThrough` up to (excluding)
 * `untilMs`, counting windows without an item as zero reads. Pure and idempotent: folding the same
 * range twice is impossible because the watermark moved.
 *
 * @example
 * ```ts
 * const next = foldWindows(profile, windowsFromStore, Date.parse("2026-03-03T07:00:00Z"), settings);
 * ```
 */
export function foldWindows(
  profile: AccessProfile,
  windows: readonly WindowTotals[],
  untilMs: number,
  s: FoldSettings,
): AccessProfile {
  const len = s.windowMinutes * 60_000;
  const p = cloneProfile(profile);
  if (p.windowMinutes !== s.windowMinutes) rescale(p, s.windowMinutes);
  const byStart = new Map(windows.map((w) => [parseEventTime(w.windowStart), w]));
  let start = parseEventTime(p.foldedThrough) + len;
  start = Math.max(start, untilMs - MAX_FOLD_SPAN_MS - ((untilMs - MAX_FOLD_SPAN_MS) % len));
  for (let ws = start; ws + len <= untilMs; ws += len) {
    const w = byStart.get(ws);
    const iso = isoAt(ws);
    const t = localTimeAt(s.timeZone, ws);
    const slot = t.day * 24 + t.hour;
    const reads = w?.reads ?? 0;
    const cap = s.clip ? s.clip(p, slot) : Number.POSITIVE_INFINITY;
    const sample = Math.min(reads, cap);
    const u = ewma(p.n[slot]!, p.mean[slot]!, p.variance[slot]!, sample, s.alpha);
    const a = Math.max(s.alpha, 1 / (p.n[slot]! + 1));
    // A window a detector alerted on is never learned as "usual activity" (nor are its sources).
    const usual = reads > 0 && !w?.flagged;
    p.active[slot] = (p.active[slot] ?? 0) + a * ((usual ? 1 : 0) - (p.active[slot] ?? 0));
    p.n[slot] = u.n;
    p.mean[slot] = u.mean;
    p.variance[slot] = u.variance;
    // Daily horizon: close the open day when the local date changes.
    const day = localDateAt(s.timeZone, ws);
    if (p.dayOpen && p.dayOpen.day !== day) closeDay(p, s);
    if (!p.dayOpen) p.dayOpen = { day, dow: t.day, reads: 0 };
    p.dayOpen.reads += sample;
    p.windows += 1;
    p.foldedThrough = iso;
    if (!w) continue;
    p.lists += w.lists;
    if (reads > 0) {
      p.activeWindows += 1;
      p.totalReads += reads;
      p.lastSeen = iso;
      if (iso < p.firstSeen) p.firstSeen = iso;
      const o = ewma(p.objN, p.objMean, p.objVariance, Math.min(w.objects, cap), s.alpha);
      p.objN = o.n;
      p.objMean = o.mean;
      p.objVariance = o.variance;
    }
    const seen = iso;
    if (w.flagged) continue;
    for (const x of w.networks) remember(p.networks, x, seen);
    for (const x of w.vpces) remember(p.vpces, x, seen);
    for (const x of w.uaClasses) remember(p.uaClasses, x, seen);
  }
  p.expiresAt = Math.floor(parseEventTime(p.lastSeen) / 1000) + s.ttlDays * 86_400;
  return p;
}

function closeDay(p: AccessProfile, s: FoldSettings): void {
  const d = p.dayOpen!;
  const sample = Math.min(d.reads, s.clipDay ? s.clipDay(p, d.dow) : Number.POSITIVE_INFINITY);
  const u = ewma(p.dayN[d.dow]!, p.dayMean[d.dow]!, p.dayVariance[d.dow]!, sample, s.alpha);
  p.dayN[d.dow] = u.n;
  p.dayMean[d.dow] = u.mean;
  p.dayVariance[d.dow] = u.variance;
  p.dayOpen = null;
}

function rescale(p: AccessProfile, windowMinutes: number): void {
  const f = windowMinutes / p.windowMinutes;
  p.mean = p.mean.map((m) => m * f);
  p.variance = p.variance.map((v) => v * f * f);
  p.windowMinutes = windowMinutes;
}

function remember(map: Record<string, string>, key: string, at: string): void {
  if (!(key in map) || map[key]! < at) map[key] = at;
  const keys = Object.keys(map);
  if (keys.length <= MAX_PROFILE_SOURCES) return;
  const oldest = keys.reduce((a, b) => (map[a]! <= map[b]! ? a : b));
  delete map[oldest];
}

/** Local calendar date `YYYY-MM-DD` in the organisation's time zone. */
export function localDate(timeZone: string, at: Date): string {
  return formatLocalDate(timeZone, at);
}

/** Mean and standard deviation of a slot (0 ± 0 when never sampled). */
export function slotStats(
  p: AccessProfile | undefined,
  slot: number,
): { mean: number; sd: number; n: number } {
  if (!p) return { mean: 0, sd: 0, n: 0 };
  const s = ((slot % HOURS) + HOURS) % HOURS;
  return { mean: p.mean[s]!, sd: Math.sqrt(p.variance[s]!), n: p.n[s]! };
}

/** Reads on the profile's open day, as of the fold (the rest of the day comes from the store). */
export function dayStats(p: AccessProfile | undefined, dow: number): { mean: number; sd: number; n: number } {
  if (!p) return { mean: 0, sd: 0, n: 0 };
  return { mean: p.dayMean[dow]!, sd: Math.sqrt(p.dayVariance[dow]!), n: p.dayN[dow]! };
}

export const DAY_LABELS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** "Tue 02h" for a slot. */
export function slotLabel(slot: number): string {
  const s = ((slot % HOURS) + HOURS) % HOURS;
  return `${DAY_LABELS[Math.floor(s / 24)]} ${String(s % 24).padStart(2, "0")}h`;
}
