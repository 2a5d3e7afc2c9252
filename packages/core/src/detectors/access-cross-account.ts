import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-cross-account",
  title: "PHI is read only by principals of trusted accounts",
  input: "access",
  targets: ["AWS::S3::Bucket", "AWS::KMS::Key"],
  hipaa: ["164.308(a)(4)"],
  severity: "high",
  rationale:
    "A principal from another AWS account reading recordings means a bucket or key policy grants outsiders access; unless that account is declared trusted, PHI is leaving the organisation's control.",
  remediation:
    "Remove the other account from the bucket and key policies (or declare it in detectors.access.trustedAccounts if it is a business associate under a BAA).",
  evaluate(ctx) {
    const trusted = ctx.settings.trustedAccounts;
    const first = ctx.delta.events.find(
      (e) => e.crossAccount && !e.denied && e.action !== "list" && !trusted.includes(e.principal.accountId),
    );
    if (!first) return [];
    return [
      windowDetection(ctx, {
        summary: `${ctx.principal.id} from account ${first.principal.accountId} read PHI owned by ${first.accountId} (${ctx.totals.reads} read(s) between ${ctx.localStart} and ${ctx.localEnd})`,
        evidence: {
          callerAccount: first.principal.accountId,
          ownerAccount: first.accountId,
          reads: ctx.totals.reads,
          firstEventId: first.eventId,
        },
        count: ctx.totals.reads,
        observedAt: first.eventTime,
        cause: first.eventId,
      }),
    ];
  },
});
