import {
  type Baseline,
  baselineSuppression,
  type Control,
  type ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type Finding,
  type FindingStore,
  factRequests,
  findingId,
  type Observation,
  observationOf,
  type ResourceSnapshot,
  recordObservation,
} from "@phiwatch/core";
import { type Ec2For, InventoryBatch, type InventoryReader, type KmsFor, resolveFacts } from "./facts.ts";
import type { InventoryStore } from "./store/inventory-store.ts";

export interface DriftDeps {
  baseline: Baseline;
  controls: ControlSet;
  findings: FindingStore;
  inventory: InventoryStore;
  /** KMS clients for DescribeKey by account and region (none in local mode: see `FactSources.kmsFor`). */
  kmsFor?: KmsFor;
  /** EC2 clients for DescribeManagedPrefixLists by account and region (none in local mode). */
  ec2For?: Ec2For;
}

/** A verdict that could not be recorded (the write failed): the other verdicts were recorded. */
export interface RecordFailure {
  ruleId: string;
  error: unknown;
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
  // The change's evaluations — its own and its dependants' — are one batch: they share one read of each
  // inventory list and item (a bucket and its key both ask for the trail list and the key's item).
  // Read after the put, and nothing below writes the inventory: every read sees this snapshot.
  const batch = new InventoryBatch(deps.inventory);
  const own = deps.controls.handles(snapshot.resourceType)
    ? await evaluateAndRecord(deps, snapshot, cause, new Date(), batch)
    : { evaluations: [], transitions: 0, failures: [] };

  let dependants = 0;
  let transitions = own.transitions;
  const failures = [...own.failures];
  // Per dependant type, the controls that depend on this one's type: a resource is re-evaluated when
  // one of them may see its verdict move (all of its type unless the control narrows it, `affectedBy`).
  const dependantTypes = new Map<string, Control[]>();
  for (const c of deps.controls.controls) {
    if (c.dependsOn?.includes(snapshot.resourceType))
      for (const t of c.resourceTypes)
        if (t !== "*") dependantTypes.set(t, [...(dependantTypes.get(t) ?? []), c]);
  }
  for (const [type, dependingControls] of dependantTypes) {
    for (const other of await batch.list(snapshot.accountId, type)) {
      if (!dependingControls.some((c) => !c.affectedBy || c.affectedBy(other, snapshot))) continue;
      // One dependant that cannot be evaluated or recorded does not keep the others stale.
      try {
        const r = await evaluateAndRecord(
          deps,
          other,
          `dependency:${snapshot.resourceType}:${cause}`,
          new Date(),
          batch,
        );
        transitions += r.transitions;
        failures.push(...r.failures);
      } catch (error) {
        failures.push({ ruleId: "*", error });
      }
      dependants++;
    }
  }
  // Everything that could be recorded is; the first failure fails the invocation (retried, then
  // dead-lettered with its cause), and the retry records what is still missing.
  if (failures.length > 0) throw failures[0]!.error;
  return { evaluations: own.evaluations, transitions, dependants, stale: false };
}

/**
 * Evaluate one snapshot (no inventory write) and record every verdict. Used by sweep and dependants.
 * A verdict whose write fails does not stop the others: it is returned in `failures`, for the caller
 * to report and fail on.
 */
export async function evaluateAndRecord(
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  cause: string,
  now = new Date(),
  /** Inventory reads to share with the other evaluations of a batch (default: the store, per call). */
  inventory: InventoryReader = deps.inventory,
): Promise<{ evaluations: Evaluation[]; transitions: number; failures: RecordFailure[] }> {
  const facts = await resolveFacts(factRequests(deps.controls, snapshot, deps.baseline, now), {
    inventory,
    ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}),
    ...(deps.ec2For ? { ec2For: deps.ec2For } : {}),
  });
  const evaluations = evaluateSnapshot(deps.controls, snapshot, { baseline: deps.baseline, facts, now });
  return { evaluations, ...(await recordEvaluations(deps, evaluations, snapshot, cause, now)) };
}

/**
 * Record evaluations of one snapshot as findings: each its observation, with the control's remediation
 * and the baseline's suppression of a failure. A write that fails does not stop the others: it is
 * returned in `failures`.
 */
export async function recordEvaluations(
  deps: DriftDeps,
  evaluations: readonly Evaluation[],
  snapshot: ResourceSnapshot,
  cause: string,
  now: Date,
): Promise<{ transitions: number; failures: RecordFailure[] }> {
  let transitions = 0;
  const failures: RecordFailure[] = [];
  const observations: Observation[] = [];
  for (const e of evaluations) {
    const control = deps.controls.controls.find((c) => c.id === e.controlId);
    const obs = observationOf(e, snapshot, cause, control?.remediation.cli);
    if (!obs) continue;
    const suppressedBy =
      obs.verdict === "fail" ? baselineSuppression(deps.baseline, obs.ruleId, obs.subject, now) : undefined;
    if (suppressedBy) obs.suppressedBy = suppressedBy;
    observations.push(obs);
  }
  // The resource's findings in one read where the store can (one request instead of one per control);
  // a failed batch read only means each finding is read on its own, as without it.
  const ids = observations.map((o) => findingId(o.ruleId, o.subject, o.discriminator ?? ""));
  const read =
    deps.findings.getFindings && ids.length > 1
      ? await deps.findings.getFindings(ids).catch(() => new Map<string, Finding | undefined>())
      : new Map<string, Finding | undefined>();
  for (const [i, obs] of observations.entries()) {
    const id = ids[i]!;
    try {
      const r = await recordObservation(
        deps.findings,
        obs,
        now,
        read.has(id) ? { current: read.get(id) } : undefined,
      );
      if (r.transitioned) transitions++;
    } catch (error) {
      failures.push({ ruleId: obs.ruleId, error });
    }
  }
  return { transitions, failures };
}
