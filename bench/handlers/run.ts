// Handler-path figures for docs/cost.md: the real handlers against DynamoDB Local (in memory) through
// the local stack — wall time per invocation and DynamoDB requests per Config change and per access
// event. DynamoDB Local is slower than DynamoDB, so wall times are upper bounds of billed duration.
// The hourly sweep runs over the demo account plus N generated buckets behind mocked AWS read clients
// (Config, KMS, CloudTrail, Connect, S3: test/integration/sweep/account.ts): its wall time excludes AWS
// API latency, so the AWS calls it makes per resource are counted for the reader to price in.
// Run: npm run bench -- handlers

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoFindingStore, InventoryStore, PostureStore } from "../../packages/aws/src/index.ts";
import { generateAccessScenario } from "../../packages/cli/src/demo/access-scenario.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  iamRoleConfigurationItem,
  kmsKeyConfigurationItem,
} from "../../packages/cli/src/demo/config-events.ts";
import { DEMO, writeConfigScenario } from "../../packages/cli/src/demo/config-scenario.ts";
import { LocalStack, REPO_ROOT } from "../../packages/cli/src/local/stack.ts";
import { mockAccount } from "../../test/integration/sweep/account.ts";

const stack = await LocalStack.start({
  baselineFile: join(REPO_ROOT, "examples/baseline.yaml"),
  logLevel: "ERROR",
});
const runtime = (await import(pathToFileURL(join(REPO_ROOT, "functions/lib/runtime.ts")).href)) as {
  ddb: { middlewareStack: { add: (mw: unknown, opts: unknown) => void } };
};
const ops: Record<string, number> = {};
const CAPACITY_REPORTED = new Set(
  ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"].map(
    (c) => `${c}Command`,
  ),
);
const READS = new Set(["GetItemCommand", "BatchGetItemCommand", "QueryCommand"]);
// Requests by command, and the capacity units DynamoDB says they consumed (ReturnConsumedCapacity is
// added to every request: DynamoDB Local computes it — 4 KB read units, halved for eventually
// consistent reads, a Query's items summed before rounding; 1 KB write units).
runtime.ddb.middlewareStack.add(
  (next: (a: unknown) => Promise<{ output?: unknown }>, ctx: { commandName?: string }) =>
    async (args: { input?: { TransactItems?: unknown[]; ReturnConsumedCapacity?: string } }) => {
      const name = ctx.commandName ?? "?";
      if (phase && name === "QueryCommand") phases[`${phase}Queries`] = (phases[`${phase}Queries`] ?? 0) + 1;
      ops[name] =
        (ops[name] ?? 0) +
        (name === "TransactWriteItemsCommand" ? (args.input?.TransactItems?.length ?? 1) : 1);
      if (args.input && CAPACITY_REPORTED.has(name)) args.input.ReturnConsumedCapacity = "TOTAL";
      const r = await next(args);
      const cc = (r.output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
      // DynamoDB Local reports CapacityUnits only: a read command's are read units, a write's write units.
      const unit = READS.has(name) ? "RCU" : "WCU";
      let units = 0;
      for (const c of (Array.isArray(cc) ? cc : cc ? [cc] : []) as Array<{ CapacityUnits?: number }>)
        units += c.CapacityUnits ?? 0;
      // DynamoDB prices each key of a BatchGetItem as a GetItem (one unit at least, found or not);
      // DynamoDB Local counts only the items found: count at least one unit per key asked.
      if (name === "BatchGetItemCommand") {
        const asked = Object.values(
          (args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> }).RequestItems ?? {},
        ).reduce((n, t) => n + (t.Keys?.length ?? 0), 0);
        ops.BatchGetItemKeys = (ops.BatchGetItemKeys ?? 0) + asked;
        units = Math.max(units, asked);
      }
      ops[unit] = (ops[unit] ?? 0) + units;
      return r;
    },
  { step: "initialize", name: "phiwatchBenchCounter" },
);
// The sweep's table listings, timed apart (wall ms and DynamoDB Query requests): the stored inventory
// an account's sweep lists before writing (step 2's "what the inventory holds", every type), the
// account's live findings it lists to find the deleted ones, and reconcile's listing of every OPEN and
// SUPPRESSED finding (then reconcile as a whole, up to the posture write). The stores are wrapped
// through their prototypes (the handler's instances are the same classes); the listings run one
// after another, so a Query made inside one is that phase's.
type Phase = "storedInventory" | "liveFindings" | "reconcileListing";
let phase: Phase | undefined;
let phases: Record<string, number> = {};
let liveSeen = false;
let reconcileFrom: number | undefined;
const timed = async <T>(p: Phase, fn: () => Promise<T>): Promise<T> => {
  const outer = phase;
  phase = p;
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    phases[`${p}Ms`] = (phases[`${p}Ms`] ?? 0) + performance.now() - t0;
    phase = outer;
  }
};
// (`list` is `listUntil` without a deadline: the evaluations' lists pass here too, after the live findings.)
const list = InventoryStore.prototype.listUntil;
InventoryStore.prototype.listUntil = function (this: InventoryStore, ...a: Parameters<typeof list>) {
  // The account's stored inventory is listed before its live findings; later lists are evaluations'.
  return liveSeen ? list.apply(this, a) : timed("storedInventory", () => list.apply(this, a));
};
const listFindings = DynamoFindingStore.prototype.listFindings;
DynamoFindingStore.prototype.listFindings = function (
  this: DynamoFindingStore,
  ...a: Parameters<typeof listFindings>
) {
  const q = a[0];
  if (q.status && q.accountId) {
    liveSeen = true;
    return timed("liveFindings", () => listFindings.apply(this, a));
  }
  if (q.status && !q.ruleId && !q.resource) {
    reconcileFrom ??= performance.now();
    return timed("reconcileListing", () => listFindings.apply(this, a));
  }
  return listFindings.apply(this, a);
};
const postureWrite = PostureStore.prototype.put;
PostureStore.prototype.put = function (this: PostureStore, ...a: Parameters<typeof postureWrite>) {
  if (reconcileFrom !== undefined) phases.reconcileMs = performance.now() - reconcileFrom;
  return postureWrite.apply(this, a);
};
const startPhases = () => {
  phases = {};
  liveSeen = false;
  reconcileFrom = undefined;
};
const phaseFigures = () =>
  Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, k.endsWith("Ms") ? Math.round(v) : v]));
const snapshot = () => ({ ...ops });
const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) out[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return out;
};
const reads = (d: Record<string, number>) =>
  (d.GetItemCommand ?? 0) + (d.QueryCommand ?? 0) + (d.BatchGetItemCommand ?? 0);
const writes = (d: Record<string, number>) =>
  (d.PutItemCommand ?? 0) +
  (d.UpdateItemCommand ?? 0) +
  (d.TransactWriteItemsCommand ?? 0) +
  (d.DeleteItemCommand ?? 0);

// 1. Config changes: 200 bucket changes (half PHI, alternating compliant / not), one event at a time.
const N = 200;
const before = snapshot();
const times: number[] = [];
for (let i = 0; i < N; i++) {
  const phi = i % 2 === 0;
  const name = phi ? `northwind-ctr-${i % 20}` : `app-assets-${i}`;
  const e = configChangeEvent(
    bucketConfigurationItem({
      name,
      capturedAt: new Date(Date.UTC(2026, 2, 3, 10) + i * 60_000).toISOString(),
      sse: i % 4 === 0 ? { algorithm: "AES256" } : { algorithm: "aws:kms", kmsKeyId: "alias/aws/s3" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: i % 3 !== 0,
      },
    }),
  );
  const t0 = performance.now();
  await stack.invoke("config-change", e);
  times.push(performance.now() - t0);
}
const cfg = diff(before, snapshot());
times.sort((a, b) => a - b);

// 2. Access: the demo's Tuesday (2000-read burst, pipeline services, QA, analytics) in 1000-event batches.
const dir = mkdtempSync(join(tmpdir(), "phiwatch-bench-handlers-"));
const { todayFiles } = await generateAccessScenario(dir);
const envelopes = todayFiles.flatMap((f) =>
  readFileSync(f, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l)),
);
const beforeAccess = snapshot();
const batches: number[] = [];
for (let i = 0; i < envelopes.length; i += 1000) {
  const slice = envelopes.slice(i, i + 1000);
  const event = {
    Records: slice.map((e, j) => ({
      messageId: `m-${i + j}`,
      receiptHandle: `r-${i + j}`,
      body: JSON.stringify(e),
      attributes: { ApproximateReceiveCount: "1" },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:phiwatch-local-access",
      awsRegion: "us-east-1",
    })),
  };
  const t0 = performance.now();
  await stack.invoke("access", event);
  batches.push(performance.now() - t0);
}
const acc = diff(beforeAccess, snapshot());

// 3. Sweep: the demo account's Config items plus N buckets (a third of them PHI-named), each size swept
// twice — the first run records inventory and findings, the second is the steady hourly run.
process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
const sts = mockClient(STSClient);
sts.on(GetCallerIdentityCommand).resolves({
  Account: DEMO.accountId,
  Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
});
const demoItems = writeConfigScenario(join(dir, "config")).map(
  (f) => JSON.parse(readFileSync(f, "utf8")).detail.configurationItem,
);
const sweeps: Array<Record<string, unknown>> = [];
await stack.handler("sweep"); // Lambda's init phase, not timed
const bucket = (i: number) =>
  bucketConfigurationItem({
    name: i % 3 === 0 ? `northwind-ctr-sweep-${i}` : `app-assets-sweep-${i}`,
    capturedAt: "2026-03-03T10:00:00.000Z",
    sse: i % 2 === 0 ? { algorithm: "AES256" } : { algorithm: "aws:kms", kmsKeyId: "alias/aws/s3" },
  });
// A role reading one bucket's objects (every fourth on every PHI bucket, `northwind-ctr-*`): the
// identity controls read the account's bucket and managed-policy lists from the inventory.
const role = (i: number) =>
  iamRoleConfigurationItem({
    roleName: `app-role-sweep-${i}`,
    capturedAt: "2026-03-03T10:00:00.000Z",
    inlinePolicies: {
      read: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: i % 4 === 0 ? "arn:aws:s3:::northwind-ctr-*/*" : `arn:aws:s3:::app-assets-sweep-${i}/*`,
          },
        ],
      },
    },
  });
const key = (i: number) =>
  kmsKeyConfigurationItem({
    keyId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    keyManager: "CUSTOMER",
    capturedAt: "2026-03-03T10:00:00.000Z",
  });
// BENCH_SWEEP_SIZES=0,200,1000,5000 sweeps larger accounts too (the default keeps the bench ≈ 2 minutes).
// Each size is swept as buckets only, and (above 0) as a mixed account: 45 % buckets, 45 % IAM roles,
// 10 % customer-managed KMS keys.
const sizes = (process.env.BENCH_SWEEP_SIZES ?? "0,200,1000").split(",").map(Number);
const accounts = sizes.flatMap((n) => [
  { extra: n, mix: "buckets", items: Array.from({ length: n }, (_, i) => bucket(i)) },
  ...(n > 0
    ? [
        {
          extra: n,
          mix: "mixed",
          items: [
            ...Array.from({ length: Math.round(n * 0.45) }, (_, i) => bucket(i)),
            ...Array.from({ length: Math.round(n * 0.45) }, (_, i) => role(i)),
            ...Array.from({ length: n - 2 * Math.round(n * 0.45) }, (_, i) => key(i)),
          ],
        },
      ]
    : []),
]);
for (const { extra, mix, items } of accounts) {
  // Two resources a listing page up to 1,000 (as measured before); above, Config's 100 (the reader stops
  // after 1,000 pages, which at two a page would cut a type at 2,000 resources).
  const pageSize = extra > 1000 ? 100 : 2;
  const mocks = mockAccount({ items: [...demoItems, ...items], pageSize });
  for (const run of ["first", "steady"] as const) {
    const sentBefore = mocks.sent();
    const b = snapshot();
    startPhases();
    const t0 = performance.now();
    const r = (await stack.invoke("sweep", { id: `bench-${mix}-${extra}-${run}` })) as {
      resources: number;
    };
    const ms = performance.now() - t0;
    const d = diff(b, snapshot());
    // The mock lists `pageSize` resources per ListDiscoveredResources page, so listing calls are
    // counted apart.
    const byCommand: Record<string, number> = {};
    for (const c of mocks.sent()) byCommand[c] = (byCommand[c] ?? 0) + 1;
    for (const c of sentBefore) byCommand[c] = (byCommand[c] ?? 0) - 1;
    for (const [c, n] of Object.entries(byCommand)) if (n === 0) delete byCommand[c];
    const listing = byCommand.ListDiscoveredResourcesCommand ?? 0;
    const calls = Object.values(byCommand).reduce((a, n) => a + n, 0) - listing;
    sweeps.push({
      mix,
      resources: r.resources,
      run,
      wallMs: Math.round(ms),
      phases: phaseFigures(),
      msPerResource: +(ms / r.resources).toFixed(2),
      awsReadCallsPerResource: +(calls / r.resources).toFixed(2),
      listingPages: listing,
      listingPageSize: pageSize,
      awsCalls: byCommand,
      dynamodbReadsPerResource: +(reads(d) / r.resources).toFixed(2),
      dynamodbWritesPerResource: +(writes(d) / r.resources).toFixed(2),
      readUnitsPerResource: +((d.RCU ?? 0) / r.resources).toFixed(2),
      writeUnitsPerResource: +((d.WCU ?? 0) / r.resources).toFixed(2),
      dynamodb: d,
    });
  }
  mocks.restore();
}
sts.restore();
await stack.stop();

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const result = {
  configChange: {
    events: N,
    wallMsP50: +pct(times, 50).toFixed(1),
    wallMsP95: +pct(times, 95).toFixed(1),
    dynamodbReadsPerChange: +(reads(cfg) / N).toFixed(2),
    dynamodbWritesPerChange: +(writes(cfg) / N).toFixed(2),
    readUnitsPerChange: +((cfg.RCU ?? 0) / N).toFixed(2),
    writeUnitsPerChange: +((cfg.WCU ?? 0) / N).toFixed(2),
    requests: cfg,
  },
  access: {
    events: envelopes.length,
    batches: batches.length,
    wallMsPerBatch: batches.map((b) => +b.toFixed(0)),
    dynamodbReadsPerEvent: +(reads(acc) / envelopes.length).toFixed(4),
    dynamodbWritesPerEvent: +(writes(acc) / envelopes.length).toFixed(4),
    requests: acc,
  },
  sweep: sweeps,
};
console.log(JSON.stringify(result, null, 2));
