import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionMatches,
  arnLike,
  arnMatches,
  arnPatternCovers,
  globsIntersect,
  stringLike,
} from "../../../packages/core/src/policy/index.ts";

describe("policy wildcards", () => {
  it.each([
    ["s3:Get*", "s3:GetObject", true],
    ["S3:getobject", "s3:GetObject", true],
    ["s3:Get?bject", "s3:GetObject", true],
    ["s3:Get*", "s3:PutObject", false],
    ["*", "kms:Decrypt", true],
    ["s3:*Object", "s3:DeleteObject", true],
    ["s3:*Object", "s3:DeleteObjectVersion", false],
  ])("action %s vs %s → %s", (p, a, want) => {
    expect(actionMatches(p, a)).toBe(want);
  });

  it.each([
    ["arn:aws:s3:::phi-*/*", "arn:aws:s3:::phi-recordings/connect/x/CallRecordings/a.wav", true],
    ["arn:aws:s3:::phi-*", "arn:aws:s3:::phi-recordings", true],
    ["arn:aws:s3:::PHI-*", "arn:aws:s3:::phi-recordings", false], // ARNs are case-sensitive
    ["arn:aws:s3:::phi-recordings", "arn:aws:s3:::phi-recordings/a", false],
    ["arn:aws:iam::*:role/qa", "arn:aws:iam::111122223333:role/qa", true],
    ["arn:aws:s3:::phi-recording?", "arn:aws:s3:::phi-recordings", true],
    ["arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abc", true],
    // A star inside a segment does not cross a colon.
    ["arn:aws:logs:us-east-1:1*3:log-group:x", "arn:aws:logs:us-east-1:1:2:3:log-group:x", false],
  ])("resource %s vs %s → %s", (p, r, want) => {
    expect(arnMatches(p, r)).toBe(want);
  });

  it("ArnLike matches part by part; StringLike crosses colons", () => {
    expect(arnLike("arn:aws:iam::*:role/qa-*", "arn:aws:iam::111122223333:role/qa-x")).toBe(true);
    expect(arnLike("arn:aws:iam::*:role/qa-*", "arn:aws:sts::111122223333:role/qa-x")).toBe(false);
    expect(stringLike("arn:aws:iam::*", "arn:aws:iam::1:role/x")).toBe(true);
  });

  it("intersects patterns and proves coverage only when certain", () => {
    expect(globsIntersect("arn:aws:s3:::phi-*/*", "arn:aws:s3:::phi-transcripts-*/*")).toBe(true);
    expect(globsIntersect("arn:aws:s3:::logs/*", "arn:aws:s3:::phi-transcripts-*/*")).toBe(false);
    expect(arnPatternCovers("arn:aws:s3:::phi-recordings/*", "arn:aws:s3:::phi-recordings/connect/*")).toBe(
      true,
    );
    expect(arnPatternCovers("arn:aws:s3:::phi-recordings/connect/*", "arn:aws:s3:::phi-recordings/*")).toBe(
      false,
    );
    expect(arnPatternCovers("arn:aws:s3:::*/x", "arn:aws:s3:::phi/*")).toBe(false);
  });

  it("proves coverage by a pattern with wildcards before its final star (a Deny on every access point)", () => {
    const AP_OBJECTS = "arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*";
    expect(arnPatternCovers("arn:aws:s3:*:*:accesspoint/*", AP_OBJECTS)).toBe(true);
    expect(arnPatternCovers("arn:aws:s3:*:111122223333:accesspoint/*", AP_OBJECTS)).toBe(true);
    expect(arnPatternCovers("arn:aws:s3:::phi-*/*", "arn:aws:s3:::phi-recordings/connect/*")).toBe(true);
    // Not covered: another account, another access point name, a literal after the wildcard not in the head.
    expect(arnPatternCovers("arn:aws:s3:*:444455556666:accesspoint/*", AP_OBJECTS)).toBe(false);
    expect(arnPatternCovers("arn:aws:s3:*:*:accesspoint/ops/*", AP_OBJECTS)).toBe(false);
    expect(arnPatternCovers("arn:aws:s3:*:*:accesspoint/*/object/connect/*", AP_OBJECTS)).toBe(false);
    expect(arnPatternCovers("arn:aws:s3:::phi-*/a*", "arn:aws:s3:::phi-recordings/*")).toBe(false);
  });

  describe("properties", () => {
    const pattern = fc.stringMatching(/^[a-z:*?/.-]{0,30}$/);
    it("never throws, whatever the input", () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (p, v) => {
          actionMatches(p, v);
          arnMatches(p, v);
          stringLike(p, v);
          arnLike(p, v);
          globsIntersect(p, v);
          arnPatternCovers(p, v);
        }),
      );
    });
    it("a pattern matches itself and `*` matches everything", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-zA-Z0-9:/._-]{0,40}$/), (v) => {
          expect(arnMatches(v, v)).toBe(true);
          expect(actionMatches("*", v)).toBe(true);
          expect(arnMatches("*", v)).toBe(true);
        }),
      );
    });
    it("coverage is sound: if outer covers inner, every concrete instance of inner matches outer", () => {
      fc.assert(
        fc.property(pattern, pattern, fc.stringMatching(/^[a-z:/.-]{0,6}$/), (outer, inner, fill) => {
          if (!arnPatternCovers(outer, inner)) return;
          const instance = inner.replace(/\*/g, fill).replace(/\?/g, "x");
          expect(arnMatches(outer, instance)).toBe(true);
        }),
      );
    });
    it("intersection is complete for concrete strings: a match implies an intersection", () => {
      fc.assert(
        fc.property(pattern, fc.stringMatching(/^[a-z:/.-]{0,20}$/), (p, v) => {
          if (stringLike(p, v)) expect(globsIntersect(p, v)).toBe(true);
        }),
      );
    });
  });
});
