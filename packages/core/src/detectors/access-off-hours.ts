import { usualSlot } from "../activity/expect.ts";
import { slotLabel, slotStats } from "../activity/profile.ts";
import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-off-hours",
  title: "PHI is read within the principal's learned or declared hours",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(5)(ii)(C)"],
  severity: "medium",
  rationale:
    "Reads outside business hours by a principal that never works at that hour (±1 h, so daylight-saving shifts of UTC jobs stay quiet) are a classic sign of stolen credentials. Principals whose learned profile covers that hour (a nightly job) are usual, not suspicious.",
  remediation:
    "Ask the principal's owner whether the reads were expected; if not, revoke the sessions and review the objects read. Routine night work is learned automatically; declare it in the baseline's business hours if it is organisation-wide.",
  evaluate(ctx) {
    if (!ctx.targetLearned || ctx.folded || !ctx.offHours || !ctx.profile) return [];
    const reads = ctx.totals.reads;
    if (reads < ctx.settings.offHours.minReads) return [];
    if (usualSlot(ctx.profile, ctx.slot, ctx.settings.offHours.usualShare)) return [];
    const bh = ctx.baseline.organisation.businessHours;
    const st = slotStats(ctx.profile, ctx.slot);
    const share = Math.round((ctx.profile.active?.[ctx.slot] ?? 0) * 100);
    return [
      windowDetection(ctx, {
        summary: `${reads} reads between ${ctx.localStart} and ${ctx.localEnd} ${ctx.settings.timeZone}, outside business hours (${bh.days.join(",")} ${bh.start}-${bh.end}); the principal read in ${share} % of ${slotLabel(ctx.slot)} windows (usual from ${Math.round(ctx.settings.offHours.usualShare * 100)} %, ±1 h)`,
        evidence: {
          reads,
          window: { start: ctx.delta.windowStart, local: `${ctx.localStart}-${ctx.localEnd}` },
          timeZone: ctx.settings.timeZone,
          businessHours: bh,
          expected: { slot: slotLabel(ctx.slot), mean: Math.round(st.mean * 100) / 100 },
          usualShare: ctx.settings.offHours.usualShare,
          learnedShare: Math.round((ctx.profile.active?.[ctx.slot] ?? 0) * 100) / 100,
        },
        count: reads,
        discriminator: `day:${ctx.day.date}`,
      }),
    ];
  },
});
