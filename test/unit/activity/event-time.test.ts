import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalTimeMs,
  eventTimeIso,
  parseEventTime,
} from "../../../packages/core/src/activity/event-time.ts";

// The fast timestamp path must answer exactly what Date.parse / toISOString answer.
const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
const canonicalish = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
    two(19),
    two(39),
    two(29),
    two(69),
    two(69),
    fc.option(
      fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
      { nil: undefined },
    ),
  )
  .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === undefined ? "" : `.${ms}`}Z`);
const anyText = fc.oneof(
  canonicalish,
  fc.string({ maxLength: 30 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

describe("event time", () => {
  it("parses as Date.parse does and prints as toISOString does", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const at = parseEventTime(s);
        expect(at).toBe(Date.parse(s));
        if (!Number.isNaN(at)) expect(eventTimeIso(s, at)).toBe(new Date(at).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["2026-02-03T07:00:00Z", true],
    ["2026-02-03T07:00:00.123Z", true],
    ["2026-02-29T07:00:00Z", false],
    ["2026-02-03T24:00:00Z", false],
    ["2026-02-03T07:00:00+00:00", false],
    ["1969-12-31T23:59:59Z", false],
  ])("takes the fast path for %s: %s", (s, fast) => {
    expect(!Number.isNaN(canonicalTimeMs(s))).toBe(fast);
    expect(parseEventTime(s)).toBe(Date.parse(s));
  });
});
