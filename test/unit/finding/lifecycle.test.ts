import { describe, expect, it } from "vitest";
import {
  closeIncident,
  decide,
  type Observation,
  reconsiderSuppression,
  revisionAfter,
  suppress,
  unsuppress,
} from "../../../packages/core/src/index.ts";

const obs = (over: Partial<Observation> = {}): Observation => ({
  kind: "drift",
  ruleId: "s3-encryption-cmk",
  title: "PHI buckets encrypt with a customer-managed KMS key",
  severity: "high",
  hipaa: ["164.312(a)(2)(iv)"],
  subject: {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "b",
  },
  verdict: "fail",
  summary: "SSE-S3 (AES256) instead of aws:kms",
  evidence: { sseAlgorithm: "AES256" },
  observedAt: "2026-03-03T10:00:00.000Z",
  cause: "evt-1",
  ...over,
});

describe("finding lifecycle", () => {
  it("opens a finding on first failure with one history entry", () => {
    const c = decide(undefined, obs());
    expect(c?.next.status).toBe("OPEN");
    expect(c?.expect).toBe("absent");
    expect(c?.history).toMatchObject({ from: "NEW", to: "OPEN", seq: 1 });
  });

  it("writes nothing when the same failure is observed again", () => {
    const open = decide(undefined, obs())!.next;
    expect(decide(open, obs())).toBeUndefined();
  });

  it("decides every write on the revision it read and stores the next one", () => {
    const created = decide(undefined, obs())!;
    expect(created.next.revision).toBe(1);
    const open = created.next;
    // Evidence only: neither transitions nor lastSeen move, the revision does.
    const evidence = decide(open, obs({ evidence: { sseAlgorithm: "aws:kms:dsse" } }))!;
    expect(evidence.expect).toEqual({ revision: 1, transitions: 1, lastSeen: open.lastSeen });
    expect(evidence.next).toMatchObject({ revision: 2, transitions: 1, lastSeen: open.lastSeen });
    const resolved = decide(evidence.next, obs({ verdict: "pass", observedAt: "2026-03-03T11:00:00.000Z" }))!;
    expect(resolved.expect).toMatchObject({ revision: 2 });
    expect(resolved.next.revision).toBe(3);
    const s = suppress(open, "accepted", "2026-04-01T00:00:00.000Z", "ana", "2026-03-03T10:05:00.000Z");
    expect(s.expect).toMatchObject({ revision: 1 });
    expect(s.next.revision).toBe(2);
    expect(unsuppress(s.next, "withdrawn", "ana", "2026-03-03T10:06:00.000Z").next.revision).toBe(3);
  });

  it("never dates a person's suppress or lift before the finding's last transition", () => {
    // Activity is accepted up to 5 minutes ahead of the clock: a finding can carry a statusChangedAt
    // later than the API's "now". The person's action must still sort after it, with their time kept.
    const open = decide(undefined, obs({ observedAt: "2026-03-03T10:04:00.000Z" }))!.next;
    const s = suppress(open, "accepted", "2026-04-01T00:00:00.000Z", "ana", "2026-03-03T10:00:00.000Z");
    expect(s.next.statusChangedAt).toBe("2026-03-03T10:04:00.000Z");
    expect(s.history?.at).toBe("2026-03-03T10:04:00.000Z");
    expect(s.history?.evidence).toMatchObject({ requestedAt: "2026-03-03T10:00:00.000Z" });
    const l = unsuppress(s.next, "withdrawn", "ana", "2026-03-03T10:01:00.000Z");
    expect(l.history?.at).toBe("2026-03-03T10:04:00.000Z");
    expect(l.history?.evidence).toMatchObject({ requestedAt: "2026-03-03T10:01:00.000Z" });
    // In the usual case the person's own time is the transition's, and no extra field is added.
    const later = suppress(open, "accepted", "2026-04-01T00:00:00.000Z", "ana", "2026-03-03T11:00:00.000Z");
    expect(later.history?.at).toBe("2026-03-03T11:00:00.000Z");
    expect(later.history?.evidence).toEqual({ reason: "accepted", until: "2026-04-01T00:00:00.000Z" });
  });

  it("expects no revision on an item stored without one, and stores revision 1", () => {
    const { revision: _, ...legacy } = decide(undefined, obs())!.next;
    const c = decide(legacy, obs({ evidence: { sseAlgorithm: "aws:kms:dsse" } }))!;
    expect(c.expect).toEqual({ transitions: 1, lastSeen: legacy.lastSeen });
    expect(c.next.revision).toBe(1);
    expect(revisionAfter(c.expect)).toBe(1);
    expect(revisionAfter("absent")).toBe(1);
  });

  it("writes nothing for a pass with no finding", () => {
    expect(decide(undefined, obs({ verdict: "pass" }))).toBeUndefined();
  });

  it("resolves when compliant again, and re-opens on regression", () => {
    const open = decide(undefined, obs())!.next;
    const resolved = decide(
      open,
      obs({ verdict: "pass", observedAt: "2026-03-03T11:00:00.000Z", summary: "ok" }),
    )!;
    expect(resolved.history).toMatchObject({ from: "OPEN", to: "RESOLVED", seq: 2 });
    const reopened = decide(resolved.next, obs({ observedAt: "2026-03-03T12:00:00.000Z" }))!;
    expect(reopened.history).toMatchObject({ from: "RESOLVED", to: "OPEN", seq: 3 });
    expect(reopened.next.firstSeen).toBe("2026-03-03T10:00:00.000Z");
  });

  it("ignores an observation older than the state already applied (out-of-order delivery)", () => {
    const open = decide(undefined, obs())!.next;
    const resolved = decide(open, obs({ verdict: "pass", observedAt: "2026-03-03T11:00:00.000Z" }))!.next;
    expect(decide(resolved, obs({ observedAt: "2026-03-03T10:30:00.000Z" }))).toBeUndefined();
  });

  it("records a severity escalation in history without changing status", () => {
    const open = decide(undefined, obs())!.next;
    const c = decide(open, obs({ severity: "critical", observedAt: "2026-03-03T10:05:00.000Z" }))!;
    expect(c.next.status).toBe("OPEN");
    expect(c.history).toMatchObject({ from: "OPEN", to: "OPEN", severity: "critical" });
  });

  it("keeps an active suppression and re-opens an expired one", () => {
    const open = decide(undefined, obs())!.next;
    const suppressed = {
      ...open,
      status: "SUPPRESSED" as const,
      suppression: { reason: "r", until: "2026-04-01T00:00:00.000Z", by: "u" },
    };
    const during = decide(
      suppressed,
      obs({ observedAt: "2026-03-05T00:00:00.000Z", evidence: { x: 1 } }),
      new Date("2026-03-05T00:00:00Z"),
    );
    expect(during?.next.status).toBe("SUPPRESSED");
    const after = decide(
      suppressed,
      obs({ observedAt: "2026-04-05T00:00:00.000Z" }),
      new Date("2026-04-05T00:00:00Z"),
    );
    expect(after?.next.status).toBe("OPEN");
  });
});

describe("baseline suppressions", () => {
  const until = "2026-12-31T00:00:00.000Z";
  const by = { reason: "legacy exports bucket, migration ticket SEC-42", until, by: "baseline" };

  it("records a suppressed failure as SUPPRESSED from the start, in history", () => {
    const c = decide(undefined, obs({ suppressedBy: by }), new Date("2026-03-03T10:00:00Z"))!;
    expect(c.next.status).toBe("SUPPRESSED");
    expect(c.next.suppression).toEqual(by);
    expect(c.history).toMatchObject({ from: "NEW", to: "SUPPRESSED" });
  });

  it("suppresses an open finding once the baseline covers it, and re-opens it when the suppression expires", () => {
    const open = decide(undefined, obs(), new Date("2026-03-03T10:00:00Z"))!.next;
    const s = decide(
      open,
      obs({ observedAt: "2026-03-04T10:00:00.000Z", suppressedBy: by }),
      new Date("2026-03-04T10:00:00Z"),
    )!;
    expect(s.history).toMatchObject({ from: "OPEN", to: "SUPPRESSED" });
    const later = decide(
      s.next,
      obs({ observedAt: "2027-01-02T10:00:00.000Z" }),
      new Date("2027-01-02T10:00:00Z"),
    )!;
    expect(later.next.status).toBe("OPEN");
  });
});

describe("transitions over a year (the configuration unchanged, the judging changed)", () => {
  // Config captured the bucket in March; the sweep re-evaluates the same item every hour after.
  const captured = "2026-03-03T10:00:00.000Z";
  const baselineBy = (until: string, reason = "legacy exports bucket, migration ticket SEC-42") => ({
    reason,
    until,
    by: "baseline",
  });

  it("dates a transition the baseline caused at the evaluation, not at Config's capture months before", () => {
    const open = decide(undefined, obs(), new Date(captured))!.next;
    const now = new Date("2026-11-24T21:00:00.000Z");
    // A severity override raised in the redeployed baseline.
    const up = decide(open, obs({ severity: "critical" }), now)!;
    expect(up.history?.at).toBe(now.toISOString());
    // The bucket taken out of the PHI buckets: NOT_APPLICABLE, resolved now.
    const out = decide(up.next, obs({ verdict: "pass", summary: "not a PHI bucket in the baseline" }), now)!;
    expect(out.next.statusChangedAt).toBe(now.toISOString());
    expect(out.history).toMatchObject({ from: "OPEN", to: "RESOLVED", at: now.toISOString() });
  });

  it("never dates a transition before the one it follows (an expired API suppression re-opened)", () => {
    const open = decide(undefined, obs(), new Date(captured))!.next;
    const suppressed = suppress(
      open,
      "accepted",
      "2026-06-01T00:00:00.000Z",
      "u",
      "2026-05-01T00:00:00.000Z",
    ).next;
    const now = new Date("2026-06-01T00:30:00.000Z");
    const c = decide(suppressed, obs(), now)!;
    expect(c.next.status).toBe("OPEN");
    expect(c.history?.at).toBe(now.toISOString());
    expect(c.history?.evidence).toMatchObject({ suppressionEnded: "expired 2026-06-01T00:00:00.000Z" });
  });

  it("keeps the observation's time when it brings newer configuration", () => {
    const open = decide(undefined, obs(), new Date(captured))!.next;
    const fixed = decide(
      open,
      obs({ verdict: "pass", observedAt: "2026-03-04T08:00:00.000Z" }),
      new Date("2026-03-04T09:00:00Z"),
    )!;
    expect(fixed.history?.at).toBe("2026-03-04T08:00:00.000Z");
  });

  it("re-opens a finding whose baseline suppression was removed from the baseline before its end", () => {
    const s = decide(
      undefined,
      obs({ suppressedBy: baselineBy("2026-12-31T05:00:00.000Z") }),
      new Date(captured),
    )!.next;
    const now = new Date("2026-06-01T12:00:00.000Z");
    const c = decide(s, obs(), now)!;
    expect(c.next.status).toBe("OPEN");
    expect(c.next.suppression).toBeUndefined();
    expect(c.history).toMatchObject({
      from: "SUPPRESSED",
      to: "OPEN",
      at: now.toISOString(),
      evidence: { suppressionEnded: "withdrawn from the baseline" },
    });
  });

  it("carries a baseline suppression the baseline now words differently (cut short), in history", () => {
    const s = decide(
      undefined,
      obs({ suppressedBy: baselineBy("2026-12-31T05:00:00.000Z") }),
      new Date(captured),
    )!.next;
    const shorter = baselineBy("2026-07-01T04:00:00.000Z");
    const c = decide(s, obs({ suppressedBy: shorter }), new Date("2026-06-01T12:00:00.000Z"))!;
    expect(c.next).toMatchObject({ status: "SUPPRESSED", suppression: shorter });
    expect(c.history).toMatchObject({
      from: "SUPPRESSED",
      to: "SUPPRESSED",
      evidence: { suppression: shorter },
    });
    // The same wording again: nothing to write.
    expect(
      decide(c.next, obs({ suppressedBy: shorter }), new Date("2026-06-01T13:00:00.000Z")),
    ).toBeUndefined();
  });

  it("leaves a suppression a person set through the API to its own end, whatever the baseline says", () => {
    const open = decide(undefined, obs(), new Date(captured))!.next;
    const s = suppress(
      open,
      "accepted",
      "2026-12-01T00:00:00.000Z",
      "arn:aws:iam::1:user/ana",
      "2026-05-01T00:00:00.000Z",
    ).next;
    expect(decide(s, obs(), new Date("2026-06-01T12:00:00.000Z"))).toBeUndefined();
  });
});

describe("reconsiderSuppression (findings nothing re-evaluates)", () => {
  const now = new Date("2026-11-24T21:00:00.000Z");
  const open = decide(undefined, obs(), new Date("2026-03-03T10:00:00.000Z"))!.next;

  it("re-opens a finding whose suppression ended", () => {
    const s = suppress(
      open,
      "accepted",
      "2026-11-23T00:00:00.000Z",
      "arn:aws:iam::1:user/ana",
      "2026-10-01T00:00:00.000Z",
    ).next;
    const c = reconsiderSuppression(s, undefined, now, "sweep:s1")!;
    expect(c.next.status).toBe("OPEN");
    expect(c.next.suppression).toBeUndefined();
    expect(c.history).toMatchObject({
      from: "SUPPRESSED",
      to: "OPEN",
      at: now.toISOString(),
      cause: "sweep:s1",
    });
  });

  it("keeps a running suppression, and re-opens or rewords one the baseline withdrew or changed", () => {
    const byPerson = suppress(
      open,
      "accepted",
      "2026-12-01T00:00:00.000Z",
      "arn:aws:iam::1:user/ana",
      "2026-10-01T00:00:00.000Z",
    ).next;
    expect(reconsiderSuppression(byPerson, undefined, now, "sweep:s1")).toBeUndefined();
    const cover = { reason: "legacy", until: "2026-12-31T05:00:00.000Z", by: "baseline" };
    const byBaseline = { ...open, status: "SUPPRESSED" as const, suppression: cover, transitions: 2 };
    expect(reconsiderSuppression(byBaseline, cover, now, "sweep:s1")).toBeUndefined();
    expect(reconsiderSuppression(byBaseline, undefined, now, "sweep:s1")?.next.status).toBe("OPEN");
    const reworded = { ...cover, until: "2026-12-15T05:00:00.000Z" };
    expect(reconsiderSuppression(byBaseline, reworded, now, "sweep:s1")?.next).toMatchObject({
      status: "SUPPRESSED",
      suppression: reworded,
      transitions: 3,
    });
  });

  it("hands a person's ended suppression to the baseline's that covers the finding, as an evaluation does", () => {
    const ended = suppress(
      open,
      "accepted",
      "2026-11-23T00:00:00.000Z",
      "arn:aws:iam::1:user/ana",
      "2026-10-01T00:00:00.000Z",
    ).next;
    const cover = { reason: "legacy", until: "2026-12-31T05:00:00.000Z", by: "baseline" };
    // What the sweep's evaluation of the same finding records: suppressed by the baseline, no alert.
    const evaluated = decide(ended, obs({ suppressedBy: cover }), now)!;
    expect(evaluated.next).toMatchObject({ status: "SUPPRESSED", suppression: cover });
    // Reconcile (a finding nothing re-evaluates: an incident, an unreadable resource) must agree;
    // re-opening it would alert on a finding the baseline suppresses, and leave it open.
    const c = reconsiderSuppression(ended, cover, now, "sweep:s1")!;
    expect(c.next).toMatchObject({
      status: "SUPPRESSED",
      suppression: cover,
      transitions: ended.transitions + 1,
    });
    expect(c.history).toMatchObject({ from: "SUPPRESSED", to: "SUPPRESSED", cause: "sweep:s1" });
  });
});

describe("baselineSuppression", () => {
  it("matches rule and resource globs, and ignores expired entries", async () => {
    const { baselineSuppression } = await import("../../../packages/core/src/index.ts");
    const { testBaseline } = await import("../../helpers/baseline.ts");
    const b = testBaseline({
      suppressions: [
        { rule: "s3-*", resource: "legacy-*", reason: "migration SEC-42", until: "2026-12-31" },
        { rule: "s3-tls-only", resource: "old-bucket", reason: "expired one", until: "2020-01-01" },
      ],
    });
    const now = new Date("2026-03-03T00:00:00Z");
    expect(baselineSuppression(b, "s3-acls-disabled", { resourceId: "legacy-exports" }, now)?.reason).toBe(
      "migration SEC-42",
    );
    expect(baselineSuppression(b, "kms-rotation", { resourceId: "legacy-exports" }, now)).toBeUndefined();
    expect(baselineSuppression(b, "s3-tls-only", { resourceId: "old-bucket" }, now)).toBeUndefined();
  });

  it("holds through the end of the until date in the organisation's time zone (America/New_York)", async () => {
    const { baselineSuppression } = await import("../../../packages/core/src/index.ts");
    const { testBaseline } = await import("../../helpers/baseline.ts");
    const b = testBaseline({
      suppressions: [{ rule: "s3-*", resource: "legacy-*", reason: "migration SEC-42", until: "2026-12-31" }],
    });
    const at = (iso: string) =>
      baselineSuppression(b, "s3-acls-disabled", { resourceId: "legacy-exports" }, new Date(iso));
    // 31 Dec, 19:30 in New York (00:30 UTC on 1 Jan): still covered, as "until 31 Dec" reads.
    expect(at("2027-01-01T00:30:00Z")).toEqual({
      reason: "migration SEC-42",
      until: "2027-01-01T05:00:00.000Z",
      by: "baseline",
    });
    expect(at("2027-01-01T04:59:59Z")).toBeDefined();
    expect(at("2027-01-01T05:00:00Z")).toBeUndefined();
  });
});

describe("an incident closed after review", () => {
  const spike = (over: Partial<Observation> = {}) =>
    obs({
      kind: "activity",
      ruleId: "access-volume-spike",
      subject: {
        accountId: "111122223333",
        region: "us-east-1",
        resourceType: "AWS::S3::Bucket",
        resourceId: "b",
        principal: "arn:aws:iam::111122223333:role/export",
      },
      summary: "2000 reads between 02:00 and 02:15",
      evidence: { reads: 2000 },
      count: 2000,
      observedAt: "2026-03-03T07:10:00.000Z",
      ...over,
    });
  const closed = () => {
    const open = decide(undefined, spike())!.next;
    return closeIncident(open, "approved export, CHG-88", "ana", "2026-03-03T09:00:00.000Z");
  };

  it("is RESOLVED by the person, with their reason; the incident's evidence is kept", () => {
    const c = closed();
    expect(c.next).toMatchObject({
      status: "RESOLVED",
      evidence: { reads: 2000 },
      count: 2000,
      closure: { reason: "approved export, CHG-88", by: "ana" },
    });
    expect(c.next.summary).toBe(
      "Closed after review: approved export, CHG-88 (2000 reads between 02:00 and 02:15)",
    );
    expect(c.history).toMatchObject({ from: "OPEN", to: "RESOLVED", cause: "user:ana" });
  });

  it("stays closed when the activity it reviewed is observed again (a redelivery, a re-evaluated window)", () => {
    const c = closed();
    expect(decide(c.next, spike(), new Date("2026-03-03T09:05:00.000Z"))).toBeUndefined();
    expect(decide(c.next, spike({ count: 1500 }), new Date("2026-03-03T09:05:00.000Z"))).toBeUndefined();
  });

  it("re-opens when the incident grows after it was closed, or when it happens again later", () => {
    const c = closed();
    const grew = decide(c.next, spike({ count: 2100 }), new Date("2026-03-03T09:05:00.000Z"))!;
    expect(grew.next).toMatchObject({ status: "OPEN", count: 2100 });
    expect(grew.next.closure).toBeUndefined();
    expect(grew.history).toMatchObject({ from: "RESOLVED", to: "OPEN" });
    const again = decide(c.next, spike({ observedAt: "2026-03-04T07:00:00.000Z" }))!;
    expect(again.next.status).toBe("OPEN");
  });

  it("refuses a drift finding: it resolves when its resource is compliant", () => {
    const open = decide(undefined, obs())!.next;
    expect(() => closeIncident(open, "fixed", "ana", "2026-03-03T11:00:00.000Z")).toThrow(
      /resolves when the resource is compliant/,
    );
  });
});
