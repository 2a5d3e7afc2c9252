import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../../packages/core/src/finding/types.ts";
import {
  encodeEvents,
  encodeWebhook,
  findingEvent,
  HEC_SOURCETYPE,
  hecAcked,
  hecBatches,
  hecOutcome,
  OCSF_REQUIRED,
  OCSF_VERSION,
  PHIWATCH_VERSION,
  parseHecResponse,
  toHec,
  toOcsf,
} from "../../../packages/core/src/format/index.ts";
import { activityFinding, driftFinding } from "./finding-fixtures.ts";

function get(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

function missingRequired(event: Record<string, unknown>): string[] {
  const cls = event.class_uid as 2003 | 2004;
  return OCSF_REQUIRED[cls].filter((p) => {
    const v = get(event, p);
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  });
}

const resolvedDrift: Finding = {
  ...driftFinding(),
  status: "RESOLVED",
  transitions: 2,
  statusChangedAt: "2026-03-03T11:00:00.000Z",
  lastSeen: "2026-03-03T11:00:00.000Z",
};

describe("OCSF output", () => {
  it("maps a drift finding to a Compliance Finding (2003) with every required attribute", () => {
    const e = toOcsf(undefined, driftFinding(), "OPENED", { productVersion: "0.1.0" });
    expect(missingRequired(e)).toEqual([]);
    expect(e).toMatchObject({
      class_uid: 2003,
      class_name: "Compliance Finding",
      category_uid: 2,
      activity_id: 1,
      activity_name: "Create",
      type_uid: 200301,
      severity_id: 4,
      severity: "High",
      status_id: 1,
      time: Date.parse("2026-03-03T10:00:00.000Z"),
      metadata: {
        version: OCSF_VERSION,
        product: { name: "phiwatch", vendor_name: "phiwatch", version: "0.1.0" },
      },
      finding_info: { uid: "f-0123456789abcdef01234567", title: driftFinding().title },
      compliance: {
        standards: ["HIPAA Security Rule (45 CFR Part 164)"],
        requirements: ["45 CFR 164.312(a)(2)(iv)"],
        control: "s3-encryption-cmk",
        status_id: 3,
        status: "Fail",
      },
      cloud: { provider: "AWS", region: "us-east-1", account: { uid: "111122223333", type_id: 10 } },
      resources: [{ uid: "phi-recordings", type: "AWS::S3::Bucket", region: "us-east-1" }],
    });
    expect(e.type_uid).toBe(e.class_uid * 100 + e.activity_id);
  });

  it.each([
    ["us-east-1", "aws"],
    ["us-gov-west-1", "aws-us-gov"],
    ["cn-northwest-1", "aws-cn"],
  ])("names the partition of a bucket (no ARN in its id) by its region %s: %s", (region, partition) => {
    const f = driftFinding();
    const e = toOcsf(undefined, { ...f, subject: { ...f.subject, region } }, "OPENED");
    expect(e.resources).toEqual([
      expect.objectContaining({ uid: "phi-recordings", cloud_partition: partition }),
    ]);
  });

  it("maps an activity finding to a Detection Finding (2004) with every required attribute", () => {
    const e = toOcsf(undefined, activityFinding(), "OPENED");
    expect(missingRequired(e)).toEqual([]);
    expect(e).toMatchObject({ class_uid: 2004, type_uid: 200401, count: 2000 });
    expect(e.compliance).toBeUndefined();
    expect(e.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uid: "arn:aws:iam::111122223333:role/qa-analytics" }),
      ]),
    );
    expect(e.start_time).toBe(Date.parse("2026-03-03T02:00:00.000Z"));
  });

  it.each<[string, "drift" | "activity", string, number, number]>([
    ["OPENED", "drift", "OPEN", 1, 1],
    ["REOPENED", "drift", "OPEN", 2, 1],
    ["ESCALATED", "activity", "OPEN", 2, 1],
    ["STILL_HAPPENING", "activity", "OPEN", 2, 1],
    ["SUPPRESSED", "drift", "SUPPRESSED", 2, 3],
    ["RESOLVED", "drift", "RESOLVED", 3, 4],
    ["RESOLVED", "activity", "RESOLVED", 3, 4],
  ])("maps %s (%s) to activity and status ids", (transition, kind, status, activity, statusId) => {
    const base = kind === "drift" ? driftFinding() : activityFinding();
    const e = toOcsf(base, { ...base, status: status as Finding["status"] }, transition as never);
    expect(e.activity_id).toBe(activity);
    expect(e.type_uid).toBe(e.class_uid * 100 + activity);
    expect(e.status_id).toBe(statusId);
    expect(missingRequired(e)).toEqual([]);
  });

  it("marks a resolved drift check as passing", () => {
    const e = toOcsf(driftFinding(), resolvedDrift, "RESOLVED");
    expect(e.compliance).toMatchObject({ status_id: 1, status: "Pass" });
    expect(e.time).toBe(Date.parse("2026-03-03T11:00:00.000Z"));
  });

  it("maps every severity to the OCSF severity_id scale", () => {
    const ids = (["info", "low", "medium", "high", "critical"] as const).map(
      (severity) => toOcsf(undefined, driftFinding({ severity }), "OPENED").severity_id,
    );
    expect(ids).toEqual([1, 2, 3, 4, 5]);
  });

  it("names phiwatch's release in metadata.product.version, whoever encodes the event", () => {
    // The forwarder encodes queued events with no options: the version must not depend on them.
    const [req] = encodeEvents("ocsf", [findingEvent(undefined, driftFinding(), "OPENED")]);
    expect(JSON.parse(req!.body).metadata.product).toEqual({
      name: "phiwatch",
      vendor_name: "phiwatch",
      version: PHIWATCH_VERSION,
    });
    const pkg = JSON.parse(readFileSync("packages/core/package.json", "utf8")) as { version: string };
    expect(PHIWATCH_VERSION).toBe(pkg.version);
  });
});

describe("Splunk HEC output", () => {
  it("builds a proper HEC envelope", () => {
    const e = toHec(undefined, driftFinding(), "OPENED", { index: "security" });
    expect(e).toMatchObject({
      time: 1772532000,
      host: "aws:111122223333:us-east-1",
      source: "phiwatch:drift",
      sourcetype: HEC_SOURCETYPE,
      index: "security",
      fields: {
        severity: "high",
        controlId: "s3-encryption-cmk",
        transition: "OPENED",
        account: "111122223333",
      },
      event: { schema: "phiwatch.finding-event/1", transition: "OPENED" },
    });
    expect(typeof e.time).toBe("number");
    expect(Object.values(e.fields).every((v) => typeof v === "string")).toBe(true);
    expect(toHec(undefined, driftFinding(), "OPENED").index).toBeUndefined();
    expect(
      toHec(
        undefined,
        driftFinding({ lastSeen: "2026-03-03T10:00:00.250Z", statusChangedAt: "2026-03-03T10:00:00.250Z" }),
        "OPENED",
      ).time,
    ).toBe(1772532000.25);
  });

  it("batches by concatenating envelopes, in order, under the byte limit", () => {
    const envs = Array.from({ length: 50 }, (_, i) =>
      toHec(undefined, driftFinding({ findingId: `f-${String(i).padStart(2, "0")}` }), "OPENED"),
    );
    const one = hecBatches(envs);
    expect(one).toHaveLength(1);
    const parsed = one[0]!.body.split("\n").map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.event.finding.findingId)).toEqual(envs.map((e) => e.event.finding.findingId));
    const size = Buffer.byteLength(JSON.stringify(envs[0])) + 1;
    const many = hecBatches(envs, size * 7);
    expect(many.map((b) => b.count)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(many.every((b) => Buffer.byteLength(b.body) <= size * 7)).toBe(true);
    expect(hecBatches(envs, 10).map((b) => b.count)).toEqual(Array(50).fill(1));
  });

  it("reads HEC responses and acknowledgements", () => {
    expect(parseHecResponse('{"text":"Success","code":0,"ackId":3}')).toEqual({
      text: "Success",
      code: 0,
      ackId: 3,
    });
    expect(parseHecResponse("<html>")).toEqual({});
    expect(hecOutcome(200, '{"text":"Success","code":0}')).toBe("ok");
    expect(hecOutcome(503, '{"text":"Server is busy","code":9}')).toBe("retry");
    expect(hecOutcome(403, '{"text":"Invalid token","code":4}')).toBe("permanent");
    expect(hecOutcome(400, '{"text":"Invalid data format","code":6}')).toBe("permanent");
    expect([...hecAcked('{"acks":{"3":true,"4":false}}')]).toEqual([3]);
    expect([...hecAcked("nope")]).toEqual([]);
  });
});

describe("webhook encoding", () => {
  const changes = [
    { next: driftFinding(), transition: "OPENED" as const },
    {
      old: activityFinding(),
      next: { ...activityFinding(), count: 2500 },
      transition: "STILL_HAPPENING" as const,
    },
  ];
  it("sends JSON and OCSF one event per request, HEC batched", () => {
    const json = encodeWebhook("json", changes);
    expect(json).toHaveLength(2);
    expect(JSON.parse(json[0]!.body)).toEqual(findingEvent(undefined, driftFinding(), "OPENED"));
    expect(json[1]!.eventIds).toEqual(["f-fedcba9876543210fedcba98:1:count:2500"]);
    const ocsf = encodeWebhook("ocsf", changes);
    expect(ocsf.map((r) => JSON.parse(r.body).class_uid)).toEqual([2003, 2004]);
    const hec = encodeWebhook("hec", changes, { index: "phi" });
    expect(hec).toHaveLength(1);
    expect(hec[0]!.eventIds).toHaveLength(2);
    expect(hec[0]!.body.split("\n").map((l) => JSON.parse(l).index)).toEqual(["phi", "phi"]);
  });

  it("encodes the same bytes from queued events (JSON round-trip) as from findings", () => {
    const queued = changes.map((c) => JSON.parse(JSON.stringify(findingEvent(c.old, c.next, c.transition))));
    for (const format of ["json", "ocsf", "hec"] as const)
      expect(encodeEvents(format, queued, { index: "phi" })).toEqual(
        encodeWebhook(format, changes, { index: "phi" }),
      );
  });
});
