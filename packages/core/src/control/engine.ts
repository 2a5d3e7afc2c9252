import type { Baseline } from "../baseline/schema.ts";
import type { Observation } from "../finding/lifecycle.ts";
import type { Severity } from "../finding/types.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import type { Control, Evaluation, EvaluationContext, FactLookup, FactRequest } from "./types.ts";

/** Resource types whose items answer fact requests (see `resolveFacts` in @phiwatch/aws). */
export const FACT_SOURCE_TYPES: readonly string[] = ["AWS::KMS::Key", "AWS::S3::AccountPublicAccessBlock"];

/**
 * Resource types phiwatch keeps: every type a control evaluates (not `*`), depends on, or reads facts
 * from — what the config-change handler keeps (`ControlSet.watches`), its EventBridge rule routes and
 * the sweep enumerates. Sorted.
 *
 * @example
 * ```ts
 * watchedTypes(CONTROLS).includes("AWS::IAM::Group"); // true: the identity controls depend on it
 * ```
 */
export function watchedTypes(controls: readonly Control[]): string[] {
  const types = new Set<string>(FACT_SOURCE_TYPES);
  for (const c of controls) {
    for (const t of c.resourceTypes) if (t !== "*") types.add(t);
    for (const t of c.dependsOn ?? []) types.add(t);
  }
  return [...types].sort();
}

/** Controls indexed by resource type, with their params parsed once. */
export class ControlSet {
  private readonly byType = new Map<string, Control[]>();
  private readonly params = new Map<string, unknown>();
  /** `for()` answers, built once per type: the list is asked for on every evaluation. */
  private readonly forType = new Map<string, readonly Control[]>();
  private watched: ReadonlySet<string> | undefined;

  constructor(readonly controls: readonly Control[]) {
    for (const c of controls) {
      for (const t of c.resourceTypes) {
        const list = this.byType.get(t) ?? [];
        list.push(c);
        this.byType.set(t, list);
      }
      this.params.set(c.id, c.params ? c.params.parse({}) : {});
    }
  }

  /** Controls for a resource type: its own, then the `"*"` controls that apply to every type. */
  for(resourceType: string): readonly Control[] {
    let list = this.forType.get(resourceType);
    if (!list) {
      const own = this.byType.get(resourceType) ?? [];
      const any = resourceType === "*" ? [] : (this.byType.get("*") ?? []);
      list = any.length === 0 ? own : [...own, ...any];
      if (this.forType.size < 1_000) this.forType.set(resourceType, list);
    }
    return list;
  }

  handles(resourceType: string): boolean {
    return this.byType.has(resourceType) || this.byType.has("*");
  }

  /**
   * Types worth keeping in the inventory: evaluated ones, ones other controls depend on, and the
   * sources of facts (a KMS key's manager, account-level Block Public Access).
   */
  watches(resourceType: string): boolean {
    this.watched ??= new Set(watchedTypes(this.controls));
    return this.watched.has(resourceType);
  }

  paramsOf(id: string): unknown {
    return this.params.get(id);
  }
}

/** Facts every applicable control wants for this snapshot (deduplicated). */
export function factRequests(
  set: ControlSet,
  snapshot: ResourceSnapshot,
  baseline: Baseline,
  now = new Date(),
): FactRequest[] {
  if (snapshot.state !== "present") return [];
  const out: FactRequest[] = [];
  // Controls that share a reader (the identity controls) return the same list: add it once.
  const lists: Array<readonly FactRequest[]> = [];
  for (const control of set.for(snapshot.resourceType)) {
    if (!control.facts) continue;
    const ctx: EvaluationContext = { baseline, facts: NO_FACTS, params: set.paramsOf(control.id), now };
    const requests = control.facts(snapshot, ctx);
    if (requests.length === 0 || lists.includes(requests)) continue;
    lists.push(requests);
    // A request equal to one already asked takes its place (the first position, the last object).
    // Compared field by field, not through a string key per request: items ask for a handful.
    for (const r of requests) {
      const i = out.findIndex((o) => sameRequest(o, r));
      if (i < 0) out.push(r);
      else out[i] = r;
    }
  }
  return out;
}

function sameRequest(a: FactRequest, b: FactRequest): boolean {
  return (
    a.kind === b.kind &&
    a.accountId === b.accountId &&
    (a.region ?? "") === (b.region ?? "") &&
    (a.ref ?? "") === (b.ref ?? "") &&
    (a.kind !== "inventory" || a.resourceType === (b as typeof a).resourceType)
  );
}

/**
 * The facts the applicable controls' `followUpFacts` ask once `facts` (those `factRequests` asked for)
 * are resolved (deduplicated): resolve them and evaluate with `withFacts(facts, more)`. Empty for
 * every type whose controls ask none.
 *
 * @example
 * ```ts
 * const first = await resolveFacts(factRequests(set, key, baseline), sources);
 * const more = followUpFactRequests(set, key, baseline, first);
 * const facts = more.length ? withFacts(first, await resolveFacts(more, sources)) : first;
 * ```
 */
export function followUpFactRequests(
  set: ControlSet,
  snapshot: ResourceSnapshot,
  baseline: Baseline,
  facts: FactLookup,
  now = new Date(),
): FactRequest[] {
  if (snapshot.state !== "present") return [];
  const out: FactRequest[] = [];
  for (const control of set.for(snapshot.resourceType)) {
    if (!control.followUpFacts) continue;
    const ctx: EvaluationContext = { baseline, facts, params: set.paramsOf(control.id), now };
    for (const r of control.followUpFacts(snapshot, ctx))
      if (!out.some((o) => sameRequest(o, r))) out.push(r);
  }
  return out;
}

/**
 * One lookup over facts resolved in two rounds (`followUpFactRequests`): what `more` answers, else
 * what `first` does.
 */
export function withFacts(first: FactLookup, more: FactLookup): FactLookup {
  const lists = first.awsManagedPrefixList ?? more.awsManagedPrefixList;
  return {
    kmsKey: (ref, accountId, region) =>
      more.kmsKey(ref, accountId, region) ?? first.kmsKey(ref, accountId, region),
    accountPublicAccessBlock: (accountId) =>
      more.accountPublicAccessBlock(accountId) ?? first.accountPublicAccessBlock(accountId),
    inventory: (resourceType, accountId, resourceId) =>
      more.inventory(resourceType, accountId, resourceId) ??
      first.inventory(resourceType, accountId, resourceId),
    ...(lists
      ? {
          awsManagedPrefixList: (id: string, accountId: string, region: string) =>
            more.awsManagedPrefixList?.(id, accountId, region) ??
            first.awsManagedPrefixList?.(id, accountId, region),
        }
      : {}),
  };
}

/** The lookup `facts()` sees: facts are what it is asked for, so none are known yet. */
const NO_FACTS: FactLookup = {
  kmsKey: () => undefined,
  accountPublicAccessBlock: () => undefined,
  inventory: () => undefined,
};

/**
 * Evaluate every control that applies to the snapshot's resource type. A control that throws gives
 * an ERROR evaluation (as cdk-nag does), never a pass. Deleted resources are NOT_APPLICABLE.
 *
 * @example
 * ```ts
 * const results = evaluateSnapshot(controls, snapshot, { baseline, facts, now: new Date() });
 * ```
 */
export function evaluateSnapshot(
  set: ControlSet,
  snapshot: ResourceSnapshot,
  ctx: { baseline: Baseline; facts: FactLookup; now: Date },
): Evaluation[] {
  const controls = set.for(snapshot.resourceType);
  const out: Evaluation[] = new Array(controls.length);
  const overrides = ctx.baseline.severityOverrides as Record<string, Severity | undefined>;
  const present = snapshot.state === "present";
  for (let i = 0; i < controls.length; i++) {
    const control = controls[i]!;
    let status: Evaluation["status"];
    let summary: string;
    let evidence: Evaluation["evidence"];
    if (!present) {
      status = "NOT_APPLICABLE";
      summary = snapshot.state === "deleted" ? "resource deleted" : "resource no longer recorded by Config";
      evidence = { configurationItemStatus: snapshot.state };
    } else {
      try {
        const verdict = control.evaluate(snapshot, {
          baseline: ctx.baseline,
          facts: ctx.facts,
          now: ctx.now,
          params: set.paramsOf(control.id),
        });
        status = verdict.status;
        summary = verdict.summary;
        evidence = verdict.evidence;
      } catch (error) {
        status = "ERROR";
        summary = `control failed to evaluate: ${(error as Error).name}: ${(error as Error).message}`.slice(
          0,
          300,
        );
        evidence = { error: (error as Error).name };
      }
    }
    // One literal, in the historical key order (no spreads: this runs for every control of every item).
    out[i] = {
      controlId: control.id,
      title: control.title,
      resourceType: snapshot.resourceType,
      resourceId: snapshot.resourceId,
      accountId: snapshot.accountId,
      region: snapshot.region,
      severity: overrides[control.id] ?? control.severity,
      hipaa: control.hipaa,
      capturedAt: snapshot.capturedAt,
      status,
      summary,
      evidence,
    };
  }
  return out;
}

/**
 * Turn an evaluation into a lifecycle observation. ERROR and not-recorded give none: an evaluation
 * that could not be made never resolves a finding.
 */
export function observationOf(
  e: Evaluation,
  snapshot: ResourceSnapshot,
  cause: string,
  remediation?: string,
): Observation | undefined {
  if (e.status === "ERROR" || snapshot.state === "not-recorded") return undefined;
  const verdict = e.status === "NON_COMPLIANT" ? "fail" : snapshot.state === "deleted" ? "gone" : "pass";
  return {
    kind: "drift",
    ruleId: e.controlId,
    title: e.title,
    severity: e.severity,
    hipaa: [...e.hipaa],
    subject: {
      accountId: e.accountId,
      region: e.region,
      resourceType: e.resourceType,
      resourceId: e.resourceId,
      ...(snapshot.resourceName && snapshot.resourceName !== e.resourceId
        ? { resourceName: snapshot.resourceName }
        : {}),
    },
    verdict,
    summary: e.summary,
    evidence: e.evidence,
    ...(remediation ? { remediation } : {}),
    observedAt: e.capturedAt,
    cause,
  };
}
