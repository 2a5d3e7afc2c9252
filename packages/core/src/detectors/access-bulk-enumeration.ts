import { defineDetector, fmt, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-bulk-enumeration",
  title: "No principal sweeps PHI objects",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(1)(ii)(D)"],
  severity: "high",
  rationale:
    "Reading many distinct recordings in a short window, or listing a bucket and then reading what the listing returned, is how a bucket is harvested; service principals read each new recording once or twice, people a handful.",
  remediation:
    "Identify the principal's owner and the listing/reading client; revoke its sessions if the sweep was not expected and review the objects read.",
  evaluate(ctx) {
    if (!ctx.targetLearned || ctx.folded) return [];
    const b = ctx.settings.bulk;
    const p = ctx.profile;
    const mean = p?.objMean ?? 0;
    const sd = Math.sqrt(p?.objVariance ?? 0);
    const threshold = Math.max(b.floor, mean + b.sigma * sd, b.ratio * mean);
    const distinct = ctx.totals.objects;
    if (distinct > threshold) {
      return [
        windowDetection(ctx, {
          summary: `${distinct} distinct objects read between ${ctx.localStart} and ${ctx.localEnd}, usual per active window: ${fmt(mean)} ± ${fmt(sd)}, floor ${b.floor}`,
          evidence: {
            pattern: "distinct-objects",
            distinctObjects: distinct,
            reads: ctx.totals.reads,
            expected: { mean: Math.round(mean * 100) / 100, sd: Math.round(sd * 100) / 100 },
            threshold: Math.round(threshold * 100) / 100,
            floor: b.floor,
          },
          count: distinct,
        }),
      ];
    }
    if ((p?.lists ?? 0) === 0 && ctx.totals.lists > 0 && distinct >= b.listThenRead) {
      return [
        windowDetection(ctx, {
          summary: `list-then-read sweep: ${ctx.totals.lists} listing(s) then ${distinct} distinct objects read between ${ctx.localStart} and ${ctx.localEnd} by a principal that never lists`,
          evidence: {
            pattern: "list-then-read",
            lists: ctx.totals.lists,
            distinctObjects: distinct,
            listThenRead: b.listThenRead,
          },
          count: distinct,
        }),
      ];
    }
    return [];
  },
});
