import type { Baseline } from "../../packages/core/src/baseline/schema.ts";
import {
  CONTROLS,
  ControlSet,
  type Evaluation,
  evaluateSnapshot,
  type FactLookup,
  type KeyFacts,
  type PrefixListFacts,
  type ResourceSnapshot,
} from "../../packages/core/src/index.ts";
import { testBaseline } from "./baseline.ts";

/**
 * Facts for unit tests: KMS keys by ref (missing = AccessDenied), inventory by resource type (missing =
 * not resolved), and the AWS-managed prefix lists DescribeManagedPrefixLists returned for the asking
 * account and region (`{ failed }` = the read failed; omitted = not resolved, as offline).
 */
export function testFacts(
  opts: {
    keys?: Record<string, KeyFacts>;
    inventory?: Record<string, ResourceSnapshot[]>;
    awsPrefixLists?: PrefixListFacts[] | { failed: string };
  } = {},
): FactLookup {
  const lists = opts.awsPrefixLists;
  return {
    ...(lists
      ? {
          awsManagedPrefixList: (id: string) => {
            if (!Array.isArray(lists)) return { ok: false as const, reason: lists.failed };
            const found = lists.find((l) => l.prefixListId === id);
            return found
              ? { ok: true as const, value: found }
              : { ok: false as const, reason: "not an AWS-managed prefix list of the region" };
          },
        }
      : {}),
    kmsKey: (ref) =>
      opts.keys?.[ref]
        ? { ok: true, value: opts.keys[ref]! }
        : { ok: false, reason: "AccessDeniedException" },
    accountPublicAccessBlock: () => undefined,
    inventory: (type, accountId, id) => {
      const all = opts.inventory?.[type]?.filter((s) => s.accountId === accountId);
      if (!all) return undefined;
      return id === undefined
        ? all
        : all.filter((s) => s.resourceId === id || s.resourceName === id || s.arn === id);
    },
  };
}

const set = new ControlSet(CONTROLS);

/** Run one control of the registry on a snapshot, through the engine (so a throw becomes ERROR). */
export function evaluate(
  id: string,
  snapshot: ResourceSnapshot,
  facts: FactLookup = testFacts(),
  baseline: Baseline = testBaseline(),
): Evaluation {
  const e = evaluateSnapshot(set, snapshot, { baseline, facts, now: new Date("2026-01-05T15:00:00Z") }).find(
    (x) => x.controlId === id,
  );
  if (!e) throw new Error(`control ${id} did not run on ${snapshot.resourceType}`);
  return e;
}

/** A snapshot as the sweep builds it from API reads. */
export function apiSnapshot(
  resourceType: string,
  resourceId: string,
  configuration: Record<string, unknown>,
  extra: Partial<ResourceSnapshot> = {},
): ResourceSnapshot {
  return {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType,
    resourceId,
    capturedAt: "2026-01-05T14:00:00.000Z",
    state: "present",
    configuration,
    supplementary: {},
    tags: {},
    source: "api",
    ...extra,
  };
}

/** `data` of a recorded placebo response. */
// biome-ignore lint/suspicious/noExplicitAny: recorded AWS JSON, navigated freely in tests
export function recorded<T = any>(json: string): T {
  return JSON.parse(json).data as T;
}
