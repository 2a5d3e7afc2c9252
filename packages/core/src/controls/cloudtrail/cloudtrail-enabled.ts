import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import { deliveryProblem, managementCoverage, TRAIL_TYPE, trailView } from "../../resource/cloudtrail.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

/** Why a trail does or does not give the account a multi-region trail of every management event (read-only and write). */
function qualifies(s: ResourceSnapshot): {
  ok: boolean | undefined;
  reason: string;
  deliveryError?: string;
} {
  if (s.state !== "present") return { ok: false, reason: "deleted" };
  const t = trailView(s);
  if (!t.multiRegion) return { ok: false, reason: "single-region" };
  if (t.isLogging === false) return { ok: false, reason: "not logging" };
  const mgmt = managementCoverage(t);
  if (mgmt.records === false)
    return {
      ok: false,
      reason:
        mgmt.unrecorded.length === 2
          ? "no management events selected"
          : mgmt.excludedSources.length > 0
            ? `management events of ${mgmt.excludedSources.join(", ")} excluded`
            : mgmt.unrecorded[0] === "read-only"
              ? "read-only management events (KMS Decrypt among them) not recorded"
              : "write management events not recorded",
    };
  // A trail S3 refuses (bucket deleted, its policy or key refusing CloudTrail) records nothing.
  const d = deliveryProblem(t);
  if (d?.state === "failing") return { ok: false, reason: d.reason, deliveryError: d.deliveryError };
  if (t.isLogging === undefined) return { ok: undefined, reason: "logging status not read" };
  if (mgmt.records === undefined) return { ok: undefined, reason: "event selectors not read" };
  if (d?.state === "unknown") return { ok: undefined, reason: d.reason, deliveryError: d.deliveryError };
  return { ok: true, reason: "multi-region, logging, management events" };
}

export default defineControl({
  id: "cloudtrail-enabled",
  title: "A multi-region CloudTrail trail logs management events",
  resourceTypes: [TRAIL_TYPE],
  hipaa: ["164.312(b)"],
  severity: "critical",
  rationale:
    "Every change to a PHI bucket, key or Connect instance is an API call. Without a logging multi-region trail " +
    "that records management events, a change in any region leaves no audit record and tamper detection is blind. " +
    "Read-only management events count too: every decryption of a recording's data key under a PHI key (KMS " +
    "Decrypt) is one, so a trail that records writes only (ReadWriteType WriteOnly, advanced readOnly false) " +
    "leaves PHI-key use unaudited and the KMS decrypt detector blind. A trail records only what it delivers: " +
    "one whose latest delivery to its S3 bucket failed (GetTrailStatus LatestDeliveryError: the bucket deleted, " +
    "its policy or key refusing CloudTrail) keeps nothing while it still reads as logging.",
  remediation: {
    console:
      "CloudTrail › Trails › Create trail (or edit) › Enable for all regions › Management events: Read and Write; Start logging.",
    cli:
      "aws cloudtrail update-trail --name TRAIL --is-multi-region-trail && aws cloudtrail start-logging --name TRAIL" +
      " && aws cloudtrail get-event-selectors --trail-name TRAIL > selectors.json  # a trail that drops read-only or" +
      " write management events, or a source's: edit its management selector to record both (classic: ReadWriteType" +
      " All, IncludeManagementEvents true, no ExcludeManagementEventSources; advanced: no readOnly or eventSource" +
      " field), keep the data-event selectors as they are, then aws cloudtrail put-event-selectors --trail-name TRAIL" +
      " --event-selectors (or --advanced-event-selectors) with the edited list",
  },
  // Another trail of the account can satisfy this one: re-evaluate when any trail changes.
  dependsOn: [TRAIL_TYPE],
  facts(resource) {
    return [{ kind: "inventory", resourceType: TRAIL_TYPE, accountId: resource.accountId }];
  },
  evaluate(resource, ctx) {
    const self = qualifies(resource);
    const name = trailView(resource).name;
    if (self.ok)
      return pass(`trail ${name} is multi-region, logging and records management events`, { trail: name });
    const others = ctx.facts
      .inventory(TRAIL_TYPE, resource.accountId)
      ?.filter((s) => s.resourceId !== resource.resourceId || s.region !== resource.region);
    const verdict = (trail: string, q: ReturnType<typeof qualifies>) => ({
      trail,
      reason: q.reason,
      ...(q.deliveryError ? { deliveryError: q.deliveryError } : {}),
    });
    const verdicts = [verdict(name, self)];
    let undecided = self.ok === undefined;
    for (const o of others ?? []) {
      const q = qualifies(o);
      const oname = trailView(o).name;
      if (q.ok)
        return pass(`trail ${oname} covers the account`, {
          trail: name,
          thisTrail: self.reason,
          coveredBy: oname,
        });
      verdicts.push(verdict(oname, q));
      undecided ||= q.ok === undefined;
    }
    const evidence: Record<string, unknown> = { trails: verdicts };
    if (others === undefined) evidence.proof = "cannot prove: the account's other trails are not known";
    else if (undecided) evidence.proof = "cannot prove";
    const summary = evidence.proof
      ? verdicts.some((v) => v.reason.startsWith("delivery error"))
        ? "cannot prove a multi-region trail is logging management events (a delivery error is recorded and no later delivery is known)"
        : "cannot prove a multi-region trail is logging management events (logging status or other trails not read)"
      : "no multi-region trail is logging management events";
    return fail(summary, evidence);
  },
});
