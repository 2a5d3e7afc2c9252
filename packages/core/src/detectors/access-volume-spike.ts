import { dailyThreshold, volumeThreshold } from "../activity/expect.ts";
import { slotLabel } from "../activity/profile.ts";
import { defineDetector, fmt, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-volume-spike",
  title: "PHI reads stay within the principal's learned volume",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(1)(ii)(D)"],
  severity: "high",
  rationale:
    "A principal pulling far more recordings than it does at that hour of the week (a service account pulling 2000 recordings at 2 AM) is the signature of bulk exfiltration with valid credentials. Two horizons: one window (bursts) and one local day (low-and-slow reads spread so no window stands out).",
  remediation:
    "Confirm with the owner of the principal whether the reads were expected; if not, revoke its sessions (aws iam put-role-policy with an explicit Deny, or revoke-sessions in the console) and review which objects were read (CloudTrail data events).",
  evaluate(ctx) {
    if (!ctx.targetLearned || ctx.folded) return [];
    const out = [];
    const vol = ctx.settings.volume;
    const w = volumeThreshold(ctx.profile, ctx.slot, vol);
    const reads = ctx.totals.reads;
    if (reads > w.threshold) {
      out.push(
        windowDetection(ctx, {
          summary: `${reads} reads between ${ctx.localStart} and ${ctx.localEnd}, profile for ${slotLabel(ctx.slot)}: ${fmt(w.mean)} ± ${fmt(w.sd)}, floor ${vol.floor}`,
          evidence: {
            horizon: "window",
            reads,
            distinctObjects: ctx.totals.objects,
            window: { start: ctx.delta.windowStart, local: `${ctx.localStart}-${ctx.localEnd}` },
            timeZone: ctx.settings.timeZone,
            expected: { slot: slotLabel(ctx.slot), mean: round(w.mean), sd: round(w.sd) },
            threshold: round(w.threshold),
            floor: vol.floor,
            sigma: vol.sigma,
            ratio: vol.ratio,
            approximate: ctx.totals.overflow,
          },
          count: reads,
        }),
      );
      return out;
    }
    // Daily horizon: only reads in windows that were individually unremarkable (bursts are above).
    const spread = ctx.day.windows
      .filter((x) => x.reads <= volumeThreshold(ctx.profile, x.slot, vol).threshold)
      .reduce((a, x) => a + x.reads, 0);
    const daily = ctx.settings.daily;
    const d = dailyThreshold(ctx.profile, ctx.day.dow, {
      floor: daily.floor,
      sigma: vol.sigma,
      ratio: daily.ratio,
    });
    if (spread > d.threshold) {
      const dayName = slotLabel(ctx.day.dow * 24).slice(0, 3);
      out.push(
        windowDetection(ctx, {
          summary: `${spread} reads spread over ${ctx.day.date} (no single window unusual), profile for ${dayName}: ${fmt(d.mean)} ± ${fmt(d.sd)} per day, floor ${daily.floor}`,
          evidence: {
            horizon: "day",
            reads: spread,
            date: ctx.day.date,
            timeZone: ctx.settings.timeZone,
            expected: { day: dayName, mean: round(d.mean), sd: round(d.sd) },
            threshold: round(d.threshold),
            floor: daily.floor,
            ratio: daily.ratio,
          },
          count: spread,
          discriminator: `day:${ctx.day.date}`,
        }),
      );
    }
    return out;
  },
});

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
