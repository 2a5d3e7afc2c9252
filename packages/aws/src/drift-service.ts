import {
  type Baseline,
  baselineSuppression,
  type ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type FindingStore,
  factRequests,
  observationOf,
  type ResourceSnapshot,
  recordObservation,
} from "@phiwatch/core";
import { InventoryBatch, type InventoryReader, type KmsFor, resolveFacts } from "./facts.ts";
import type { InventoryStore } from "./store/inventory-store.ts";

export interface DriftDeps {
  baseline: Baseline;
  controls: ControlSet;
  findings: FindingStore;
  inventory: InventoryStore;
  /** KMS clients for DescribeKey by account and region (none in local mode: see `FactSources.kmsFor`). */
  kmsFor?: KmsFor;
}

export interface DriftOutcome {
  evaluations: Evaluation[];
  /** Findings whose status or severity changed (each with one new history entry). */
  transitions: number;
  /** Resources re-evaluated because this one changed (cross-resource controls). */
  dependants: number;
  /** True when a newer item for this resource was already stored (out-of-order delivery): nothing evaluated. */
  stale: boolean;
}

/**
 * Drift monitoring for one snapshot: store it in the inventory, evaluate every control for its type
 * against the baseline, record each verdict through the finding lifecycle, then re-evaluate the
 * resources whose controls depend on this type (a trail change re-evaluates buckets).
 *
 * @example
 * ```ts
 * const outcome = await processSnapshot(deps, snapshot, event.id);
 * ```
 */
export async function processSnapshot(
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  cause: string,
): Promise<DriftOutcome> {
  // Config stopped recording it: unknown, not fixed. Findings stay as they are (the lifecycle records
  // nothing for it) and the inventory keeps the last configuration recorded.
  if (snapshot.state === "not-recorded")
    return { evaluations: [], transitions: 0, dependants: 0, stale: false };
  const fresh = await deps.inventory.put(snapshot);
  if (!fresh) return { evaluations: [], transitions: 0, dependants: 0, stale: true };
  const own = deps.controls.handles(snapshot.resourceType)
    ? await evaluateAndRecord(deps, snapshot, cause)
    : { evaluations: [], transitions: 0 };

  let dependants = 0;
  let transitions = own.transitions;
  const dependantTypes = new Set<string>();
  for (const c of deps.controls.controls) {
    if (c.dependsOn?.includes(snapshot.resourceType))
      for (const t of c.resourceTypes) if (t !== "*") dependantTypes.add(t);
  }
  // The dependants are one batch: they share one read of each inventory list (not one per dependant).
  const batch = new InventoryBatch(deps.inventory);
  for (const type of dependantTypes) {
    for (const other of await batch.list(snapshot.accountId, type)) {
      const r = await evaluateAndRecord(
        deps,
        other,
        `dependency:${snapshot.resourceType}:${cause}`,
        new Date(),
        batch,
      );
      transitions += r.transitions;
      dependants++;
    }
  }
  return { evaluations: own.evaluations, transitions, dependants, stale: false };
}

/** Evaluate one snapshot (no inventory write) and record every verdict. Used by sweep and dependants. */
export async function evaluateAndRecord(
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  cause: string,
  now = new Date(),
  /** Inventory reads to share with the other evaluations of a batch (default: the store, per call). */
  inventory: InventoryReader = deps.inventory,
): Promise<{ evaluations: Evaluation[]; transitions: number }> {
  const facts = await resolveFacts(factRequests(deps.controls, snapshot, deps.baseline, now), {
    inventory,
    ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}),
  });
  const evaluations = evaluateSnapshot(deps.controls, snapshot, { baseline: deps.baseline, facts, now });
  let transitions = 0;
  for (const e of evaluations) {
    const control = deps.controls.controls.find((c) => c.id === e.controlId);
    const obs = observationOf(e, snapshot, cause, control?.remediation.cli);
    if (!obs) continue;
    const suppressedBy =
      obs.verdict === "fail" ? baselineSuppression(deps.baseline, obs.ruleId, obs.subject, now) : undefined;
    if (suppressedBy) obs.suppressedBy = suppressedBy;
    const r = await recordObservation(deps.findings, obs, now);
    if (r.transitioned) transitions++;
  }
  return { evaluations, transitions };
}
