// `phiwatch replay` prints why inputs were dead-lettered. The reasons come from dead letters whose
// message and payload may quote caller-supplied strings: only the error class and the field's path
// may be printed, and a path segment taken from the input must not be.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deadLetterReason } from "../../../packages/cli/src/dead-letters.ts";

const letter = (reason: unknown, field?: unknown, message = "jane.doe-1970-01-01.wav is PHI") =>
  JSON.stringify({ reason, message, field, source: "config-change", payload: { key: "jane.doe.wav" } });

describe("deadLetterReason", () => {
  it("gives the error class and the field, with array indices collapsed", () => {
    expect(deadLetterReason(letter("InvalidEventError", "event.accountId"))).toBe(
      "InvalidEventError at event.accountId",
    );
    expect(deadLetterReason(letter("InvalidEventError", "configurationItems.12.accountId"))).toBe(
      "InvalidEventError at configurationItems.*.accountId",
    );
    expect(deadLetterReason(letter("UnsupportedEventError", "event.detail-type"))).toBe(
      "UnsupportedEventError at event.detail-type",
    );
    expect(deadLetterReason(letter("InvalidEventError", "(file)"))).toBe("InvalidEventError at (file)");
    expect(deadLetterReason(letter("InputTooLargeError"))).toBe("InputTooLargeError");
  });

  it("stops the path at a segment taken from the input (a tag key, a bucket name)", () => {
    expect(
      deadLetterReason(
        letter("InputTooLargeError", "event.supplementaryConfiguration.Tags.patient:jane-doe.x"),
      ),
    ).toBe("InputTooLargeError at event.supplementaryConfiguration.Tags.…");
  });

  it("never prints the message, the payload, or a reason that is not an error class", () => {
    expect(deadLetterReason(letter("target jane.doe@example.com is not in the baseline"))).toBe("(other)");
    expect(deadLetterReason("not json: jane.doe.wav")).toBe("(unreadable dead letter)");
  });

  it("prints only identifier-shaped text, whatever the dead letter holds", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (reason, field) => {
        const out = deadLetterReason(letter(reason, field));
        for (const part of out.split(/ at |\./))
          expect(part).toMatch(/^(\(other\)|\(file\)|\*|…|[A-Za-z][A-Za-z0-9]{0,63}(-[a-z]+)?)$/);
      }),
    );
  });
});
