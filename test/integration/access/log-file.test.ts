// Trail-log ingestion: a CloudTrail log file holds hundreds of records. One record that is not a valid
// CloudTrail record is dead-lettered alone, with its reason; the file's other reads still count (they
// used to be dead-lettered with it, the whole file, and never evaluated).
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAccessStore } from "../../../packages/aws/src/store/access-store.ts";
import { generateAccessScenario } from "../../../packages/cli/src/demo/access-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { Activity, parseBaseline } from "../../../packages/core/src/index.ts";

let stack: LocalStack;
let dir: string;
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "phiwatch-logfile-it-"));
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir: join(dir, "stack") });
});
afterAll(async () => {
  await stack?.stop();
});

describe("a CloudTrail log file with one unreadable record", () => {
  it("counts the file's other reads and dead-letters that record alone, with its reason", async () => {
    const { historyFiles } = await generateAccessScenario(join(dir, "scenario"));
    const file = historyFiles.at(-1)!;
    const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
      Records: Array<Record<string, unknown>>;
    };
    // Recent, in one window: windows of past days are folded into profiles as soon as they are written.
    const now = `${new Date(Date.now() - 60_000).toISOString().slice(0, 19)}Z`;
    const Records = parsed.Records.map((r): Record<string, unknown> => ({ ...r, eventTime: now }));
    // A record CloudTrail would never write: no eventID.
    const { eventID: _, ...bad } = Records[0]!;
    const body = gzipSync(JSON.stringify({ Records: [Records[0], bad, ...Records.slice(1)] }));
    const logKey = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02/one-bad.json.gz";
    await stack.putTrailLogFile(logKey, body);
    await stack.drain();

    // Every valid read of the file is in the access store.
    const hash = Activity.objectKeyHasher(Activity.hashSecret({}, LOCAL_NAMES.table));
    const reads = Activity.readCloudTrail({ Records })
      .map((r) => Activity.toAccessEvent(r, baseline, hash))
      .filter((e): e is Activity.AccessEvent => e !== undefined && !e.denied && e.action === "read");
    expect(reads.length).toBeGreaterThan(10);
    const access = new DynamoAccessStore(stack.ddb, LOCAL_NAMES.table);
    let stored = 0;
    for (const key of new Set(reads.map((e) => `${e.target.id}|${e.principal.id}`))) {
      const [target, principal] = key.split("|") as [string, string];
      const windows = await access.listWindows(
        target,
        principal,
        "2000-01-01T00:00:00.000Z",
        "2100-01-01T00:00:00.000Z",
      );
      stored += windows.reduce((n, w) => n + w.reads, 0);
    }
    expect(stored).toBe(reads.length);

    // One dead letter: that record, naming the missing field.
    const letters = readdirSync(stack.deadLetterDir!).map((f) =>
      JSON.parse(readFileSync(join(stack.deadLetterDir!, f), "utf8")),
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      reason: "InvalidEventError",
      // The file by its bucket and the keyed hash of its key (an object key is never written out).
      source: `access:s3://${LOCAL_NAMES.trailBucket}/[key:${hash(logKey)}]#1`,
    });
    expect(JSON.stringify({ ...letters[0], payload: undefined })).not.toContain("one-bad");
    expect(letters[0].field).toMatch(/eventID/);
  });
});
