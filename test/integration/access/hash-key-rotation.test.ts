// Rotating the PhiwatchHashKey secret (docs/deploy.md "Rotating the secret"): `sst secret set` then
// `sst deploy` gives the access function a new PHIWATCH_HASH_KEY, so one object key hashes to a new
// value from then on. Each deploy here is a new stack on the same stored data and fresh handler
// modules (a new Lambda container reads its environment once), with the learned profiles of four weeks.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { DynamoAccessStore } from "../../../packages/aws/src/store/access-store.ts";
import { learnFiles } from "../../../packages/cli/src/commands/learn.ts";
import {
  generateAccessScenario,
  QA_ROLE,
  RECORDINGS,
  TODAY,
} from "../../../packages/cli/src/demo/access-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { Activity, allFindings, type Finding, parseBaseline } from "../../../packages/core/src/index.ts";

const OLD_SECRET = "rotation-test-secret-before-0001";
const NEW_SECRET = "rotation-test-secret-after-00002";
/** 14:00 in New York on the scenario's Tuesday (EST, UTC-5): the QA supervisor's usual afternoon. */
const AFTERNOON = Date.parse(`${TODAY}T19:00:00Z`);

const dir = mkdtempSync(join(tmpdir(), "phiwatch-rotation-"));
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"));
let stack: LocalStack | undefined;
let files: { historyFiles: string[]; todayFiles: string[] };
let template: Record<string, unknown>;

/** Deploy with this secret: a new stack on the same stored data, new handler modules. */
async function deploy(secret: string): Promise<LocalStack> {
  await stack?.stop();
  vi.resetModules();
  stack = await LocalStack.start({
    baselineFile: "examples/baseline.yaml",
    dir: join(dir, "state"),
    env: { PHIWATCH_HASH_KEY: secret },
  });
  return stack;
}

/** The QA supervisor's GetObject of `key` at `at`, as EventBridge delivers it (from a recorded read of hers). */
function qaRead(id: string, at: number, key: string): Record<string, unknown> {
  const rec = structuredClone(template) as Record<string, unknown> & {
    requestParameters: Record<string, unknown>;
    resources: unknown[];
  };
  rec.eventID = `0f0e0d0c-${id.padStart(4, "0")}-4000-a000-000000000000`;
  rec.requestID = `ROTATION${id.padStart(8, "0")}`;
  rec.eventTime = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
  rec.requestParameters = { ...rec.requestParameters, key };
  rec.resources = [
    { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${RECORDINGS}/${key}` },
    ...rec.resources.slice(1),
  ];
  return {
    version: "0",
    id: `rotation-${id}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.s3",
    account: rec.recipientAccountId,
    time: rec.eventTime,
    region: rec.awsRegion,
    resources: [],
    detail: rec,
  };
}

const recording = (i: number) =>
  `connect/northwind-prod/CallRecordings/2026/03/02/rotation-${String(i).padStart(3, "0")}_20260302T15:00_UTC.wav`;

async function send(envelopes: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (const e of envelopes) await stack!.dispatch(e);
  await stack!.drain();
}

async function qaFindings(): Promise<Finding[]> {
  return (await allFindings(new DynamoFindingStore(stack!.ddb, LOCAL_NAMES.table))).filter(
    (f) => f.kind === "activity" && f.subject.principal?.includes("QASupervisor"),
  );
}

async function window(startIso: string): Promise<Activity.WindowTotals | undefined> {
  const access = new DynamoAccessStore(stack!.ddb, LOCAL_NAMES.table);
  const end = new Date(Date.parse(startIso) + 1).toISOString();
  return (await access.listWindows(RECORDINGS, QA_PRINCIPAL, startIso, end))[0];
}

let QA_PRINCIPAL = "";

beforeAll(async () => {
  files = await generateAccessScenario(join(dir, "scenario"));
  // A read of the QA supervisor's, as CloudTrail recorded it, from the history's log files.
  for (const f of files.historyFiles) {
    const log = JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")) as {
      Records: Array<
        Record<string, unknown> & { userIdentity?: { sessionContext?: { sessionIssuer?: { arn?: string } } } }
      >;
    };
    const qa = log.Records.find((r) => r.userIdentity?.sessionContext?.sessionIssuer?.arn === QA_ROLE);
    if (qa) {
      template = qa;
      break;
    }
  }
  expect(template).toBeDefined();
  const ev = Activity.toAccessEvent(
    Activity.readCloudTrail(template)[0]!,
    baseline,
    Activity.objectKeyHasher(OLD_SECRET),
  );
  QA_PRINCIPAL = ev!.principal.id;
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.PHIWATCH_HASH_KEY;
  delete process.env.PHIWATCH_REDACTION_KEY;
  rmSync(dir, { recursive: true, force: true });
});

describe("rotating PhiwatchHashKey (access function, DynamoDB Local)", () => {
  it("counts an object once per window across the rotation: no distinct-object spike from a redelivery or a re-read", async () => {
    await deploy(OLD_SECRET);
    const access = new DynamoAccessStore(stack!.ddb, LOCAL_NAMES.table);
    const learned = await learnFiles(files.historyFiles, {
      store: access,
      baseline,
      hashKey: Activity.objectKeyHasher(OLD_SECRET),
    });
    expect(learned.profiles).toBeGreaterThanOrEqual(4);

    // A busy review before the deploy: 60 recordings between 14:00 and 14:10 (more reads than her
    // profile allows: a real access-volume-spike), and 20 recordings between 14:15 and 14:20.
    const busy = Array.from({ length: 60 }, (_, i) => qaRead(`b${i}`, AFTERNOON + i * 10_000, recording(i)));
    const before = Array.from({ length: 20 }, (_, i) =>
      qaRead(`s${i}`, AFTERNOON + 15 * 60_000 + i * 10_000, recording(100 + i)),
    );
    await send([...busy, ...before]);
    const first = await qaFindings();
    expect(first.map((f) => f.ruleId)).toEqual(["access-volume-spike"]);
    expect(first[0]!.evidence).toMatchObject({ reads: 60, distinctObjects: 60 });

    // The rotation: `sst secret set PhiwatchHashKey …` and `sst deploy`.
    await deploy(NEW_SECRET);
    // SQS delivers the busy review's messages again (at least once; or a redrive from the DLQ after
    // the deploy), and she re-opens the 20 recordings of 14:15 within the same quarter hour.
    const after = Array.from({ length: 20 }, (_, i) =>
      qaRead(`t${i}`, AFTERNOON + 25 * 60_000 + i * 10_000, recording(100 + i)),
    );
    await send([...busy, ...after]);

    const busyWindow = await window(new Date(AFTERNOON).toISOString());
    expect(busyWindow).toMatchObject({ reads: 60, objects: 60 });
    // The window that straddles the rotation: every read counts, each recording once.
    const straddling = await window(new Date(AFTERNOON + 15 * 60_000).toISOString());
    expect(straddling).toMatchObject({ reads: 40, objects: 20 });

    // 60 recordings were read, not 120: no access-bulk-enumeration (floor 100), and the spike's
    // evidence keeps its numbers.
    const again = await qaFindings();
    expect(again.map((f) => f.ruleId)).toEqual(["access-volume-spike"]);
    expect(again[0]!.findingId).toBe(first[0]!.findingId);
    expect(again[0]!.evidence).toMatchObject({ reads: 60, distinctObjects: 60 });
  });
});
