import {
  ACCOUNT_TYPE,
  accountTrailEvaluation,
  allFindings,
  applyDecision,
  baselineSuppression,
  CONNECT_FLOW,
  CONNECT_FLOW_MODULE,
  CONNECT_INSTANCE,
  countPosture,
  type Evaluation,
  evaluatesAccount,
  type Finding,
  findingId,
  MAX_UNABLE,
  phiBucketOf,
  prefixListUnable,
  type Report,
  type ResourceSnapshot,
  reconsiderSuppression,
  recordObservation,
  stableStringify,
  TRAIL_TYPE,
  unsweptRegions,
  unsweptUnable,
  watchedTypes,
} from "@phiwatch/core";
import { type DriftDeps, evaluateOnto, recordEvaluations } from "../drift-service.ts";
import { InventoryBatch } from "../facts.ts";
import { FindingRecorder } from "../finding-recorder.ts";
import { type BackoffOptions, pastDeadline, reasonOf } from "./backoff.ts";
import type { PostureStore } from "./posture-store.ts";
import {
  completeKey,
  completenessOf,
  inKeyOrder,
  ORGANIZATION_TRAILS_COMPLETE,
  type RegionClients,
  readAccount,
  resourceKey,
} from "./reader.ts";

export { resourceKey };

const CONNECT_TYPES = new Set([CONNECT_INSTANCE, CONNECT_FLOW, CONNECT_FLOW_MODULE]);

export interface SweepDeps extends DriftDeps {
  posture?: PostureStore;
  clientsFor: (region: string) => RegionClients;
  backoff?: BackoffOptions;
  /** Snapshots evaluated at once (each evaluation reads and writes the table). */
  concurrency?: number;
  /**
   * ARNs of this deployment's findings table and alerts topic: their recovery period and
   * data-protection policy, which Config does not record, are read (none: not read, as in `phiwatch scan`).
   */
  ownStores?: readonly string[];
}

export interface SweepRequest {
  /** The account `deps.clientsFor` reads (the one phiwatch runs in, or the one `scan` has credentials for). */
  accountId: string;
  regions: readonly string[];
  sweepId: string;
  now?: Date;
  /**
   * Further accounts swept in the same run, each read with its own clients (member accounts through
   * their read role). An account whose access failed (`unable`: the reason) is reported as unable to
   * evaluate, and its findings are left as they are.
   */
  members?: ReadonlyArray<MemberAccess>;
  /** Accounts swept at once. Default 4. */
  accountConcurrency?: number;
  /**
   * The run speaks for the deployment (the scheduled sweep, not a one-account `phiwatch scan`): once
   * every account is swept, findings phiwatch no longer evaluates are resolved — drift findings of an
   * account no longer in the run's accounts, or of a control that no longer evaluates their resource
   * type (removed in this release) — and suppressions are re-read against the clock and the baseline
   * (ended, or withdrawn from the baseline: re-opened) for the findings this run did not evaluate —
   * activity findings, and drift findings of resources not read this time; one the run evaluated was
   * decided on its live snapshot, and that decision stands.
   */
  reconcile?: boolean;
  /**
   * Epoch ms after which no further account is started (the function's remaining time, less a margin):
   * those accounts are listed as unable, so the posture is still written before the timeout.
   */
  deadline?: number;
  /**
   * Where each account's evaluation starts (`PostureSnapshot.resume` of the previous run): the key
   * (`resourceKey`) of the first resource a run stopped by the deadline did not evaluate. Resources
   * are evaluated in key order from there, wrapping round, so an account too large for one run is
   * evaluated whole over the next runs instead of the same head every hour.
   */
  resume?: Readonly<Record<string, string>>;
}

/**
 * How long evaluations share one read of each inventory list (a change event's re-evaluation of its
 * dependants may land meanwhile: a list is not older than this when an evaluation reads it).
 */
const INVENTORY_BATCH_MS = 60_000;

/** How the sweep reads one member account. */
export type MemberAccess =
  | { accountId: string; clientsFor: (region: string) => RegionClients }
  | { accountId: string; unable: Report.UnableToEvaluate };

export interface SweepResult {
  posture: Report.PostureSnapshot;
  evaluations: Evaluation[];
  /** The snapshots read (for reports and `phiwatch scan`). */
  snapshots: ResourceSnapshot[];
}

/**
 * Config resource types the sweep enumerates: every type a control evaluates or depends on, and the
 * fact sources (KMS keys, account Block Public Access). Connect is read from its own API.
 */
export function sweepResourceTypes(deps: Pick<DriftDeps, "controls">): string[] {
  return watchedTypes(deps.controls.controls).filter((t) => !CONNECT_TYPES.has(t));
}

/**
 * `into.push(...items)` one by one: a spread passes every item as an argument, on the stack, and an
 * account's evaluations (a 10,000-bucket account has 120,000) overflow it (RangeError: Maximum call
 * stack size exceeded).
 */
function append<T>(into: T[], items: Iterable<T>): void {
  for (const x of items) into.push(x);
}

/**
 * `fn` over `items`, `n` at a time, started in order; none is started once `stop()` says so. Returns
 * how many were started (those are `items[0 … started)`, each finished).
 */
async function pool<T>(
  items: readonly T[],
  n: number,
  fn: (t: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  let stopped = false;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length && !stopped) {
        if (stop()) {
          stopped = true;
          break;
        }
        await fn(items[next++]!);
      }
    }),
  );
  return next;
}

/**
 * One sweep of one account: read every in-scope resource, store the snapshots in the inventory, mark
 * resources that no longer exist as deleted, evaluate every control on every resource and record the
 * verdicts through the same `FindingRecorder` the event path uses (so the findings are the ones change
 * events produce; their findings read 100 at a time across resources), resolve the findings of
 * deleted resources, and record a posture snapshot.
 *
 * A resource is deleted only where its type was enumerated completely (the recorder records it and
 * every read succeeded); where a read failed, findings are left as they are and the failure is
 * listed in `posture.unable`. A resource whose findings cannot all be recorded is listed there too,
 * the others are recorded, and the run throws the first such error once the posture is written.
 *
 * @example
 * ```ts
 * const { posture } = await runSweep(deps, { accountId, regions: ["us-east-1"], sweepId: "sweep-…" });
 * ```
 */
export async function runSweep(deps: SweepDeps, req: SweepRequest): Promise<SweepResult> {
  const started = Date.now();
  const now = req.now ?? new Date();
  const accounts = [{ accountId: req.accountId, clientsFor: deps.clientsFor }, ...(req.members ?? [])];
  // DescribeKey in the key's own account and region, with the clients that read that account (its
  // read role for a member): one client for every key would ask the wrong region or account. AWS's
  // prefix lists (DescribeManagedPrefixLists) likewise, in the group's account and region.
  const readers = new Map<string, (region: string) => RegionClients>();
  for (const a of accounts) if ("clientsFor" in a) readers.set(a.accountId, a.clientsFor);
  const swept: SweepDeps = {
    ...deps,
    kmsFor: (accountId, region) => readers.get(accountId)?.(region).kms,
    ec2For: (accountId, region) => readers.get(accountId)?.(region).ec2,
  };
  const evaluations: Evaluation[] = [];
  const snapshots: ResourceSnapshot[] = [];
  const unable: Report.UnableToEvaluate[] = [];
  const open: Finding[] = [];
  const sweptAccounts = new Set<string>();
  // Entries about the run's time budget: first in `unable`, never cut by its cap.
  const budget: Report.UnableToEvaluate[] = [];
  // Where each account starts next run: kept for the accounts this run did not get to.
  const resume = new Map(
    Object.entries(req.resume ?? {}).filter(([id]) => accounts.some((a) => a.accountId === id)),
  );
  let unswept: Report.UnsweptRegion[] | undefined;
  let transitions = 0;
  let resolvedGone = 0;
  const failures: unknown[] = [];
  const liveFindings = liveFindingsOnce(deps, () => pastDeadline(req.deadline));
  // Accounts are independent (their own API quotas): a few at a time, so a large organisation fits
  // in the function's timeout. An account not started before the deadline is reported, not skipped.
  await pool(accounts, req.accountConcurrency ?? 4, async (a) => {
    if ("unable" in a) {
      unable.push({ ...a.unable, accountId: a.accountId });
      return;
    }
    if (pastDeadline(req.deadline)) {
      budget.push({
        accountId: a.accountId,
        resourceType: "*",
        operation: "sweep",
        reason:
          "not swept: the run's time budget was spent on other accounts (raise the timeout or shard accounts)",
      });
      return;
    }
    try {
      const r = await sweepAccount(swept, a.clientsFor, a.accountId, req, now, liveFindings);
      append(budget, r.budget);
      if (r.resume !== undefined) resume.set(a.accountId, r.resume);
      else if (r.budget.length === 0) resume.delete(a.accountId);
      append(evaluations, r.evaluations);
      append(snapshots, r.snapshots);
      // Unable entries name their account when more than one is swept.
      append(
        unable,
        accounts.length > 1 ? r.unable.map((u) => ({ ...u, accountId: a.accountId })) : r.unable,
      );
      transitions += r.transitions;
      resolvedGone += r.resolvedGone;
      // Findings that could not be recorded are in `unable`; the run fails once the posture is written.
      append(failures, r.failures);
      sweptAccounts.add(a.accountId);
      // With reconcile, the open findings are counted from its one listing of the table instead.
      if (!req.reconcile)
        append(open, await allFindings(deps.findings, { status: "OPEN", accountId: a.accountId }));
    } catch (error) {
      // Recorded in the posture; rethrown once the posture is written (the invocation fails loudly).
      failures.push(error);
      unable.push({
        accountId: a.accountId,
        resourceType: "*",
        operation: "sweep",
        reason: `sweep failed: ${reasonOf(error)}`,
      });
    }
  });
  if (req.reconcile) {
    // Findings this run's evaluations just judged, with the live snapshot (its current name, which a
    // baseline suppression may match): reconcile leaves their suppression as the evaluation decided it.
    const judged = new Set(
      evaluations
        .filter((e) => e.status !== "ERROR")
        .map((e) =>
          findingId(e.controlId, {
            accountId: e.accountId,
            region: e.region,
            resourceType: e.resourceType,
            resourceId: e.resourceId,
          }),
        ),
    );
    const r = await reconcile(
      deps,
      new Set(accounts.map((a) => a.accountId)),
      judged,
      `sweep:${req.sweepId}`,
      now,
      { accountId: req.accountId, deadline: req.deadline },
    );
    transitions += r.transitions;
    append(failures, r.failures);
    append(unable, r.unable);
    // The posture's open counts, after the changes: the swept accounts' open findings.
    append(
      open,
      r.after.filter((f) => f.status === "OPEN" && sweptAccounts.has(f.subject.accountId)),
    );
    // Findings of a region the run did not read (taken out of the swept regions) were neither
    // re-checked nor resolved as deleted (their type was not enumerated there): they stay open, and the
    // posture says which regions hold them, first among the entries the run could not evaluate. A
    // finding this run judged (an organisation trail read from its home region) was re-checked.
    unswept = unsweptRegions(
      r.after.filter((f) => !judged.has(f.findingId)),
      { accounts: sweptAccounts, regions: req.regions },
    );
    unable.unshift(...unswept.map(unsweptUnable));
  }
  unable.unshift(...budget);
  const counts = countPosture(evaluations, open);
  const posture: Report.PostureSnapshot = {
    at: now.toISOString(),
    sweepId: req.sweepId,
    accounts: accounts.map((a) => a.accountId),
    regions: [...req.regions],
    resources: snapshots.length,
    controls: counts.controls,
    open: counts.open,
    unable: unable.slice(0, MAX_UNABLE),
    unableTotal: unable.length,
    resolvedGone,
    transitions,
    durationMs: Date.now() - started,
    ...(unswept ? { unswept } : {}),
    ...(resume.size > 0 ? { resume: Object.fromEntries(resume) } : {}),
  };
  await deps.posture?.put(posture);
  if (failures.length > 0) throw failures[0];
  return { posture, evaluations, snapshots };
}

/** Read, record and evaluate one account (the body of a sweep, per account). */
async function sweepAccount(
  deps: SweepDeps,
  clientsFor: (region: string) => RegionClients,
  accountId: string,
  req: SweepRequest,
  now: Date,
  /** The run's one read of the live findings (shared by its accounts). */
  liveFindings: LiveFindings,
): Promise<{
  evaluations: Evaluation[];
  snapshots: ResourceSnapshot[];
  unable: Report.UnableToEvaluate[];
  transitions: number;
  resolvedGone: number;
  /** Errors of the resources whose findings could not all be recorded (each also in `unable`). */
  failures: unknown[];
  /** What the deadline left undone (not read, not evaluated), for the front of `unable`. */
  budget: Report.UnableToEvaluate[];
  /** The key of the first resource not evaluated, when the deadline stopped the evaluation. */
  resume?: string;
}> {
  const cause = `sweep:${req.sweepId}`;
  const resourceTypes = sweepResourceTypes(deps);
  const wantsConnect = deps.controls.controls.some((c) => c.resourceTypes.some((t) => CONNECT_TYPES.has(t)));
  const read = await readAccount(clientsFor, {
    accountId,
    regions: req.regions,
    resourceTypes,
    connect: wantsConnect,
    now,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    // Resources are read in full (enrichment, Connect flows) in the order they are evaluated, from where
    // the last run stopped, with half the time left: a run whose reads alone outlast the budget still
    // evaluates the resources it read, and the next one starts after them.
    ...(req.deadline !== undefined ? { deadline: req.deadline, detailShare: 0.5 } : {}),
    ...(req.resume?.[accountId] !== undefined ? { from: req.resume[accountId] } : {}),
    enrichBucket: (s) => phiBucketOf(deps.baseline, s.resourceName ?? s.resourceId, s.tags) !== undefined,
    ...(deps.ownStores ? { ownStores: deps.ownStores } : {}),
  });

  const concurrency = deps.concurrency ?? 8;
  const budget: Report.UnableToEvaluate[] = read.stopped ? [{ ...read.stopped, accountId }] : [];
  const stop = () => pastDeadline(req.deadline);

  // What the inventory holds for the account: what need not be written again (1), and what is gone (2).
  // No page of it is read past the deadline (a throttled or slow table, a large account): a listing
  // cut short calls nothing gone (2), and the steps after it start nothing past the deadline either.
  const stored = new Map<string, ResourceSnapshot>();
  let listedWhole = true;
  for (const type of [...resourceTypes, ...(wantsConnect ? CONNECT_TYPES : [])]) {
    const r = await deps.inventory.listUntil(accountId, type, stop);
    for (const s of r.snapshots) stored.set(resourceKey(s), s);
    if (!r.complete) {
      listedWhole = false;
      break;
    }
  }

  // 1. The inventory first, so cross-resource controls see the whole account whatever the order. An
  // item stored as read (capture time included), or newer (the put would be refused), is not written:
  // an unchanged account costs no inventory write. Items stamped with the read's time (buckets,
  // enriched keys and trails, API reads) are written every run: the stored stamp is the time a
  // dependant re-evaluated from the inventory is observed at, and the out-of-order guard of `put`.
  // (A resource listed but not read in full keeps its stored snapshot: one without its enrichment
  // would hide facts other resources' controls read, such as a trail's selectors.)
  await pool(
    read.snapshots,
    concurrency,
    async (s) => {
      // Listed: it exists, and replaces a deletion mark an earlier listing left (`InventoryStore.put`).
      if (!storedAsRead(stored.get(resourceKey(s)), s)) await deps.inventory.put(s, { listed: true });
    },
    stop,
  );

  // 2. Resources gone since the last look: recorded in the inventory or with live findings, but not
  // listed now (a resource listed but not read in full, or whose item is ResourceNotRecorded, exists). The mark is dated when the resource
  // was last seen present, not now: a listing that shows it again with that item (Config's capture
  // time does not move when a listing left a live resource out) stores it again and re-opens its
  // findings, which an observation older than the "gone" one cannot.
  const seen = new Set([...read.snapshots, ...read.pending, ...read.unrecorded].map(resourceKey));
  const gone = new Map<string, ResourceSnapshot>();
  const consider = (resourceType: string, region: string, resourceId: string, lastSeen: string) => {
    const k = resourceKey({ resourceType, region, resourceId });
    if (seen.has(k) || !read.complete.has(completenessOf({ accountId, region, resourceType, resourceId })))
      return;
    const mark = gone.get(k);
    if (mark) {
      if (lastSeen > mark.capturedAt) mark.capturedAt = lastSeen;
      return;
    }
    gone.set(k, {
      accountId,
      region,
      resourceType,
      resourceId,
      capturedAt: lastSeen,
      state: "deleted",
      configuration: {},
      supplementary: {},
      tags: {},
      source: "api",
    });
  };
  // Only from whole listings: a resource a cut listing left out is not known to be recorded, and one
  // it showed is decided with the others next run (nothing below would record it past the deadline).
  const live = listedWhole ? await liveFindings(accountId) : undefined;
  if (live?.complete) {
    for (const s of stored.values()) consider(s.resourceType, s.region, s.resourceId, s.capturedAt);
    for (const f of live.findings) consider(f.resourceType, f.region, f.resourceId, f.lastSeen);
  } else
    budget.push({
      accountId,
      resourceType: "*",
      operation: "sweep",
      reason: `not listed: the run's time budget was spent while listing the account's ${live ? "open and suppressed findings" : "stored inventory"}; no resource is resolved as deleted this run, the next run lists them again`,
    });
  // Past the deadline none is recorded: nothing is resolved either (the pool below starts none), and
  // the next run finds them gone again.
  for (const s of gone.values()) {
    if (stop()) break;
    await deps.inventory.put(s, { absentAt: now.toISOString() });
  }

  // 3. Evaluate what exists, then record the deleted ones (NOT_APPLICABLE → "gone" resolves their findings).
  // The verdicts of many resources are recorded together (`FindingRecorder`: their findings read 100
  // at a time, each write conditional on what it was decided on). Each resource is still on its own:
  // one whose findings cannot be written (or evaluated) is reported in `unable` and fails the run at
  // its end, but never keeps the other resources' findings unrecorded. Past the deadline no read or
  // write starts: a resource with verdicts left unrecorded is not counted as evaluated.
  const evaluations: Evaluation[] = [];
  const unable = [...read.unable];
  const failures: unknown[] = [];
  let transitions = 0;
  let resolvedGone = 0;
  const failed = (
    s: Pick<ResourceSnapshot, "resourceType" | "resourceId" | "region">,
    ruleId: string,
    error: unknown,
  ) => {
    failures.push(error);
    unable.push(notRecorded(s, ruleId, error));
  };
  // The evaluations share one read of each inventory list (nothing writes the inventory meanwhile),
  // renewed every minute so that a list is never much older than the evaluation that reads it.
  let batch = new InventoryBatch(deps.inventory);
  let batchAt = Date.now();
  const reader = () => {
    if (Date.now() - batchAt > INVENTORY_BATCH_MS) {
      batch = new InventoryBatch(deps.inventory);
      batchAt = Date.now();
    }
    return batch;
  };
  /**
   * Evaluate `items` (n at a time, none started past the deadline) onto one recorder, then record what
   * is queued. Returns each started item's evaluations (none for one that could not be evaluated),
   * the transitions, and the keys of the resources the deadline left with verdicts unrecorded.
   */
  const evaluateAll = async (items: readonly ResourceSnapshot[]) => {
    const recorder = new FindingRecorder(deps.findings, { stop });
    const evaluated: Evaluation[][] = [];
    const started = await pool(
      items.map((s, i) => ({ s, i })),
      concurrency,
      async ({ s, i }) => {
        try {
          evaluated[i] = await evaluateOnto(recorder, deps, s, cause, now, reader());
        } catch (error) {
          failed(s, "*", error);
          evaluated[i] = [];
        }
      },
      stop,
    );
    const r = await recorder.finish();
    for (const f of r.failures) failed(f.subject, f.ruleId, f.error);
    return {
      started,
      evaluated,
      transitions: r.transitions,
      unrecorded: new Set(r.unrecorded.map(resourceKey)),
    };
  };
  // The deleted first (few, and each resolves findings), then what exists in key order from where the
  // last run stopped, wrapping round: a run the deadline stops leaves the rest to the next run, which
  // starts there — not with the same head of the account every hour. Nothing starts past the deadline.
  const deleted = [...gone.values()];
  const goneRun = await evaluateAll(deleted);
  transitions += goneRun.transitions;
  resolvedGone += goneRun.transitions;
  const goneDone = deleted
    .slice(0, goneRun.started)
    .filter((s) => !goneRun.unrecorded.has(resourceKey(s))).length;
  // Every resource listed, in the order it was read in full: those not read (the tail) are not
  // evaluated this run, and the next starts with the first of them.
  const pending = new Set(read.pending.map(resourceKey));
  const order = inKeyOrder(
    [...read.snapshots, ...read.pending].filter((s) => deps.controls.handles(s.resourceType)),
    resourceKey,
    req.resume?.[accountId],
  ).map((s) => ({ s, key: resourceKey(s) }));
  const readCount = order.findIndex((x) => pending.has(x.key));
  const evaluable = readCount < 0 ? order : order.slice(0, readCount);
  const run = await evaluateAll(evaluable.map(({ s }) => s as ResourceSnapshot));
  transitions += run.transitions;
  // Evaluated and recorded: the resources started, up to the first the deadline left unrecorded (those
  // after it that were recorded are evaluated again next run, which starts there).
  const cut = evaluable.findIndex((x, i) => i < run.started && run.unrecorded.has(x.key));
  const done = cut < 0 ? run.started : cut;
  for (const [i, e] of run.evaluated.entries())
    if (e && !run.unrecorded.has(evaluable[i]!.key)) append(evaluations, e);
  const left = order.length - done + deleted.length - goneDone;
  // The first resource not evaluated, or else the first not read in full (a fact source no control
  // evaluates, such as a prefix list, whose stored snapshot was kept): the next run starts there.
  const next = done < order.length ? order[done]!.key : read.pending[0] && resourceKey(read.pending[0]);
  if (left > 0 || read.pending.length > 0)
    budget.push({
      accountId,
      resourceType: "*",
      operation: "sweep",
      reason: `sweep incomplete: ${done} of ${order.length} resources evaluated${
        deleted.length > goneDone ? ` and ${goneDone} of ${deleted.length} deleted ones resolved` : ""
      } before the run's time budget was spent${
        read.pending.length > 0
          ? ` (${read.pending.length} listed but not read in full — key rotation and policy, trail selectors and status, Object Ownership, Connect flows — so not evaluated; their findings stay as they were)`
          : ""
      }; the next run starts with the ${left > 0 ? left : read.pending.length} left (raise the timeout or shard accounts if this recurs)`,
    });

  // 4. cloudtrail-enabled for the account itself: with no trail at all, no trail item carries the
  // failure. Decided only when every trail of the account was listed (each region's Config trails and
  // the organisation trails): a partial read proves nothing either way.
  const trailsListed =
    resourceTypes.includes(TRAIL_TYPE) &&
    // A trail listed but not read in full (no selectors or status) would be judged on half its facts.
    !read.pending.some((p) => p.resourceType === TRAIL_TYPE) &&
    read.complete.has(ORGANIZATION_TRAILS_COMPLETE) &&
    req.regions.every((region) => read.complete.has(completeKey(TRAIL_TYPE, region)));
  const whole = trailsListed
    ? accountTrailEvaluation(deps.controls, deps.baseline, accountId, read.snapshots, now)
    : undefined;
  if (whole) {
    // A COMPLIANT answer only resolves an earlier account-level finding: each trail is counted by its own evaluation.
    if (whole.evaluation.status === "NON_COMPLIANT") evaluations.push(whole.evaluation);
    const r = await recordEvaluations(deps, [whole.evaluation], whole.snapshot, cause, now);
    transitions += r.transitions;
    for (const f of r.failures) failed(whole.snapshot, f.ruleId, f.error);
  }
  return {
    evaluations,
    snapshots: read.snapshots,
    // AWS Config not recording customer-managed prefix lists is listed only where a verdict needs them.
    unable: prefixListUnable(unable, evaluations, {
      resources: read.snapshots,
      notRead: read.pending.filter((p) => p.resourceType === "AWS::EC2::SecurityGroup").map((p) => p.region),
    }),
    transitions,
    resolvedGone,
    failures,
    budget,
    // The first resource not evaluated (the one this run started with, when it evaluated none).
    ...(next !== undefined ? { resume: next } : {}),
  };
}

/**
 * Whether the inventory already holds what `put(read)` would store: a newer item (the conditional put
 * is refused), or an item of the same capture time equal in everything (the put rewrites it as it
 * is). Compared as stored, through JSON: an absent optional field and an undefined one are equal.
 */
function storedAsRead(stored: ResourceSnapshot | undefined, read: ResourceSnapshot): boolean {
  if (!stored) return false;
  if (stored.capturedAt > read.capturedAt) return true;
  return (
    stored.capturedAt === read.capturedAt &&
    stableStringify(stored) === stableStringify(JSON.parse(JSON.stringify(read)))
  );
}

/** A resource whose findings (of `ruleId`, `*` for all) could not be recorded, for `posture.unable`. */
function notRecorded(
  r: Pick<ResourceSnapshot, "resourceType" | "resourceId" | "region">,
  ruleId: string,
  error: unknown,
): Report.UnableToEvaluate {
  return {
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    region: r.region,
    operation: "record findings",
    reason: `${ruleId}: ${reasonOf(error)}`,
  };
}

/** Where a live drift finding is: what the sweep's deletion check (step 2) needs of it. */
interface LiveDrift {
  resourceType: string;
  region: string;
  resourceId: string;
  lastSeen: string;
}

/** The live drift findings of an account, and whether every page was read (`stop()` is checked before each). */
type LiveFindings = (accountId: string) => Promise<{ findings: LiveDrift[]; complete: boolean }>;

/**
 * The OPEN and SUPPRESSED drift findings of every account, read once per run on first use: the table
 * indexes findings by status, every account's in one partition, so reading them per account (the
 * query's account is a filter) read the whole partition again for each account of an organisation.
 * Pages of 500, none started once `stop()` says so (then no account's listing is `complete`).
 */
function liveFindingsOnce(deps: DriftDeps, stop: () => boolean): LiveFindings {
  let read: Promise<{ byAccount: Map<string, LiveDrift[]>; complete: boolean }> | undefined;
  const load = async () => {
    const byAccount = new Map<string, LiveDrift[]>();
    for (const status of ["OPEN", "SUPPRESSED"] as const) {
      let cursor: string | undefined;
      do {
        if (stop()) return { byAccount, complete: false };
        const page = await deps.findings.listFindings({ status, limit: 500, ...(cursor ? { cursor } : {}) });
        for (const f of page.items) {
          if (f.kind !== "drift") continue;
          const { accountId, resourceType, region, resourceId } = f.subject;
          let list = byAccount.get(accountId);
          if (!list) {
            list = [];
            byAccount.set(accountId, list);
          }
          list.push({ resourceType, region, resourceId, lastSeen: f.lastSeen });
        }
        cursor = page.cursor;
      } while (cursor);
    }
    return { byAccount, complete: true };
  };
  // A read that fails is not remembered, and fails only the account that started it: one that was
  // waiting on it reads again (a throttled page must not cost every account of the run its sweep).
  return async (accountId) => {
    for (;;) {
      const started = read === undefined;
      read ??= load();
      const mine = read;
      try {
        const r = await mine;
        return { findings: r.byAccount.get(accountId) ?? [], complete: r.complete };
      } catch (error) {
        if (read === mine) read = undefined;
        if (started) throw error;
      }
    }
  };
}

/**
 * What the scheduled sweep reconciles once every account is swept (see `SweepRequest.reconcile`).
 * Each finding on its own: one that cannot be written is listed in `unable` and fails the run at its
 * end, as an evaluation's write does.
 */
async function reconcile(
  deps: DriftDeps,
  accounts: ReadonlySet<string>,
  judged: ReadonlySet<string>,
  cause: string,
  now: Date,
  budget: { accountId: string; deadline?: number | undefined },
): Promise<{
  transitions: number;
  /** Every finding that was OPEN or SUPPRESSED, as it stands once reconciled (the posture counts it). */
  after: Finding[];
  failures: unknown[];
  unable: Report.UnableToEvaluate[];
}> {
  const out = {
    transitions: 0,
    after: [] as Finding[],
    failures: [] as unknown[],
    unable: [] as Report.UnableToEvaluate[],
  };
  const live = [
    ...(await allFindings(deps.findings, { status: "OPEN" })),
    ...(await allFindings(deps.findings, { status: "SUPPRESSED" })),
  ];
  for (const [i, f] of live.entries()) {
    // Past the deadline the rest waits for the next run: the posture must be written before the timeout.
    if (pastDeadline(budget.deadline)) {
      out.unable.push({
        accountId: budget.accountId,
        resourceType: "*",
        operation: "reconcile",
        reason: `not reconciled: the run's time budget was spent (${live.length - i} of ${live.length} open or suppressed findings left to the next run)`,
      });
      append(out.after, live.slice(i));
      break;
    }
    try {
      const why = f.kind === "drift" ? outOfScope(deps, accounts, f) : undefined;
      if (why) {
        // Resolved, not "fixed": the summary and history say it is no longer evaluated, and why.
        const r = await recordObservation(
          deps.findings,
          {
            kind: "drift",
            ruleId: f.ruleId,
            title: f.title,
            severity: f.severity,
            hipaa: f.hipaa,
            subject: f.subject,
            verdict: "pass",
            summary: `no longer evaluated: ${why}`,
            evidence: { noLongerEvaluated: why },
            observedAt: f.lastSeen,
            cause,
          },
          now,
        );
        if (r.transitioned) out.transitions++;
        out.after.push(r.finding ?? f);
        continue;
      }
      // A finding the run evaluated was judged on its live snapshot; the stored subject can be out of
      // date (a Connect flow renamed into or out of a suppression's glob), and re-deciding on it would
      // undo the evaluation every hour (suppressed, re-opened and alerted, suppressed again…).
      // Decided on the listed copy first: a suppression still in force costs no read.
      if (
        f.status !== "SUPPRESSED" ||
        judged.has(f.findingId) ||
        !reconsiderSuppression(f, baselineSuppression(deps.baseline, f.ruleId, f.subject, now), now, cause)
      ) {
        out.after.push(f);
        continue;
      }
      const r = await applyDecision(deps.findings, f.findingId, (current) => {
        if (!current) return undefined;
        const cover = baselineSuppression(deps.baseline, current.ruleId, current.subject, now);
        return reconsiderSuppression(current, cover, now, cause);
      });
      if (r.changed) out.transitions++;
      out.after.push(r.finding ?? f);
    } catch (error) {
      out.after.push(f);
      out.failures.push(error);
      out.unable.push({ accountId: f.subject.accountId, ...notRecorded(f.subject, f.ruleId, error) });
    }
  }
  return out;
}

/** Why phiwatch no longer evaluates a drift finding, if it does not (ids only: no PHI). */
function outOfScope(deps: DriftDeps, accounts: ReadonlySet<string>, f: Finding): string | undefined {
  if (!accounts.has(f.subject.accountId))
    return `account ${f.subject.accountId} is not among the accounts this deployment sweeps`;
  const evaluated =
    f.subject.resourceType === ACCOUNT_TYPE
      ? evaluatesAccount(deps.controls, f.ruleId)
      : deps.controls.for(f.subject.resourceType).some((c) => c.id === f.ruleId);
  if (!evaluated) return `control ${f.ruleId} does not evaluate ${f.subject.resourceType} in this release`;
  return undefined;
}
