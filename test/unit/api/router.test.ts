import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { Api, type Report } from "../../../packages/core/src/index.ts";
import { activityFinding, driftFinding } from "../format/finding-fixtures.ts";
import { MemoryFindingStore } from "./memory-store.ts";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const CALLER = "arn:aws:iam::111122223333:user/compliance-ana";
const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let store: MemoryFindingStore;
let postures: Report.PostureSnapshot[];
let timeZone: string | undefined;
const deps = () => ({
  findings: store,
  posture: { page: async (q: { limit: number }) => ({ items: postures.slice(0, q.limit) }) },
  now: () => NOW,
  ...(timeZone ? { timeZone } : {}),
});
const call = async (
  method: string,
  path: string,
  query: Record<string, string> = {},
  body?: unknown,
  caller: string | null = CALLER,
) => {
  const res = await Api.handleApiRequest(
    {
      method,
      path,
      query,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      ...(caller ? { caller } : {}),
    },
    deps(),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON answers
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any>, headers: res.headers };
};

beforeEach(() => {
  store = new MemoryFindingStore();
  postures = [];
  timeZone = undefined;
  store.findings.set("f-0123456789abcdef01234567", driftFinding());
  store.findings.set(
    "f-00000000000000000000000b",
    driftFinding({
      findingId: "f-00000000000000000000000b",
      ruleId: "s3-block-public-access",
      severity: "critical",
      subject: {
        accountId: "444455556666",
        region: "us-east-2",
        resourceType: "AWS::S3::Bucket",
        resourceId: "other",
      },
    }),
  );
});

describe("api GET /findings", () => {
  it("lists findings as JSON with no-store caching", async () => {
    const r = await call("GET", "/findings");
    expect(r.status).toBe(200);
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.body.items).toHaveLength(2);
  });

  it("maps control, account, status and severity filters onto the store query", async () => {
    const r = await call("GET", "/findings", {
      control: "s3-encryption-cmk",
      account: "111122223333",
      status: "open",
      severity: "high",
    });
    expect(r.status).toBe(200);
    expect(store.queries.at(-1)).toMatchObject({
      ruleId: "s3-encryption-cmk",
      accountId: "111122223333",
      status: "OPEN",
      severity: "high",
    });
    expect(r.body.items.map((f: { ruleId: string }) => f.ruleId)).toEqual(["s3-encryption-cmk"]);
  });

  it("filters by region after the query", async () => {
    const r = await call("GET", "/findings", { region: "us-east-2" });
    expect(r.body.items.map((f: { subject: { resourceId: string } }) => f.subject.resourceId)).toEqual([
      "other",
    ]);
  });

  it("pages with the store's cursor", async () => {
    const first = await call("GET", "/findings", { limit: "1" });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.cursor).toBeTypeOf("string");
    const second = await call("GET", "/findings", { limit: "1", cursor: first.body.cursor });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].findingId).not.toBe(first.body.items[0].findingId);
    expect(second.body.cursor).toBeUndefined();
  });

  it.each([
    [{ status: "BROKEN" }, "query.status"],
    [{ severity: "urgent" }, "query.severity"],
    [{ account: "12" }, "query.account"],
    [{ resource: "phi-recordings" }, "query.resource"],
    [{ from: "yesterday" }, "query.from"],
    [{ from: "2026-03-02", to: "2026-03-01" }, "query.from"],
    [{ limit: "0" }, "query.limit"],
    [{ limit: "501" }, "query.limit"],
    [{ cursor: "not a cursor!" }, "query.cursor"],
    [{ sort: "asc" }, "query"],
    [{ control: "s3-tls-only", detector: "access-volume-spike" }, "query.detector"],
    [{ control: "s3-encryption-cmkk" }, "query.control"],
    [{ detector: "access-of-hours" }, "query.detector"],
  ])("rejects %j with 400 naming %s", async (query, field) => {
    const r = await call("GET", "/findings", query as Record<string, string>);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("BadRequest");
    expect(r.body.error.field).toBe(field);
    expect(r.body.error.message).toContain(field);
  });

  it("names the unknown control or detector id in the 400", async () => {
    const r = await call("GET", "/findings", { control: "s3-encryption-cmkk" });
    expect(r.body.error.message).toBe(
      'query.control: "s3-encryption-cmkk" is no control or detector id (the ids are listed in docs/controls.md and docs/detectors.md)',
    );
    expect((await call("GET", "/findings", { detector: "access-off-hours" })).status).toBe(200);
  });

  it("rejects an over-long query value with 413", async () => {
    const r = await call("GET", "/findings", {
      resource: "x".repeat(3000),
      account: "111122223333",
      region: "us-east-1",
    });
    expect(r.status).toBe(413);
  });
});

describe("api GET /findings/{id}", () => {
  it("returns the finding with its full history", async () => {
    await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "compensating control", until: "2026-04-01T00:00:00Z" },
    );
    const r = await call("GET", "/findings/f-0123456789abcdef01234567");
    expect(r.status).toBe(200);
    expect(r.body.finding.status).toBe("SUPPRESSED");
    expect(r.body.history).toHaveLength(1);
  });

  it.each([
    ["/findings/nope", 400],
    ["/findings/f-ffffffffffffffffffffffff", 404],
  ])("%s → %i", async (path, status) => {
    expect((await call("GET", path)).status).toBe(status);
  });
});

describe("api suppress/unsuppress", () => {
  it("suppresses with reason, expiry and the caller's identity, recorded in history", async () => {
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "risk accepted until migration", until: "2026-04-01T00:00:00Z" },
    );
    expect(r.status).toBe(200);
    expect(r.body.finding.suppression).toEqual({
      reason: "risk accepted until migration",
      until: "2026-04-01T00:00:00.000Z",
      by: CALLER,
    });
    expect(store.history.at(-1)).toMatchObject({ from: "OPEN", to: "SUPPRESSED", cause: `user:${CALLER}` });
  });

  it.each([
    // "until 1 April" covers 1 April: it ends at the next midnight in the organisation's time zone.
    ["2026-04-01", "America/New_York", "2026-04-02T04:00:00.000Z"],
    ["2026-04-01", undefined, "2026-04-02T00:00:00.000Z"],
    ["2026-12-31", "America/New_York", "2027-01-01T05:00:00.000Z"],
    // Today is a valid expiry date: it runs to the end of today (NOW is 2026-03-10 08:00 in New York).
    ["2026-03-10", "America/New_York", "2026-03-11T04:00:00.000Z"],
    // A time without a zone is the organisation's wall clock, whatever the machine's time zone.
    ["2026-04-01T17:00", "America/New_York", "2026-04-01T21:00:00.000Z"],
    ["2026-04-01T17:00:00Z", "America/New_York", "2026-04-01T17:00:00.000Z"],
  ])("ends a suppression until %s (organisation time zone %s) at %s", async (until, tz, end) => {
    timeZone = tz;
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "risk accepted until migration", until },
    );
    expect(r.status).toBe(200);
    expect(r.body.finding.suppression.until).toBe(end);
  });

  it.each(["2026-06-31T00:00:00Z", "2026-04-31", "2027-02-29"])(
    "refuses an expiry on a day the calendar does not have (%s), rather than moving it",
    async (until) => {
      const r = await call(
        "POST",
        "/findings/f-0123456789abcdef01234567/suppress",
        {},
        { reason: "risk accepted until migration", until },
      );
      expect(r).toMatchObject({ status: 400, body: { error: { field: "body.until" } } });
      expect(store.findings.get("f-0123456789abcdef01234567")?.status).toBe("OPEN");
    },
  );

  it("redacts PHI-shaped text in the reason", async () => {
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "patient 123-45-6789 complained", until: "2026-04-01T00:00:00Z" },
    );
    expect(r.body.finding.suppression.reason).not.toContain("123-45-6789");
  });

  it("unsuppresses back to OPEN with the caller in history", async () => {
    await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "temporary", until: "2026-04-01T00:00:00Z" },
    );
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/unsuppress",
      {},
      { reason: "exception withdrawn" },
    );
    expect(r.status).toBe(200);
    expect(r.body.finding.status).toBe("OPEN");
    expect(r.body.finding.suppression).toBeUndefined();
    expect(store.history.map((h) => `${h.from}>${h.to}`)).toEqual(["OPEN>SUPPRESSED", "SUPPRESSED>OPEN"]);
  });

  it.each([
    [{ reason: "ok reason", until: "2026-03-01T00:00:00Z" }, 400, "body.until"],
    [{ reason: "ok reason", until: "2028-03-01T00:00:00Z" }, 400, "body.until"],
    [{ reason: "x", until: "2026-04-01T00:00:00Z" }, 400, "body.reason"],
    [{ reason: "ok reason" }, 400, "body.until"],
    [{ reason: "ok reason", until: "2026-04-01T00:00:00Z", by: "someone-else" }, 400, "body"],
    ["{not json", 400, "body"],
    [`{"reason":"${"a".repeat(9000)}"}`, 413, "body"],
  ])("rejects bad body #%#", async (body, status, field) => {
    const r = await call("POST", "/findings/f-0123456789abcdef01234567/suppress", {}, body);
    expect(r.status).toBe(status);
    expect(r.body.error.field).toBe(field);
  });

  it("requires an IAM caller", async () => {
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "ok reason", until: "2026-04-01T00:00:00Z" },
      null,
    );
    expect(r.status).toBe(401);
  });

  it("refuses to unsuppress a finding that is not suppressed", async () => {
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/unsuppress",
      {},
      { reason: "why not" },
    );
    expect(r.status).toBe(409);
  });

  it("suppresses a finding updated between its read and its write, keeping that update", async () => {
    const id = "f-0123456789abcdef01234567";
    // A re-evaluation stores new evidence while the suppression is being decided.
    store.beforeWrite = (s) => {
      const cur = s.findings.get(id)!;
      s.findings.set(id, {
        ...cur,
        evidence: { sseAlgorithm: "aws:kms" },
        revision: (cur.revision ?? 0) + 1,
      });
    };
    const r = await call(
      "POST",
      `/findings/${id}/suppress`,
      {},
      { reason: "accepted until migration", until: "2026-04-01T00:00:00Z" },
    );
    expect(store.findings.get(id)?.evidence).toEqual({ sseAlgorithm: "aws:kms" });
    expect(r.status).toBe(200);
    expect(store.findings.get(id)).toMatchObject({ status: "SUPPRESSED", transitions: 2 });
    expect(store.history).toHaveLength(1);
  });

  it("refuses to suppress a finding resolved between its read and its write", async () => {
    const id = "f-0123456789abcdef01234567";
    store.beforeWrite = (s) => {
      const cur = s.findings.get(id)!;
      s.findings.set(id, { ...cur, status: "RESOLVED", transitions: 2, revision: (cur.revision ?? 0) + 1 });
    };
    const r = await call(
      "POST",
      `/findings/${id}/suppress`,
      {},
      { reason: "accepted until migration", until: "2026-04-01T00:00:00Z" },
    );
    expect(r.status).toBe(409);
    expect(r.body.error.message).toContain("RESOLVED");
    expect(store.findings.get(id)?.status).toBe("RESOLVED");
  });

  it("refuses to suppress a resolved finding", async () => {
    store.findings.set("f-0123456789abcdef01234567", driftFinding({ status: "RESOLVED" }));
    const r = await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "ok reason", until: "2026-04-01T00:00:00Z" },
    );
    expect(r.status).toBe(409);
  });
});

describe("api other routes", () => {
  it("returns the drift history of a resource", async () => {
    await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      { reason: "temporary", until: "2026-04-01T00:00:00Z" },
    );
    const r = await call("GET", "/resources/phi-recordings/history", {
      account: "111122223333",
      region: "us-east-1",
    });
    expect(r.status).toBe(200);
    expect(r.body.history).toHaveLength(1);
    expect((await call("GET", "/resources/phi-recordings/history")).status).toBe(400);
  });

  // HTTP APIs hand the function `rawPath` already percent-decoded (a client's `%2F` arrives as `/`):
  // a resource id with a slash — a KMS key ARN, the subject of kms-decrypt-anomaly and tamper-key
  // findings — must still reach its history, and the path must not decide anything else.
  it.each([
    ["as HTTP API delivers it (decoded)", `/resources/${KEY_ARN}/history`],
    ["percent-encoded", `/resources/${encodeURIComponent(KEY_ARN)}/history`],
  ])("returns the history of a resource whose id holds a slash, %s", async (_how, path) => {
    store.findings.set(
      "f-0123456789abcdef01234567",
      driftFinding({
        subject: { ...driftFinding().subject, resourceType: "AWS::KMS::Key", resourceId: KEY_ARN },
      }),
    );
    await call(
      "POST",
      "/findings/f-0123456789abcdef01234567/suppress",
      {},
      {
        reason: "temporary",
        until: "2026-04-01T00:00:00Z",
      },
    );
    const r = await call("GET", path, { account: "111122223333", region: "us-east-1" });
    expect(r.status).toBe(200);
    expect(r.body.resource.resourceId).toBe(KEY_ARN);
    expect(r.body.history).toHaveLength(1);
  });

  it.each([
    ["GET", "/resources/history", 404],
    ["GET", "/resources//history", 404],
    ["POST", `/resources/${KEY_ARN}/history`, 405],
    ["GET", "/resources/a/b/history/x", 404],
  ])("%s %s → %i", async (method, path, status) => {
    expect((await call(method, path, { account: "111122223333", region: "us-east-1" })).status).toBe(status);
  });

  it("returns posture snapshots", async () => {
    postures = [{ at: "2026-03-10T11:00:00.000Z" } as Report.PostureSnapshot];
    const r = await call("GET", "/posture", { limit: "5" });
    expect(r.body.items).toHaveLength(1);
  });

  it.each([
    ["GET", "/nowhere", 404],
    ["DELETE", "/findings", 405],
    ["GET", "/findings/f-0123456789abcdef01234567/suppress", 405],
  ])("%s %s → %i with a JSON error", async (method, path, status) => {
    const r = await call(method, path);
    expect(r.status).toBe(status);
    expect(r.body.error.message).toBeTypeOf("string");
  });
});

describe("api routes: one spelling each, as IAM authorises it", () => {
  // API Gateway authorises `execute-api:Invoke` on the method and path as sent
  // (…/$default/POST/findings/*/suppress). A spelling the router also took — a trailing or doubled
  // slash, a lower-case method — is a request no statement written for the route matches: it slipped
  // past a Deny of that route and reached it anyway.
  const ID = "f-0123456789abcdef01234567";
  const body = { reason: "accepted for the audit", until: "2026-04-01T00:00:00Z" };
  it.each([
    ["POST", `/findings/${ID}/suppress/`],
    ["POST", `//findings/${ID}/suppress`],
    ["POST", `/findings//${ID}/suppress`],
    ["POST", `/findings/${ID}//suppress`],
    ["post", `/findings/${ID}/suppress`],
  ])("does not suppress through %s %s", async (method, path) => {
    const r = await call(method, path, {}, body);
    expect([404, 405]).toContain(r.status);
    expect(store.findings.get(ID)!.status).toBe("OPEN");
  });

  it.each([
    ["GET", "/findings/"],
    ["GET", `/findings/${ID}/`],
    ["GET", "//posture"],
    ["GET", "/resources/bucket/history/"],
  ])("answers %s %s with 404", async (method, path) => {
    expect((await call(method, path, { account: "111122223333", region: "us-east-1" })).status).toBe(404);
  });

  it("does not echo the path or method it could not route", async () => {
    for (const [method, path] of [
      ["GET", "/patients/jane-roe-mrn-4417"],
      ["DELETE", "/findings/jane-roe-mrn-4417"],
    ] as const) {
      const r = await call(method, path);
      expect(r.status).toBeGreaterThanOrEqual(404);
      expect(JSON.stringify(r.body)).not.toContain("jane-roe");
    }
  });
});

describe("api input parsing (property)", () => {
  it("never throws on arbitrary query strings and paths: every answer is JSON with a status", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT"),
        fc.oneof(
          fc.string(),
          fc.constantFrom("/findings", "/posture", "/findings/f-0123456789abcdef01234567/suppress"),
        ),
        fc.dictionary(
          fc.constantFrom(
            "status",
            "severity",
            "limit",
            "from",
            "to",
            "cursor",
            "account",
            "region",
            "resource",
            "x",
          ),
          fc.string(),
        ),
        fc.option(fc.string()),
        async (method, path, query, body) => {
          const res = await Api.handleApiRequest(
            { method, path, query, ...(body !== null ? { body } : {}), caller: CALLER },
            deps(),
          );
          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(500);
          expect(() => JSON.parse(res.body)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("api close (an incident reviewed by a person)", () => {
  const INCIDENT = "f-0000000000000000000000ac";
  beforeEach(() => {
    store.findings.set(INCIDENT, activityFinding({ findingId: INCIDENT }));
  });

  it("closes an activity finding: RESOLVED, the reason and the caller in history", async () => {
    const r = await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "approved export, CHG-88" });
    expect(r.status).toBe(200);
    expect(r.body.finding.status).toBe("RESOLVED");
    expect(r.body.finding.summary).toMatch(/^Closed after review: approved export, CHG-88/);
    expect(store.history.at(-1)).toMatchObject({
      from: "OPEN",
      to: "RESOLVED",
      cause: `user:${CALLER}`,
      evidence: { reason: "approved export, CHG-88", closed: "after review" },
    });
  });

  it("closes a suppressed incident too, and ends its suppression", async () => {
    await call(
      "POST",
      `/findings/${INCIDENT}/suppress`,
      {},
      { reason: "looking into it", until: "2026-04-01" },
    );
    const r = await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "reviewed: benign" });
    expect(r.body.finding).toMatchObject({ status: "RESOLVED" });
    expect(r.body.finding.suppression).toBeUndefined();
  });

  it("refuses to close a drift finding: it resolves when its resource is compliant", async () => {
    const r = await call("POST", "/findings/f-0123456789abcdef01234567/close", {}, { reason: "fixed it" });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/resolves when the resource is compliant/);
    expect(store.findings.get("f-0123456789abcdef01234567")?.status).toBe("OPEN");
  });

  it("refuses to close what is already resolved, and needs a reason and a caller", async () => {
    await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "reviewed: benign" });
    expect((await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "again" })).status).toBe(409);
    expect((await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "x" })).body.error.field).toBe(
      "body.reason",
    );
    expect(
      (await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "ok reason" }, null)).status,
    ).toBe(401);
  });

  it("redacts PHI-shaped text in the reason", async () => {
    const r = await call("POST", `/findings/${INCIDENT}/close`, {}, { reason: "caller jane@example.org ok" });
    expect(JSON.stringify(r.body.finding)).not.toContain("jane@example.org");
    expect(JSON.stringify(store.history)).not.toContain("jane@example.org");
  });
});
