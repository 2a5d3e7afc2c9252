// One meaning of "until" for the baseline, the API and the CLI: a date is inclusive (through the end of
// that day in the organisation's time zone), a time without a zone is the organisation's wall clock.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suppressionEnd } from "../../../packages/core/src/index.ts";

/** Local date and time of an instant in a zone, as a person there reads a clock. */
const wallClock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));

describe("suppressionEnd", () => {
  it.each([
    ["2026-12-31", "UTC", "2027-01-01T00:00:00.000Z"],
    ["2026-12-31", "America/New_York", "2027-01-01T05:00:00.000Z"],
    ["2026-07-31", "America/New_York", "2026-08-01T04:00:00.000Z"],
    ["2026-12-31", "Asia/Kolkata", "2026-12-31T18:30:00.000Z"],
    ["2028-02-29", "Europe/Berlin", "2028-02-29T23:00:00.000Z"],
    // The night clocks go forward / back in New York (8 March, 1 November 2026).
    ["2026-03-07", "America/New_York", "2026-03-08T05:00:00.000Z"],
    ["2026-03-08", "America/New_York", "2026-03-09T04:00:00.000Z"],
    ["2026-10-31", "America/New_York", "2026-11-01T04:00:00.000Z"],
    ["2026-11-01", "America/New_York", "2026-11-02T05:00:00.000Z"],
    ["2026-12-31T17:00", "America/New_York", "2026-12-31T22:00:00.000Z"],
    ["2026-12-31T17:00:30.5", "America/New_York", "2026-12-31T22:00:30.500Z"],
    ["2026-12-31T17:00:00Z", "America/New_York", "2026-12-31T17:00:00.000Z"],
    ["2026-12-31T17:00:00+02:00", "America/New_York", "2026-12-31T15:00:00.000Z"],
    // 02:30 does not exist on 8 March 2026 in New York: moved forward by the gap, never earlier.
    ["2026-03-08T02:30", "America/New_York", "2026-03-08T07:30:00.000Z"],
  ])("%s in %s ends at %s", (until, tz, end) => {
    expect(suppressionEnd(until, tz)).toBe(end);
  });

  it.each([
    "2026-02-30",
    "2027-02-29",
    "2026-04-31T10:00:00Z",
    "Dec 31",
    "2026-12-31 17:00",
    "2026-12-31T24:00",
    "2026-12-31T17:00:00+25:00",
    "",
  ])("refuses %j", (until) => {
    expect(suppressionEnd(until, "UTC")).toBeUndefined();
  });

  it("ends a date at the first instant of the next local day, in any zone", () => {
    const zones = [
      "UTC",
      "America/New_York",
      "America/St_Johns",
      "Europe/London",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
    ];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2001-01-01T00:00:00Z"),
          max: new Date("2099-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        (d, tz) => {
          const day = d.toISOString().slice(0, 10);
          const end = suppressionEnd(day, tz)!;
          const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
          expect(wallClock(end, tz)).toBe(`${next} 00:00:00`);
          expect(wallClock(new Date(Date.parse(end) - 1000).toISOString(), tz).slice(0, 10)).toBe(day);
        },
      ),
    );
  });
});
