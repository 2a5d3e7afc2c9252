import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { DynamoAccessStore } from "../../../packages/aws/src/store/access-store.ts";
import { learnFiles } from "../../../packages/cli/src/commands/learn.ts";
import { generateAccessScenario } from "../../../packages/cli/src/demo/access-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { Activity, allFindings, type Finding, parseBaseline } from "../../../packages/core/src/index.ts";

let stack: LocalStack;
let findings: DynamoFindingStore;
let access: DynamoAccessStore;
let files: { historyFiles: string[]; todayFiles: string[] };
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"));

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: false });
  findings = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  access = new DynamoAccessStore(stack.ddb, LOCAL_NAMES.table);
  files = await generateAccessScenario(mkdtempSync(join(tmpdir(), "phiwatch-access-it-")));
});
afterAll(async () => {
  await stack?.stop();
});

async function all(): Promise<Finding[]> {
  return (await allFindings(findings)).filter((f) => f.kind === "activity");
}

async function replayToday(): Promise<void> {
  for (const f of files.todayFiles)
    for (const line of readFileSync(f, "utf8").trim().split("\n")) await stack.dispatch(JSON.parse(line));
  await stack.drain();
}

describe("access handler through the local stack (DynamoDB Local, SQS)", () => {
  it("learns four weeks of history, then alerts on the 2 AM service account and the analytics role, not on the QA supervisor; a replay changes nothing", async () => {
    const hashKey = Activity.objectKeyHasher(Activity.hashSecret({}, LOCAL_NAMES.table));
    const learned = await learnFiles(files.historyFiles, { store: access, baseline, hashKey });
    expect(learned.profiles).toBeGreaterThanOrEqual(4);

    await replayToday();
    const first = await all();
    const rules = (p: string) => first.filter((f) => f.subject.principal === p).map((f) => f.ruleId);
    expect(rules("arn:aws:iam::111122223333:role/recording-export-svc")).toEqual(
      expect.arrayContaining(["access-volume-spike", "access-off-hours"]),
    );
    expect(rules("arn:aws:iam::111122223333:role/analytics-qa")).toContain("access-unauthorized-principal");
    expect(first.filter((f) => f.subject.principal?.includes("QASupervisor"))).toEqual([]);
    const spike = first.find((f) => f.ruleId === "access-volume-spike")!;
    expect(spike.count).toBe(2000);
    expect(spike.summary).toBe("2000 reads between 02:00 and 02:15, profile for Tue 02h: 0 ± 0, floor 50");

    // As of the end of the scenario (its dates are fixed: by the wall clock the profile has expired).
    const asOf = Date.parse(learned.to!);
    const profile = await access.getProfile(
      "northwind-connect-recordings",
      "arn:aws:iam::111122223333:role/recording-export-svc",
      asOf,
    );
    expect(profile).toBeDefined();
    // Replay: same profile, same findings.
    await learnFiles(files.historyFiles, { store: access, baseline, hashKey });
    await replayToday();
    const again = await all();
    expect(again.map((f) => [f.findingId, f.count, f.transitions]).sort()).toEqual(
      first.map((f) => [f.findingId, f.count, f.transitions]).sort(),
    );
    expect(
      await access.getProfile(
        "northwind-connect-recordings",
        "arn:aws:iam::111122223333:role/recording-export-svc",
        asOf,
      ),
    ).toEqual(profile);
  });
});

describe("local access dead-letter queue", () => {
  it("keeps and counts a message SQS moved there after its failed receives, instead of losing it with the command", async () => {
    const before = stack.deadLettered;
    await stack.sendToQueue(LOCAL_NAMES.accessDlq, '{"Records":[]}');
    await stack.drain({ maxMs: 10_000 });
    expect(stack.deadLettered).toBe(before + 1);
    expect(stack.deadLetterSummary().map((r) => r.reason)).toContain("AccessDeliveryFailed");
  });
});

describe("DynamoAccessStore on DynamoDB Local", () => {
  it("deduplicates by event id across deliveries and counts past the per-window cap in the overflow counter", async () => {
    const principal = Activity.principalOf({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/bulk" });
    const delta = (from: number, n: number): Activity.WindowDelta => ({
      target: "cap-test-bucket",
      targetType: "AWS::S3::Bucket",
      principal,
      accountId: "111122223333",
      region: "us-east-1",
      windowStart: "2026-03-03T07:00:00.000Z",
      windowStartMs: Date.parse("2026-03-03T07:00:00.000Z"),
      readIds: new Set(Array.from({ length: n }, (_, i) => (from + i).toString(16).padStart(16, "0"))),
      deniedIds: new Set(),
      listIds: new Set(),
      objects: new Set(Array.from({ length: n }, (_, i) => (from + i).toString(16).padStart(16, "0"))),
      networks: new Set(["ip4:10.0.0.0/24"]),
      vpces: new Set(),
      uaClasses: new Set(["sdk-js"]),
      events: [],
    });
    const exp = () => 2_000_000_000;
    const [a] = await access.addWindows([delta(0, 5000)], exp);
    expect(a).toMatchObject({ reads: 5000, objects: 5000, overflow: false });
    const [again] = await access.addWindows([delta(0, 5000)], exp);
    expect(again!.reads).toBe(5000);
    const [more] = await access.addWindows([delta(5000, 9000)], exp);
    expect(more!.overflow).toBe(true);
    expect(more!.reads).toBeGreaterThanOrEqual(14_000);
    const listed = await access.listWindows(
      "cap-test-bucket",
      principal.id,
      "2026-03-03T00:00:00.000Z",
      "2026-03-04T00:00:00.000Z",
    );
    expect(listed.map((w) => w.reads)).toEqual([more!.reads]);
  });
});

describe("DynamoAccessStore: a profile past its expiresAt that TTL has not deleted yet", () => {
  // DynamoDB deletes an expired item within days, not at its `expiresAt`: until then it is still read.
  const base = {
    target: "ttl-test-bucket",
    targetType: "AWS::S3::Bucket" as const,
    principal: "arn:aws:iam::111122223333:role/returning-reader",
    accountId: "111122223333",
    region: "us-east-1",
  };
  const profile = (firstWindow: string, expiresAt: number): Activity.AccessProfile => ({
    ...Activity.emptyProfile(base, firstWindow, { windowMinutes: 15, timeZone: "UTC" } as never),
    expiresAt,
  });
  const at = (iso: string) => Date.parse(iso);

  it("reads it as absent from its expiry on, and lets a new profile replace it (only then)", async () => {
    const old = profile("2026-01-05T10:00:00.000Z", Math.floor(at("2026-04-05T10:00:00Z") / 1000));
    expect(await access.putProfile(old, null, at("2026-01-05T10:00:00Z"))).toBe("applied");
    expect(await access.getProfile(base.target, base.principal, at("2026-04-05T09:59:59Z"))).toEqual(old);
    expect(await access.getProfile(base.target, base.principal, at("2026-04-05T10:00:00Z"))).toBeUndefined();
    expect(await access.getProfile(base.target, base.principal, at("2026-09-01T00:00:00Z"))).toBeUndefined();

    const fresh = profile("2026-09-01T00:00:00.000Z", Math.floor(at("2026-11-30T00:00:00Z") / 1000));
    // Still live in March: a writer that saw no profile then must not overwrite it.
    expect(await access.putProfile(fresh, null, at("2026-03-01T00:00:00Z"))).toBe("conflict");
    expect(await access.putProfile(fresh, null, at("2026-09-01T00:00:00Z"))).toBe("applied");
    expect(await access.getProfile(base.target, base.principal, at("2026-09-01T00:00:00Z"))).toEqual(fresh);
    // Two writers that both found it expired: only one applies.
    expect(await access.putProfile(fresh, null, at("2026-09-01T00:00:00Z"))).toBe("conflict");
  });
});
