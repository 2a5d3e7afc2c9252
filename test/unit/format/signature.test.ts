import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeSignature,
  parseSignatureHeader,
  signatureHeader,
  verifySignature,
} from "../../../packages/core/src/format/index.ts";

const T = 1_767_225_600;
const BODY = '{"schema":"phiwatch.finding-event/1"}';

describe("webhook signature", () => {
  it("is hex hmac-sha256(secret, t + '.' + body), as documented", () => {
    const expected = createHmac("sha256", "s3cret").update(`${T}.${BODY}`).digest("hex");
    expect(computeSignature("s3cret", T, BODY)).toBe(expected);
    expect(signatureHeader("s3cret", BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it("verifies a fresh request and refuses tampering, wrong secrets and replays", () => {
    const header = signatureHeader("s3cret", BODY, T);
    expect(verifySignature({ header, body: BODY, secrets: "s3cret", now: T + 10 })).toEqual({
      ok: true,
      t: T,
    });
    expect(verifySignature({ header, body: Buffer.from(BODY), secrets: ["s3cret"], now: T })).toMatchObject({
      ok: true,
    });
    expect(verifySignature({ header, body: `${BODY} `, secrets: "s3cret", now: T })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(verifySignature({ header, body: BODY, secrets: "other", now: T })).toMatchObject({
      reason: "mismatch",
    });
    expect(verifySignature({ header, body: BODY, secrets: "s3cret", now: T + 301 })).toMatchObject({
      reason: "expired",
    });
    expect(verifySignature({ header, body: BODY, secrets: "s3cret", now: T - 301 })).toMatchObject({
      reason: "future",
    });
    expect(
      verifySignature({ header, body: BODY, secrets: "s3cret", now: T + 3000, toleranceSeconds: 3600 }),
    ).toMatchObject({ ok: true });
  });

  it("a replayed header with a forged newer timestamp does not verify", () => {
    const header = signatureHeader("s3cret", BODY, T);
    const forged = header.replace(`t=${T}`, `t=${T + 1000}`);
    expect(verifySignature({ header: forged, body: BODY, secrets: "s3cret", now: T + 1000 })).toMatchObject({
      reason: "mismatch",
    });
  });

  it("supports secret rotation: several v1, several receiver secrets", () => {
    const header = signatureHeader(["new", "old"], BODY, T);
    expect(header.split(",v1=")).toHaveLength(3);
    expect(verifySignature({ header, body: BODY, secrets: ["old"], now: T })).toMatchObject({ ok: true });
    expect(verifySignature({ header, body: BODY, secrets: ["new"], now: T })).toMatchObject({ ok: true });
    const onlyNew = signatureHeader("new", BODY, T);
    expect(verifySignature({ header: onlyNew, body: BODY, secrets: ["old", "new"], now: T })).toMatchObject({
      ok: true,
    });
    expect(verifySignature({ header: onlyNew, body: BODY, secrets: ["", "old"], now: T })).toMatchObject({
      ok: false,
    });
  });

  it("refuses to sign without a usable secret", () => {
    expect(() => signatureHeader([], BODY, T)).toThrow(RangeError);
    expect(() => signatureHeader("", BODY, T)).toThrow(RangeError);
    expect(() => signatureHeader("s", BODY, -1)).toThrow(RangeError);
  });

  describe("header parser", () => {
    const hex = "ab".repeat(32);
    it.each([
      [undefined, "missing"],
      ["", "missing"],
      ["  ", "missing"],
      [`v1=${hex}`, "malformed"],
      [`t=${T}`, "malformed"],
      [`t=${T},t=${T},v1=${hex}`, "malformed"],
      [`t=-1,v1=${hex}`, "malformed"],
      [`t=1.5,v1=${hex}`, "malformed"],
      [`t=${T},v1=${hex.slice(2)}`, "malformed"],
      [`t=${T},v1=${"zz".repeat(32)}`, "malformed"],
      [`t=${T},v1`, "malformed"],
      [`t=${T},=x,v1=${hex}`, "malformed"],
      [`t=${T},V1=${hex}`, "malformed"],
      [`t=${T},${Array(9).fill(`v1=${hex}`).join(",")}`, "malformed"],
      [`t=${T},v1=${hex},${"x".repeat(2000)}`, "malformed"],
    ])("rejects %j (%s)", (header, reason) => {
      expect(parseSignatureHeader(header)).toEqual({ ok: false, reason });
    });

    it("accepts spaces after commas, upper-case hex and unknown schemes", () => {
      expect(parseSignatureHeader(`t=${T}, v1=${hex.toUpperCase()}, v0=whatever`)).toEqual({
        ok: true,
        value: { t: T, v1: [hex] },
      });
    });

    it("round-trips every header it produces (property)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 8 }),
          fc.string(),
          fc.integer({ min: 0, max: 99_999_999_999 }),
          (secrets, body, t) => {
            const header = signatureHeader(secrets, body, t);
            const parsed = parseSignatureHeader(header);
            expect(parsed.ok).toBe(true);
            if (parsed.ok) {
              expect(parsed.value.t).toBe(t);
              expect(parsed.value.v1).toEqual(secrets.map((s) => computeSignature(s, t, body)));
            }
            expect(verifySignature({ header, body, secrets: secrets.at(-1)!, now: t })).toEqual({
              ok: true,
              t,
            });
          },
        ),
      );
    });

    it("never throws and never verifies arbitrary headers (property)", () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 300 }), fc.string(), (header, body) => {
          const parsed = parseSignatureHeader(header);
          expect(typeof parsed.ok).toBe("boolean");
          expect(verifySignature({ header, body, secrets: "s3cret", now: T }).ok).toBe(false);
        }),
      );
    });

    it("never verifies a body other than the signed one (property)", () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (a, b) => {
          fc.pre(a !== b);
          const header = signatureHeader("k", a, T);
          expect(verifySignature({ header, body: b, secrets: "k", now: T }).ok).toBe(false);
        }),
      );
    });
  });
});
