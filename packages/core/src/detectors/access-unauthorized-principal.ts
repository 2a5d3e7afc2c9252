import { readDenialReason } from "../activity/authz.ts";
import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-unauthorized-principal",
  title: "Only identities the baseline allows read PHI",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(4)"],
  severity: "high",
  rationale:
    "Minimum necessary: an analytics/QA role reading raw call audio, or an identity outside the declared readers reading PHI, is unauthorized access whatever its volume. No learning period: it fires on the first event.",
  remediation:
    "Remove s3:GetObject on the raw-recording prefixes from the identity's policies (or add an explicit Deny in the bucket policy), then review what it read; if the access is legitimate, add the identity to principals.rawReaders in the baseline.",
  evaluate(ctx) {
    const first = ctx.delta.events.find(
      (e) => e.action === "read" && !e.denied && readDenialReason(ctx.baseline, e.principal, e.rawAudio),
    );
    if (!first) return [];
    const reason = readDenialReason(ctx.baseline, first.principal, first.rawAudio)!;
    const raw = ctx.delta.events.filter((e) => e.action === "read" && !e.denied && e.rawAudio).length;
    return [
      windowDetection(ctx, {
        summary: `${ctx.principal.id} read PHI in ${ctx.delta.target}: ${reason} (${ctx.totals.reads} read(s) between ${ctx.localStart} and ${ctx.localEnd})`,
        evidence: {
          reason,
          reads: ctx.totals.reads,
          rawAudioReadsInBatch: raw,
          firstEventId: first.eventId,
          firstEventTime: first.eventTime,
          principalKind: ctx.principal.kind,
          window: { start: ctx.delta.windowStart, local: `${ctx.localStart}-${ctx.localEnd}` },
        },
        count: ctx.totals.reads,
        observedAt: first.eventTime,
        cause: first.eventId,
      }),
    ];
  },
});
