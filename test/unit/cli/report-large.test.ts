// `phiwatch report` gathers the whole inventory of each type an account has. Appending a store's list
// with `push(...list)` passes every item as an argument, on the stack: above ~120,000 items (V8's
// limit on this machine: 120,000 passes, 130,000 throws) the report failed with "RangeError: Maximum
// call stack size exceeded". A fake DynamoDB client answers as the table would, without a server.
import { gzipSync } from "node:zlib";
import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { collectReport } from "../../../packages/cli/src/commands/report.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { apiSnapshot } from "../../helpers/facts.ts";

const ACCT = "111122223333";
const N = 130_000;

describe("phiwatch report: an account with more stored resources of one type than a call takes arguments", () => {
  it("gathers 130,000 stored buckets", async () => {
    const snapshot = apiSnapshot("AWS::S3::Bucket", "analytics-scratch", {});
    // One stored item, answered N times on the buckets' index page (the store decodes each).
    const item = marshall({ state: "present", snapshot: gzipSync(JSON.stringify(snapshot)) });
    const items = new Array(N).fill(item);
    let bucketsAsked = 0;
    const ddb = {
      send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const values = JSON.stringify(cmd.input.ExpressionAttributeValues ?? {});
        if (cmd.constructor.name === "QueryCommand" && values.includes(`INV#${ACCT}#AWS::S3::Bucket`)) {
          bucketsAsked++;
          return { Items: items };
        }
        return { Items: [] };
      },
    };
    const baseline = testBaseline();
    const report = await collectReport(ddb as never, "t", baseline, new Date("2026-03-02T00:00:00Z"));
    expect(bucketsAsked).toBe(1);
    expect(report.generatedAt).toBeDefined();
  }, 60_000);
});
