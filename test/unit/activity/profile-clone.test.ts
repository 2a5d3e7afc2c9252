import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessProfile,
  cloneProfile,
  emptyProfile,
} from "../../../packages/core/src/activity/profile.ts";

// cloneProfile replaces structuredClone on the hot path: same copy, nothing shared.
describe("cloneProfile", () => {
  it("copies a profile as structuredClone does, sharing nothing", () => {
    const p = emptyProfile(
      { target: "b", targetType: "AWS::S3::Bucket", principal: "r", accountId: "1", region: "us-east-1" },
      "2026-02-03T07:00:00.000Z",
      { windowMinutes: 15, timeZone: "America/New_York", alpha: 0.1, ttlDays: 90 },
    );
    p.networks = { "ip4:198.51.100.0/24": "2026-02-03T07:00:00.000Z" };
    p.dayOpen = { day: "2026-02-03", dow: 2, reads: 3 };
    const c = cloneProfile(p);
    expect(c).toStrictEqual(structuredClone(p));
    c.mean[3] = 9;
    c.networks.x = "y";
    c.dayOpen!.reads = 4;
    expect(p.mean[3]).toBe(0);
    expect(p.networks.x).toBeUndefined();
    expect(p.dayOpen.reads).toBe(3);
  });

  it("equals structuredClone on any JSON data, undefined members and __proto__ keys included", () => {
    const data = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.constantFrom("__proto__", "a", "b"),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      ),
    );
    fc.assert(
      fc.property(data, (v) => {
        for (const input of [v, JSON.parse(JSON.stringify({ v })).v])
          expect(cloneProfile(input as AccessProfile)).toStrictEqual(structuredClone(input));
      }),
    );
  });
});
