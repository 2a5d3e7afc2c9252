import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boundEvidence,
  decide,
  EVIDENCE_LIST_ITEMS,
  type Evidence,
  MAX_EVIDENCE_BYTES,
  type Observation,
} from "../../../packages/core/src/index.ts";

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

const obs = (evidence: Evidence): Observation => ({
  kind: "drift",
  ruleId: "iam-no-phi-delete",
  title: "Only operators can delete PHI objects or change PHI bucket policies",
  severity: "high",
  hipaa: ["164.312(c)(1)"],
  subject: {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType: "AWS::IAM::Role",
    resourceId: "AROAPLATFORMADMIN01",
  },
  verdict: "fail",
  summary: "a non-operator can delete PHI objects or change a PHI bucket policy",
  evidence,
  observedAt: "2026-03-03T10:00:00.000Z",
  cause: "evt-1",
});

describe("stored evidence bounds", () => {
  it("leaves evidence that fits as it is (the same object)", () => {
    const e = {
      identity: "arn:aws:iam::111122223333:role/a",
      access: Array.from({ length: 300 }, (_, i) => i),
    };
    expect(boundEvidence(e)).toBe(e);
  });

  it("keeps the head of a long list, counts what it left out and marks the evidence", () => {
    const access = Array.from({ length: 4000 }, (_, i) => ({
      action: "s3:DeleteObject",
      resource: `arn:aws:s3:::b-${i}/*`,
    }));
    const out = boundEvidence({
      identity: "arn:aws:iam::111122223333:role/a",
      access,
      proof: "cannot prove",
    });
    expect(out).toMatchObject({
      identity: "arn:aws:iam::111122223333:role/a",
      proof: "cannot prove",
      evidenceTruncated: true,
    });
    expect(out.access).toEqual(access.slice(0, EVIDENCE_LIST_ITEMS));
    expect(out.evidenceOmitted).toEqual({ access: `kept ${EVIDENCE_LIST_ITEMS} of 4000 items` });
    expect(bytes(out)).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);
  });

  it("names nested places cut, and lists at most twenty of them", () => {
    const violations = Array.from({ length: 30 }, (_, i) => ({
      policy: `inline:p${i}`,
      resources: Array.from({ length: 300 }, (_, j) => `arn:aws:s3:::b-${i}-${j}/*`),
    }));
    const out = boundEvidence({ violations });
    const omitted = out.evidenceOmitted as Record<string, string>;
    expect(omitted["violations[0].resources"]).toBe("kept 50 of 300 items");
    expect(Object.keys(omitted)).toHaveLength(21);
    expect(omitted["…"]).toBe("10 more places cut");
    expect(out.violations).toHaveLength(30);
    expect(bytes(out)).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);
  });

  it("fits any JSON evidence into the bound, deterministically, and cuts only what does not fit", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 12 }), { maxKeys: 30 }),
        fc.integer({ min: 512, max: 8192 }),
        (evidence, max) => {
          const out = boundEvidence(evidence as Evidence, max);
          expect(bytes(out)).toBeLessThanOrEqual(max);
          expect(boundEvidence(evidence as Evidence, max)).toEqual(out);
          if (bytes(evidence) <= max) expect(out).toBe(evidence);
          else expect(out.evidenceTruncated).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives up on evidence that cannot be cut small enough, saying so instead of storing it", () => {
    const keys = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${"y".repeat(2000)}${i}`, i]));
    const out = boundEvidence(keys, 600);
    expect(out.evidenceTruncated).toBe(true);
    expect(bytes(out)).toBeLessThanOrEqual(600);
  });

  it("decide stores the bounded evidence in the finding and its history, and sees it unchanged next time", () => {
    const access = Array.from({ length: 5000 }, (_, i) => ({
      action: "s3:DeleteObject",
      resource: `arn:aws:s3:::b-${i}/*`,
    }));
    const first = decide(undefined, obs({ access }))!;
    expect(first.next.evidence.evidenceTruncated).toBe(true);
    expect(first.history!.evidence).toEqual(first.next.evidence);
    expect(bytes(first.next)).toBeLessThan(MAX_EVIDENCE_BYTES + 4096);
    expect(
      decide(first.next, { ...obs({ access }), observedAt: "2026-03-03T10:10:00.000Z" }),
    ).toBeUndefined();
  });
});
