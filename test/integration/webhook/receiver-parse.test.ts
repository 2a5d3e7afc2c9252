import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConcatenatedJson } from "../../../packages/aws/src/webhook/index.ts";

describe("receiver body parser (concatenated JSON, as HEC batches)", () => {
  it.each([
    ['{"a":1}', [{ a: 1 }]],
    ['{"a":1}{"b":"}{"}', [{ a: 1 }, { b: "}{" }]],
    ['{"a":"\\"}"}\n {"b":[1,{"c":2}]}\n', [{ a: '"}' }, { b: [1, { c: 2 }] }]],
    ["[1,2][3]", [[1, 2], [3]]],
  ])("splits %j", (body, values) => {
    expect(parseConcatenatedJson(body)).toEqual(values);
  });

  it.each(["", "   ", "x", '{"a":1} x', '{"a":1', '{"a":1}}', '"str"', "1", '{"a":}'])(
    "rejects %j",
    (body) => {
      expect(() => parseConcatenatedJson(body)).toThrow(SyntaxError);
    },
  );

  it("round-trips any sequence of JSON objects however they are joined (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("", "\n", " \r\n"),
        (objects, sep) => {
          const body = objects.map((o) => JSON.stringify(o)).join(sep);
          expect(parseConcatenatedJson(body)).toEqual(
            JSON.parse(`[${objects.map((o) => JSON.stringify(o)).join(",")}]`),
          );
        },
      ),
    );
  });

  it("never throws anything but SyntaxError on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseConcatenatedJson(s);
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
        }
      }),
    );
  });
});
