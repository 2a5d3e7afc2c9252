import { type PrincipalRole, rolesOf } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import type { Principal } from "./principal.ts";

/** Roles the baseline gives any of the names this caller goes by (role ARN with/without path, session ARN). */
export function rolesOfPrincipal(baseline: Baseline, p: Principal): Set<PrincipalRole> {
  const roles = new Set<PrincipalRole>();
  for (const n of p.names) for (const r of rolesOf(baseline, n)) roles.add(r);
  if (p.kind === "service" && baseline.principals.services.includes(p.id)) roles.add("service");
  return roles;
}

/** The baseline declares who may read PHI (otherwise only the analytics rule can be checked). */
export function declaresReaders(baseline: Baseline): boolean {
  const p = baseline.principals;
  return p.rawReaders.length + p.analytics.length + p.operators.length > 0;
}

/**
 * Why this caller may not read this object, or `undefined` when it may. Raw audio: raw readers,
 * operators and pipeline services only; analytics roles never. Other PHI objects: anyone the
 * baseline names in any list, when it names anyone.
 *
 * @example
 * ```ts
 * readDenialReason(baseline, analyticsRole, true); // "analytics role read raw audio"
 * ```
 */
export function readDenialReason(baseline: Baseline, p: Principal, rawAudio: boolean): string | undefined {
  const roles = rolesOfPrincipal(baseline, p);
  if (rawAudio) {
    if (roles.has("rawReader") || roles.has("service") || roles.has("operator")) return undefined;
    if (roles.has("analytics")) return "analytics role read raw audio";
    if (baseline.principals.rawReaders.length > 0) return "not a designated raw-audio reader";
    return undefined;
  }
  if (roles.size > 0 || !declaresReaders(baseline)) return undefined;
  return "not a reader the baseline allows";
}
