import { isBusinessHours, localTime } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";

// Memoised local-time lookups for the access pipeline. Windows are aligned on the epoch, so a batch
// asks for the same few hundred instants again and again (every (target, principal) pair folds the
// same hours), and each Intl formatting costs microseconds. The answers are pure functions of
// (time zone, instant), so a cache changes nothing but the time taken.

/** Entries per time zone before a cache starts over (bounded memory in a long-lived Lambda). */
const MAX_ENTRIES = 50_000;

export type LocalTime = Readonly<ReturnType<typeof localTime>>;

const times = new Map<string, Map<number, LocalTime>>();
const dates = new Map<string, Map<number, string>>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const business = new WeakMap<Baseline, Map<number, boolean>>();
const isos = new Map<number, string>();

function slot<V>(caches: Map<string, Map<number, V>>, timeZone: string): Map<number, V> {
  let m = caches.get(timeZone);
  if (!m) {
    m = new Map();
    caches.set(timeZone, m);
  } else if (m.size >= MAX_ENTRIES) m.clear();
  return m;
}

/** `localTime(timeZone, new Date(ms))`, memoised. The result is shared: read it, never change it. */
export function localTimeAt(timeZone: string, ms: number): LocalTime {
  const m = slot(times, timeZone);
  let t = m.get(ms);
  if (t === undefined) {
    t = Object.freeze(localTime(timeZone, new Date(ms)));
    m.set(ms, t);
  }
  return t;
}

/** Local calendar date `YYYY-MM-DD` in the time zone (uncached). */
export function formatLocalDate(timeZone: string, at: Date): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dateFormats.set(timeZone, f);
  }
  return f.format(at);
}

/** `formatLocalDate(timeZone, new Date(ms))`, memoised. */
export function localDateAt(timeZone: string, ms: number): string {
  const m = slot(dates, timeZone);
  let d = m.get(ms);
  if (d === undefined) {
    d = formatLocalDate(timeZone, new Date(ms));
    m.set(ms, d);
  }
  return d;
}

/** `isBusinessHours(baseline, new Date(ms))`, memoised per baseline object. */
export function isBusinessHoursAt(baseline: Baseline, ms: number): boolean {
  let m = business.get(baseline);
  if (!m) {
    m = new Map();
    business.set(baseline, m);
  } else if (m.size >= MAX_ENTRIES) m.clear();
  let b = m.get(ms);
  if (b === undefined) {
    b = isBusinessHours(baseline, new Date(ms));
    m.set(ms, b);
  }
  return b;
}

/** `new Date(ms).toISOString()`, memoised (window starts recur for every pair and batch). */
export function isoAt(ms: number): string {
  let s = isos.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString();
    if (isos.size >= MAX_ENTRIES) isos.clear();
    isos.set(ms, s);
  }
  return s;
}
