// A member account of an AWS Organization whose only trail is the organisation trail of the management
// account: Config records that trail in the management account only, so the member's sweep finds no
// AWS::CloudTrail::Trail item. CloudTrail shows it to the member (DescribeTrails with shadow trails;
// GetEventSelectors / GetTrailStatus on its ARN): the sweep must judge the member's trail controls on it,
// and the config-change path must see it too. Through the handlers on the local stack, as deployed
// (security account sweeping the member through its read role). Its own file: the handlers keep their
// identity and member credentials for the container's life.
import { DescribeTrailsCommand, GetEventSelectorsCommand } from "@aws-sdk/client-cloudtrail";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore, PostureStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { assumedRole, demoEvents, type Mocks, mockAccount } from "./account.ts";

const SECURITY = "999988887777";
const MANAGEMENT = "999900001111";
const MEMBER_KEY = "ASIAMEMBERREADROLE03";
const ORG_TRAIL = `arn:aws:cloudtrail:${DEMO.region}:${MANAGEMENT}:trail/aws-controltower-BaselineCloudTrail`;
const TRAIL = "AWS::CloudTrail::Trail";

/** The organisation trail as DescribeTrails shows it in a member account (shape of the real DescribeTrails sample). */
const orgTrail = {
  Name: "aws-controltower-BaselineCloudTrail",
  S3BucketName: "aws-controltower-logs-999900001111-us-east-1",
  S3KeyPrefix: "o-exampleorgid",
  IncludeGlobalServiceEvents: true,
  IsMultiRegionTrail: true,
  HomeRegion: DEMO.region,
  TrailARN: ORG_TRAIL,
  LogFileValidationEnabled: true,
  KmsKeyId: `arn:aws:kms:${DEMO.region}:${MANAGEMENT}:key/5c7d3a1e-2b4f-4e6a-9c8d-1f2e3d4c5b6a`,
  HasCustomEventSelectors: true,
  HasInsightSelectors: false,
  IsOrganizationTrail: true,
};
/** Management events and every S3 data event (reads included) of every bucket. */
const orgSelectors = {
  AdvancedEventSelectors: [
    { Name: "Management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
    {
      Name: "S3 data events",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Data"] },
        { Field: "resources.type", Equals: ["AWS::S3::Object"] },
      ],
    },
  ],
};

let stack: LocalStack;
let mocks: Mocks;
const sts = mockClient(STSClient);
/** The member's own Config items, without a trail of its own: the organisation trail is its only trail. */
const memberItems = () => demoEvents().items.filter((i) => i.resourceType !== TRAIL);
const account = (shadowTrails: Array<Record<string, unknown>>, deny: string[] = []) =>
  mockAccount({
    items: memberItems(),
    servedTo: MEMBER_KEY,
    shadowTrails,
    deny,
    selectorsFor: (name) => (name === ORG_TRAIL ? orgSelectors : undefined),
  });

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
  process.env.PHIWATCH_OFFLINE = "0";
  sts.on(GetCallerIdentityCommand).resolves({
    Account: SECURITY,
    Arn: `arn:aws:sts::${SECURITY}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  sts.on(AssumeRoleCommand).resolves(assumedRole(MEMBER_KEY));
  mocks = account([orgTrail]);
});
afterAll(async () => {
  mocks?.restore();
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  process.env.PHIWATCH_OFFLINE = "1";
  await stack?.stop();
});

const sweep = (id: string) => stack.invoke("sweep", { id, "detail-type": "Scheduled Event" });
const open = async () =>
  (
    await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
      status: "OPEN",
      accountId: DEMO.accountId,
      limit: 100,
    })
  ).items;
const latestPosture = async () =>
  (await new PostureStore(stack.ddb, LOCAL_NAMES.table).list({ limit: 1 }))[0]!;
const TRAIL_RULES = ["cloudtrail-enabled", "cloudtrail-phi-data-events", "s3-access-audited"];

describe("a member account whose only trail is the organisation trail", () => {
  it("sweep: judges the member's trail controls on the organisation trail (no false fail, no silence)", async () => {
    await sweep("org-1");
    const p = await latestPosture();
    expect(p.unable).toEqual([]);
    // The organisation trail is the member's trail: multi-region, logging, management events, every read.
    // The member passes on the organisation trail. (In these mocks the security account phiwatch runs in
    // sees no trail at all: its account-level failure is the one non-compliant evaluation.)
    expect(p.controls["cloudtrail-enabled"]).toMatchObject({ compliant: 1, nonCompliant: 1 });
    expect(p.controls["cloudtrail-phi-data-events"]).toMatchObject({ compliant: 1, nonCompliant: 0 });
    expect(p.controls["s3-access-audited"]?.nonCompliant).toBe(0);
    expect(p.controls["s3-access-audited"]?.compliant).toBeGreaterThanOrEqual(1);
    expect((await open()).filter((f) => TRAIL_RULES.includes(f.ruleId))).toEqual([]);
    // Read with the member's role, by ARN (a member account must name an organisation trail by its ARN).
    const selectors = mocks.cloudtrail.commandCalls(GetEventSelectorsCommand).map((c) => c.args[0].input);
    expect(selectors).toContainEqual({ TrailName: ORG_TRAIL });
    expect(mocks.cloudtrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({
      includeShadowTrails: true,
    });
    // Kept in the member's inventory under its ARN, for the event path.
    const inv = await new InventoryStore(stack.ddb, LOCAL_NAMES.table).list(DEMO.accountId, TRAIL);
    expect(inv.map((t) => [t.resourceId, t.state])).toEqual([[ORG_TRAIL, "present"]]);
  });

  it("config-change: a PHI bucket's change is judged against the organisation trail", async () => {
    const ci = bucketConfigurationItem({
      name: DEMO.recordingsBucket,
      capturedAt: "2026-03-09T15:00:00.000Z",
      sse: { algorithm: "AES256", kmsKeyId: null },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }) as Record<string, unknown>;
    expect(await stack.dispatch(configChangeEvent({ ...ci, awsAccountId: DEMO.accountId } as never))).toEqual(
      ["config-change"],
    );
    const rules = (await open()).map((f) => f.ruleId);
    expect(rules).toContain("s3-encryption-cmk");
    expect(rules).not.toContain("s3-access-audited");
  });

  it("a denied DescribeTrails is reported and leaves the organisation trail as it was (not deleted)", async () => {
    mocks.restore();
    mocks = account([orgTrail], ["DescribeTrailsCommand"]);
    await sweep("org-denied");
    const p = await latestPosture();
    // (The mocks deny every caller: the security account's own read is listed too.)
    expect(p.unable.filter((u) => u.accountId === DEMO.accountId)).toEqual([
      expect.objectContaining({
        accountId: DEMO.accountId,
        resourceType: TRAIL,
        operation: "cloudtrail:DescribeTrails",
        reason: expect.stringContaining("AccessDenied"),
      }),
    ]);
    const inv = await new InventoryStore(stack.ddb, LOCAL_NAMES.table).list(DEMO.accountId, TRAIL);
    expect(inv.map((t) => [t.resourceId, t.state])).toEqual([[ORG_TRAIL, "present"]]);
    expect((await open()).filter((f) => TRAIL_RULES.includes(f.ruleId))).toEqual([]);
  });

  it("an organisation trail that is gone (account left the organisation, trail deleted) stops covering", async () => {
    mocks.restore();
    mocks = account([]);
    await sweep("org-gone");
    const inv = new InventoryStore(stack.ddb, LOCAL_NAMES.table);
    expect(await inv.list(DEMO.accountId, TRAIL)).toEqual([]);
    expect((await inv.get(DEMO.accountId, DEMO.region, TRAIL, ORG_TRAIL))?.state).toBe("deleted");
    const rules = (await open()).map((f) => f.ruleId);
    expect(rules).toContain("s3-access-audited");
    // No trail of its own, none of the organisation's: the account itself fails cloudtrail-enabled.
    const noTrail = (await open()).find((f) => f.ruleId === "cloudtrail-enabled");
    expect(noTrail).toMatchObject({
      severity: "critical",
      subject: { accountId: DEMO.accountId, region: "global", resourceType: "AWS::::Account" },
      summary: expect.stringMatching(/no CloudTrail trail at all/),
    });
    // The member's account-level failure, and the security account's (no trail in these mocks).
    expect((await latestPosture()).controls["cloudtrail-enabled"]).toMatchObject({
      compliant: 0,
      nonCompliant: 2,
    });
  });

  it("the account-level finding resolves once a trail records the account again", async () => {
    mocks.restore();
    mocks = account([orgTrail]);
    await sweep("org-back");
    expect((await open()).filter((f) => f.ruleId === "cloudtrail-enabled")).toEqual([]);
    const all = await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
      accountId: DEMO.accountId,
      limit: 100,
    });
    expect(
      all.items.find((f) => f.ruleId === "cloudtrail-enabled" && f.subject.resourceType === "AWS::::Account"),
    ).toMatchObject({ status: "RESOLVED" });
  });
});
