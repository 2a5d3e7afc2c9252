// Answers of functions/api.ts stay inside Lambda's 6 MB response payload, and filters are checked:
// - `GET /resources/{id}/history` pages (limit, cursor, from/to) like `GET /findings`: a busy PHI
//   bucket's history (a transition per flapping change, each with its evidence) is read a page at a time;
// - every page, findings and history alike, also stops at a byte budget (evidence can be 64 KiB);
// - a filter naming no control or detector is a 400 naming it, not an empty list that passes a check.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { historyCommand } from "../../../packages/cli/src/commands/findings.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { type Observation, recordObservation } from "../../../packages/core/src/index.ts";
import { getEvent } from "./events.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-pages-"));
let stack: LocalStack;
let store: DynamoFindingStore;
const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const BUSY = "northwind-connect-recordings";
const BIG = "northwind-ctr-2026";

const get = async (path: string, query: Record<string, string>) => {
  const r = (await stack.invoke("api", getEvent(path, query))) as { statusCode: number; body: string };
  // Lambda refuses a response payload over 6 MB (the body is escaped once more inside it).
  expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(6_000_000);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON answers
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, any>, bytes: r.body.length };
};
const history = (resourceId: string, query: Record<string, string> = {}) =>
  get(`/resources/${resourceId}/history`, { account: ACCOUNT, region: REGION, ...query });

const obs = (
  resourceId: string,
  ruleId: string,
  verdict: "fail" | "pass",
  at: Date,
  evidence: Record<string, unknown>,
): Observation => ({
  kind: "drift",
  ruleId,
  title: ruleId,
  severity: "high",
  hipaa: ["164.312(a)(2)(iv)"],
  subject: { accountId: ACCOUNT, region: REGION, resourceType: "AWS::S3::Bucket", resourceId },
  verdict,
  summary: verdict === "fail" ? "not compliant" : "compliant",
  evidence,
  observedAt: at.toISOString(),
  cause: `evt-${at.getTime()}`,
});

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir, storeOnly: true });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  // A busy bucket: its encryption flaps 260 times over a few days (a transition, and a history entry, each).
  const start = Date.parse("2026-03-01T00:00:00.000Z");
  for (let i = 0; i < 260; i++)
    await recordObservation(
      store,
      obs(BUSY, "s3-encryption-cmk", i % 2 ? "pass" : "fail", new Date(start + i * 600_000), { i }),
    );
  // A bucket whose findings carry evidence near the stored bound (about 60 KB each): 120 of them.
  const blob = "a".repeat(60_000);
  for (let i = 0; i < 120; i++)
    await recordObservation(
      store,
      obs(BIG, `custom-rule-${String(i).padStart(3, "0")}`, "fail", new Date(start + i * 1000), { blob }),
    );
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("api GET /resources/{id}/history pages", () => {
  it("answers a page of `limit` entries with a cursor, and the cursor reaches every entry once in time order", async () => {
    const seen: Array<{ at: string; seq: number }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await history(BUSY, { limit: "100", ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      expect(r.body.resource).toEqual({ accountId: ACCOUNT, region: REGION, resourceId: BUSY });
      expect(r.body.history.length).toBeLessThanOrEqual(100);
      seen.push(...r.body.history);
      cursor = r.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(260);
    expect(new Set(seen.map((h) => h.seq)).size).toBe(260);
    expect(seen.map((h) => h.at)).toEqual(seen.map((h) => h.at).sort());
  });

  it("answers 100 entries by default, and reads a time range", async () => {
    const r = await history(BUSY);
    expect(r.body.history).toHaveLength(100);
    expect(r.body.cursor).toBeTypeOf("string");
    const range = await history(BUSY, { from: "2026-03-01T10:00:00.000Z", to: "2026-03-01T11:00:00Z" });
    expect(range.body.history.map((h: { at: string }) => h.at)).toEqual([
      "2026-03-01T10:00:00.000Z",
      "2026-03-01T10:10:00.000Z",
      "2026-03-01T10:20:00.000Z",
      "2026-03-01T10:30:00.000Z",
      "2026-03-01T10:40:00.000Z",
      "2026-03-01T10:50:00.000Z",
      "2026-03-01T11:00:00.000Z",
    ]);
    expect(range.body.cursor).toBeUndefined();
  });

  it("answers bad paging input with 400 naming the field, as GET /findings does", async () => {
    for (const [query, field] of [
      [{ limit: "0" }, "query.limit"],
      [{ limit: "501" }, "query.limit"],
      [{ limit: "ten" }, "query.limit"],
      [{ cursor: "not a cursor!" }, "query.cursor"],
      [{ cursor: Buffer.from("{}").toString("base64url") }, "query.cursor"],
      [{ from: "2026-03-02", to: "2026-03-01" }, "query.from"],
    ] as const) {
      const r = await history(BUSY, query);
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.error.field, JSON.stringify(query)).toBe(field);
    }
    // A cursor is good only for the resource it came from.
    const first = await history(BUSY, { limit: "1" });
    const other = await history(BIG, { cursor: first.body.cursor });
    expect(other.status).toBe(400);
    expect(other.body.error.field).toBe("query.cursor");
  });

  it("stops a page at the byte budget with a cursor, however large the entries' evidence", async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await history(BIG, { limit: "500", ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      for (const h of r.body.history) seen.add(h.findingId);
      cursor = r.body.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(120);
  });
});

describe("api GET /findings pages", () => {
  it("stops a page of large findings at the byte budget with a cursor", async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await get("/findings", {
        account: ACCOUNT,
        region: REGION,
        resource: BIG,
        limit: "500",
        ...(cursor ? { cursor } : {}),
      });
      expect(r.status).toBe(200);
      for (const f of r.body.items) seen.add(f.findingId);
      cursor = r.body.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(120);
  });
});

describe("api GET /findings/{id}", () => {
  it("answers a finding whose history passes the byte budget with its newest entries and the count left out", async () => {
    // A flapping finding: 120 transitions, each with about 60 KB of evidence (7 MB of history in all).
    const flapping = "northwind-flapping-exports";
    const start = Date.parse("2026-02-01T00:00:00.000Z");
    const blob = "b".repeat(60_000);
    for (let i = 0; i < 120; i++)
      await recordObservation(
        store,
        obs(flapping, "s3-tls-only", i % 2 ? "pass" : "fail", new Date(start + i * 600_000), { blob, i }),
      );
    const id = (
      await store.listFindings({ resource: { accountId: ACCOUNT, region: REGION, resourceId: flapping } })
    ).items[0]!.findingId;
    const r = await get(`/findings/${id}`, {});
    expect(r.status).toBe(200);
    expect(r.body.finding.findingId).toBe(id);
    const kept = r.body.history as Array<{ seq: number }>;
    expect(kept.length).toBeGreaterThan(0);
    expect(r.body.historyOmitted).toBe(120 - kept.length);
    // The newest entries, in time order, up to the last transition.
    expect(kept.map((h) => h.seq)).toEqual(
      Array.from({ length: kept.length }, (_, i) => 121 - kept.length + i),
    );
  });

  it("answers a finding with a short history whole, with nothing omitted", async () => {
    const f = (
      await store.listFindings({ resource: { accountId: ACCOUNT, region: REGION, resourceId: BUSY } })
    ).items[0]!;
    const r = await get(`/findings/${f.findingId}`, {});
    expect(r.body.history).toHaveLength(260);
    expect(r.body.historyOmitted).toBeUndefined();
  });
});

describe("api GET /findings filters", () => {
  it("answers a control or detector id that does not exist with 400 naming it", async () => {
    for (const [param, id] of [
      ["control", "s3-encryption-cmkk"],
      ["detector", "access-of-hours"],
    ] as const) {
      const r = await get("/findings", { [param]: id });
      expect(r.status, id).toBe(400);
      expect(r.body.error).toMatchObject({ code: "BadRequest", field: `query.${param}` });
      expect(r.body.error.message).toContain(id);
    }
    // Known ids still filter.
    expect((await get("/findings", { control: "s3-encryption-cmk" })).status).toBe(200);
    expect((await get("/findings", { detector: "access-off-hours" })).status).toBe(200);
  });
});

describe("CLI phiwatch history", () => {
  it("prints a busy resource's whole history, every page of it", async () => {
    await stack.stop();
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      return true;
    });
    try {
      const code = await historyCommand([
        BUSY,
        "--account",
        ACCOUNT,
        "--region",
        REGION,
        "--json",
        "--dir",
        dir,
      ]);
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
      stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir, storeOnly: true });
    }
    expect(lines).toHaveLength(260);
    expect(new Set(lines.map((l) => JSON.parse(l).seq)).size).toBe(260);
  });
});
