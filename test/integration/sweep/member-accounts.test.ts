// The scheduled sweep (functions/sweep.ts) in a security account that is not the contact center's:
// it reads each member account of the baseline through that account's read role
// (infra/member-read-role.yaml), and an account it cannot enter is reported, not skipped silently.
// Its own file: the handler keeps its identity and member credentials for the container's life.
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { clearFactCache } from "@phiwatch/aws";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoFindingStore, PostureStore } from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import * as Plan from "../../../packages/core/src/plan/index.ts";
import { assumedRole, demoEvents, MEMBER_ROLE, type Mocks, mockAccount, signers } from "./account.ts";

const SECURITY = "999988887777";
const MEMBER_KEY = "ASIAMEMBERREADROLE01";

let stack: LocalStack;
let mocks: Mocks;
const sts = mockClient(STSClient);

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
  sts.on(GetCallerIdentityCommand).resolves({
    Account: SECURITY,
    Arn: `arn:aws:sts::${SECURITY}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  // The contact center's resources, visible only to clients signed with the member role's keys.
  mocks = mockAccount({ items: demoEvents().items, servedTo: MEMBER_KEY });
});
afterAll(async () => {
  mocks?.restore();
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  await stack?.stop();
});

const sweep = async (id: string) =>
  (await stack.invoke("sweep", { id, "detail-type": "Scheduled Event" })) as {
    sweepId: string;
    accounts: string[];
    resources: number;
    unable: number;
  };
const findings = () =>
  new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
    status: "OPEN",
    accountId: DEMO.accountId,
    limit: 100,
  });
const latestPosture = async () =>
  (await new PostureStore(stack.ddb, LOCAL_NAMES.table).list({ limit: 1 }))[0];

describe("sweep of member accounts", () => {
  it("reports a member account whose role it cannot assume, and still sweeps its own account", async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        Object.assign(
          new Error(
            `User: arn:aws:sts::${SECURITY}:assumed-role/phiwatch-prod-sweep-role/x is not authorized to perform: sts:AssumeRole on resource: ${MEMBER_ROLE}`,
          ),
          { name: "AccessDenied" },
        ),
      );
    // Capture the handler's log (Powertools writes through the console in dev mode, as vitest runs it):
    // the alarm's metric filter matches this exact message.
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      }),
    );
    let out: Awaited<ReturnType<typeof sweep>>;
    try {
      out = await sweep("member-denied");
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const line = logged.map((l) => l.trim()).find((l) => l.includes(Plan.MEMBER_UNREADABLE_MESSAGE));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      level: "ERROR",
      message: Plan.MEMBER_UNREADABLE_MESSAGE,
      accountId: DEMO.accountId,
    });
    // (The Connect mocks answer every caller: the own account shows the instance and its flows.)
    expect(out).toMatchObject({ sweepId: "member-denied", accounts: [SECURITY, DEMO.accountId] });
    expect(out.unable).toBe(1);
    const p = await latestPosture();
    expect(p?.unable).toEqual([
      {
        accountId: DEMO.accountId,
        resourceType: "AWS::IAM::Role",
        resourceId: MEMBER_ROLE,
        operation: "sts:AssumeRole",
        reason: expect.stringMatching(
          /^AccessDenied: sts:AssumeRole arn:aws:iam::111122223333:role\/phiwatch-member-read: User:/,
        ),
      },
    ]);
    expect((await findings()).items).toEqual([]);
  });

  it("reads the member account with the role's credentials and records its findings", async () => {
    sts.on(AssumeRoleCommand).resolves(assumedRole(MEMBER_KEY));
    const out = await sweep("member-read");
    expect(out).toMatchObject({ sweepId: "member-read", accounts: [SECURITY, DEMO.accountId], unable: 0 });
    expect(out.resources).toBeGreaterThanOrEqual(5);
    expect(sts.commandCalls(AssumeRoleCommand).at(-1)?.args[0].input).toEqual({
      RoleArn: MEMBER_ROLE,
      RoleSessionName: "phiwatch-sweep",
      DurationSeconds: 3600,
    });
    const open = (await findings()).items;
    expect(open.length).toBeGreaterThan(0);
    expect(new Set(open.map((f) => f.subject.accountId))).toEqual(new Set([DEMO.accountId]));
    expect(open.map((f) => f.ruleId)).toContain("s3-encryption-cmk");
    const p = await latestPosture();
    expect(p).toMatchObject({ sweepId: "member-read", accounts: [SECURITY, DEMO.accountId], unableTotal: 0 });

    // The next run uses the same session: no second AssumeRole while the credentials are fresh.
    const calls = sts.commandCalls(AssumeRoleCommand).length;
    await sweep("member-read-2");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(calls);
  });
  it("describes a member's key that Config does not record through the member role", async () => {
    // The recorder does not record AWS::KMS::Key here: the key facts come from KMS DescribeKey,
    // which must be asked in the key's account (through its read role) and region.
    mocks.restore();
    mocks = mockAccount({
      items: demoEvents().items.filter((i) => i.resourceType !== "AWS::KMS::Key"),
      servedTo: MEMBER_KEY,
    });
    clearFactCache();
    await sweep("member-keys");
    const describes = mocks.kms.commandCalls(DescribeKeyCommand);
    expect(describes.length).toBeGreaterThan(0);
    expect(await signers(describes)).toEqual(
      describes.map(() => ({ accessKeyId: MEMBER_KEY, region: DEMO.region })),
    );
  });
});
