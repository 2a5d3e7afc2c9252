// What functions/api.ts logs at the level the deployed function logs at (INFO: infra/ sets no
// POWERTOOLS_LOG_LEVEL, and Lambda's JSON log format filters at INFO). A change made through the API
// is logged (who changed which finding); nothing the caller typed may be: the path and the body are
// the caller's text, and a mistyped path or a reason can hold a patient's details.
import { readFileSync } from "node:fs";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { demoEvents } from "../sweep/account.ts";

const CALLER = "arn:aws:iam::111122223333:user/compliance-ana";
const PHI = ["MRN-4417-2209", "jane.roe@example.org", "Jane Roe"] as const;
let stack: LocalStack;

function apiEvent(method: string, path: string, body?: unknown) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    requestContext: {
      accountId: DEMO.accountId,
      apiId: "a1b2c3",
      authorizer: { iam: { accountId: DEMO.accountId, userArn: CALLER, userId: "AIDAEXAMPLE" } },
      domainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "awscurl" },
      requestId: "r1",
      routeKey: "$default",
      stage: "$default",
      time: "03/Mar/2026:15:00:00 +0000",
      timeEpoch: 1772550000000,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}

/** Console output of `fn` (Powertools writes through the console in dev mode, as vitest runs it). */
async function logged(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    }),
  );
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "INFO" });
  await logged(async () => {
    for (const f of demoEvents().files) await stack.dispatch(JSON.parse(readFileSync(f, "utf8")));
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe("api logs at INFO", () => {
  it("log a change with the caller, the route and the finding id, never the reason", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const target = (await store.listFindings({ status: "OPEN", ruleId: "s3-encryption-cmk" })).items[0]!;
    const lines = await logged(() =>
      stack.invoke(
        "api",
        apiEvent("POST", `/findings/${target.findingId}/suppress`, {
          reason: `callback for ${PHI[2]} ${PHI[0]} (${PHI[1]})`,
          until: new Date(Date.now() + 7 * 86400_000).toISOString(),
        }),
      ),
    );
    const change = lines.map((l) => JSON.parse(l)).find((l) => l.message === "api change");
    expect(change).toMatchObject({ caller: CALLER, route: "suppress", findingId: target.findingId });
    expect(change.status).toBe(200);
    for (const l of lines) for (const s of PHI) expect(l).not.toContain(s);
  });

  it("log a refused change without the path the caller typed", async () => {
    for (const path of [
      `/findings/${PHI[0]}/suppress`,
      `/findings/${encodeURIComponent(PHI[1])}/close`,
      `/patients/${PHI[0]}`,
    ]) {
      const lines = await logged(() => stack.invoke("api", apiEvent("POST", path, { reason: "x" })));
      const change = lines.map((l) => JSON.parse(l)).find((l) => l.message === "api change");
      expect(change, path).toBeDefined();
      expect(change.status, path).toBeGreaterThanOrEqual(400);
      for (const l of lines)
        for (const s of [...PHI, encodeURIComponent(PHI[1])]) expect(l, path).not.toContain(s);
    }
  });
  // Last in this file: it deletes this file's own table (each file starts its own DynamoDB Local).
  it("answer an unexpected failure 500, never cached, with no detail and no path in the log", async () => {
    await stack.ddb.send(new DeleteTableCommand({ TableName: LOCAL_NAMES.table }));
    let res: { statusCode?: number; headers?: Record<string, string>; body?: string } = {};
    const lines = await logged(async () => {
      res = (await stack.invoke("api", apiEvent("GET", `/findings/${PHI[0]}`))) as typeof res;
      res = (await stack.invoke("api", apiEvent("GET", "/findings"))) as typeof res;
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers).toMatchObject({ "content-type": "application/json", "cache-control": "no-store" });
    expect(JSON.parse(res.body ?? "")).toEqual({
      error: { code: "InternalError", message: "internal error; see the function logs" },
    });
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.message === "api failure");
    expect(failure).toMatchObject({ route: "listFindings", error: "ResourceNotFoundException" });
    for (const l of lines) for (const s of PHI) expect(l).not.toContain(s);
  });
});
