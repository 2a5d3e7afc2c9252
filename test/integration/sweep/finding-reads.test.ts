// The sweep reads the findings of many resources together: one strongly consistent BatchGetItem per 100
// findings across resources (`FindingRecorder`, as a Config change reads its dependants'), not one per
// resource. What must not change with it: a resource whose finding cannot be written costs only that
// finding (the others of its batch are recorded, the run fails at its end), and a batch the deadline
// cuts claims only what it recorded (the next run starts with the first resource it left).
import { readFileSync } from "node:fs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BatchReadFindingStore,
  ensureTable,
  InventoryStore,
  PostureStore,
  runSweep,
  type SweepDeps,
} from "../../../packages/aws/src/index.ts";
import { resourceKey } from "../../../packages/aws/src/sweep/sweep.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  ACCOUNT_TYPE,
  allFindings,
  CONTROLS,
  ControlSet,
  type Finding,
  type FindingChange,
  parseBaseline,
} from "../../../packages/core/src/index.ts";
import { recordHandlerRequests, type SentRequest } from "../../helpers/handler-requests.ts";
import { clientsFor, demoEvents, type Mocks, mockAccount, sseS3Buckets } from "./account.ts";

const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
const controls = new ControlSet(CONTROLS);
const N = 120;
let stack: LocalStack;
let mocks: Mocks | undefined;
let tables = 0;
const sts = mockClient(STSClient);
const realNow = Date.now.bind(Date);

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
  sts.on(GetCallerIdentityCommand).resolves({
    Account: DEMO.accountId,
    Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
});
afterAll(async () => {
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  await stack?.stop();
});
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
  vi.restoreAllMocks();
});

/** The demo account and N PHI buckets on SSE-S3 (each fails s3-encryption-cmk, among others). */
const account = () => [...demoEvents().items, ...sseS3Buckets("northwind-ctr-batch", N)];

/** The sweep function's stores on a table of their own. */
async function freshDeps(): Promise<SweepDeps & { findings: BatchReadFindingStore; posture: PostureStore }> {
  const table = `finding-reads-${++tables}`;
  await ensureTable(stack.ddb, table);
  return {
    baseline,
    controls,
    findings: new BatchReadFindingStore(stack.ddb, table),
    inventory: new InventoryStore(stack.ddb, table),
    posture: new PostureStore(stack.ddb, table),
    clientsFor,
    backoff: { sleep: async () => {} },
  };
}

const req = (sweepId: string) => ({ accountId: DEMO.accountId, regions: [DEMO.region], sweepId });

/** The findings of one whole first run of `account()` (its mock installed), run once for the file. */
let cleanRun: Promise<Finding[]> | undefined;
const clean = () => {
  cleanRun ??= (async () => {
    const deps = await freshDeps();
    await runSweep(deps, req("clean"));
    return allFindings(deps.findings);
  })();
  return cleanRun;
};

/** Each resource's findings (rule and status), by resource key. */
function byResource(findings: readonly Finding[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    const k = resourceKey(f.subject);
    out.set(k, [...(out.get(k) ?? []), `${f.ruleId}:${f.status}`].sort());
  }
  return out;
}

/** A store that refuses the writes `refuse` picks, and remembers the ids of each batch read. */
function wrapped(
  deps: { findings: BatchReadFindingStore },
  refuse: (c: FindingChange) => Error | undefined,
  batches: string[][] = [],
): BatchReadFindingStore {
  return Object.assign(Object.create(deps.findings) as BatchReadFindingStore, {
    getFindings: async (ids: readonly string[]) => {
      batches.push([...ids]);
      return deps.findings.getFindings(ids);
    },
    applyChange: async (change: FindingChange) => {
      const error = refuse(change);
      if (error) throw error;
      return deps.findings.applyChange(change);
    },
  });
}

describe("sweep: the findings of many resources read together", () => {
  it("reads the findings of every resource 100 at a time, not in a request per resource", async () => {
    mocks = mockAccount({ items: account(), pageSize: 100 });
    const sent: SentRequest[] = [];
    const stop = await recordHandlerRequests("sweepFindingReads", sent);
    try {
      for (const run of ["first", "steady"]) {
        sent.length = 0;
        const out = (await stack.invoke("sweep", { id: `finding-reads-${run}` })) as { resources: number };
        expect(out.resources).toBeGreaterThan(N);
        const keys = sent
          .filter((s) => s.command === "BatchGetItemCommand")
          .map((s) =>
            Object.values(s.input.RequestItems as Record<string, { Keys: unknown[] }>).reduce(
              (n, r) => n + r.Keys.length,
              0,
            ),
          );
        const total = keys.reduce((a, n) => a + n, 0);
        // Every bucket's dozen findings are read (DynamoDB Local answers every key at once)…
        expect(total).toBeGreaterThan(10 * N);
        // …in full requests of 100 but the last of each recorder (the deleted ones, what exists): one
        // request per resource (≈ 130) before.
        expect(keys.length).toBeLessThanOrEqual(Math.ceil(total / 100) + 1);
        expect(keys.filter((n) => n < 100).length).toBeLessThanOrEqual(2);
        if (run === "steady")
          expect(sent.filter((s) => s.command === "TransactWriteItemsCommand")).toHaveLength(0);
      }
    } finally {
      await stop();
    }
  }, 180_000);

  it("records every other finding of a batch whose one write fails, and fails the run loudly", async () => {
    mocks = mockAccount({ items: account(), pageSize: 100 });
    const victim = "northwind-ctr-batch-060";
    const expected = (await clean())
      .filter((f) => !(f.subject.resourceId === victim && f.ruleId === "s3-encryption-cmk"))
      .map((f) => `${f.findingId}:${f.status}`)
      .sort();

    const deps = await freshDeps();
    const batches: string[][] = [];
    let victimId: string | undefined;
    const findings = wrapped(
      deps,
      (c) => {
        if (c.next.subject.resourceId !== victim || c.next.ruleId !== "s3-encryption-cmk") return undefined;
        victimId = c.next.findingId;
        return Object.assign(new Error("Item size has exceeded the maximum allowed size"), {
          name: "ValidationException",
        });
      },
      batches,
    );
    await expect(runSweep({ ...deps, findings }, req("batch-one-refused"))).rejects.toThrow(
      "Item size has exceeded the maximum allowed size",
    );
    // The refused finding was read with other resources' findings, in one request of 100.
    expect(victimId).toBeDefined();
    const shared = batches.find((b) => b.includes(victimId!));
    expect(shared).toHaveLength(100);
    expect(shared!.length).toBeGreaterThan(12);

    // Every other finding — of the batch's other resources, and of the same bucket — is recorded.
    const all: Finding[] = await allFindings(deps.findings);
    expect(all.map((f) => `${f.findingId}:${f.status}`).sort()).toEqual(expected);
    const [p] = await deps.posture.list({ limit: 1 });
    expect(p!.sweepId).toBe("batch-one-refused");
    expect(p!.unable).toEqual([
      {
        resourceType: "AWS::S3::Bucket",
        resourceId: victim,
        region: DEMO.region,
        operation: "record findings",
        reason: "s3-encryption-cmk: ValidationException: Item size has exceeded the maximum allowed size",
      },
    ]);
    expect(p!.resume).toBeUndefined();
  }, 180_000);

  it("a batch cut by the deadline claims only the resources it recorded; the next run starts with the first it left", async () => {
    mocks = mockAccount({ items: account(), pageSize: 100 });
    const whole = await clean();
    const expected = byResource(whole);

    // A third of the way through the finding writes, the clock moves an hour on, past the deadline:
    // batches are in flight.
    let skew = 0;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);
    const deps = await freshDeps();
    let writes = 0;
    const findings = wrapped(deps, () => {
      if (++writes === Math.floor(whole.length / 3)) skew = 3_600_000;
      return undefined;
    });
    const first = await runSweep({ ...deps, findings }, { ...req("cut-1"), deadline: Date.now() + 600_000 });
    const resume = first.posture.resume?.[DEMO.accountId];
    expect(resume).toBeDefined();
    const recorded = byResource(await allFindings(deps.findings));
    // Every resource before the resume key (the run started at the first key) is recorded as a whole
    // run records it, and nothing is recorded that a whole run does not record.
    const keys = [...expected.keys()].sort();
    const before = keys.filter((k) => k < resume!);
    expect(before.length).toBeGreaterThan(0);
    for (const k of before) expect([k, recorded.get(k)]).toEqual([k, expected.get(k)]);
    for (const [k, ids] of recorded) for (const id of ids) expect(expected.get(k)).toContain(id);
    // The deadline did leave findings unrecorded (not only resources unstarted).
    expect(recorded).not.toEqual(expected);
    // The run claims what it recorded, no more: the resume key's resource is not among the evaluations
    // returned, and the posture counts as evaluated the resources before it.
    const evaluated = new Set(
      first.evaluations.filter((e) => e.resourceType !== ACCOUNT_TYPE).map((e) => resourceKey(e)),
    );
    expect(evaluated.has(resume!)).toBe(false);
    const [done] = /^sweep incomplete: (\d+) of/.exec(first.posture.unable[0]!.reason)!.slice(1);
    expect(Number(done)).toBe([...evaluated].filter((k) => k < resume!).length);

    // The next run starts there and records the rest.
    skew = 0;
    const second = await runSweep(
      { ...deps, findings },
      { ...req("cut-2"), deadline: Date.now() + 600_000, resume: first.posture.resume },
    );
    expect(second.posture.resume).toBeUndefined();
    expect(byResource(await allFindings(deps.findings))).toEqual(expected);
  }, 240_000);
});
