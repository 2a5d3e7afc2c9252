import { declaresReaders, rolesOfPrincipal } from "../activity/authz.ts";
import { volumeThreshold } from "../activity/expect.ts";
import { slotLabel } from "../activity/profile.ts";
import { defineDetector, fmt, windowDetection } from "./types.ts";

export default defineDetector({
  id: "kms-decrypt-anomaly",
  title: "PHI keys decrypt only for expected principals at their usual volume",
  input: "access",
  targets: ["AWS::KMS::Key"],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "Every read of an SSE-KMS recording without S3 Bucket Keys is a Decrypt on the PHI key: a principal the baseline does not name, or a volume far above its profile, means recordings are being decrypted outside the normal pipeline.",
  remediation:
    "Restrict kms:Decrypt in the key policy to the baseline's readers and services (with kms:ViaService conditions); revoke grants the principal holds; review what it decrypted.",
  evaluate(ctx) {
    const out = [];
    const roles = rolesOfPrincipal(ctx.baseline, ctx.principal);
    const first = ctx.delta.events.find((e) => !e.denied);
    if (!first) return [];
    if (declaresReaders(ctx.baseline) && roles.size === 0 && ctx.principal.kind !== "service") {
      out.push(
        windowDetection(ctx, {
          summary: `${ctx.principal.id} decrypted with PHI key ${ctx.delta.target} and is not a reader the baseline names (${ctx.totals.reads} Decrypt between ${ctx.localStart} and ${ctx.localEnd})`,
          evidence: {
            reason: "unexpected principal",
            decrypts: ctx.totals.reads,
            firstEventId: first.eventId,
          },
          count: ctx.totals.reads,
          discriminator: `principal:${ctx.delta.windowStart}`,
          observedAt: first.eventTime,
          cause: first.eventId,
        }),
      );
    }
    if (ctx.targetLearned && !ctx.folded) {
      const v = volumeThreshold(ctx.profile, ctx.slot, ctx.settings.volume);
      if (ctx.totals.reads > v.threshold) {
        out.push(
          windowDetection(ctx, {
            summary: `${ctx.totals.reads} Decrypt between ${ctx.localStart} and ${ctx.localEnd}, profile for ${slotLabel(ctx.slot)}: ${fmt(v.mean)} ± ${fmt(v.sd)}, floor ${ctx.settings.volume.floor}`,
            evidence: {
              reason: "volume",
              decrypts: ctx.totals.reads,
              expected: {
                slot: slotLabel(ctx.slot),
                mean: Math.round(v.mean * 100) / 100,
                sd: Math.round(v.sd * 100) / 100,
              },
              threshold: Math.round(v.threshold * 100) / 100,
            },
            count: ctx.totals.reads,
            discriminator: `volume:${ctx.delta.windowStart}`,
          }),
        );
      }
    }
    return out;
  },
});
