import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BaselineInput } from "../../../../packages/core/src/baseline/index.ts";
import control from "../../../../packages/core/src/controls/s3/s3-retention-lifecycle.ts";
import {
  expiresEarly,
  neverExpired,
  noncurrentKept,
  type Rule,
  rulesArb,
  toApi,
  toConfig,
  type Versioning,
} from "./lifecycle-reference.ts";
import { facts, phiBucket, testBaseline, withSupplementary } from "./support.ts";

const RETENTION = 100;
const NO_DISPOSAL = "no enabled lifecycle rule expires the whole bucket after the retention period";
const NONCURRENT_KEPT = "versioned bucket: expired objects stay as noncurrent versions that no rule deletes";

function evaluate(
  rules: Rule[],
  shape: "config" | "api",
  versioning: Versioning,
  s3: Partial<NonNullable<BaselineInput["s3"]>> = {},
) {
  const snap = withSupplementary(phiBucket(), {
    BucketLifecycleConfiguration: shape === "config" ? toConfig(rules) : toApi(rules),
    BucketVersioningConfiguration:
      versioning === undefined ? undefined : { status: versioning, isMfaDeleteEnabled: null },
  });
  return control.evaluate(snap, {
    baseline: testBaseline({ retentionDays: RETENTION, s3: s3 as never }),
    facts: facts(),
    params: {},
    now: new Date("2026-03-01T00:00:00Z"),
  });
}

const shapeArb = fc.constantFrom<"config" | "api">("config", "api");
/** `undefined`: the item does not record versioning (disposal then cannot be proven). */
const versioningArb = fc.constantFrom<Versioning>("Enabled", "Suspended", "Off", undefined);
/** Config's item has no NewerNoncurrentVersions: a rule set it can record. */
const forShape = (rules: Rule[], shape: "config" | "api") =>
  shape === "api" ? rules : rules.map(({ newer: _n, ...r }) => r);

// Differential properties against the concrete model in lifecycle-reference.ts.
describe("control s3-retention-lifecycle against a lifecycle model (property)", () => {
  it("reports 'expires sooner' whenever some PHI object can be expired before the retention (soundness)", () => {
    fc.assert(
      fc.property(rulesArb, shapeArb, versioningArb, (generated, shape, versioning) => {
        const rules = forShape(generated, shape);
        if (!expiresEarly(rules, RETENTION, versioning)) return;
        const v = evaluate(rules, shape, versioning, { requireLifecycleExpiration: false });
        expect(v.status).toBe("NON_COMPLIANT");
        expect(v.evidence.expiresSooner).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });

  it("fails whenever some PHI object or version is never disposed of (soundness)", () => {
    fc.assert(
      fc.property(rulesArb, shapeArb, versioningArb, (generated, shape, versioning) => {
        const rules = forShape(generated, shape);
        const kept =
          neverExpired(rules).length > 0 || (versioning !== "Off" && noncurrentKept(rules).length > 0);
        if (!kept) return;
        expect(evaluate(rules, shape, versioning).status).toBe("NON_COMPLIANT");
      }),
      { numRuns: 400 },
    );
  });

  it("says 'no disposal' only when some object is never expired (precision)", () => {
    fc.assert(
      fc.property(rulesArb, shapeArb, versioningArb, (generated, shape, versioning) => {
        const rules = forShape(generated, shape).filter((r) => !expiresEarly([r], RETENTION, versioning));
        const v = evaluate(rules, shape, versioning);
        if (v.summary === NO_DISPOSAL) expect(neverExpired(rules).length).toBeGreaterThan(0);
        if (v.summary === NONCURRENT_KEPT) expect(noncurrentKept(rules).length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });
});
