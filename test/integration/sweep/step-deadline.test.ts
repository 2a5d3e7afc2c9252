// The sweep's time budget where the other deadline tests do not reach: resources read in full that no
// control evaluates (fact sources), and the table listings between reading and evaluating. Time is a
// virtual clock (Date.now) that the slow calls move on: deterministic whatever the machine's load.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runSweep } from "../../../packages/aws/src/index.ts";
import { resourceKey } from "../../../packages/aws/src/sweep/reader.ts";
import {
  bucketConfigurationItem,
  kmsKeyConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { allFindings, CONTROLS, ControlSet, type Finding } from "../../../packages/core/src/index.ts";
import { seedDeletedBucketFinding, sseS3Buckets } from "./account.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("step-deadline");

/** As the handler sets it: the function's 900 s less its 3-minute margin. */
const BUDGET_MS = 720_000;
const TIMEOUT_MS = 900_000;
const realNow = Date.now.bind(Date);
let skew = 0;
beforeAll(() => {
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);
});
afterAll(() => {
  vi.restoreAllMocks();
});

describe("sweep: fact sources read in full after the resources the controls evaluate", () => {
  // Only s3-encryption-cmk: it evaluates buckets, and customer-managed KMS keys are a fact source it
  // reads (their rotation and policy from the KMS API) but no control of this set evaluates.
  const controls = new ControlSet(CONTROLS.filter((c) => c.id === "s3-encryption-cmk"));
  const buckets = Array.from({ length: 3 }, (_, i) =>
    bucketConfigurationItem({
      name: `northwind-ctr-fact-${i}`,
      accountId: DEMO.accountId,
      region: DEMO.region,
      capturedAt: "2026-03-03T10:00:00.000Z",
      sse: { algorithm: "AES256" },
    }),
  );
  // Eight keys whose rotation read takes 100 virtual seconds each (a throttled KMS): about four fit
  // in the half of the budget left for reading in full.
  const keys = Array.from({ length: 8 }, (_, i) =>
    kmsKeyConfigurationItem({
      keyId: `00000000-0000-4000-8000-00000000000${i}`,
      accountId: DEMO.accountId,
      region: DEMO.region,
      keyManager: "CUSTOMER",
      capturedAt: "2026-03-03T10:00:00.000Z",
    }),
  );

  it("a run that evaluated everything but left keys unread says so and the next run reads those keys first", async () => {
    expect(controls.handles("AWS::KMS::Key")).toBe(false);
    const deps = { ...(await h.freshDeps()), controls };
    h.mock({
      items: [...buckets, ...keys],
      pageSize: 100,
      onCall: (command) => {
        if (command === "GetKeyRotationStatusCommand") skew += 100_000;
      },
    });
    const keyIds = keys.map((k) => String(k.resourceId));
    const readInFull = async () => {
      const out = new Set<string>();
      for (const id of keyIds)
        if (
          (await deps.inventory.get(DEMO.accountId, DEMO.region, "AWS::KMS::Key", id))?.supplementary
            .KeyRotationStatus !== undefined
        )
          out.add(id);
      return out;
    };
    let resume: Record<string, string> | undefined;
    const postures = [];
    const seen: Set<string>[] = [];
    for (let run = 1; run <= 3; run++) {
      const t0 = Date.now();
      const { posture } = await runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: `fact-${run}`,
        deadline: t0 + BUDGET_MS,
        ...(resume ? { resume } : {}),
      });
      postures.push(posture);
      seen.push(await readInFull());
      resume = posture.resume;
    }
    // Run 1 read keys from the head until half its budget was spent: the buckets (after them in key
    // order) were not read, so not evaluated, and the next run starts with them.
    expect(postures[0]!.resume?.[DEMO.accountId]).toMatch(/^AWS::S3::Bucket\|/);
    // Run 2 evaluated every bucket, and read the first keys again: the last four keys (and the
    // account's Block Public Access, last in its order) were left unread — a key never read in full
    // has no snapshot stored — so the run says it is incomplete and resumes with the first it left.
    expect(seen[1]!.has(keyIds[4]!)).toBe(false);
    const second = postures[1]!;
    expect(second.unable[0]).toMatchObject({
      accountId: DEMO.accountId,
      resourceType: "*",
      operation: "sweep",
    });
    expect(second.unable[0]!.reason).toMatch(
      /^sweep incomplete: 3 of 3 resources evaluated .*\(5 listed but not read in full/,
    );
    const firstUnread = resourceKey({
      resourceType: "AWS::KMS::Key",
      region: DEMO.region,
      resourceId: keyIds[4]!,
    });
    expect(second.resume?.[DEMO.accountId]).toBe(firstUnread);
    // Run 3 starts there: every key has now been read in full (without the resume point it would start
    // from the head again and never reach the last four).
    expect(await readInFull()).toEqual(new Set(keyIds));
  });
});

describe("sweep: the table listings between reading the account and evaluating it", () => {
  // 200 PHI buckets on SSE-S3 (s3-encryption-cmk fails each) and a finding of a bucket since deleted.
  const buckets = sseS3Buckets("northwind-ctr-list", 200);
  const gone = {
    accountId: DEMO.accountId,
    region: DEMO.region,
    resourceType: "AWS::S3::Bucket",
    resourceId: "northwind-ctr-list-deleted",
  };
  type Query = { IndexName?: string; Limit?: number };
  /** A slow table: `delay` says how many virtual ms each Query takes (it may also shrink its page). */
  function slowQueries(delay: (input: Query) => number) {
    const name = "slowTable";
    const stack = h.stack.ddb.middlewareStack as unknown as {
      add: (mw: unknown, o: unknown) => void;
      remove: (n: string) => boolean;
    };
    stack.add(
      (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) =>
        async (args: { input: Query }) => {
          if (ctx.commandName === "QueryCommand") skew += delay(args.input);
          return next(args);
        },
      { step: "initialize", name },
    );
    return () => stack.remove(name);
  }
  async function sweptOnce() {
    const deps = await h.freshDeps();
    h.mock({ items: buckets, pageSize: 100 });
    // The first run: nothing slow, no deadline.
    await runSweep(deps, { accountId: DEMO.accountId, regions: [DEMO.region], sweepId: "list-0" });
    // Then a finding of a bucket the run did not list (deleted since): the next complete run resolves it.
    await seedDeletedBucketFinding(deps.findings, gone.resourceId);
    return deps;
  }
  const states = async (deps: { findings: Parameters<typeof allFindings>[0] }) =>
    new Map((await allFindings(deps.findings)).map((f: Finding) => [f.findingId, f.status]));
  const goneFinding = async (deps: { findings: Parameters<typeof allFindings>[0] }) =>
    (await allFindings(deps.findings, { resource: gone })).find((f) => f.ruleId === "s3-encryption-cmk");

  it("stops listing the stored inventory at the deadline: the posture is written in time and nothing is resolved from half a listing", async () => {
    const deps = await sweptOnce();
    expect((await goneFinding(deps))?.status).toBe("OPEN");
    const before = await states(deps);
    // Every page of the inventory index takes a virtual minute (a throttled index, retried), and pages
    // hold 20 items: the types before the buckets take 10 minutes, the 200 buckets 10 pages more.
    const restore = slowQueries((input) => {
      if (input.IndexName !== "GSI3") return 0;
      input.Limit = 20;
      return 60_000;
    });
    let posture: Awaited<ReturnType<typeof runSweep>>["posture"];
    const t0 = Date.now();
    try {
      ({ posture } = await runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: "list-1",
        deadline: t0 + BUDGET_MS,
        reconcile: true,
      }));
    } finally {
      restore();
    }
    // Lambda stops the function at its timeout: the run, posture included, ends before it.
    expect(Date.now() - t0).toBeLessThanOrEqual(TIMEOUT_MS);
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        accountId: DEMO.accountId,
        operation: "sweep",
        reason: expect.stringMatching(
          /^not listed: the run's time budget was spent while listing the account's stored inventory/,
        ),
      }),
    );
    // Nothing was resolved as deleted (the listing was cut), evaluated or created: every finding as it was.
    expect(await states(deps)).toEqual(before);
    expect(posture.resolvedGone).toBe(0);
    // The next run, the table quick again, lists everything: the deleted bucket is resolved.
    const next = await runSweep(deps, {
      accountId: DEMO.accountId,
      regions: [DEMO.region],
      sweepId: "list-2",
      deadline: Date.now() + BUDGET_MS,
      reconcile: true,
      ...(posture.resume ? { resume: posture.resume } : {}),
    });
    expect((await goneFinding(deps))?.status).toBe("RESOLVED");
    expect(next.posture.unable.filter((u) => u.operation === "sweep")).toEqual([]);
  });

  it("reads no page of the account's live findings past the deadline", async () => {
    const deps = await sweptOnce();
    // Reconcile's own listing (every account's findings) is made past the deadline on purpose: the
    // posture's counts come from it. Only the account's listing (by account) is checked here.
    let reconciling = false;
    const list = deps.findings.listFindings.bind(deps.findings);
    deps.findings.listFindings = (q) => {
      if (q.accountId === undefined) reconciling = true;
      return list(q);
    };
    const deadline = Date.now() + BUDGET_MS;
    let late = 0;
    // Each page of the findings-by-status index takes 800 virtual seconds: the first passes the deadline.
    const restore = slowQueries((input) => {
      if (input.IndexName !== "GSI1") return 0;
      if (!reconciling && Date.now() > deadline) late++;
      return 800_000;
    });
    let posture: Awaited<ReturnType<typeof runSweep>>["posture"];
    try {
      ({ posture } = await runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: "live-1",
        deadline,
        reconcile: true,
      }));
    } finally {
      restore();
    }
    expect(late).toBe(0);
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        reason: expect.stringMatching(
          /^not listed: .* open and suppressed findings; no resource is resolved as deleted/,
        ),
      }),
    );
  });
});
