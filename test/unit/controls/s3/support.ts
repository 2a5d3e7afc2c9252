import { readFileSync } from "node:fs";
import type { BaselineInput } from "../../../../packages/core/src/baseline/index.ts";
import {
  ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type FactLookup,
  factRequests,
  followUpFactRequests,
  type KeyFacts,
} from "../../../../packages/core/src/control/index.ts";
import { CONTROLS } from "../../../../packages/core/src/controls/index.ts";
import {
  fromConfigurationItem,
  type ResourceSnapshot,
} from "../../../../packages/core/src/resource/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";

export { testBaseline } from "../../../helpers/baseline.ts";

export const set = new ControlSet(CONTROLS);
export const ACCT = "111122223333";

/**
 * Load a published configuration item. Samples from the history API, snapshot files and the RDK
 * use `accountId` and sometimes an epoch capture time where change notifications use `awsAccountId`
 * and an ISO string; `fromConfigurationItem` takes the latter, so the test adapts those two fields
 * (and only those) before normalising.
 */
export function loadItem(path: string, overrides: Record<string, unknown> = {}): ResourceSnapshot {
  const raw = JSON.parse(readFileSync(path, "utf8"));
  const ci = raw.configurationItem ?? raw;
  const t = ci.configurationItemCaptureTime;
  return fromConfigurationItem({
    ...ci,
    awsAccountId: /^\d{12}$/.test(ci.awsAccountId ?? "") ? ci.awsAccountId : (ci.accountId ?? ACCT),
    configurationItemCaptureTime: typeof t === "number" ? new Date(t * 1000).toISOString() : t,
    ...overrides,
  });
}

/** A snapshot with supplementary configuration replaced/added (built from a real item's shape). */
export function withSupplementary(
  s: ResourceSnapshot,
  supplementary: Record<string, unknown>,
): ResourceSnapshot {
  return { ...s, supplementary: { ...s.supplementary, ...supplementary } };
}

export function facts(
  opts: { inventory?: Record<string, ResourceSnapshot[] | undefined>; keys?: Record<string, KeyFacts> } = {},
): FactLookup {
  return {
    kmsKey: (ref) => (opts.keys?.[ref] ? { ok: true, value: opts.keys[ref]! } : undefined),
    accountPublicAccessBlock: () => undefined,
    inventory: (type, _acct, id) => {
      const all = opts.inventory?.[type];
      if (!all) return undefined;
      return id === undefined ? all : all.filter((s) => s.resourceId === id || s.arn === id);
    },
  };
}

export function run(
  snap: ResourceSnapshot,
  id: string,
  f: FactLookup = facts(),
  baseline: Partial<BaselineInput> = {},
): Evaluation {
  const e = evaluateSnapshot(set, snap, { baseline: testBaseline(baseline), facts: f, now: new Date() }).find(
    (x) => x.controlId === id,
  );
  if (!e) throw new Error(`control ${id} did not run on ${snap.resourceType}`);
  return e;
}

export function requests(snap: ResourceSnapshot, baseline: Partial<BaselineInput> = {}) {
  return factRequests(set, snap, testBaseline(baseline));
}

/** The facts one control asks once those it asked first are resolved (`f`). */
export function followUps(
  snap: ResourceSnapshot,
  id: string,
  f: FactLookup,
  baseline: Partial<BaselineInput> = {},
) {
  const control = CONTROLS.find((c) => c.id === id);
  if (!control) throw new Error(`no control ${id}`);
  return followUpFactRequests(new ControlSet([control]), snap, testBaseline(baseline), f);
}

/** The rdk S3 item renamed as the baseline's PHI bucket. */
export function phiBucket(name = "phi-recordings"): ResourceSnapshot {
  return loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
    resourceId: name,
    resourceName: name,
    awsAccountId: ACCT,
  });
}

export const policyText = (...Statement: unknown[]) => ({
  BucketPolicy: { policyText: JSON.stringify({ Version: "2012-10-17", Statement }) },
});
