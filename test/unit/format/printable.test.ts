// Text from outside phiwatch that is printed or logged (a SIEM's answer quoted in a delivery failure,
// a reason read back from the DLQ) must not drive the terminal, hide what it says, carry PHI-shaped
// strings in clear or run on without end.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRINTABLE_MAX_CHARS, printableText } from "../../../packages/core/src/format/index.ts";

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u2028\u2029]/u;

describe("printableText", () => {
  it("removes terminal escapes, C1 controls, bidi overrides and zero-width characters", () => {
    expect(printableText("\u001b]0;owned\u0007\u001b[2J\u009b31mok\u202e\u2066done\u200b\u00ad")).toBe(
      "]0;owned[2J31mokdone",
    );
  });

  it("turns line breaks and tabs into one space, so a reason stays one line", () => {
    expect(printableText("a\r\nb\tc\u2028d")).toBe("a b c d");
  });

  it("redacts PHI-shaped strings, also when invisible characters split them", () => {
    expect(printableText("echo: SSN 123-45\u200b-6789, jane.doe@exa\u0000mple.org")).toBe(
      "echo: [ssn], [email]",
    );
  });

  it("cuts after redacting, so a cut never leaves part of a value in clear", () => {
    const out = printableText(`${"x".repeat(290)} 123-45-6789 ${"y".repeat(100)}`);
    expect(out).toHaveLength(PRINTABLE_MAX_CHARS);
    expect(out).toContain("[ssn]");
    expect(out.endsWith("…")).toBe(true);
  });

  it("never splits a character made of two UTF-16 units", () => {
    const out = printableText("😀".repeat(20), 5);
    expect(out).toBe("😀😀😀😀…");
  });

  it("leaves phiwatch's own reasons as they are", () => {
    for (const r of [
      "HTTP 503 after 4 attempts",
      "refused: URL must use https",
      "network: ECONNREFUSED: connect",
    ])
      expect(printableText(r)).toBe(r);
  });

  it("returns printable, bounded text for any input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 2000 }),
        fc.integer({ min: 1, max: 400 }),
        (s, max) => {
          const out = printableText(s, max);
          expect(out).not.toMatch(UNPRINTABLE);
          expect(Array.from(out).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
