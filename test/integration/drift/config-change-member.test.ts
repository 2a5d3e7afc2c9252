// The config-change handler in AWS (not offline) reads what Config does not record — and fetches
// oversized items — in the item's own account and region: a member account of the baseline through
// its read role (infra/member-read-role.yaml), as the sweep does, so both paths evaluate the same
// data. Its own file: the handler keeps its member credentials for the container's life.
import { GetResourceConfigHistoryCommand } from "@aws-sdk/client-config-service";
import { DescribeManagedPrefixListsCommand } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { GetBucketOwnershipControlsCommand } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  oversizedBucketChangeEvent,
} from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  assumedRole,
  baseItem,
  instanceConnectGroup,
  MEMBER_ROLE,
  type Mocks,
  mockAccount,
  signers,
} from "../sweep/account.ts";

const MEMBER_KEY = "ASIAMEMBERREADROLE02";

let stack: LocalStack;
let mocks: Mocks;
const sts = mockClient(STSClient);

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  // As deployed: the KMS, EC2, CloudTrail, S3 and Config reads happen (against the mocks below).
  process.env.PHIWATCH_OFFLINE = "0";
  mocks = mockAccount({ items: [] });
  sts.on(AssumeRoleCommand).resolves(assumedRole(MEMBER_KEY));
});
afterAll(async () => {
  mocks?.restore();
  sts.restore();
  process.env.PHIWATCH_OFFLINE = "1";
  await stack?.stop();
});

const bucket = (accountId: string, capturedAt: string, kmsKeyId?: string) => {
  const ci = bucketConfigurationItem({
    name: "northwind-connect-recordings",
    capturedAt,
    sse: kmsKeyId ? { algorithm: "aws:kms", kmsKeyId } : { algorithm: "AES256", kmsKeyId: null },
    publicAccessBlock: {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    },
  }) as Record<string, unknown>;
  return { ...ci, awsAccountId: accountId };
};

describe("config-change reads a member account through its read role", () => {
  it("reads a PHI bucket's Object Ownership with the member role's credentials", async () => {
    expect(
      await stack.dispatch(configChangeEvent(bucket(DEMO.accountId, "2026-03-03T15:00:00.000Z") as never)),
    ).toEqual(["config-change"]);
    const calls = mocks.s3.commandCalls(GetBucketOwnershipControlsCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ Bucket: "northwind-connect-recordings" }]);
    // The mocks answer before signing: resolve the client's credentials as the SDK would to sign.
    expect(await signers(calls)).toEqual([{ accessKeyId: MEMBER_KEY, region: DEMO.region }]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: MEMBER_ROLE, RoleSessionName: "phiwatch-config-change", DurationSeconds: 3600 },
    ]);
    const open = await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
      status: "OPEN",
      accountId: DEMO.accountId,
    });
    expect(open.items.map((f) => f.ruleId)).toContain("s3-encryption-cmk");
  });

  it("uses its own credentials for an account the baseline does not list", async () => {
    const before = sts.commandCalls(AssumeRoleCommand).length;
    mocks.s3.resetHistory();
    // (EventBridge's rule would not deliver it: invoked directly, as a defence in depth.)
    await stack.invoke(
      "config-change",
      configChangeEvent(bucket("444455556666", "2026-03-03T16:00:00.000Z") as never),
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(before);
    const calls = mocks.s3.commandCalls(GetBucketOwnershipControlsCommand);
    expect(await signers(calls)).toEqual([{ accessKeyId: "local", region: DEMO.region }]);
  });

  it("asks KMS about a member account's key with its role, in the key's own region", async () => {
    // A key ARN in another region than the function's: KMS answers only in the key's region.
    const keyArn = `arn:aws:kms:us-west-2:${DEMO.accountId}:key/0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011`;
    mocks.kms.resetHistory();
    await stack.dispatch(
      configChangeEvent(bucket(DEMO.accountId, "2026-03-04T15:00:00.000Z", keyArn) as never),
    );
    const calls = mocks.kms.commandCalls(DescribeKeyCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ KeyId: keyArn }]);
    expect(await signers(calls)).toEqual([{ accessKeyId: MEMBER_KEY, region: "us-west-2" }]);
    const findings = await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
      accountId: DEMO.accountId,
    });
    expect(findings.items.find((f) => f.ruleId === "s3-encryption-cmk")?.status).toBe("RESOLVED");
  });

  it("fetches an oversized item from the member account, in the item's own region", async () => {
    const item = { ...bucket(DEMO.accountId, "2026-03-05T10:00:00.000Z"), awsRegion: "us-east-2" };
    mocks.config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [baseItem(item) as never] });
    await stack.dispatch(
      oversizedBucketChangeEvent({
        name: "northwind-connect-recordings",
        accountId: DEMO.accountId,
        region: "us-east-2",
        capturedAt: "2026-03-05T10:00:00.000Z",
        eventId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      }),
    );
    const calls = mocks.config.commandCalls(GetResourceConfigHistoryCommand);
    expect(calls.map((c) => c.args[0].input)).toMatchObject([
      { resourceType: "AWS::S3::Bucket", resourceId: "northwind-connect-recordings", limit: 1 },
    ]);
    expect(await signers(calls)).toEqual([{ accessKeyId: MEMBER_KEY, region: "us-east-2" }]);
  });

  it("reads nothing for an oversized notification of a type no control watches (debug log, not a Config call)", async () => {
    const before = mocks.config.commandCalls(GetResourceConfigHistoryCommand).length;
    const event = oversizedBucketChangeEvent({
      name: "fs-0123456789abcdef0",
      accountId: DEMO.accountId,
      region: DEMO.region,
      capturedAt: "2026-03-05T11:00:00.000Z",
      eventId: "5e6f7081-92a3-4b4c-8d9e-0f1a2b3c4d5e",
    }) as { detail: { configurationItemSummary: Record<string, unknown> } };
    // The rule routes only watched types; a replay (or a wider rule) can still hand one to the handler.
    event.detail.configurationItemSummary.resourceType = "AWS::EFS::FileSystem";
    event.detail.configurationItemSummary.ARN = `arn:aws:elasticfilesystem:${DEMO.region}:${DEMO.accountId}:file-system/fs-0123456789abcdef0`;
    expect(await stack.invoke("config-change", event)).toEqual({ evaluated: 0 });
    expect(mocks.config.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(before);
  });

  it("judges a member account's group on AWS's EC2 Instance Connect list by the name and owner its role reads", async () => {
    const { accountId: _a, arn, ...ci } = instanceConnectGroup();
    await stack.dispatch(
      configChangeEvent({
        ...ci,
        awsAccountId: DEMO.accountId,
        ARN: arn,
        configurationItemCaptureTime: "2026-03-06T10:00:00.000Z",
      } as never),
    );
    const calls = mocks.ec2.commandCalls(DescribeManagedPrefixListsCommand);
    expect(calls.map((c) => c.args[0].input.Filters)).toEqual([[{ Name: "owner-id", Values: ["AWS"] }]]);
    expect(await signers(calls)).toEqual([{ accessKeyId: MEMBER_KEY, region: DEMO.region }]);
    const findings = await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
      ruleId: "sg-no-open-admin",
    });
    // Compliant: no finding for the group (AWS's advice for SSH without opening it to the internet).
    expect(findings.items.filter((f) => f.subject.resourceId === ci.resourceId)).toEqual([]);
  });
});
