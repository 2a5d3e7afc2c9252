// The hourly sweep against its time budget: an account too large to evaluate in one run. Time is a
// virtual clock (Date.now) that every DynamoDB request of the handlers moves on by one second and every
// mocked AWS call by `awsStep`: deterministic whatever the machine's load, and large enough that the
// account cannot be evaluated within the function's 900 s timeout.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  DynamoFindingStore,
  ensureTable,
  InventoryStore,
  PostureStore,
  runSweep,
} from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack, REPO_ROOT } from "../../../packages/cli/src/local/stack.ts";
import { allFindings, CONTROLS, ControlSet, parseBaseline } from "../../../packages/core/src/index.ts";
import {
  clientsFor,
  demoEvents,
  type Mocks,
  mockAccount,
  seedDeletedBucketFinding,
  sseS3Buckets,
} from "./account.ts";

const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");

const TIMEOUT_MS = 900_000;
const N = 300;
const realNow = Date.now.bind(Date);
let skew = 0;
let stack: LocalStack;
let mocks: Mocks | undefined;
let ddb: { middlewareStack: { add: (mw: unknown, o: unknown) => void; remove: (n: string) => boolean } };
const sts = mockClient(STSClient);

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
  const runtime = (await import(pathToFileURL(join(REPO_ROOT, "functions/lib/runtime.ts")).href)) as {
    ddb: typeof ddb;
  };
  ddb = runtime.ddb;
  ddb.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      skew += 1000;
      return next(args);
    },
    { step: "initialize", name: "virtualClock" },
  );
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);
  sts.on(GetCallerIdentityCommand).resolves({
    Account: DEMO.accountId,
    Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
});
afterAll(async () => {
  ddb?.middlewareStack.remove("virtualClock");
  vi.restoreAllMocks();
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  await stack?.stop();
});
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

/** N PHI buckets on SSE-S3: s3-encryption-cmk fails each, so a bucket has a finding once it was evaluated. */
const buckets = sseS3Buckets("northwind-ctr-scale", N);

const gone = {
  accountId: DEMO.accountId,
  region: DEMO.region,
  resourceType: "AWS::S3::Bucket",
  resourceId: "northwind-ctr-scale-deleted",
};

describe("sweep: an account larger than one run's time budget", () => {
  it("stops at the deadline, says so in the posture, and the next runs resume where it stopped", async () => {
    mocks = mockAccount({ items: [...demoEvents().items, ...buckets] });
    const findings = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const posture = new PostureStore(stack.ddb, LOCAL_NAMES.table);
    await seedDeletedBucketFinding(findings, gone.resourceId);
    const evaluated = async () =>
      new Set(
        (await allFindings(findings, { ruleId: "s3-encryption-cmk" }))
          .map((f) => f.subject.resourceId)
          .filter((id) => /^northwind-ctr-scale-\d+$/.test(id)),
      );
    let before = 0;
    const runs: Array<{ evaluated: number; reason: string | undefined }> = [];
    for (let run = 1; run <= 15 && before < N; run++) {
      const t0 = Date.now();
      const out = (await stack.invoke("sweep", { id: `scale-${run}` })) as { sweepId: string };
      // Lambda stops the function at its timeout: the run, posture included, must end before it.
      expect(Date.now() - t0).toBeLessThanOrEqual(TIMEOUT_MS);
      expect(out.sweepId).toBe(`scale-${run}`);
      const [p] = await posture.list({ limit: 1 });
      expect(p?.sweepId).toBe(`scale-${run}`);
      const now = await evaluated();
      const first = p!.unable[0];
      runs.push({ evaluated: now.size, reason: first?.reason });
      if (now.size < N) {
        // Said first among the entries (never cut by the cap on entries), with the numbers.
        expect(first).toMatchObject({ accountId: DEMO.accountId, resourceType: "*", operation: "sweep" });
        expect(first!.reason).toMatch(/^sweep incomplete: \d+ of \d+ resources evaluated/);
      }
      // Every run reaches resources no run reached before: none is left out run after run.
      expect(now.size).toBeGreaterThan(before);
      before = now.size;
      // The enumeration was complete: the deleted bucket's finding is resolved from the first run.
      const deleted = (await allFindings(findings, { resource: gone })).find(
        (f) => f.ruleId === "s3-encryption-cmk",
      );
      expect(deleted?.status).toBe("RESOLVED");
    }
    expect(before).toBe(N);
    // More than one run was needed (the budget is real), each said how far it got.
    expect(runs.length).toBeGreaterThan(1);
  });

  it("stops reading at the deadline: a type not enumerated resolves nothing as deleted", async () => {
    // Every AWS call takes 10 virtual minutes: the deadline passes while the recorder is read.
    mocks = mockAccount({
      items: [...demoEvents().items, ...buckets],
      onCall: () => {
        skew += 600_000;
      },
    });
    await ensureTable(stack.ddb, "sweep-read-deadline");
    const findings = new DynamoFindingStore(stack.ddb, "sweep-read-deadline");
    await seedDeletedBucketFinding(findings, gone.resourceId);
    const { posture } = await runSweep(
      {
        baseline,
        controls: new ControlSet(CONTROLS),
        findings,
        inventory: new InventoryStore(stack.ddb, "sweep-read-deadline"),
        clientsFor,
        backoff: { sleep: async () => {} },
      },
      {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: "scale-read-deadline",
        deadline: Date.now() + 720_000,
      },
    );
    const deleted = (await allFindings(findings, { resource: gone })).find(
      (f) => f.ruleId === "s3-encryption-cmk",
    );
    expect(deleted?.status).toBe("OPEN");
    expect(posture.resolvedGone).toBe(0);
    // Nothing listed after the deadline, and the posture says what was not read.
    expect(mocks.sent()).not.toContain("ListDiscoveredResourcesCommand");
    expect(posture.unable[0]).toMatchObject({
      accountId: DEMO.accountId,
      operation: "sweep",
      reason: expect.stringMatching(/^not read: the run's time budget was spent/),
    });
  });
});

describe("sweep: one listing whose enrichment alone exceeds the time budget", () => {
  // 150 PHI buckets whose Object Ownership read (GetBucketOwnershipControls, one per bucket) takes 10
  // virtual seconds each (a throttled or slow S3): 1,500 s for the one listing, more than the function's
  // 900 s. Nothing else is slow. (Half the buckets of the test above at twice the time each: the same
  // virtual time and number of runs, half the evaluations on DynamoDB Local.)
  const SLOW_N = 150;
  const slow = sseS3Buckets("northwind-ctr-slow", SLOW_N);

  it("stops enriching at the deadline, writes the posture in time, and the next runs evaluate the rest", async () => {
    mocks = mockAccount({
      items: [...demoEvents().items, ...slow],
      onCall: (command) => {
        if (command === "GetBucketOwnershipControlsCommand") skew += 10_000;
      },
    });
    await ensureTable(stack.ddb, "sweep-enrich-deadline");
    const findings = new DynamoFindingStore(stack.ddb, "sweep-enrich-deadline");
    const posture = new PostureStore(stack.ddb, "sweep-enrich-deadline");
    await seedDeletedBucketFinding(findings, gone.resourceId);
    const deps = {
      baseline,
      controls: new ControlSet(CONTROLS),
      findings,
      posture,
      inventory: new InventoryStore(stack.ddb, "sweep-enrich-deadline"),
      clientsFor,
      backoff: { sleep: async () => {} },
    };
    const evaluated = async () =>
      new Set(
        (await allFindings(findings, { ruleId: "s3-encryption-cmk" }))
          .map((f) => f.subject.resourceId)
          .filter((id) => /^northwind-ctr-slow-\d+$/.test(id)),
      );
    let before = 0;
    let resume: Record<string, string> | undefined;
    let runs = 0;
    for (let run = 1; run <= 15 && before < SLOW_N; run++) {
      runs = run;
      const t0 = Date.now();
      // As the handler sets it: the function's timeout less its 3-minute margin.
      const { posture: p } = await runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: `slow-${run}`,
        deadline: t0 + TIMEOUT_MS - 180_000,
        ...(resume ? { resume } : {}),
      });
      // Lambda stops the function at its timeout: the run, posture included, must end before it.
      expect(Date.now() - t0).toBeLessThanOrEqual(TIMEOUT_MS);
      const [stored] = await posture.list({ limit: 1 });
      expect(stored?.sweepId).toBe(`slow-${run}`);
      resume = p.resume;
      const now = await evaluated();
      if (now.size < SLOW_N) {
        // Said first, with the numbers, and where the next run starts.
        expect(p.unable[0]).toMatchObject({
          accountId: DEMO.accountId,
          resourceType: "*",
          operation: "sweep",
        });
        expect(p.unable[0]!.reason).toMatch(/^sweep incomplete: \d+ of \d+ resources evaluated/);
        expect(p.resume?.[DEMO.accountId]).toBeDefined();
      }
      // Every run evaluates buckets no run reached before.
      expect(now.size).toBeGreaterThan(before);
      before = now.size;
      // The listing was complete: the deleted bucket's finding is resolved from the first run.
      const deleted = (await allFindings(findings, { resource: gone })).find(
        (f) => f.ruleId === "s3-encryption-cmk",
      );
      expect(deleted?.status).toBe("RESOLVED");
    }
    expect(before).toBe(SLOW_N);
    expect(runs).toBeGreaterThan(1);
    // Several sweeps of 150 buckets on DynamoDB Local: ≈ 25–45 s alone on 2 cores, 75 s and more when
    // other suites share the machine (the budget itself is on the virtual clock, not this one).
  }, 300_000);
});
