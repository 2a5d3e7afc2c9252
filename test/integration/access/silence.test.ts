// The access handler after a PHI bucket was silent for longer than profiles live (it left the PHI
// buckets for seven months and came back, or its data events stopped): what DynamoDB's TTL deleted by
// then is deleted here, and the bucket's ordinary day must not page as a crowd of "new" readers.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { DynamoAccessStore } from "../../../packages/aws/src/store/access-store.ts";
import { learnFiles } from "../../../packages/cli/src/commands/learn.ts";
import { generateAccessScenario, RECORDINGS } from "../../../packages/cli/src/demo/access-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { Activity, allFindings, parseBaseline } from "../../../packages/core/src/index.ts";

const DAY = 86_400_000;
/** 31 weeks: the same weekday, seven months later (across the change to daylight-saving time). */
const SHIFT = 217 * DAY;

let stack: LocalStack;
let files: { historyFiles: string[]; todayFiles: string[] };
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"));

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  files = await generateAccessScenario(mkdtempSync(join(tmpdir(), "phiwatch-silence-")));
});
afterAll(async () => {
  await stack?.stop();
});

/** What DynamoDB's TTL has deleted by `at`: every item whose `expiresAt` passed. */
async function expireBefore(at: number): Promise<number> {
  let deleted = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const r = await stack.ddb.send(
      new ScanCommand({ TableName: LOCAL_NAMES.table, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    for (const raw of r.Items ?? []) {
      const item = unmarshall(raw);
      if (typeof item.expiresAt === "number" && item.expiresAt * 1000 < at) {
        await stack.ddb.send(
          new DeleteItemCommand({ TableName: LOCAL_NAMES.table, Key: { PK: raw.PK!, SK: raw.SK! } }),
        );
        deleted++;
      }
    }
    startKey = r.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return deleted;
}

/** An ordinary day's envelopes of the scenario (no incident), moved `SHIFT` later. */
function ordinaryDayLater(): Array<Record<string, unknown>> {
  const ordinary = files.todayFiles.filter((f) => /0[245]-/.test(f));
  const later = (iso: string) => new Date(Date.parse(iso) + SHIFT).toISOString().replace(".000Z", "Z");
  return ordinary.flatMap((f) =>
    readFileSync(f, "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const e = JSON.parse(line);
        e.time = later(e.time);
        e.detail.eventTime = later(e.detail.eventTime);
        return e;
      }),
  );
}

describe("a PHI bucket silent for longer than profileTtlDays", () => {
  it("learns again when reads come back, instead of calling every usual reader new", async () => {
    const access = new DynamoAccessStore(stack.ddb, LOCAL_NAMES.table);
    const hashKey = Activity.objectKeyHasher(Activity.hashSecret({}, LOCAL_NAMES.table));
    await learnFiles(files.historyFiles, { store: access, baseline, hashKey });
    expect(await access.getTarget(RECORDINGS)).toBeDefined();

    const envelopes = ordinaryDayLater();
    const back = Math.min(...envelopes.map((e) => Date.parse(String(e.time))));
    expect(await expireBefore(back)).toBeGreaterThan(0);
    for (const e of envelopes) await stack.dispatch(e);
    await stack.drain();

    const found = (await allFindings(new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table))).filter(
      (f) => f.kind === "activity",
    );
    expect(found.map((f) => `${f.ruleId} ${f.subject.principal}`)).toEqual([]);
    // The learning period starts again with the day the reads came back.
    expect((await access.getTarget(RECORDINGS))?.firstSeen.slice(0, 10)).toBe(
      new Date(back).toISOString().slice(0, 10),
    );
  });
});
