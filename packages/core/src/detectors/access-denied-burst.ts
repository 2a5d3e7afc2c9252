import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-denied-burst",
  title: "No principal probes PHI buckets or keys",
  input: "access",
  targets: ["AWS::S3::Bucket", "AWS::KMS::Key"],
  hipaa: ["164.308(a)(6)"],
  severity: "medium",
  rationale:
    "Repeated AccessDenied on PHI buckets or keys is probing: someone (or a compromised workload) is trying identities or paths. The policy held, but it is a security incident to respond to.",
  remediation:
    "Find the source (address, user agent class, principal) in the evidence; if it is not a misconfigured job, disable the credentials and investigate.",
  evaluate(ctx) {
    const n = ctx.totals.denied;
    if (n < ctx.settings.deniedBurst) return [];
    const codes = [...new Set(ctx.delta.events.filter((e) => e.denied).map((e) => e.errorCode ?? "?"))];
    return [
      windowDetection(ctx, {
        summary: `${n} denied requests on ${ctx.delta.target} between ${ctx.localStart} and ${ctx.localEnd} (threshold ${ctx.settings.deniedBurst})`,
        evidence: {
          denied: n,
          errorCodes: codes.slice(0, 5),
          threshold: ctx.settings.deniedBurst,
          networks: ctx.totals.networks.slice(0, 10),
        },
        count: n,
      }),
    ];
  },
});
