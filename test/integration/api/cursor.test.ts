// Pagination cursors through functions/api.ts on the local stack (DynamoDB Local): a cursor is only
// good for the query that produced it; anything else is a 400 naming query.cursor, never a 500 or
// items from another partition.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { demoEvents } from "../sweep/account.ts";
import { getEvent } from "./events.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-cursor-"));
let stack: LocalStack;

const list = async (query: Record<string, string>) => {
  const r = (await stack.invoke("api", getEvent("/findings", query))) as { statusCode: number; body: string };
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON answers
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, any> };
};
const token = (c: unknown) => Buffer.from(JSON.stringify(c)).toString("base64url");
const decoded = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir });
  for (const f of demoEvents().files) await stack.dispatch(JSON.parse(readFileSync(f, "utf8")));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("api GET /findings cursor", () => {
  it("pages with a cursor of the same query", async () => {
    const first = await list({ limit: "1", status: "OPEN" });
    expect(first.status).toBe(200);
    expect(first.body.cursor).toBeTypeOf("string");
    const second = await list({ limit: "1", status: "OPEN", cursor: first.body.cursor });
    expect(second.status).toBe(200);
    expect(second.body.items[0].findingId).not.toBe(first.body.items[0].findingId);
  });

  it("answers a cursor reused with other filters with 400 naming query.cursor", async () => {
    const first = await list({ limit: "1", status: "OPEN" });
    const other = await list({ limit: "1", control: "s3-encryption-cmk", cursor: first.body.cursor });
    expect(other).toMatchObject({
      status: 400,
      body: { error: { code: "BadRequest", field: "query.cursor" } },
    });
  });

  it.each([
    ["a partition index past the last", (c: { p: number; k: object }) => ({ ...c, p: 9 })],
    ["a negative partition index", (c: { p: number; k: object }) => ({ ...c, p: -1 })],
    ["a fractional partition index", (c: { p: number; k: object }) => ({ ...c, p: 0.5 })],
    [
      "a start key in another status partition",
      (c: { p: number; k: Record<string, unknown> }) => ({
        ...c,
        k: { ...c.k, GSI1PK: { S: "S#RESOLVED" } },
      }),
    ],
    [
      "a start key of another item kind",
      (c: { p: number }) => ({ ...c, k: { PK: { S: "POSTURE" }, SK: { S: "2026-03-03" } } }),
    ],
    ["a start key that is not a key", (c: { p: number }) => ({ ...c, k: { PK: "x" } })],
    ["a start key of the wrong type", (c: { p: number }) => ({ ...c, k: [1, 2] })],
  ])("answers a crafted cursor (%s) with 400 naming query.cursor", async (_, craft) => {
    const first = await list({ limit: "1", status: "OPEN" });
    const crafted = token(craft(decoded(first.body.cursor)));
    const r = await list({ limit: "5", status: "OPEN", cursor: crafted });
    expect(r).toMatchObject({ status: 400, body: { error: { code: "BadRequest", field: "query.cursor" } } });
  });
});
