/**
 * The instant a suppression ends, from the `until` a person wrote — the same for the baseline's
 * `suppressions[].until`, the API's `POST /findings/{id}/suppress` and `phiwatch suppress --until`:
 * - a date `YYYY-MM-DD` is inclusive: the suppression holds through the end of that day in the
 *   organisation's time zone and ends at the next local midnight ("until Dec 31" covers Dec 31);
 * - a date-time with a zone (`Z`, `+02:00`) is that instant;
 * - a date-time without a zone is wall-clock time in the organisation's time zone (not the time zone
 *   of whichever machine reads it: the Lambda runs in UTC, the CLI on a laptop).
 *
 * Returns the ISO-8601 instant (UTC), or `undefined` when `until` is none of these or names a day the
 * calendar does not have.
 *
 * @example
 * ```ts
 * suppressionEnd("2026-12-31", "America/New_York") // → "2027-01-01T05:00:00.000Z"
 * suppressionEnd("2026-12-31T17:00", "America/New_York") // → "2026-12-31T22:00:00.000Z"
 * suppressionEnd("2026-12-31T17:00:00Z", "America/New_York") // → "2026-12-31T17:00:00.000Z"
 * ```
 */
export function suppressionEnd(until: string, timeZone: string): string | undefined {
  const m = UNTIL.exec(until);
  if (!m) return undefined;
  const [, y, mo, d, time, h, mi, s, frac, zone] = m;
  const day = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (new Date(day).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) return undefined;
  if (!time) return new Date(zonedToInstant(day + DAY_MS, timeZone)).toISOString();
  if (zone) {
    const ms = Date.parse(until);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  const wall = day + ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1000 + fraction(frac);
  return new Date(zonedToInstant(wall, timeZone)).toISOString();
}

const UNTIL = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const DAY_MS = 24 * 3600 * 1000;

function fraction(frac: string | undefined): number {
  return frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Offset of the zone from UTC at an instant, in ms (wall clock − UTC). */
function offsetAt(timeZone: string, ms: number): number {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant whose wall-clock time in the zone is `wall` (given as if it were UTC). A wall time that
 * occurs twice (clocks set back) is the earlier; one that does not exist (clocks set forward) is moved
 * forward by the gap, so an end of day is never brought forward — as `Temporal`'s "compatible".
 */
function zonedToInstant(wall: number, timeZone: string): number {
  const first = wall - offsetAt(timeZone, wall);
  const second = wall - offsetAt(timeZone, first);
  if (second + offsetAt(timeZone, second) === wall) return second;
  if (first + offsetAt(timeZone, first) === wall) return first;
  return Math.max(first, second);
}
