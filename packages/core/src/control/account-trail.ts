import type { Baseline } from "../baseline/schema.ts";
import type { Severity } from "../finding/types.ts";
import { TRAIL_TYPE } from "../resource/cloudtrail.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import type { ControlSet } from "./engine.ts";
import type { Evaluation } from "./types.ts";

/** The subject of an account-level verdict: the account itself (`global`, as Config names IAM's region). */
export const ACCOUNT_TYPE = "AWS::::Account";
const CONTROL_ID = "cloudtrail-enabled";

/** Whether the set judges the account itself on `ruleId` (a finding on `AWS::::Account` stays in scope). */
export function evaluatesAccount(set: ControlSet, ruleId: string): boolean {
  return ruleId === CONTROL_ID && set.controls.some((c) => c.id === CONTROL_ID);
}

/**
 * `cloudtrail-enabled` for the account as a whole. The control judges each trail, so an account with
 * no trail at all — none of its own, no organisation trail — gives it nothing to evaluate, and it
 * stayed silent exactly where it matters most. The sweep, once it has listed every trail of the
 * account in every swept region (Config and `DescribeTrails` both complete), asks this: no trail is a
 * NON_COMPLIANT evaluation of the account; any trail is COMPLIANT here (each trail is judged on its
 * own), which resolves an earlier account-level finding. `undefined` when the control is not in the set.
 *
 * @example
 * ```ts
 * accountTrailEvaluation(controls, baseline, "111122223333", [], now)?.evaluation.status; // "NON_COMPLIANT"
 * ```
 */
export function accountTrailEvaluation(
  set: ControlSet,
  baseline: Baseline,
  accountId: string,
  trails: readonly ResourceSnapshot[],
  now: Date,
): { evaluation: Evaluation; snapshot: ResourceSnapshot } | undefined {
  const control = set.controls.find((c) => c.id === CONTROL_ID);
  if (!control) return undefined;
  const present = trails.filter((t) => t.resourceType === TRAIL_TYPE && t.state === "present");
  const capturedAt = now.toISOString();
  const snapshot: ResourceSnapshot = {
    accountId,
    region: "global",
    resourceType: ACCOUNT_TYPE,
    resourceId: accountId,
    capturedAt,
    state: "present",
    configuration: {},
    supplementary: {},
    tags: {},
    source: "api",
  };
  const none = present.length === 0;
  const evaluation: Evaluation = {
    controlId: control.id,
    title: control.title,
    resourceType: ACCOUNT_TYPE,
    resourceId: accountId,
    accountId,
    region: "global",
    severity: (baseline.severityOverrides[control.id] as Severity | undefined) ?? control.severity,
    hipaa: control.hipaa,
    capturedAt,
    status: none ? "NON_COMPLIANT" : "COMPLIANT",
    summary: none
      ? "no CloudTrail trail at all records this account (none of its own, no organisation trail)"
      : `${present.length} trail(s) record this account; each is judged on its own`,
    evidence: { trails: present.length },
  };
  return { evaluation, snapshot };
}
