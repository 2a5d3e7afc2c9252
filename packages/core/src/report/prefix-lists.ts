import type { Evaluation } from "../control/types.ts";
import { namesPrefixList, PREFIX_LIST_TYPE, UNRECORDED_LIST } from "../controls/ec2/sg-no-open-admin.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import type { UnableToEvaluate } from "./posture.ts";

/** The `unable` reason of a resource type a region's AWS Config recorder does not record. */
export const NOT_RECORDED_REASON = "AWS Config does not record this resource type in this region";

const SG_CONTROL = "sg-no-open-admin";
const SG_TYPE = "AWS::EC2::SecurityGroup";

/**
 * The sweep's "AWS Config does not record this resource type in this region" entries for customer-managed
 * prefix lists (`AWS::EC2::PrefixList`), kept only where a verdict depends on them. No control
 * evaluates a prefix list: a list's entries matter only to `sg-no-open-admin`, for a group whose
 * SSH/RDP rule names a list the inventory does not hold, which that control then cannot prove closed.
 * So an entry is kept, saying how many groups it leaves unproven, where such a verdict was given in
 * its region — or where a group naming a prefix list was not judged this run (not evaluated, its
 * evaluation failed, or not read), since nothing shows it does not need one. Every other entry is
 * returned as it is.
 *
 * @example
 * ```ts
 * const kept = prefixListUnable(read.unable, evaluations, { resources: read.snapshots });
 * ```
 */
export function prefixListUnable(
  unable: readonly UnableToEvaluate[],
  /** The run's evaluations (of one account). */
  evaluations: readonly Evaluation[],
  read: {
    /** The resources read (of the same account); its security groups are looked at. */
    resources: readonly ResourceSnapshot[];
    /** Regions of security groups listed but not read this run. */
    notRead?: Iterable<string>;
  },
): UnableToEvaluate[] {
  const judged = new Set(
    evaluations
      .filter((e) => e.controlId === SG_CONTROL && e.status !== "ERROR")
      .map((e) => `${e.region}|${e.resourceId}`),
  );
  const unjudged = new Set(read.notRead ?? []);
  for (const s of read.resources)
    if (s.resourceType === SG_TYPE && namesPrefixList(s) && !judged.has(`${s.region}|${s.resourceId}`))
      unjudged.add(s.region);
  return unable.flatMap((u) => {
    if (u.resourceType !== PREFIX_LIST_TYPE || u.reason !== NOT_RECORDED_REASON || u.region === undefined)
      return [u];
    const unproven = evaluations.filter(
      (e) =>
        e.controlId === SG_CONTROL &&
        e.region === u.region &&
        e.status === "NON_COMPLIANT" &&
        unknownSources(e.evidence).some((x) => x.includes(UNRECORDED_LIST)),
    ).length;
    if (unproven === 0 && !unjudged.has(u.region)) return [];
    const why = [
      ...(unproven > 0
        ? [
            `${unproven} security group(s) name a prefix list not recorded here, so ${SG_CONTROL} cannot prove their SSH/RDP closed (record ${PREFIX_LIST_TYPE}, or use CIDRs instead of the list)`,
          ]
        : []),
      ...(unjudged.has(u.region)
        ? [`security groups naming prefix lists were not evaluated this run and may depend on it`]
        : []),
    ];
    return [{ ...u, reason: `${NOT_RECORDED_REASON}: ${why.join("; ")}` }];
  });
}

function unknownSources(evidence: unknown): string[] {
  const u = (evidence as { unknown?: unknown } | undefined)?.unknown;
  return Array.isArray(u) ? u.filter((x): x is string => typeof x === "string") : [];
}
