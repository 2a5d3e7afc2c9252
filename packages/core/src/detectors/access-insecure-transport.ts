import { defineDetector, windowDetection } from "./types.ts";

export default defineDetector({
  id: "access-insecure-transport",
  title: "PHI is read only over TLS 1.2 or later",
  input: "access",
  targets: ["AWS::S3::Bucket", "AWS::KMS::Key"],
  hipaa: ["164.312(e)(1)"],
  severity: "high",
  rationale:
    "Transmission security: a PHI read over plain HTTP or TLS 1.0/1.1 exposes recordings in transit. Fires only on positive evidence (tlsDetails with an old version, or an S3 request without a cipher suite).",
  remediation:
    "Add a bucket policy Deny on aws:SecureTransport=false and s3:TlsVersion < 1.2, and update the client that made the request.",
  evaluate(ctx) {
    const bad = ctx.delta.events.filter((e) => e.insecureTransport && !e.denied);
    if (bad.length === 0) return [];
    const first = bad[0]!;
    return [
      windowDetection(ctx, {
        summary: `${bad.length} PHI request(s) on ${ctx.delta.target} without TLS 1.2+ (${first.tlsVersion ?? "no TLS"}) between ${ctx.localStart} and ${ctx.localEnd}`,
        evidence: {
          requests: bad.length,
          tlsVersion: first.tlsVersion ?? "none",
          firstEventId: first.eventId,
          userAgentClass: first.source.uaClass,
        },
        count: bad.length,
        observedAt: first.eventTime,
        cause: first.eventId,
      }),
    ];
  },
});
