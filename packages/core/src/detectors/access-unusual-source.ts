import type { AccessEvent } from "../activity/access-event.ts";
import { inAnyCidr } from "../activity/cidr.ts";
import { type DetectionDraft, defineDetector, type WindowContext, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-unusual-source",
  title: "PHI is read from the principal's usual clients and allowed networks",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(1)(ii)(D)"],
  severity: "medium",
  rationale:
    "People work from home and the office, so a new address alone is common; a new client type (a script where a browser was), a new VPC endpoint, or an address outside the declared networks is telling.",
  remediation:
    "Check with the principal's owner which client made the reads; if unexpected, revoke the sessions. Declare legitimate networks in detectors.access.allowedNetworks.",
  evaluate(ctx) {
    const out: DetectionDraft[] = [];
    const s = ctx.settings;
    const seen = new Set<string>();
    const reads = ctx.delta.events.filter((e) => e.action !== "list" && !e.denied);
    const add = (e: AccessEvent, kind: string, value: string, why: string) => {
      const disc = `${kind}:${value}`;
      if (seen.has(disc)) return;
      seen.add(disc);
      out.push(
        windowDetection(ctx, {
          summary: `${ctx.principal.id} read PHI ${why} (${kind} ${value})`,
          evidence: { kind, value, reason: why, firstEventId: e.eventId, network: e.source.network },
          count: reads.filter((r) => sourceValue(r, kind) === value).length,
          discriminator: disc,
          observedAt: e.eventTime,
          cause: e.eventId,
        }),
      );
    };
    for (const e of reads) {
      if (
        s.allowedNetworks.length > 0 &&
        e.source.ip &&
        !e.source.vpce &&
        !inAnyCidr(e.source.ip, s.allowedNetworks)
      )
        add(e, "network", e.source.network, "from outside the allowed networks");
      if (s.allowedVpcEndpoints.length > 0 && e.source.vpce && !s.allowedVpcEndpoints.includes(e.source.vpce))
        add(e, "vpce", e.source.vpce, "through a VPC endpoint outside the allowed list");
    }
    if (!learned(ctx)) return out;
    const p = ctx.profile!;
    for (const e of reads) {
      const ua = e.source.uaClass;
      if (ua !== "aws-service" && !(ua in p.uaClasses))
        add(
          e,
          "client",
          ua,
          `with a client type never seen for it (usual: ${Object.keys(p.uaClasses).sort().join(", ") || "none"})`,
        );
      if (e.source.vpce && Object.keys(p.vpces).length > 0 && !(e.source.vpce in p.vpces))
        add(e, "vpce", e.source.vpce, "through a VPC endpoint never seen for it");
    }
    return out;
  },
});

function learned(ctx: WindowContext): boolean {
  return ctx.targetLearned && ctx.principalMature && !ctx.folded && !!ctx.profile;
}

function sourceValue(e: AccessEvent, kind: string): string | undefined {
  return kind === "client" ? e.source.uaClass : kind === "vpce" ? e.source.vpce : e.source.network;
}
