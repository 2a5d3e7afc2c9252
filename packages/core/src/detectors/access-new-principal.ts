import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-new-principal",
  title: "PHI readers are known after the learning period",
  input: "access",
  targets: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(1)(ii)(D)"],
  severity: "medium",
  rationale:
    "After the learning period every routine reader has a profile; a PHI read by an identity without one (never seen before: a new role, a new person, a new service; or back after an absence longer than profiles live) deserves a look.",
  remediation:
    "Confirm the new reader is expected and add it to the baseline's principals; otherwise remove its access to the bucket.",
  evaluate(ctx) {
    if (!ctx.targetLearned || ctx.profile || ctx.totals.reads === 0) return [];
    const first = ctx.delta.events.find((e) => e.action === "read" && !e.denied);
    if (!first) return [];
    return [
      windowDetection(ctx, {
        // No profile means never seen or expired (profileTtlDays after the last read, possibly deleted by
        // TTL since): the two cannot be told apart, so the summary claims neither "first read ever".
        summary: `PHI read by ${ctx.principal.id} on ${ctx.delta.target} with no access profile there: a new reader, or one not seen for ${ctx.settings.profileTtlDays} days or more (${ctx.totals.reads} read(s) between ${ctx.localStart} and ${ctx.localEnd}), after a ${ctx.settings.learningDays}-day learning period`,
        evidence: {
          reads: ctx.totals.reads,
          firstEventId: first.eventId,
          firstEventTime: first.eventTime,
          principalKind: ctx.principal.kind,
          learningDays: ctx.settings.learningDays,
          profileTtlDays: ctx.settings.profileTtlDays,
        },
        count: ctx.totals.reads,
        discriminator: "",
        observedAt: first.eventTime,
        cause: first.eventId,
      }),
    ];
  },
});
