// functions/api.ts through the local stack (DynamoDB Local), with API Gateway HTTP API (payload 2.0)
// events as AWS sends them for IAM-authorised routes; and the suppress/report/scan CLI commands.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, PostureStore } from "../../../packages/aws/src/index.ts";
import { reportCommand } from "../../../packages/cli/src/commands/report.ts";
import { scanCommand } from "../../../packages/cli/src/commands/scan.ts";
import { closeCommand, suppressCommand } from "../../../packages/cli/src/commands/suppress.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { type Finding, type Observation, recordObservation } from "../../../packages/core/src/index.ts";
import { clientsFor, demoEvents, mockAccount } from "../sweep/account.ts";

const CALLER = "arn:aws:iam::111122223333:user/compliance-ana";
const dir = mkdtempSync(join(tmpdir(), "phiwatch-api-"));
let stack: LocalStack;
let store: DynamoFindingStore;

/** An API Gateway v2 event for an IAM-authorised route. */
function apiEvent(method: string, path: string, query?: Record<string, string>, body?: unknown) {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: { "content-type": "application/json" },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "111122223333",
      apiId: "a1b2c3",
      authorizer: {
        iam: {
          accessKey: "ASIAEXAMPLE",
          accountId: "111122223333",
          callerId: "AIDAEXAMPLE",
          principalOrgId: null,
          userArn: CALLER,
          userId: "AIDAEXAMPLE",
        },
      },
      domainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "awscurl" },
      requestId: "r1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "03/Mar/2026:15:00:00 +0000",
      timeEpoch: 1772550000000,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}
const call = async (method: string, path: string, query?: Record<string, string>, body?: unknown) => {
  const r = (await stack.invoke("api", apiEvent(method, path, query, body))) as {
    statusCode: number;
    body: string;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON answers
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, any> };
};

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  for (const f of demoEvents().files) await stack.dispatch(JSON.parse(readFileSync(f, "utf8")));
  await new PostureStore(stack.ddb, LOCAL_NAMES.table).put({
    at: "2026-03-03T15:00:00.000Z",
    sweepId: "s1",
    accounts: [DEMO.accountId],
    regions: [DEMO.region],
    resources: 5,
    controls: {},
    open: { info: 0, low: 0, medium: 1, high: 3, critical: 1 },
    unable: [],
    unableTotal: 0,
    resolvedGone: 0,
    transitions: 0,
    durationMs: 1,
  });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let target: Finding;
let incidentId: string;

describe("api handler (functions/api.ts)", () => {
  it("lists open findings of a control in an account", async () => {
    const r = await call("GET", "/findings", {
      status: "OPEN",
      control: "s3-encryption-cmk",
      account: DEMO.accountId,
    });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    target = r.body.items[0];
    expect(target.subject.resourceId).toBe(DEMO.recordingsBucket);
  });

  it("pages through every finding with the cursor", async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call("GET", "/findings", { limit: "2", ...(cursor ? { cursor } : {}) });
      for (const f of r.body.items) seen.add(f.findingId);
      cursor = r.body.cursor;
      pages++;
    } while (cursor && pages < 50);
    const total = (await store.listFindings({ limit: 500 })).items.length;
    expect(seen.size).toBe(total);
    expect(pages).toBeGreaterThan(1);
  });

  it("lists findings first seen in a time range that starts decades back or ends far ahead", async () => {
    const all = (await store.listFindings({ limit: 500 })).items.map((f) => f.findingId).sort();
    expect(all.length).toBeGreaterThan(0);
    for (const range of <Record<string, string>[]>[
      { from: "1990-01-01" },
      { from: "2000-01-01", to: "2099-12-31" },
      { to: "2099-12-31" },
    ]) {
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await call("GET", "/findings", { ...range, limit: "500", ...(cursor ? { cursor } : {}) });
        expect(r.status).toBe(200);
        ids.push(...r.body.items.map((f: Finding) => f.findingId));
        cursor = r.body.cursor;
      } while (cursor && ++pages < 20);
      expect(ids.sort(), JSON.stringify(range)).toEqual(all);
    }
  });

  it("suppresses with the caller's IAM identity and shows it in the finding's history", async () => {
    const s = await call("POST", `/findings/${target.findingId}/suppress`, undefined, {
      reason: "migration to CMK scheduled",
      until: "2099-01-01T00:00:00Z",
    });
    expect(s.status).toBe(400); // more than a year ahead
    const ok = await call("POST", `/findings/${target.findingId}/suppress`, undefined, {
      reason: "migration to CMK scheduled",
      until: new Date(Date.now() + 7 * 86400_000).toISOString(),
    });
    expect(ok.status).toBe(200);
    const got = await call("GET", `/findings/${target.findingId}`);
    expect(got.body.finding.suppression.by).toBe(CALLER);
    expect(got.body.history.at(-1)).toMatchObject({ to: "SUPPRESSED", cause: `user:${CALLER}` });
    const lifted = await call("POST", `/findings/${target.findingId}/unsuppress`, undefined, {
      reason: "done",
    });
    expect(lifted.body.finding.status).toBe("OPEN");
  });

  it("returns the drift history of a resource and posture over time", async () => {
    const h = await call("GET", `/resources/${DEMO.recordingsBucket}/history`, {
      account: DEMO.accountId,
      region: DEMO.region,
    });
    expect(h.status).toBe(200);
    expect(h.body.history.length).toBeGreaterThanOrEqual(3);
    const p = await call("GET", "/posture");
    expect(p.body.items.map((x: { sweepId: string }) => x.sweepId)).toEqual(["s1"]);
  });

  it("answers bad input with a JSON error naming the field", async () => {
    const r = await call("GET", "/findings", { severity: "urgent" });
    expect(r).toMatchObject({
      status: 400,
      body: { error: { code: "BadRequest", field: "query.severity" } },
    });
    expect((await call("GET", "/findings/f-000000000000000000000000")).status).toBe(404);
  });
});

describe("closing an incident after review (POST /findings/{id}/close)", () => {
  const spike = (count: number): Observation => ({
    kind: "activity",
    ruleId: "access-volume-spike",
    title: "PHI reads stay within the principal's learned volume",
    severity: "high",
    hipaa: ["164.308(a)(1)(ii)(D)"],
    subject: {
      accountId: DEMO.accountId,
      region: DEMO.region,
      resourceType: "AWS::S3::Bucket",
      resourceId: DEMO.recordingsBucket,
      principal: `arn:aws:iam::${DEMO.accountId}:role/recording-export-svc`,
    },
    verdict: "fail",
    summary: `${count} reads between 02:00 and 02:15`,
    evidence: { reads: count },
    count,
    discriminator: "day:2026-03-03",
    observedAt: "2026-03-03T07:10:00.000Z",
    cause: "evt-close-1",
  });

  it("closes it with the caller in history; the same activity leaves it closed, more of it re-opens it", async () => {
    const opened = await recordObservation(store, spike(2000));
    const id = opened.finding!.findingId;
    incidentId = id;
    const r = await call("POST", `/findings/${id}/close`, undefined, {
      reason: "approved bulk export (CHG-88)",
    });
    expect(r.status).toBe(200);
    expect(r.body.finding).toMatchObject({ status: "RESOLVED", count: 2000 });
    expect((await recordObservation(store, spike(2000))).changed).toBe(false);
    expect((await store.getFinding(id))?.status).toBe("RESOLVED");
    expect((await recordObservation(store, spike(2400))).finding).toMatchObject({
      status: "OPEN",
      count: 2400,
    });
    const h = await call("GET", `/resources/${DEMO.recordingsBucket}/history`, {
      account: DEMO.accountId,
      region: DEMO.region,
    });
    const mine = h.body.history.filter((e: { findingId: string }) => e.findingId === id);
    expect(mine.map((e: { from: string; to: string }) => `${e.from}>${e.to}`)).toEqual(
      expect.arrayContaining(["NEW>OPEN", "OPEN>RESOLVED", "RESOLVED>OPEN"]),
    );
    expect(mine.find((e: { to: string }) => e.to === "RESOLVED")).toMatchObject({ cause: `user:${CALLER}` });
  });

  it("refuses a drift finding with a 409 that says how it resolves", async () => {
    const r = await call("POST", `/findings/${target.findingId}/close`, undefined, { reason: "it is fine" });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/resolves when the resource is compliant/);
  });
});

describe("CLI suppress, report and scan", () => {
  it("suppress records a local caller and report writes the evidence report from the local store", async () => {
    await stack.stop();
    const id = target.findingId;
    expect(
      await suppressCommand([
        id,
        "--reason",
        "risk accepted",
        "--until",
        new Date(Date.now() + 86400_000).toISOString(),
        "--dir",
        dir,
      ]),
    ).toBe(0);
    expect(await suppressCommand([id, "--reason", "x", "--until", "2020-01-01", "--dir", dir])).toBe(2);
    // `close` is for incidents: the drift finding is refused, and left as it was.
    expect(await closeCommand([id, "--reason", "it is fine", "--dir", dir])).toBe(2);
    // The incident re-opened above is closed from the CLI, recorded as the local user.
    expect(await closeCommand([incidentId, "--reason", "reviewed with the export owner", "--dir", dir])).toBe(
      0,
    );
    const out = join(dir, "report.md");
    expect(await reportCommand(["--out", out, "--dir", dir, "--baseline", "examples/baseline.yaml"])).toBe(0);
    const md = readFileSync(out, "utf8");
    // The headings, not the whole report, on failure: this assertion failed once under load (not reproduced).
    expect(md.match(/^## .*$/gm)).toContain("## Suppressed findings (1)");
    expect(md).toContain("risk accepted");
    expect(md).toMatch(/closed after review by local:[^:]+: reviewed with the export owner/);
    expect(md).toContain("northwind-connect-recordings");
    stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir });
  });

  it("scan evaluates a live account read-only and exits 1 at --fail-on", async () => {
    const mocks = mockAccount({ items: demoEvents().items });
    const key = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = "AKIACALLEROWNKEY";
    try {
      const code = await scanCommand(
        [
          "--baseline",
          "examples/baseline.yaml",
          "--region",
          DEMO.region,
          "--format",
          "json",
          "--fail-on",
          "critical",
        ],
        {
          clientsFor,
          accountId: DEMO.accountId,
        },
      );
      expect(code).toBe(1);
      expect(mocks.sent()).toContain("ListContactFlowsCommand");
      // The local store's dummy credentials never replace the caller's own.
      expect(process.env.AWS_ACCESS_KEY_ID).toBe("AKIACALLEROWNKEY");
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key;
      mocks.restore();
    }
  });
});
