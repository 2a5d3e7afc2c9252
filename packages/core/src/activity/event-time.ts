// CloudTrail writes every eventTime as `YYYY-MM-DDTHH:MM:SSZ` (EventBridge and some tools add
// milliseconds). Date.parse and toISOString cost ~0.6 µs per event together; for these canonical forms
// the digits give the same answers directly. Anything else goes to Date.parse / toISOString.

/** The decimal number written in `s[from, to)`, or -1 when a character there is not a digit. */
export function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Epoch ms of a canonical UTC timestamp (`2026-02-03T07:00:00Z` or `2026-02-03T07:00:00.123Z`),
 * or NaN when the string is not one of those forms with fields inside the ranges where Date.UTC and
 * Date.parse agree (days up to 28: every month has them; years 1970–9999). Where it answers, it equals
 * `Date.parse(s)`.
 */
export function canonicalTimeMs(s: string): number {
  const n = s.length;
  if (n !== 20 && n !== 24) return Number.NaN;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":" || s[n - 1] !== "Z")
    return Number.NaN;
  if (n === 24 && s[19] !== ".") return Number.NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  const ms = n === 24 ? digits(s, 20, 23) : 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59)
    return Number.NaN;
  if (sec < 0 || sec > 59 || ms < 0) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** `Date.parse(s)`, without parsing a canonical CloudTrail timestamp the slow way. */
export function parseEventTime(s: string): number {
  const ms = canonicalTimeMs(s);
  return Number.isNaN(ms) ? Date.parse(s) : ms;
}

/**
 * `new Date(at).toISOString()` where `at = parseEventTime(s)`, built from `s` when it is canonical
 * (`canonical`: `canonicalTimeMs(s)` is a number, when the caller already knows).
 */
export function eventTimeIso(s: string, at: number, canonical = !Number.isNaN(canonicalTimeMs(s))): string {
  if (canonical) return s.length === 24 ? s : `${s.slice(0, 19)}.000Z`;
  return new Date(at).toISOString();
}
