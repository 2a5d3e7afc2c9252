import {
  type Baseline,
  baselineSuppression,
  type Control,
  type ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type FindingStore,
  factRequests,
  followUpFactRequests,
  type Observation,
  observationOf,
  type ResourceSnapshot,
  withFacts,
} from "@phiwatch/core";
import { type Ec2For, InventoryBatch, type InventoryReader, type KmsFor, resolveFacts } from "./facts.ts";
import { FindingRecorder, type RecordFailure } from "./finding-recorder.ts";
import type { InventoryStore } from "./store/inventory-store.ts";

export type { RecordFailure } from "./finding-recorder.ts";

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
  // Per dependant type, the controls that depend on this one's type: a resource is re-evaluated when
  // one of them may see its verdict move (all of its type unless the control narrows it, `affectedBy`,
  // with what the change replaced: a bucket change, the keys its old or new encryption names).
  const dependantTypes = new Map<string, Control[]>();
  for (const c of deps.controls.controls) {
    if (c.dependsOn?.includes(snapshot.resourceType))
      for (const t of c.resourceTypes)
        if (t !== "*") dependantTypes.set(t, [...(dependantTypes.get(t) ?? []), c]);
  }
  // The replaced item comes back in the put's response, asked only where some resource depends on the type.
  const put =
    dependantTypes.size > 0
      ? await deps.inventory.replace(snapshot)
      : { stored: await deps.inventory.put(snapshot), previous: undefined };
  if (!put.stored) return { evaluations: [], transitions: 0, dependants: 0, stale: true };
  // What the dependants' last verdicts were decided on. An item with this capture time is this change
  // stored before — a redelivery, or Lambda's retry of an attempt that failed after its put, whose
  // dependants may not all have been recorded — so what that attempt replaced is not known.
  const previous = put.previous?.capturedAt === snapshot.capturedAt ? undefined : put.previous;
  // The change's evaluations — its own and its dependants' — are one batch: they share one read of each
  // inventory list and item (a bucket and its key both ask for the trail list and the key's item), and
  // their findings are read ahead together, up to 100 in one request (`FindingRecorder`).
  // Read after the put, and nothing below writes the inventory: every read sees this snapshot.
  const batch = new InventoryBatch(deps.inventory);
  const recorder = new FindingRecorder(deps.findings);
  let evaluations: Evaluation[] = [];
  const ownEvaluated = deps.controls.handles(snapshot.resourceType);
  if (ownEvaluated) {
    const now = new Date();
    evaluations = await evaluate(deps, snapshot, now, batch);
    await recorder.add(observationsOf(deps, evaluations, snapshot, cause, now), now);
  }

  let dependants = 0;
  /** Dependant types not listed and dependants not evaluated (recording failures come from the recorder). */
  const unevaluated: RecordFailure[] = [];
  const dependantCause = `dependency:${snapshot.resourceType}:${cause}`;
  for (const [type, dependingControls] of dependantTypes) {
    // A type whose list cannot be read does not keep the other types, or what is queued, unrecorded.
    let others: ResourceSnapshot[];
    try {
      others = await batch.list(snapshot.accountId, type);
    } catch (error) {
      unevaluated.push({ ruleId: "*", error });
      continue;
    }
    for (const other of others) {
      if (!dependingControls.some((c) => !c.affectedBy || c.affectedBy(other, snapshot, previous))) continue;
      // The changed resource is of a type it depends on (a trail's cloudtrail-enabled depends on
      // trails): it was just evaluated, with every control of its type, on this very snapshot.
      if (ownEvaluated && sameResource(other, snapshot)) continue;
      // One dependant that cannot be evaluated does not keep the others stale.
      try {
        const now = new Date();
        const evaluated = await evaluate(deps, other, now, batch);
        await recorder.add(observationsOf(deps, evaluated, other, dependantCause, now), now);
      } catch (error) {
        unevaluated.push({ ruleId: "*", error });
      }
      dependants++;
    }
  }
  const recorded = await recorder.finish();
  const failures = [...recorded.failures, ...unevaluated];
  // Everything that could be recorded is; the first failure fails the invocation (retried, then
  // dead-lettered with its cause), and the retry records what is still missing.
  if (failures.length > 0) throw failures[0]!.error;
  return { evaluations, transitions: recorded.transitions, dependants, stale: false };
}

const sameResource = (a: ResourceSnapshot, b: ResourceSnapshot) =>
  a.accountId === b.accountId &&
  a.region === b.region &&
  a.resourceType === b.resourceType &&
  a.resourceId === b.resourceId;

/**
 * Evaluate one snapshot (no inventory write) and record every verdict, its findings read on their own
 * (the sweep reads many resources' together: `evaluateOnto`). A verdict whose write fails does not
 * stop the others: it is returned in `failures`, for the caller to report and fail on.
 */
export async function evaluateAndRecord(
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  cause: string,
  now = new Date(),
  /** Inventory reads to share with the other evaluations of a batch (default: the store, per call). */
  inventory: InventoryReader = deps.inventory,
): Promise<{ evaluations: Evaluation[]; transitions: number; failures: RecordFailure[] }> {
  const evaluations = await evaluate(deps, snapshot, now, inventory);
  return { evaluations, ...(await recordEvaluations(deps, evaluations, snapshot, cause, now)) };
}

/**
 * Evaluate one snapshot (no inventory write) and queue its verdicts on `recorder`, which records them
 * with the other evaluations queued on it: their findings are read 100 at a time across resources.
 * `recorder.finish()` records what is still queued and returns what failed (each with its subject).
 *
 * @example
 * ```ts
 * const recorder = new FindingRecorder(deps.findings, { stop });
 * for (const s of snapshots) await evaluateOnto(recorder, deps, s, cause, now, batch);
 * const { transitions, failures, unrecorded } = await recorder.finish();
 * ```
 */
export async function evaluateOnto(
  recorder: FindingRecorder,
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  cause: string,
  now: Date,
  inventory: InventoryReader = deps.inventory,
): Promise<Evaluation[]> {
  const evaluations = await evaluate(deps, snapshot, now, inventory);
  await recorder.add(observationsOf(deps, evaluations, snapshot, cause, now), now);
  return evaluations;
}

/** Every control's evaluation of one snapshot, with the facts its controls ask for. */
async function evaluate(
  deps: DriftDeps,
  snapshot: ResourceSnapshot,
  now: Date,
  inventory: InventoryReader,
): Promise<Evaluation[]> {
  const sources = {
    inventory,
    ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}),
    ...(deps.ec2For ? { ec2For: deps.ec2For } : {}),
  };
  const first = await resolveFacts(factRequests(deps.controls, snapshot, deps.baseline, now), sources);
  // Facts only the first ones can name (the KMS key behind each alias a PHI bucket names): a second round.
  const more = followUpFactRequests(deps.controls, snapshot, deps.baseline, first, now);
  const facts = more.length === 0 ? first : withFacts(first, await resolveFacts(more, sources));
  return evaluateSnapshot(deps.controls, snapshot, { baseline: deps.baseline, facts, now });
}

/**
 * Record evaluations of one snapshot as findings, its findings read in one request where the store
 * can (one instead of one per control). A write that fails does not stop the others: it is returned
 * in `failures`.
 */
export async function recordEvaluations(
  deps: DriftDeps,
  evaluations: readonly Evaluation[],
  snapshot: ResourceSnapshot,
  cause: string,
  now: Date,
): Promise<{ transitions: number; failures: RecordFailure[] }> {
  const recorder = new FindingRecorder(deps.findings);
  await recorder.add(observationsOf(deps, evaluations, snapshot, cause, now), now);
  const { transitions, failures } = await recorder.finish();
  return { transitions, failures };
}

/** Each evaluation's observation, with the control's remediation and the baseline's suppression of a failure. */
function observationsOf(
  deps: DriftDeps,
  evaluations: readonly Evaluation[],
  snapshot: ResourceSnapshot,
  cause: string,
  now: Date,
): Observation[] {
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
  return observations;
}
