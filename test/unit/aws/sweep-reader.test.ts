// The sweep's reader: what it may call "enumerated completely" (only there are missing resources
// resolved as deleted), against the documented behaviour of Config's recorder and the list APIs.
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  ListDiscoveredResourcesCommand,
  type RecordingGroup,
} from "@aws-sdk/client-config-service";
import {
  ConnectClient,
  DescribeContactFlowCommand,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListInstanceAttributesCommand,
  ListInstanceStorageConfigsCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-connect";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { readAccount } from "../../../packages/aws/src/sweep/reader.ts";

const ACCOUNT = "111122223333";
const config = mockClient(ConfigServiceClient);
const connect = mockClient(ConnectClient);
afterEach(() => {
  config.reset();
  connect.reset();
});

const clientsFor = (region: string) => ({
  config: new ConfigServiceClient({ region }),
  connect: new ConnectClient({ region }),
});
const req = (resourceTypes: string[], regions = ["us-east-1"], connectToo = false) => ({
  accountId: ACCOUNT,
  regions,
  resourceTypes,
  connect: connectToo,
  now: new Date("2026-03-03T15:00:00.000Z"),
  backoff: { sleep: async () => {} },
});

/** A BatchGetResourceConfig item (configuration as a JSON string, as the API returns it). */
const item = (resourceType: string, resourceId: string, awsRegion: string, configuration = "{}") => ({
  version: "1.3",
  accountId: ACCOUNT,
  configurationItemCaptureTime: new Date("2026-03-03T14:00:00.000Z"),
  configurationItemStatus: "OK" as const,
  configurationStateId: "1",
  resourceType: resourceType as never,
  resourceId,
  resourceName: resourceId,
  awsRegion,
  configuration,
  supplementaryConfiguration: {},
});

/** A recorder with this recording group, recording. */
function recorder(recordingGroup: RecordingGroup) {
  config
    .on(DescribeConfigurationRecordersCommand)
    .resolves({ ConfigurationRecorders: [{ name: "default", recordingGroup }] });
  config.on(DescribeConfigurationRecorderStatusCommand).resolves({
    ConfigurationRecordersStatus: [{ name: "default", recording: true, lastStatus: "Success" }],
  });
}

describe("sweep reader: recorder semantics", () => {
  it("counts global IAM types as recorded under EXCLUSION_BY_RESOURCE_TYPES (includeGlobalResourceTypes has no effect there)", async () => {
    recorder({
      allSupported: false,
      includeGlobalResourceTypes: false,
      exclusionByResourceTypes: { resourceTypes: ["AWS::EC2::Instance"] },
      recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
    });
    config.on(ListDiscoveredResourcesCommand).resolves({
      resourceIdentifiers: [{ resourceType: "AWS::IAM::Role", resourceId: "AROAEXAMPLE" }],
    });
    config
      .on(BatchGetResourceConfigCommand)
      .resolves({ baseConfigurationItems: [item("AWS::IAM::Role", "AROAEXAMPLE", "global")] });
    const read = await readAccount(clientsFor, req(["AWS::IAM::Role"]));
    expect(read.snapshots.map((s) => [s.resourceType, s.region, s.resourceId])).toEqual([
      ["AWS::IAM::Role", "global", "AROAEXAMPLE"],
    ]);
    expect(read.complete.has("AWS::IAM::Role|global")).toBe(true);
    expect(read.unable).toEqual([]);
  });

  it("an excluded IAM type is not recorded under EXCLUSION_BY_RESOURCE_TYPES", async () => {
    recorder({
      allSupported: false,
      exclusionByResourceTypes: { resourceTypes: ["AWS::IAM::Role"] },
      recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
    });
    const read = await readAccount(clientsFor, req(["AWS::IAM::Role"]));
    expect(read.complete.size).toBe(0);
    expect(config.commandCalls(ListDiscoveredResourcesCommand)).toHaveLength(0);
  });

  it.each<[string, RecordingGroup]>([
    ["all supported with global types", { allSupported: true, includeGlobalResourceTypes: true }],
    [
      "exclusion",
      {
        allSupported: false,
        exclusionByResourceTypes: { resourceTypes: [] },
        recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
      },
    ],
  ])(
    "never calls IAM enumerated in a Region added after February 2022, where Config cannot record it (%s)",
    async (_, group) => {
      recorder(group);
      config.on(ListDiscoveredResourcesCommand).resolves({ resourceIdentifiers: [] });
      const read = await readAccount(clientsFor, req(["AWS::IAM::Role"], ["il-central-1"]));
      // An empty answer there says nothing about the account's roles: none may be resolved as deleted.
      expect(read.complete.has("AWS::IAM::Role|global")).toBe(false);
      expect(read.unable).toContainEqual(expect.objectContaining({ resourceType: "AWS::IAM::Role" }));
    },
  );
});

describe("sweep reader: complete enumeration only", () => {
  it("does not call a type complete when an item it fetched could not be read", async () => {
    recorder({ allSupported: true, includeGlobalResourceTypes: true });
    config.on(ListDiscoveredResourcesCommand).resolves({
      resourceIdentifiers: [
        { resourceType: "AWS::S3::Bucket", resourceId: "ok-bucket" },
        { resourceType: "AWS::S3::Bucket", resourceId: "huge-bucket" },
      ],
    });
    // An embedded document over the parser's limit: the item exists, but cannot be turned into a snapshot.
    const huge = JSON.stringify({ policy: "x".repeat(1024 * 1024 + 10) });
    config.on(BatchGetResourceConfigCommand).resolves({
      baseConfigurationItems: [
        item("AWS::S3::Bucket", "ok-bucket", "us-east-1"),
        item("AWS::S3::Bucket", "huge-bucket", "us-east-1", huge),
      ],
    });
    const read = await readAccount(clientsFor, req(["AWS::S3::Bucket"]));
    expect(read.snapshots.map((s) => s.resourceId)).toEqual(["ok-bucket"]);
    expect(read.unable).toContainEqual(expect.objectContaining({ resourceId: "huge-bucket" }));
    // huge-bucket still exists: it must not be resolved as deleted.
    expect(read.complete.has("AWS::S3::Bucket|us-east-1")).toBe(false);
  });

  it("does not call a type complete when it stops listing with a nextToken left", async () => {
    recorder({ allSupported: true, includeGlobalResourceTypes: true });
    let page = 0;
    config.on(ListDiscoveredResourcesCommand).callsFake(() => {
      page++;
      return {
        resourceIdentifiers: [{ resourceType: "AWS::S3::Bucket", resourceId: `bucket-${page}` }],
        nextToken: `t${page}`, // always another page
      };
    });
    config.on(BatchGetResourceConfigCommand).callsFake((input) => ({
      baseConfigurationItems: input.resourceKeys.map((k: { resourceId: string }) =>
        item("AWS::S3::Bucket", k.resourceId, "us-east-1"),
      ),
    }));
    const read = await readAccount(clientsFor, req(["AWS::S3::Bucket"]));
    expect(read.complete.has("AWS::S3::Bucket|us-east-1")).toBe(false);
    expect(read.unable).toContainEqual(
      expect.objectContaining({
        resourceType: "AWS::S3::Bucket",
        operation: "config:ListDiscoveredResources",
      }),
    );
  });
  it("does not call a type complete when BatchGetResourceConfig leaves out a key it was asked for", async () => {
    recorder({ allSupported: true, includeGlobalResourceTypes: true });
    config.on(ListDiscoveredResourcesCommand).resolves({
      resourceIdentifiers: [
        { resourceType: "AWS::S3::Bucket", resourceId: "ok-bucket" },
        { resourceType: "AWS::S3::Bucket", resourceId: "left-out-bucket" },
      ],
    });
    // A 200 with one listed key in neither baseConfigurationItems nor unprocessedResourceKeys.
    config.on(BatchGetResourceConfigCommand).resolves({
      baseConfigurationItems: [item("AWS::S3::Bucket", "ok-bucket", "us-east-1")],
    });
    const read = await readAccount(clientsFor, req(["AWS::S3::Bucket"]));
    expect(read.snapshots.map((s) => s.resourceId)).toEqual(["ok-bucket"]);
    // It was listed a moment ago: not known to be gone, so nothing of the type is resolved as deleted.
    expect(read.complete.has("AWS::S3::Bucket|us-east-1")).toBe(false);
    expect(read.unable).toEqual([
      expect.objectContaining({
        resourceId: "left-out-bucket",
        operation: "config:BatchGetResourceConfig",
        reason: expect.stringContaining("not returned"),
      }),
    ]);
  });
});

describe("sweep reader: unprocessed keys", () => {
  // BatchGetResourceConfig answers 200 with `unprocessedResourceKeys` when Config is busy; the SDK does
  // not retry those. Asking again at once meets the same load: the reader waits (backoff, full jitter).
  it("backs off before asking again for keys Config left unprocessed, and then reads them", async () => {
    recorder({ allSupported: true, includeGlobalResourceTypes: true });
    config.on(ListDiscoveredResourcesCommand).resolves({
      resourceIdentifiers: [{ resourceType: "AWS::S3::Bucket", resourceId: "busy-bucket" }],
    });
    const unprocessed = {
      unprocessedResourceKeys: [{ resourceType: "AWS::S3::Bucket" as const, resourceId: "busy-bucket" }],
    };
    config
      .on(BatchGetResourceConfigCommand)
      .resolvesOnce(unprocessed)
      .resolvesOnce(unprocessed)
      .resolvesOnce(unprocessed)
      .resolves({ baseConfigurationItems: [item("AWS::S3::Bucket", "busy-bucket", "us-east-1")] });
    const sleeps: number[] = [];
    const read = await readAccount(clientsFor, {
      ...req(["AWS::S3::Bucket"]),
      backoff: { sleep: async (ms: number) => void sleeps.push(ms), random: () => 1, baseMs: 100 },
    });
    expect(sleeps).toEqual([100, 200, 400]);
    expect(read.snapshots.map((s) => s.resourceId)).toEqual(["busy-bucket"]);
    expect(read.complete.has("AWS::S3::Bucket|us-east-1")).toBe(true);
    expect(read.unable).toEqual([]);
  });
});

describe("sweep reader: Connect", () => {
  function connectInstance(flowCount: number) {
    recorder({ allSupported: true, includeGlobalResourceTypes: true });
    connect.on(ListInstancesCommand).resolves({
      InstanceSummaryList: [{ Id: "inst-1", Arn: "arn:aws:connect:us-east-1:111122223333:instance/inst-1" }],
    });
    connect.on(ListInstanceAttributesCommand).resolves({ Attributes: [] });
    connect.on(ListInstanceStorageConfigsCommand).resolves({ StorageConfigs: [] });
    connect.on(ListContactFlowModulesCommand).resolves({ ContactFlowModulesSummaryList: [] });
    const PAGE = 1000; // ListContactFlows' MaxResults maximum
    connect.on(ListContactFlowsCommand).callsFake((input) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const end = Math.min(start + PAGE, flowCount);
      return {
        ContactFlowSummaryList: Array.from({ length: end - start }, (_, i) => ({
          Id: `flow-${start + i}`,
          Name: `flow ${start + i}`,
        })),
        ...(end < flowCount ? { NextToken: String(end) } : {}),
      };
    });
    connect.on(DescribeContactFlowCommand).callsFake((input) => ({
      ContactFlow: { Id: input.ContactFlowId, Content: "{}", Status: "PUBLISHED", State: "ACTIVE" },
    }));
  }

  it("does not call flows complete when it stops listing an instance's flows with a NextToken left", async () => {
    connectInstance(2500);
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    const flows = read.snapshots.filter((s) => s.resourceType === "AWS::Connect::ContactFlow");
    // Every flow exists: one that was not read must not be resolved as deleted, and is reported.
    const allRead = flows.length === 2500;
    expect(read.complete.has("AWS::Connect::ContactFlow|us-east-1")).toBe(allRead);
    if (!allRead)
      expect(read.unable).toContainEqual(expect.objectContaining({ operation: "connect:ListContactFlows" }));
  });

  it("skips a flow that was saved but never published (it takes no contacts) without making flows incomplete", async () => {
    connectInstance(3);
    connect.on(DescribeContactFlowCommand).callsFake((input) => {
      if (input.ContactFlowId === "flow-1")
        throw Object.assign(new Error("The flow has not been published."), {
          name: "ContactFlowNotPublishedException",
          $metadata: { httpStatusCode: 400 },
        });
      return {
        ContactFlow: { Id: input.ContactFlowId, Content: "{}", Status: "PUBLISHED", State: "ACTIVE" },
      };
    });
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    const flows = read.snapshots.filter((s) => s.resourceType === "AWS::Connect::ContactFlow");
    expect(flows.map((f) => f.resourceId)).toEqual(["flow-0", "flow-2"]);
    expect(read.complete.has("AWS::Connect::ContactFlow|us-east-1")).toBe(true);
    expect(read.unable).toEqual([]);
  });

  it("does not call flows complete when Connect describes a listed flow with no ContactFlow", async () => {
    connectInstance(3);
    connect
      .on(DescribeContactFlowCommand)
      .callsFake((input) =>
        input.ContactFlowId === "flow-1"
          ? {}
          : { ContactFlow: { Id: input.ContactFlowId, Content: "{}", Status: "PUBLISHED", State: "ACTIVE" } },
      );
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    const flows = read.snapshots.filter((s) => s.resourceType === "AWS::Connect::ContactFlow");
    expect(flows.map((f) => f.resourceId)).toEqual(["flow-0", "flow-2"]);
    // flow-1 was listed: an answer without it proves nothing, and its findings must not be resolved.
    expect(read.complete.has("AWS::Connect::ContactFlow|us-east-1")).toBe(false);
    expect(read.unable).toEqual([
      expect.objectContaining({ resourceId: "flow-1", operation: "connect:DescribeContactFlow" }),
    ]);
  });

  const refusal = (name: string) =>
    Object.assign(new Error(`${name} from Connect`), { name, $metadata: { httpStatusCode: 400 } });
  const instanceOf = (read: Awaited<ReturnType<typeof readAccount>>) =>
    read.snapshots.find((s) => s.resourceType === "AWS::Connect::Instance")!;

  it("reads every storage type of the instance, attachments, evaluations and e-mail messages included", async () => {
    connectInstance(0);
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    expect(Object.keys(instanceOf(read).supplementary.StorageConfigs as object).sort()).toEqual(
      [
        "ATTACHMENTS",
        "CALL_RECORDINGS",
        "CHAT_TRANSCRIPTS",
        "CONTACT_EVALUATIONS",
        "CONTACT_TRACE_RECORDS",
        "EMAIL_MESSAGES",
        "MEDIA_STREAMS",
        "SCHEDULED_REPORTS",
        "SCREEN_RECORDINGS",
      ].sort(),
    );
    expect(instanceOf(read).supplementary.StorageConfigsRefused).toBeUndefined();
  });

  it("records Connect refusing the e-mail read of an instance that answered the other types, not as unable", async () => {
    connectInstance(0);
    connect
      .on(ListInstanceStorageConfigsCommand, { ResourceType: "EMAIL_MESSAGES" })
      .rejects(refusal("InvalidRequestException"));
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    const inst = instanceOf(read);
    expect(inst.supplementary.StorageConfigs).not.toHaveProperty("EMAIL_MESSAGES");
    expect(inst.supplementary.StorageConfigsRefused).toEqual({ EMAIL_MESSAGES: "InvalidRequestException" });
    expect(read.unable).toEqual([]);
  });

  it("lists refusals as unable when the instance answered no type of its own (the instance is refused)", async () => {
    connectInstance(0);
    connect.on(ListInstanceStorageConfigsCommand).rejects(refusal("ResourceNotFoundException"));
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    expect(instanceOf(read).supplementary.StorageConfigsRefused).toBeUndefined();
    expect(read.unable.map((u) => u.operation)).toEqual(
      expect.arrayContaining([
        "connect:ListInstanceStorageConfigs CALL_RECORDINGS",
        "connect:ListInstanceStorageConfigs EMAIL_MESSAGES",
        "connect:ListInstanceStorageConfigs ATTACHMENTS",
        "connect:ListInstanceStorageConfigs CONTACT_EVALUATIONS",
      ]),
    );
  });

  it("calls flows complete when every page was read", async () => {
    connectInstance(1500);
    const read = await readAccount(clientsFor, req([], ["us-east-1"], true));
    expect(read.snapshots.filter((s) => s.resourceType === "AWS::Connect::ContactFlow")).toHaveLength(1500);
    expect(read.complete.has("AWS::Connect::ContactFlow|us-east-1")).toBe(true);
  });
});
