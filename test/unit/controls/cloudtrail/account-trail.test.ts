// cloudtrail-enabled for an account with no trail at all: the control judges each trail, so the sweep
// asks accountTrailEvaluation once it has listed every trail of the account.
import { describe, expect, it } from "vitest";
import {
  ACCOUNT_TYPE,
  accountTrailEvaluation,
  CONTROLS,
  ControlSet,
  evaluatesAccount,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const set = new ControlSet(CONTROLS);
const trail = (state: ResourceSnapshot["state"]): ResourceSnapshot => ({
  accountId: "111122223333",
  region: "us-east-1",
  resourceType: "AWS::CloudTrail::Trail",
  resourceId: "main",
  capturedAt: NOW.toISOString(),
  state,
  configuration: {},
  supplementary: {},
  tags: {},
  source: "api",
});

describe("accountTrailEvaluation", () => {
  it("fails the account itself when no trail is present, with the control's severity and citation", () => {
    const r = accountTrailEvaluation(set, testBaseline(), "111122223333", [trail("deleted")], NOW)!;
    expect(r.evaluation).toMatchObject({
      controlId: "cloudtrail-enabled",
      resourceType: ACCOUNT_TYPE,
      resourceId: "111122223333",
      region: "global",
      status: "NON_COMPLIANT",
      severity: "critical",
      hipaa: ["164.312(b)"],
    });
    expect(r.snapshot).toMatchObject({ resourceType: ACCOUNT_TYPE, state: "present" });
  });

  it("is compliant when any trail is present (each trail is judged on its own), and takes severity overrides", () => {
    const b = testBaseline({ severityOverrides: { "cloudtrail-enabled": "high" } });
    const r = accountTrailEvaluation(set, b, "111122223333", [trail("present")], NOW)!;
    expect(r.evaluation).toMatchObject({ status: "COMPLIANT", severity: "high" });
  });

  it("says nothing when the control is not in the set, and keeps only its own findings in scope", () => {
    const other = new ControlSet(CONTROLS.filter((c) => c.id !== "cloudtrail-enabled"));
    expect(accountTrailEvaluation(other, testBaseline(), "111122223333", [], NOW)).toBeUndefined();
    expect(evaluatesAccount(set, "cloudtrail-enabled")).toBe(true);
    expect(evaluatesAccount(other, "cloudtrail-enabled")).toBe(false);
    expect(evaluatesAccount(set, "s3-encryption-cmk")).toBe(false);
  });
});
