import { describe, expect, it } from "vitest";
import type { Finding } from "../../../packages/core/src/finding/types.ts";
import {
  AlertPolicySchema,
  buildAlert,
  classifyTransition,
  DEFAULT_ALERT_POLICY,
  decideAlert,
  isStillHappening,
  SNS_MESSAGE_MAX_BYTES,
  shouldForward,
  snsPublishInput,
  snsSubject,
} from "../../../packages/core/src/format/index.ts";
import { activityFinding, driftFinding } from "./finding-fixtures.ts";

const open = driftFinding();
const resolved: Finding = {
  ...open,
  status: "RESOLVED",
  transitions: 2,
  statusChangedAt: "2026-03-03T11:00:00.000Z",
  lastSeen: "2026-03-03T11:00:00.000Z",
  summary: "Resolved: SSE-KMS with a customer-managed key",
};
const suppressed: Finding = {
  ...open,
  status: "SUPPRESSED",
  transitions: 2,
  suppression: { reason: "migration ticket SEC-12", until: "2026-04-01T00:00:00.000Z", by: "secops" },
};

describe("alert decision", () => {
  it.each<[string, Finding | undefined, Finding, string]>([
    ["a new finding", undefined, open, "OPENED"],
    ["a resolution", open, resolved, "RESOLVED"],
    ["a regression", resolved, { ...open, transitions: 3 }, "REOPENED"],
    ["an expired suppression", suppressed, { ...open, transitions: 3 }, "REOPENED"],
    ["a severity escalation", open, { ...open, severity: "critical", transitions: 2 }, "ESCALATED"],
  ])("alerts on %s", (_name, old, next, transition) => {
    expect(decideAlert(old, next)).toMatchObject({ alert: true, transition });
  });

  it.each<[string, Finding | undefined, Finding, string]>([
    ["a suppression", open, suppressed, "suppressed"],
    [
      "a change while suppressed",
      suppressed,
      { ...suppressed, severity: "critical", transitions: 3 },
      "suppressed",
    ],
    ["the resolution of a suppressed finding", suppressed, { ...resolved, transitions: 3 }, "suppressed"],
    ["a de-escalation", open, { ...open, severity: "medium", transitions: 2 }, "not-alertable"],
    ["an evidence refresh", open, { ...open, lastSeen: "2026-03-03T12:00:00.000Z" }, "not-alertable"],
    ["a duplicate record (same image)", open, open, "no-change"],
    [
      "a write that changed only the revision",
      { ...open, revision: 4 },
      { ...open, revision: 5 },
      "no-change",
    ],
    [
      "the first write of an item stored without a revision",
      open,
      { ...open, evidence: { sseAlgorithm: "aws:kms" }, revision: 1 },
      "no-change",
    ],
    ["a finding below the minimum", undefined, { ...open, severity: "low" }, "below-minimum"],
  ])("does not alert on %s", (_name, old, next, reason) => {
    expect(decideAlert(old, next)).toMatchObject({ alert: false, reason });
  });

  it("forwards no write that changed only the revision to a SIEM", () => {
    const still = activityFinding({ revision: 7 });
    expect(
      shouldForward(still, { ...still, revision: 8 }, "info", { now: new Date("2026-03-04T00:00:00Z") }),
    ).toBe(undefined);
  });

  it("applies per-kind minimums and the resolution switch", () => {
    const policy = AlertPolicySchema.parse({ minSeverity: "high", minSeverityByKind: { activity: "low" } });
    expect(decideAlert(undefined, driftFinding({ severity: "medium" }), { policy }).alert).toBe(false);
    expect(decideAlert(undefined, activityFinding({ severity: "low" }), { policy }).alert).toBe(true);
    const quiet = AlertPolicySchema.parse({ announceResolved: false });
    expect(decideAlert(open, resolved, { policy: quiet })).toMatchObject({ alert: false });
  });

  it("judges a resolution by the severity the finding had", () => {
    const policy = AlertPolicySchema.parse({ minSeverity: "high" });
    expect(decideAlert(open, { ...resolved, severity: "low" }, { policy })).toMatchObject({
      alert: true,
      transition: "RESOLVED",
    });
  });

  it("pages more during quiet hours (quiet-hours escalation) and never for an all-clear", () => {
    const high = driftFinding({ severity: "high" });
    expect(decideAlert(undefined, high, { businessHours: true })).toMatchObject({ urgency: "notify" });
    expect(decideAlert(undefined, high, { businessHours: false })).toMatchObject({ urgency: "page" });
    expect(
      decideAlert(undefined, driftFinding({ severity: "critical" }), { businessHours: true }),
    ).toMatchObject({
      urgency: "page",
    });
    expect(
      decideAlert(
        driftFinding({ severity: "critical" }),
        { ...resolved, severity: "critical" },
        { businessHours: false },
      ),
    ).toMatchObject({ urgency: "notify" });
  });

  describe("flood collapse", () => {
    // One incident, 2000 updates of the same activity finding, one per 3 seconds (100 minutes).
    it("turns 2000 count updates into one alert plus at most one 'still happening' per interval", () => {
      const first = activityFinding({ count: 1, lastSeen: "2026-03-03T02:00:00.000Z" });
      const start = Date.parse(first.statusChangedAt);
      let lastAlertedAt: string | undefined;
      const decisions: string[] = [];
      let prev: Finding | undefined;
      let cur = first;
      for (let i = 0; i < 2000; i++) {
        const now = new Date(start + i * 3000);
        cur = i === 0 ? first : { ...cur, count: i + 1, lastSeen: now.toISOString() };
        const d = decideAlert(prev, cur, { now, ...(lastAlertedAt ? { lastAlertedAt } : {}) });
        if (d.alert) {
          decisions.push(d.transition);
          lastAlertedAt = now.toISOString();
        }
        prev = cur;
      }
      expect(decisions[0]).toBe("OPENED");
      expect(decisions.filter((d) => d === "STILL_HAPPENING")).toHaveLength(1);
      expect(decisions).toHaveLength(2);
    });

    it("says nothing while the count does not grow", () => {
      const a = activityFinding();
      expect(
        isStillHappening(
          a,
          { ...a, lastSeen: "2026-03-03T05:00:00.000Z" },
          undefined,
          new Date("2026-03-03T05:00:00Z"),
        ),
      ).toBe(false);
      expect(isStillHappening(a, { ...a, count: 2001 }, undefined, new Date("2026-03-03T05:00:00Z"))).toBe(
        true,
      );
      expect(
        isStillHappening(a, { ...a, count: 2001 }, "2026-03-03T04:30:00Z", new Date("2026-03-03T05:00:00Z")),
      ).toBe(false);
      expect(isStillHappening(driftFinding(), driftFinding({ count: 5 }), undefined, new Date())).toBe(false);
    });
  });

  it("forwards every lifecycle transition to SIEMs, but not refreshes", () => {
    expect(shouldForward(undefined, open, "low")).toBe("OPENED");
    expect(shouldForward(open, suppressed, "low")).toBe("SUPPRESSED");
    expect(shouldForward(open, { ...open, severity: "medium", transitions: 2 }, "low")).toBe("DEESCALATED");
    expect(shouldForward(open, { ...open, lastSeen: "2026-03-03T12:00:00.000Z" }, "low")).toBeUndefined();
    expect(shouldForward(undefined, driftFinding({ severity: "low" }), "high")).toBeUndefined();
    expect(classifyTransition(open, open)).toBeUndefined();
  });
});

describe("alert message", () => {
  it("has an SNS-safe subject: ASCII, one line, at most 100 characters", () => {
    const long = driftFinding({
      ruleId: "s3-encryption-cmk",
      subject: { ...open.subject, resourceId: `phi-recordings-${"x".repeat(200)}` },
    });
    const a = buildAlert(undefined, long, "OPENED", "notify");
    expect(a.subject.length).toBeLessThanOrEqual(100);
    expect(a.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(a.subject.endsWith("...")).toBe(true);
    expect(snsSubject("  Ünïcode — “quoted”\nsecond line ")).toBe('Unicode - "quoted" second line');
    expect(snsSubject("\u0000\u0001")).toBe("phiwatch alert");
  });

  it("tells a person on a phone what, where, why it matters, the HIPAA citation and what to do", () => {
    const a = buildAlert(undefined, open, "OPENED", "notify", { rationale: "Recordings hold PHI." });
    expect(a.subject).toBe("[phiwatch] HIGH NEW: s3-encryption-cmk - phi-recordings");
    expect(a.text).toContain("What: SSE-S3 (AES256) instead of aws:kms");
    expect(a.text).toContain("Where: AWS::S3::Bucket phi-recordings");
    expect(a.text).toContain("Account 111122223333, region us-east-1");
    expect(a.text).toContain("Why it matters: Recordings hold PHI.");
    expect(a.text).toContain("HIPAA: 45 CFR 164.312(a)(2)(iv)");
    expect(a.text).toMatch(/What to do: aws s3api put-bucket-encryption/);
    expect(a.text).toMatch(/^[\n\x20-\x7e]+$/);
  });

  it("explains the safeguard when the control's rationale is not given, and says what changed", () => {
    const a = buildAlert(open, { ...open, severity: "critical", transitions: 2 }, "ESCALATED", "page");
    expect(a.text).toContain("Severity raised from high to critical.");
    expect(a.text).toContain("encryption of PHI at rest");
    const r = buildAlert(open, resolved, "RESOLVED", "notify");
    expect(r.subject).toContain("RESOLVED");
    expect(r.text).not.toContain("What to do");
  });

  it("names the principal and the incident size for activity findings", () => {
    const f = activityFinding();
    const a = buildAlert(undefined, f, "OPENED", "page");
    expect(a.subject).toBe("[phiwatch] HIGH NEW: access-volume-spike - qa-analytics on phi-recordings");
    expect(a.text).toContain("Who: arn:aws:iam::111122223333:role/qa-analytics");
    expect(a.text).toContain("Events: 2000");
    const s = buildAlert(f, { ...f, count: 2500 }, "STILL_HAPPENING", "page");
    expect(s.text).toContain("Still happening: 2500 events since 2026-03-03T02:00:00.000Z");
  });

  it("carries filter-policy attributes and a deterministic dedup key", () => {
    const a = buildAlert(undefined, open, "OPENED", "notify");
    expect(a.attributes).toEqual({
      severity: "high",
      kind: "drift",
      controlId: "s3-encryption-cmk",
      account: "111122223333",
      region: "us-east-1",
      status: "OPEN",
      transition: "OPENED",
      urgency: "notify",
    });
    expect(a.dedupKey).toBe(buildAlert(undefined, open, "OPENED", "notify").dedupKey);
    expect(a.dedupKey).not.toBe(buildAlert(open, resolved, "RESOLVED", "notify").dedupKey);
  });

  it("publishes text to people and JSON to machines (SNS MessageStructure json)", () => {
    const a = buildAlert(undefined, open, "OPENED", "notify");
    const input = snsPublishInput(a);
    expect(input.MessageStructure).toBe("json");
    const perProtocol = JSON.parse(input.Message) as Record<string, string>;
    expect(perProtocol.default).toBe(a.text);
    expect(perProtocol.email).toBe(a.text);
    expect(JSON.parse(perProtocol.sqs!)).toMatchObject({
      schema: "phiwatch.finding-event/1",
      transition: "OPENED",
      alert: { urgency: "notify" },
    });
    expect(Object.keys(input.MessageAttributes)).toHaveLength(8);
    expect(input.MessageAttributes.severity).toEqual({ DataType: "String", StringValue: "high" });
    const plain = snsPublishInput(a, { structured: false });
    expect(plain.MessageStructure).toBeUndefined();
    expect(plain.Message).toBe(a.text);
    expect(Buffer.byteLength(input.Message)).toBeLessThan(256 * 1024);
  });

  it("fits SNS's 256 KB with evidence too large to repeat per protocol, leaving the evidence to the API", () => {
    // 200 entries (what redaction keeps of a list) of ~300 bytes: ~60 KB, nine copies in the message.
    const access = Array.from({ length: 200 }, (_, i) => ({
      action: "s3:DeleteObjectVersion",
      resource: `arn:aws:s3:::nw-phi-tagged-recordings-bucket-${String(i).padStart(4, "0")}/*`,
      effect: "allow",
      allowedBy: ["managed:arn:aws:iam::aws:policy/AdministratorAccess#0", "inline:admin/legacy-s3:AllowAll"],
    }));
    const big = driftFinding({
      ruleId: "iam-no-phi-delete",
      evidence: { identity: "arn:aws:iam::1:role/a", access },
    });
    const input = snsPublishInput(buildAlert(undefined, big, "OPENED", "notify"));
    const attributes = Object.entries(input.MessageAttributes).map(
      ([k, v]) => k + v.DataType + v.StringValue,
    );
    expect(
      Buffer.byteLength(input.Message) +
        Buffer.byteLength(input.Subject) +
        Buffer.byteLength(attributes.join("")),
    ).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    const payload = JSON.parse((JSON.parse(input.Message) as { sqs: string }).sqs);
    expect(payload.finding.evidence.omitted).toContain(`GET /findings/${big.findingId}`);
    expect(payload).toMatchObject({
      transition: "OPENED",
      finding: { findingId: big.findingId, summary: big.summary },
    });
    // Evidence that fits is sent as it is.
    const small = JSON.parse(
      (
        JSON.parse(snsPublishInput(buildAlert(undefined, open, "OPENED", "notify")).Message) as {
          sqs: string;
        }
      ).sqs,
    );
    expect(small.finding.evidence).toEqual(open.evidence);
  });

  it("defaults parse to a working policy", () => {
    expect(DEFAULT_ALERT_POLICY).toMatchObject({
      minSeverity: "medium",
      announceResolved: true,
      stillHappeningMinutes: 60,
    });
    expect(() => AlertPolicySchema.parse({ minSeverity: "urgent" })).toThrow();
  });
});
