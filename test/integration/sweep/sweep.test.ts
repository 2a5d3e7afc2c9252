import { readFileSync } from "node:fs";
import { ListInstanceStorageConfigsCommand } from "@aws-sdk/client-connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BatchReadFindingStore,
  DynamoFindingStore,
  ensureTable,
  InventoryStore,
  PostureStore,
  readOnlyPolicy,
  runSweep,
  SWEEP_COMMANDS,
  type SweepDeps,
} from "../../../packages/aws/src/index.ts";
import { iamRoleConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  allFindings,
  CONTROLS,
  ControlSet,
  type Finding,
  type FindingChange,
  parseBaseline,
  recordObservation,
} from "../../../packages/core/src/index.ts";
import {
  clientsFor,
  demoEvents,
  groupOpenToList,
  INSTANCE_CONNECT_LIST,
  instanceConnectGroup,
  type Mocks,
  mockAccount,
  realSecurityGroup,
} from "./account.ts";

let stack: LocalStack;
let mocks: Mocks | undefined;
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
const controls = new ControlSet(CONTROLS);
const noSleep = { sleep: async () => {} };
let tables = 0;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

/** A fresh table in the same DynamoDB Local, with the stores the sweep needs. */
async function freshDeps(): Promise<SweepDeps & { findings: DynamoFindingStore; posture: PostureStore }> {
  const table = `sweep-${++tables}`;
  await ensureTable(stack.ddb, table);
  return {
    baseline,
    controls,
    // The sweep function's store: each resource's findings in one BatchGetItem.
    findings: new BatchReadFindingStore(stack.ddb, table),
    inventory: new InventoryStore(stack.ddb, table),
    posture: new PostureStore(stack.ddb, table),
    clientsFor,
    backoff: noSleep,
  };
}

async function all(store: DynamoFindingStore): Promise<Finding[]> {
  return (await allFindings(store)).sort((a, b) => a.findingId.localeCompare(b.findingId));
}

const view = (f: Finding) => ({
  findingId: f.findingId,
  ruleId: f.ruleId,
  resourceId: f.subject.resourceId,
  status: f.status,
  severity: f.severity,
  summary: f.summary,
  evidence: f.evidence,
});
const sweepReq = (sweepId: string, now = "2026-03-03T15:00:00.000Z") => ({
  accountId: DEMO.accountId,
  regions: [DEMO.region],
  sweepId,
  now: new Date(now),
});
/** What only the API can tell (KMS, CloudTrail, Connect, S3 Control) denied: the sweep then knows what the event path knows. */
const CONFIG_ONLY = [
  "GetKeyRotationStatusCommand",
  "GetKeyPolicyCommand",
  "GetEventSelectorsCommand",
  "GetTrailStatusCommand",
  "GetPublicAccessBlockCommand",
  "GetBucketOwnershipControlsCommand",
  "ListInstancesCommand",
];

describe("sweep over a recorded account", () => {
  it("reproduces exactly the findings of the event path from the same configuration items", async () => {
    const { files, items } = demoEvents();
    const eventStore = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    for (const f of files) await stack.dispatch(JSON.parse(readFileSync(f, "utf8")));
    const fromEvents = await all(eventStore);
    expect(fromEvents.filter((f) => f.status === "OPEN").length).toBeGreaterThanOrEqual(5);

    mocks = mockAccount({ items, deny: CONFIG_ONLY });
    const deps = await freshDeps();
    const { posture } = await runSweep(deps, sweepReq("sweep-1"));
    const fromSweep = await all(deps.findings);

    expect(fromSweep.map(view)).toEqual(fromEvents.map(view));
    // The denied reads are reported as unable to evaluate, with the reason.
    expect(posture.unable.map((u) => u.operation)).toEqual(
      expect.arrayContaining([
        "kms:GetKeyRotationStatus",
        "cloudtrail:GetEventSelectors",
        "connect:ListInstances",
      ]),
    );
    expect(posture.unable.every((u) => u.reason.startsWith("AccessDeniedException"))).toBe(true);
    // A denied read never passes: the key's rotation could not be read, so the control cannot prove it.
    expect(fromSweep.find((f) => f.ruleId === "kms-rotation")).toMatchObject({
      status: "OPEN",
      evidence: { proof: "cannot prove" },
    });
  });

  it("adds no history when it sweeps a store the event path already brought up to date", async () => {
    const { items } = demoEvents();
    mocks = mockAccount({ items, deny: CONFIG_ONLY });
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const before = await all(store);
    const historyBefore = (await Promise.all(before.map((f) => store.findingHistory(f.findingId)))).flat()
      .length;
    const { posture } = await runSweep(
      {
        baseline,
        controls,
        findings: store,
        inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
        clientsFor,
        backoff: noSleep,
      },
      sweepReq("sweep-2"),
    );
    expect(posture.transitions).toBe(0);
    const after = await all(store);
    expect((await Promise.all(after.map((f) => store.findingHistory(f.findingId)))).flat().length).toBe(
      historyBefore,
    );
    expect(after.map(view)).toEqual(before.map(view));
  });

  it("with read access, adds what only the API shows: Connect flows, Contact Lens, trail selectors, key rotation, AWS's prefix lists", async () => {
    const { items } = demoEvents();
    mocks = mockAccount({ items: [...items, realSecurityGroup(), instanceConnectGroup()] });
    const deps = await freshDeps();
    const { posture, evaluations } = await runSweep(deps, sweepReq("sweep-3"));
    const open = (await all(deps.findings)).filter((f) => f.status === "OPEN");
    const rules = new Set(open.map((f) => f.ruleId));
    for (const id of [
      "s3-encryption-cmk",
      "s3-block-public-access",
      "s3-retention-lifecycle",
      "iam-analytics-no-raw-audio",
      "cloudtrail-phi-data-events",
      "connect-contact-lens-redaction",
      "connect-flow-pause-recording",
      "kms-rotation",
      "sg-no-open-admin",
    ])
      expect(rules, id).toContain(id);
    const flow = open.find((f) => f.ruleId === "connect-flow-pause-recording")!;
    expect(flow.subject.resourceId).toBe("flow-identify");
    expect(JSON.stringify(flow.evidence)).not.toContain("key in your date of birth");
    const rotation = open.find((f) => f.ruleId === "kms-rotation")!;
    expect(rotation.evidence).toMatchObject({ rotationEnabled: false });
    // SSH only from AWS's EC2 Instance Connect list, judged by the name and owner EC2 gave: no finding.
    const eic = instanceConnectGroup().resourceId;
    expect(open.filter((f) => f.subject.resourceId === eic)).toEqual([]);
    expect(posture.controls["sg-no-open-admin"]).toMatchObject({ compliant: 1, nonCompliant: 1 });
    const passed = evaluations.find((e) => e.controlId === "sg-no-open-admin" && e.resourceId === eic)!;
    expect(passed.status).toBe("COMPLIANT");
    expect(passed.evidence.ec2InstanceConnect).toEqual([
      { prefixListId: INSTANCE_CONNECT_LIST, prefixListName: "com.amazonaws.us-east-1.ec2-instance-connect" },
    ]);
    // Now the trail's logging status and selectors are known: the account has a logging multi-region trail.
    expect(open.find((f) => f.ruleId === "cloudtrail-enabled")).toBeUndefined();
    expect(posture.unable).toEqual([]);
    expect(posture.controls["connect-flow-pause-recording"]).toMatchObject({ nonCompliant: 1, compliant: 1 });
    expect(posture.open.high).toBeGreaterThan(0);
    const snaps = await deps.posture.list({ limit: 10 });
    expect(snaps.map((p) => p.sweepId)).toEqual(["sweep-3"]);

    // Every command sent is in the documented read-only policy, and every listed one is used.
    const sent = new Set(mocks.sent());
    for (const name of sent) expect(SWEEP_COMMANDS, name).toHaveProperty(name);
    const unused = Object.keys(SWEEP_COMMANDS).filter(
      (n) =>
        !sent.has(n) &&
        !["GetCallerIdentityCommand", "DescribeKeyCommand", "DescribeContactFlowModuleCommand"].includes(n),
    );
    expect(unused).toEqual([]);
    const doc = readFileSync("docs/scan.md", "utf8");
    const policy = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)![1]!);
    expect(policy).toEqual(readOnlyPolicy());
  });

  it("resolves findings of resources that no longer exist, and leaves alone what it could not enumerate", async () => {
    const { items } = demoEvents();
    mocks = mockAccount({ items });
    const deps = await freshDeps();
    await runSweep(deps, sweepReq("sweep-4a"));
    const recordingsOpen = (await all(deps.findings)).filter(
      (f) => f.subject.resourceId === DEMO.recordingsBucket && f.status === "OPEN",
    );
    expect(recordingsOpen.length).toBeGreaterThan(0);
    const iamOpen = (await all(deps.findings)).filter(
      (f) => f.subject.resourceType === "AWS::IAM::Role" && f.status === "OPEN",
    );
    expect(iamOpen.length).toBeGreaterThan(0);
    mocks.restore();

    // The recordings bucket is deleted; IAM cannot be listed any more (permission removed).
    const remaining = items.filter(
      (i) => i.resourceId !== DEMO.recordingsBucket && i.resourceType !== "AWS::IAM::Role",
    );
    mocks = mockAccount({ items: remaining });
    // Deny only the IAM enumeration.
    const { ListDiscoveredResourcesCommand } = await import("@aws-sdk/client-config-service");
    const denyIam = mocks.config.on(ListDiscoveredResourcesCommand, { resourceType: "AWS::IAM::Role" });
    denyIam.rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const { posture } = await runSweep(deps, sweepReq("sweep-4b", "2026-03-03T16:00:00.000Z"));

    const after = await all(deps.findings);
    for (const f of recordingsOpen) {
      const now = after.find((x) => x.findingId === f.findingId)!;
      expect(now.status).toBe("RESOLVED");
      expect(now.summary).toMatch(/^Resolved: resource no longer exists/);
      const h = await deps.findings.findingHistory(f.findingId);
      expect(h.at(-1)).toMatchObject({ from: "OPEN", to: "RESOLVED", cause: "sweep:sweep-4b" });
    }
    for (const f of iamOpen) expect(after.find((x) => x.findingId === f.findingId)!.status).toBe("OPEN");
    expect(posture.resolvedGone).toBe(recordingsOpen.length);
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        resourceType: "AWS::IAM::Role",
        operation: "config:ListDiscoveredResources",
      }),
    );
  });

  it("backs off and retries when Config throttles", async () => {
    const { items } = demoEvents();
    const sleeps: number[] = [];
    mocks = mockAccount({ items, throttle: 3 });
    const deps = await freshDeps();
    const { posture } = await runSweep(
      { ...deps, backoff: { sleep: async (ms) => void sleeps.push(ms), random: () => 1, baseMs: 100 } },
      sweepReq("sweep-5"),
    );
    expect(sleeps).toEqual([100, 200, 400]);
    expect(posture.unable).toEqual([]);
    expect(posture.resources).toBeGreaterThanOrEqual(items.length);
  });

  it("records a member account that fails mid-sweep, finishes the others, then fails the run", async () => {
    mocks = mockAccount({ items: demoEvents().items });
    const deps = await freshDeps();
    const broken = () => {
      throw Object.assign(new Error("connection reset"), { name: "NetworkingError" });
    };
    const run = runSweep(deps, {
      ...sweepReq("sweep-member-fails"),
      members: [{ accountId: "444455556666", clientsFor: broken }],
    });
    await expect(run).rejects.toThrow("connection reset");
    const [p] = await deps.posture.list({ limit: 1 });
    expect(p).toMatchObject({ sweepId: "sweep-member-fails", accounts: [DEMO.accountId, "444455556666"] });
    expect(p!.resources).toBeGreaterThanOrEqual(5); // the own account was swept
    expect(p!.unable).toContainEqual({
      accountId: "444455556666",
      resourceType: "*",
      operation: "sweep",
      reason: "sweep failed: NetworkingError: connection reset",
    });
  });

  it("records every other finding when one resource's finding cannot be written, and fails the run loudly", async () => {
    const { items } = demoEvents();
    mocks = mockAccount({ items });
    const clean = await freshDeps();
    await runSweep({ ...clean, concurrency: 1 }, sweepReq("sweep-clean"));
    const expected = (await all(clean.findings)).filter(
      (f) => !(f.subject.resourceId === DEMO.recordingsBucket && f.ruleId === "s3-encryption-cmk"),
    );
    expect(expected.length).toBeGreaterThanOrEqual(5);

    // DynamoDB refuses the write of one finding (as it refuses an item over 400 KB), every time.
    const deps = await freshDeps();
    const refusing = Object.assign(Object.create(deps.findings) as DynamoFindingStore, {
      applyChange: async (change: FindingChange) => {
        if (
          change.next.subject.resourceId === DEMO.recordingsBucket &&
          change.next.ruleId === "s3-encryption-cmk"
        )
          throw Object.assign(new Error("Item size has exceeded the maximum allowed size"), {
            name: "ValidationException",
          });
        return deps.findings.applyChange(change);
      },
    });
    const run = runSweep({ ...deps, findings: refusing, concurrency: 1 }, sweepReq("sweep-one-refused"));
    await expect(run).rejects.toThrow("Item size has exceeded the maximum allowed size");

    // Every other finding — of other resources and of the same bucket's other controls — is recorded.
    expect((await all(deps.findings)).map(view)).toEqual(expected.map(view));
    const [p] = await deps.posture.list({ limit: 1 });
    expect(p!.sweepId).toBe("sweep-one-refused");
    expect(p!.unable).toEqual([
      {
        resourceType: "AWS::S3::Bucket",
        resourceId: DEMO.recordingsBucket,
        region: DEMO.region,
        operation: "record findings",
        reason: "s3-encryption-cmk: ValidationException: Item size has exceeded the maximum allowed size",
      },
    ]);
    expect(p!.open.high).toBeGreaterThan(0);
  });

  it("starts no account after the deadline, and still writes the posture snapshot", async () => {
    mocks = mockAccount({ items: demoEvents().items });
    const deps = await freshDeps();
    const { posture } = await runSweep(deps, {
      ...sweepReq("sweep-out-of-time"),
      members: [{ accountId: "444455556666", clientsFor }],
      deadline: Date.now() - 1,
    });
    expect(posture.resources).toBe(0);
    expect(posture.unable.map((u) => [u.accountId, u.operation, u.reason.split(":")[0]])).toEqual([
      [DEMO.accountId, "sweep", "not swept"],
      ["444455556666", "sweep", "not swept"],
    ]);
    expect((await deps.posture.list({ limit: 1 }))[0]?.sweepId).toBe("sweep-out-of-time");
    expect(mocks.sent()).toEqual([]);
  });

  it("reads each inventory list once per account, not once per resource that asks for it", async () => {
    // 60 roles: the identity controls of each ask for the account's buckets and policies. Read per
    // role, that is O(roles × buckets) items every hour (quadratic in the account's size).
    const roles = Array.from({ length: 60 }, (_, i) =>
      iamRoleConfigurationItem({
        roleName: `app-role-${i}`,
        accountId: DEMO.accountId,
        capturedAt: "2026-03-03T10:00:00.000Z",
        inlinePolicies: {
          read: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::northwind-ctr-*/*" },
            ],
          },
        },
      }),
    );
    mocks = mockAccount({ items: [...demoEvents().items, ...roles] });
    const deps = await freshDeps();
    const lists: string[] = [];
    const inventory = deps.inventory;
    const counted: SweepDeps = {
      ...deps,
      inventory: Object.assign(Object.create(inventory) as typeof inventory, {
        list: (accountId: string, type: string) => {
          lists.push(type);
          return inventory.list(accountId, type);
        },
      }),
    };
    await runSweep(counted, sweepReq("sweep-lists"));
    const byType = new Map<string, number>();
    for (const t of lists) byType.set(t, (byType.get(t) ?? 0) + 1);
    // Once to find deleted resources, once (a minute at most) for the evaluations that read it.
    expect(byType.get("AWS::S3::Bucket")).toBeLessThanOrEqual(3);
    expect(Math.max(...byType.values())).toBeLessThanOrEqual(3);
  });

  it("counts the same open findings in the posture with reconcile (one listing of the table) as without", async () => {
    const { items } = demoEvents();
    mocks = mockAccount({ items: [...items, realSecurityGroup()] });
    const deps = await freshDeps();
    const plain = await runSweep(deps, sweepReq("sweep-plain"));
    const open = (await all(deps.findings)).filter((f) => f.status === "OPEN");
    const reconciled = await runSweep(deps, { ...sweepReq("sweep-reconciled"), reconcile: true });
    expect(plain.posture.open.high).toBeGreaterThan(0);
    expect(reconciled.posture.open).toEqual(plain.posture.open);
    expect(Object.values(reconciled.posture.open).reduce((a, b) => a + b, 0)).toBe(open.length);
  });

  it("leaves reconciling to the next run once the deadline has passed (the posture is written first)", async () => {
    mocks = mockAccount({ items: demoEvents().items });
    const deps = await freshDeps();
    // A finding of a control this release does not have: reconcile would resolve it.
    await recordObservation(deps.findings, {
      kind: "drift",
      ruleId: "retired-control",
      title: "A control of an older release",
      severity: "high",
      hipaa: ["164.312(b)"],
      subject: {
        accountId: DEMO.accountId,
        region: DEMO.region,
        resourceType: "AWS::S3::Bucket",
        resourceId: "b",
      },
      verdict: "fail",
      summary: "failed",
      evidence: {},
      observedAt: "2026-03-01T00:00:00.000Z",
      cause: "evt-1",
    });
    const { posture } = await runSweep(deps, {
      ...sweepReq("sweep-out-of-time-reconcile"),
      reconcile: true,
      deadline: Date.now() - 1,
    });
    expect((await all(deps.findings)).map((f) => [f.ruleId, f.status])).toEqual([
      ["retired-control", "OPEN"],
    ]);
    expect(posture.unable.map((u) => [u.operation, u.reason.split(":")[0]])).toContainEqual([
      "reconcile",
      "not reconciled",
    ]);
  });

  it("runs as the scheduled Lambda handler (functions/sweep.ts) through the local stack", async () => {
    const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts");
    const { mockClient } = await import("aws-sdk-client-mock");
    const sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: DEMO.accountId, Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/sweep/fn` });
    process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
    mocks = mockAccount({ items: demoEvents().items });
    try {
      const out = (await stack.invoke("sweep", {
        id: "scheduler-run-1",
        "detail-type": "Scheduled Event",
      })) as {
        sweepId: string;
        resources: number;
        unable: number;
      };
      expect(out).toMatchObject({ sweepId: "scheduler-run-1", unable: 0 });
      expect(out.resources).toBeGreaterThanOrEqual(5);
      const snaps = await new PostureStore(stack.ddb, LOCAL_NAMES.table).list({ limit: 5 });
      expect(snaps[0]?.sweepId).toBe("scheduler-run-1");
    } finally {
      sts.restore();
      delete process.env.PHIWATCH_SWEEP_REGIONS;
    }
  });
});

describe("sweep: DynamoDB requests of the scheduled handler", () => {
  it("reads the findings in batches across resources, and a steady run writes no finding", async () => {
    const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts");
    const { mockClient } = await import("aws-sdk-client-mock");
    const runtime = (await import("../../../functions/lib/runtime.ts")) as unknown as {
      ddb: { middlewareStack: { add: (mw: unknown, o: unknown) => void; remove: (n: string) => boolean } };
    };
    const sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: DEMO.accountId, Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/sweep/fn` });
    process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
    mocks = mockAccount({ items: [...demoEvents().items, realSecurityGroup()] });
    const sent: string[] = [];
    // Inventory items put (their capture time), apart from the other puts.
    const inventoryPuts: string[] = [];
    runtime.ddb.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, ctx: { commandName: string }) =>
        (args: { input: { Item?: { PK?: { S?: string }; capturedAt?: { S?: string } } } }) => {
          if (ctx.commandName === "PutItemCommand" && args.input.Item?.PK?.S?.startsWith("I#"))
            inventoryPuts.push(args.input.Item.capturedAt?.S ?? "");
          else sent.push(ctx.commandName);
          return next(args);
        },
      { step: "initialize", name: "requestCounter" },
    );
    try {
      await stack.invoke("sweep", { id: "requests-first" });
      sent.length = 0;
      inventoryPuts.length = 0;
      const steadyStart = new Date().toISOString();
      const out = (await stack.invoke("sweep", { id: "requests-steady" })) as { resources: number };
      const n = (c: string) => sent.filter((x) => x === `${c}Command`).length;
      // One BatchGetItem per 100 findings, across resources (finding-reads.test.ts counts them).
      expect(n("BatchGetItem")).toBeGreaterThan(0);
      expect(n("BatchGetItem")).toBeLessThanOrEqual(out.resources);
      // Not a GetItem per control.
      expect(n("GetItem")).toBeLessThan(out.resources);
      // Unchanged configuration, re-evaluated: nothing to write but the posture and the inventory items
      // whose stored stamp moves — those stamped with the read's time (buckets, enriched keys and
      // trails, API reads); an item that keeps Config's capture time is stored as read, not rewritten.
      expect(n("TransactWriteItems")).toBe(0);
      expect(n("PutItem")).toBe(1);
      expect(inventoryPuts.length).toBeLessThan(out.resources);
      for (const at of inventoryPuts) expect(at >= steadyStart).toBe(true);
    } finally {
      runtime.ddb.middlewareStack.remove("requestCounter");
      sts.restore();
      delete process.env.PHIWATCH_SWEEP_REGIONS;
    }
  });
});

describe("sweep: Connect storage of attachments, evaluations and e-mail messages", () => {
  const PHI_KEY = `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`;
  const s3 = (BucketName: string, KeyId: string) => [
    {
      AssociationId: "x1",
      StorageType: "S3",
      S3Config: {
        BucketName,
        BucketPrefix: "connect/northwind",
        EncryptionConfig: { EncryptionType: "KMS", KeyId },
      },
    },
  ];
  const awsError = (name: string, httpStatusCode: number) =>
    Object.assign(new Error(`${name} from Connect`), { name, $metadata: { httpStatusCode } });
  let sweeps = 0;
  /** Sweep the demo account with these ListInstanceStorageConfigs answers; the storage finding and the posture. */
  async function sweepWith(storageFor: (type: string) => Array<Record<string, unknown>> | Error | undefined) {
    mocks = mockAccount({ items: demoEvents().items, storageFor });
    const deps = await freshDeps();
    const { posture } = await runSweep(deps, sweepReq(`sweep-storage-${++sweeps}`));
    const finding = (await all(deps.findings)).find(
      (f) => f.ruleId === "connect-storage-encrypted" && f.status === "OPEN",
    );
    const asked = mocks.connect
      .commandCalls(ListInstanceStorageConfigsCommand)
      .map((c) => c.args[0].input.ResourceType);
    return { finding, posture, asked };
  }

  it("passes the demo instance, and asks for every PHI storage type", async () => {
    const { finding, posture, asked } = await sweepWith(() => undefined);
    expect(finding).toBeUndefined();
    expect(posture.controls["connect-storage-encrypted"]).toMatchObject({ compliant: 1, nonCompliant: 0 });
    expect(asked).toEqual(expect.arrayContaining(["ATTACHMENTS", "CONTACT_EVALUATIONS", "EMAIL_MESSAGES"]));
  });

  it.each([
    ["ATTACHMENTS", "northwind-chat-attachments", PHI_KEY, "bucket is not a PHI bucket in the baseline"],
    ["ATTACHMENTS", DEMO.transcriptsBucket, "alias/aws/connect", "AWS-managed"],
    [
      "CONTACT_EVALUATIONS",
      "northwind-qa-evaluations",
      PHI_KEY,
      "bucket is not a PHI bucket in the baseline",
    ],
    ["CONTACT_EVALUATIONS", DEMO.transcriptsBucket, "alias/aws/connect", "AWS-managed"],
    ["EMAIL_MESSAGES", "northwind-email-messages", PHI_KEY, "bucket is not a PHI bucket in the baseline"],
    ["EMAIL_MESSAGES", DEMO.transcriptsBucket, "alias/aws/connect", "AWS-managed"],
  ])("fails an instance whose %s go to %s under %s", async (type, bucket, key, problem) => {
    const { finding } = await sweepWith((t) => (t === type ? s3(bucket, key) : undefined));
    expect(finding).toBeDefined();
    expect(finding!.evidence.proof).toBeUndefined();
    expect(finding!.evidence.problems).toContainEqual(
      expect.objectContaining({ type, bucket, problem: expect.stringContaining(problem) }),
    );
  });

  it.each([
    ["denied", awsError("AccessDeniedException", 403)],
    ["throttled on every attempt", awsError("ThrottlingException", 429)],
    ["failing inside Connect", awsError("InternalServiceException", 500)],
  ])(
    "cannot prove an instance whose e-mail storage read is %s, and lists the read as unable",
    async (_n, error) => {
      const { finding, posture } = await sweepWith((t) => (t === "EMAIL_MESSAGES" ? error : undefined));
      expect(finding?.evidence.proof).toBe("cannot prove");
      expect(finding!.evidence.problems).toContainEqual(
        expect.objectContaining({ types: ["EMAIL_MESSAGES"], problem: "storage configuration not read" }),
      );
      expect(posture.unable).toContainEqual(
        expect.objectContaining({
          resourceType: "AWS::Connect::Instance",
          operation: "connect:ListInstanceStorageConfigs EMAIL_MESSAGES",
          reason: expect.stringContaining(error.name),
        }),
      );
    },
  );

  it.each([
    ["InvalidRequestException", 400],
    ["InvalidParameterException", 400],
    ["ResourceNotFoundException", 404],
  ])("reads a %s for e-mail messages alone as no e-mail storage on the instance", async (name, status) => {
    const { finding, posture, asked } = await sweepWith((t) =>
      t === "EMAIL_MESSAGES" ? awsError(name, status) : undefined,
    );
    expect(asked).toContain("EMAIL_MESSAGES");
    expect(finding).toBeUndefined();
    expect(posture.controls["connect-storage-encrypted"]).toMatchObject({ compliant: 1, nonCompliant: 0 });
    expect(posture.unable).toEqual([]);
  });

  it("still fails the other types of an instance that refuses the e-mail read", async () => {
    const { finding } = await sweepWith((t) =>
      t === "EMAIL_MESSAGES"
        ? awsError("InvalidRequestException", 400)
        : t === "ATTACHMENTS"
          ? s3("northwind-chat-attachments", PHI_KEY)
          : undefined,
    );
    expect(finding!.evidence.problems).toEqual([
      expect.objectContaining({ type: "ATTACHMENTS", problem: "bucket is not a PHI bucket in the baseline" }),
    ]);
    expect(finding!.evidence.refused).toEqual([
      { type: "EMAIL_MESSAGES", answer: "InvalidRequestException" },
    ]);
  });

  it.each([
    ["call recordings (a type every instance has)", (t: string) => t === "CALL_RECORDINGS"],
    ["every type (the instance, not the type, is refused)", () => true],
  ])("cannot prove an instance that refuses the read of %s", async (_n, refused) => {
    const { finding, posture } = await sweepWith((t) =>
      refused(t) ? awsError("InvalidRequestException", 400) : undefined,
    );
    expect(finding?.evidence.proof).toBe("cannot prove");
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        operation: expect.stringMatching(/^connect:ListInstanceStorageConfigs /),
        reason: expect.stringContaining("InvalidRequestException"),
      }),
    );
  });
});

describe("sweep: a recorder that does not record customer-managed prefix lists", () => {
  // AWS Config recording every type but AWS::EC2::PrefixList (an exclusion some accounts use to cut cost).
  const noPrefixLists = {
    allSupported: false,
    includeGlobalResourceTypes: false,
    exclusionByResourceTypes: { resourceTypes: ["AWS::EC2::PrefixList"] },
    recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
  };
  const prefixListEntries = <T extends { resourceType: string }>(unable: readonly T[]) =>
    unable.filter((u) => u.resourceType === "AWS::EC2::PrefixList");

  /** The real group under another id, SSH open only to a customer-managed list Config does not record. */
  const customerListGroup = () => groupOpenToList("sg-0c0570mer1157000a", "pl-0123456789abcdef0");

  it("lists no prefix-list entry when no group's verdict needs a customer-managed list", async () => {
    // One group opens SSH to 0.0.0.0/0 (no list), one only to AWS's EC2 Instance Connect list (EC2 names it).
    mocks = mockAccount({
      items: [...demoEvents().items, realSecurityGroup(), instanceConnectGroup()],
      recordingGroup: noPrefixLists,
    });
    const deps = await freshDeps();
    const { posture, evaluations } = await runSweep(deps, sweepReq("sweep-no-lists-needed"));
    const verdicts = evaluations.filter((e) => e.controlId === "sg-no-open-admin");
    expect(verdicts.map((e) => [e.resourceId, e.status]).sort()).toEqual(
      [
        [instanceConnectGroup().resourceId, "COMPLIANT"],
        [realSecurityGroup().resourceId, "NON_COMPLIANT"],
      ].sort(),
    );
    expect(prefixListEntries(posture.unable)).toEqual([]);
  });

  it("keeps the entry, saying why, when a group's SSH rule names a list it cannot resolve (cannot prove)", async () => {
    mocks = mockAccount({
      items: [...demoEvents().items, realSecurityGroup(), customerListGroup()],
      recordingGroup: noPrefixLists,
    });
    const deps = await freshDeps();
    const { posture, evaluations } = await runSweep(deps, sweepReq("sweep-list-needed"));
    const verdict = evaluations.find(
      (e) => e.controlId === "sg-no-open-admin" && e.resourceId === customerListGroup().resourceId,
    );
    expect(verdict?.status).toBe("NON_COMPLIANT");
    expect(verdict?.evidence).toMatchObject({ proof: "cannot prove" });
    expect(JSON.stringify(verdict?.evidence)).toContain("pl-0123456789abcdef0 (not recorded");
    const [entry, ...more] = prefixListEntries(posture.unable);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ region: DEMO.region, operation: "config:ListDiscoveredResources" });
    expect(entry!.reason).toMatch(/^AWS Config does not record this resource type in this region/);
    expect(entry!.reason).toContain("1 security group(s)");
  });
});
