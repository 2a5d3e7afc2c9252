// `GET /posture` pages like `GET /findings` and `GET /resources/{id}/history`: an organisation's
// sweeps write one snapshot each (up to DynamoDB's 400 KB item: many accounts, 200 failed reads with
// their reasons), and 100 of them — the default page — pass Lambda's 6 MB response payload, which
// API Gateway answers with an opaque 5xx. A page stops at the byte budget with a cursor.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostureStore } from "../../../packages/aws/src/index.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import type { Report } from "../../../packages/core/src/index.ts";
import { getEvent } from "./events.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-posture-pages-"));
let stack: LocalStack;
const SNAPSHOTS = 40;
const at = (i: number) => new Date(Date.parse("2026-03-01T00:00:00.000Z") + i * 3_600_000).toISOString();

const posture = async (query: Record<string, string> = {}) => {
  const r = (await stack.invoke("api", getEvent("/posture", query))) as { statusCode: number; body: string };
  // Lambda refuses a response payload over 6 MB (the body is escaped once more inside it).
  expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(6_000_000);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON answers
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, any> };
};

/** A sweep of 2,000 member accounts with 200 failed reads: about 250 KB, as stored. */
function snapshot(i: number): Report.PostureSnapshot {
  const accounts = Array.from({ length: 2000 }, (_, n) => String(100000000000 + n));
  return {
    at: at(i),
    sweepId: `sweep-${i}`,
    accounts,
    regions: ["us-east-1", "us-west-2"],
    resources: 90_000,
    controls: {},
    open: { info: 0, low: 0, medium: 1, high: 3, critical: 1 },
    unable: Array.from({ length: 200 }, (_, n) => ({
      accountId: accounts[n]!,
      resourceType: "AWS::IAM::Role",
      resourceId: `arn:aws:iam::${accounts[n]}:role/phiwatch-member-read`,
      operation: "sts:AssumeRole",
      reason: `AccessDenied: ${"not authorized to perform sts:AssumeRole ".repeat(25)}`,
    })),
    unableTotal: 200,
    resolvedGone: 0,
    transitions: 0,
    durationMs: 1,
  };
}

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir, storeOnly: true });
  const store = new PostureStore(stack.ddb, LOCAL_NAMES.table);
  for (let i = 0; i < SNAPSHOTS; i++) await store.put(snapshot(i));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("api GET /posture pages", () => {
  it("stops a page at the byte budget with a cursor, and the cursor reaches every snapshot once, newest first", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await posture({ ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((p: Report.PostureSnapshot) => p.at));
      cursor = r.body.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: SNAPSHOTS }, (_, i) => at(SNAPSHOTS - 1 - i)));
  });

  it("pages by `limit` within a time range", async () => {
    const query = { from: at(10), to: at(19), limit: "4" };
    const first = await posture(query);
    expect(first.body.items.map((p: Report.PostureSnapshot) => p.at)).toEqual([
      at(19),
      at(18),
      at(17),
      at(16),
    ]);
    const second = await posture({ ...query, cursor: first.body.cursor });
    expect(second.body.items.map((p: Report.PostureSnapshot) => p.at)).toEqual([
      at(15),
      at(14),
      at(13),
      at(12),
    ]);
    const third = await posture({ ...query, cursor: second.body.cursor });
    expect(third.body.items.map((p: Report.PostureSnapshot) => p.at)).toEqual([at(11), at(10)]);
    expect(third.body.cursor).toBeUndefined();
  });

  it("answers bad paging input with 400 naming the field, as the other pages do", async () => {
    const outside = Buffer.from(JSON.stringify(at(30))).toString("base64url");
    for (const [query, field] of [
      [{ limit: "0" }, "query.limit"],
      [{ cursor: "not a cursor!" }, "query.cursor"],
      [{ cursor: Buffer.from("{}").toString("base64url") }, "query.cursor"],
      // A cursor outside the range asked for: DynamoDB would refuse the start key (a 500).
      [{ from: at(10), to: at(19), cursor: outside }, "query.cursor"],
      // DynamoDB refuses BETWEEN with bounds the wrong way round (a 500).
      [{ from: "2026-03-02", to: "2026-03-01" }, "query.from"],
    ] as const) {
      const r = await posture(query);
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.error.field, JSON.stringify(query)).toBe(field);
    }
  });
});
