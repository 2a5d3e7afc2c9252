// `parseJsonText` reads caller-supplied text; its error becomes a dead-letter message. V8's JSON.parse
// error quotes the input around the unexpected token, which must not be repeated.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidEventError, parseJsonText } from "../../../packages/core/src/index.ts";

describe("parseJsonText", () => {
  it("names the source and the reason, not the text (an object key is PHI)", () => {
    let error: unknown;
    try {
      parseJsonText("patients/jane-doe-mrn-4471/intake.wav", "event");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe("event: not valid JSON (unexpected character)");
  });

  it("drops V8's quote when it is cut on both sides (an error in the middle of a long text)", () => {
    expect(() => parseJsonText('{"a":1,"b":2,"c": patients/jane-doe-mrn-4471/intake.wav}', "event")).toThrow(
      /^event: not valid JSON \(unexpected character\)$/,
    );
  });

  it("quotes no part of arbitrary non-JSON text", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9/ -]{5,40}$/), (text) => {
        let message = "";
        try {
          parseJsonText(text, "event");
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).not.toContain(text.slice(0, 6));
      }),
    );
  });
});
