import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  nextStep,
  parseRetryAfter,
} from "../../../packages/core/src/delivery/index.ts";

describe("delivery retry policy", () => {
  it.each([
    [200, "ok"],
    [202, "ok"],
    [204, "ok"],
    [408, "retry"],
    [425, "retry"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
    [400, "permanent"],
    [401, "permanent"],
    [403, "permanent"],
    [404, "permanent"],
    [413, "permanent"],
    [301, "permanent"],
    [302, "permanent"],
    [101, "permanent"],
  ])("classifies HTTP %i as %s", (status, cls) => {
    expect(classifyStatus(status)).toBe(cls);
  });

  describe("Retry-After", () => {
    const now = new Date("2015-10-21T07:27:00Z");
    it.each([
      ["120", 120_000],
      ["0", 0],
      [" 30 ", 30_000],
      ["Wed, 21 Oct 2015 07:28:00 GMT", 60_000],
      ["Wednesday, 21-Oct-15 07:28:00 GMT", 60_000],
      ["Wed, 21 Oct 2015 07:00:00 GMT", 0],
    ])("reads %j as %i ms", (v, ms) => {
      expect(parseRetryAfter(v, now)).toBe(ms);
    });
    it.each([undefined, null, "", "-1", "1.5", "soon", "2015-10-21T07:28:00Z", "x".repeat(100)])(
      "ignores %j",
      (v) => {
        expect(parseRetryAfter(v, now)).toBeUndefined();
      },
    );
    it("never throws and never returns a negative delay (property)", () => {
      fc.assert(
        fc.property(fc.string(), (s) => {
          const ms = parseRetryAfter(s, now);
          expect(ms === undefined || ms >= 0).toBe(true);
        }),
      );
    });
  });

  it("backs off exponentially with full jitter, capped", () => {
    const p = DEFAULT_RETRY_POLICY;
    expect(backoffDelay(1, p, () => 0.999999)).toBeLessThan(1000);
    expect(backoffDelay(3, p, () => 0.5)).toBe(2000);
    expect(backoffDelay(30, p, () => 0.999999)).toBeLessThan(p.maxDelayMs);
    expect(backoffDelay(3, p, () => 0)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (a, r) => {
        const d = backoffDelay(a, p, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (a - 1)) + 1);
      }),
    );
  });

  it("delivers on 2xx, dead-letters permanent failures at once", () => {
    expect(nextStep(1, { kind: "response", status: 200 })).toEqual({ action: "delivered" });
    expect(nextStep(1, { kind: "response", status: 401 })).toMatchObject({ action: "dead-letter" });
    expect(nextStep(1, { kind: "refused", message: "10.0.0.1 is private" })).toMatchObject({
      action: "dead-letter",
      reason: expect.stringContaining("refused"),
    });
  });

  it("retries transient failures until the budget is spent, then dead-letters", () => {
    const p = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    expect(nextStep(1, { kind: "response", status: 503 }, { policy: p })).toMatchObject({ action: "retry" });
    expect(nextStep(2, { kind: "network-error", message: "ETIMEDOUT" }, { policy: p })).toMatchObject({
      action: "retry",
    });
    expect(nextStep(3, { kind: "response", status: 503 }, { policy: p })).toMatchObject({
      action: "dead-letter",
      reason: "HTTP 503 after 3 attempts",
    });
  });

  it("honours Retry-After as a floor, capped by maxRetryAfterMs", () => {
    const r = nextStep(1, { kind: "response", status: 429, retryAfter: "30" }, { random: () => 0 });
    expect(r).toEqual({ action: "retry", delayMs: 30_000, reason: "HTTP 429" });
    const capped = nextStep(1, { kind: "response", status: 503, retryAfter: "999999" }, { random: () => 0 });
    expect(capped).toMatchObject({ delayMs: DEFAULT_RETRY_POLICY.maxRetryAfterMs });
  });
});
