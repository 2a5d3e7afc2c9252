// A recorded AWS account for sweep tests: the demo health system's Config items (the same items the
// event path replays) plus published real samples, served through aws-sdk-client-mock as the real
// SDK clients would return them. Sources: test/fixtures/README.md (sweep/ and api/ rows).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  type BaseConfigurationItem,
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  ListDiscoveredResourcesCommand,
} from "@aws-sdk/client-config-service";
import {
  ConnectClient,
  DescribeContactFlowCommand,
  DescribeContactFlowModuleCommand,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListInstanceAttributesCommand,
  ListInstanceStorageConfigsCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-connect";
import { DescribeManagedPrefixListsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
} from "@aws-sdk/client-kms";
import { GetBucketOwnershipControlsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand, S3ControlClient } from "@aws-sdk/client-s3-control";
import { mockClient } from "aws-sdk-client-mock";
import { bucketConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO, writeConfigScenario } from "../../../packages/cli/src/demo/config-scenario.ts";
import { type FindingStore, recordObservation } from "../../../packages/core/src/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: recorded AWS JSON, navigated freely in tests
type Json = Record<string, any>;
const read = (p: string): Json => JSON.parse(readFileSync(p, "utf8"));
const recorded = (p: string): Json => read(p).data;

/** Revive the recordings' `{"__class__": "datetime", …}` values as Dates, as the SDK returns them. */
function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {
    const o = v as Json;
    if (o.__class__ === "datetime")
      return new Date(
        Date.UTC(o.year, o.month - 1, o.day, o.hour, o.minute, o.second, Math.floor(o.microsecond / 1000)),
      );
    return Object.fromEntries(
      Object.entries(o)
        .filter(([k]) => k !== "ResponseMetadata")
        .map(([k, x]) => [k, revive(x)]),
    );
  }
  return v;
}

/** A configuration item as BatchGetResourceConfig returns it: configuration and supplementary values as JSON strings. */
export function baseItem(ci: Json): BaseConfigurationItem {
  const sup: Record<string, string> = {};
  for (const [k, v] of Object.entries(ci.supplementaryConfiguration ?? {}))
    sup[k] = typeof v === "string" ? v : JSON.stringify(v);
  return {
    version: ci.configurationItemVersion ?? ci.version,
    accountId: ci.awsAccountId ?? ci.accountId,
    configurationItemCaptureTime: new Date(ci.configurationItemCaptureTime),
    configurationItemStatus: ci.configurationItemStatus,
    configurationStateId: String(ci.configurationStateId ?? "1"),
    arn: ci.ARN ?? ci.arn,
    resourceType: ci.resourceType,
    resourceId: ci.resourceId,
    ...(ci.resourceName ? { resourceName: ci.resourceName } : {}),
    awsRegion: ci.awsRegion,
    availabilityZone: ci.availabilityZone ?? "Not Applicable",
    configuration: typeof ci.configuration === "string" ? ci.configuration : JSON.stringify(ci.configuration),
    supplementaryConfiguration: sup,
  };
}

/** The demo scenario's EventBridge events (as the event path replays them) and their items. */
export function demoEvents(): { files: string[]; items: Json[] } {
  const dir = mkdtempSync(join(tmpdir(), "phiwatch-sweep-"));
  const files = writeConfigScenario(dir);
  return { files, items: files.map((f) => read(f).detail.configurationItem) };
}

/** The real AWS-docs security group item, moved into the demo account. */
export function realSecurityGroup(): Json {
  const sg = read("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json");
  return { ...sg, accountId: DEMO.accountId, arn: String(sg.arn).replace(sg.accountId, DEMO.accountId) };
}

/** AWS's EC2 Instance Connect list of us-east-1 in the recorded DescribeManagedPrefixLists answer. */
export const INSTANCE_CONNECT_LIST = "pl-0e4bcff02b13bef1e";

/** The real group under another id, SSH open only to the prefix list `prefixListId`. */
export function groupOpenToList(id: string, prefixListId: string): Json {
  const sg = realSecurityGroup();
  const [rule] = sg.configuration.ipPermissions;
  return {
    ...sg,
    resourceId: id,
    arn: String(sg.arn).replace(sg.resourceId, id),
    configuration: {
      ...sg.configuration,
      groupId: id,
      ipPermissions: [{ ...rule, ipRanges: [], prefixListIds: [{ prefixListId }] }],
    },
  };
}

/** The same group under another id, SSH open only to AWS's EC2 Instance Connect list (AWS's advice). */
export const instanceConnectGroup = (): Json =>
  groupOpenToList("sg-0e1c0nnect0000001", INSTANCE_CONNECT_LIST);

const INSTANCE = "8dab73a7-51ab-4610-8c72-359333b63f10";

/** Flow-language documents: the real GitLab flow (Contact Lens on, redaction Disabled) and the real health-clinic flow made to ask for a date of birth while recording. */
export function flows(): Array<{ Id: string; Name: string; Content: string }> {
  const gitlab = read("test/fixtures/connect/gitlabcicd__acme_outbound_flow1_AUTO.json");
  const health = read("test/fixtures/connect/awssamples_health_clinical__contact-flow.json");
  health.Actions.push({
    Identifier: "rec",
    Type: "UpdateContactRecordingBehavior",
    Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } },
    Transitions: { NextAction: health.StartAction },
  });
  health.StartAction = "rec";
  health.Actions.find((a: Json) => a.Identifier === "2").Parameters.Text =
    "Please key in your date of birth.";
  return [
    {
      Id: "flow-triage",
      Name: "Nurse triage outbound",
      Content: typeof gitlab.Content === "string" ? gitlab.Content : JSON.stringify(gitlab.Content ?? gitlab),
    },
    { Id: "flow-identify", Name: "Patient identification", Content: JSON.stringify(health) },
  ];
}

/** The demo account's member read role (infra/member-read-role.yaml), as the security account assumes it. */
export const MEMBER_ROLE = `arn:aws:iam::${DEMO.accountId}:role/phiwatch-member-read`;

/** STS AssumeRole's answer for the member read role: one-hour credentials with this access key. */
export function assumedRole(accessKeyId: string) {
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: "member-secret",
      SessionToken: "member-token",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  };
}

export interface AccountOptions {
  items: Json[];
  /** Operations (SDK command names) that answer AccessDeniedException. */
  deny?: string[];
  /** ListDiscoveredResources answers ThrottlingException this many times first. */
  throttle?: number;
  /**
   * Serve the items only to clients signed with this access key (an assumed member-account role);
   * other clients (another account) see no resources.
   */
  servedTo?: string;
  /**
   * Trails DescribeTrails (includeShadowTrails) shows beside the account's own (those of `items`):
   * an organisation trail of the management account, as a member account sees it.
   */
  shadowTrails?: Json[];
  /** GetEventSelectors' answer for a trail (name or ARN); default management events only. */
  selectorsFor?: (trailName: string) => Json | undefined;
  /**
   * ListInstanceStorageConfigs' answer for a resource type, instead of the demo instance's: the
   * associations, or an error to throw. Undefined keeps the default answer.
   */
  storageFor?: (resourceType: string) => Json[] | Error | undefined;
  /**
   * Config lists each region's items only in that region, as it does in AWS (global IAM items in the
   * demo region); by default every region's client lists every item.
   */
  regional?: boolean;
  /** Resources per ListDiscoveredResources page: default 2, to exercise paging (Config's pages hold up to 100). */
  pageSize?: number;
  /** The Config recorder's recording group; default every supported type, the global IAM types included. */
  recordingGroup?: Json;
  /** Called with the command name before each mocked AWS call is answered (a test's clock, a counter). */
  onCall?: (command: string) => void;
}

export type Mocks = ReturnType<typeof mockAccount>;

/**
 * Mock every client the sweep uses over a recorded account. Mocks are installed on the client classes,
 * so the real handler (functions/sweep.ts) sees them too. Call `restore()` after.
 */
export function mockAccount(opts: AccountOptions) {
  const deny = new Set(opts.deny ?? []);
  const denied = () =>
    Object.assign(new Error("User is not authorized to perform this operation"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
  let throttles = opts.throttle ?? 0;
  const config = mockClient(ConfigServiceClient);
  const kms = mockClient(KMSClient);
  const cloudtrail = mockClient(CloudTrailClient);
  const connect = mockClient(ConnectClient);
  const s3control = mockClient(S3ControlClient);
  const s3 = mockClient(S3Client);
  const ec2 = mockClient(EC2Client);
  const items = opts.items.map(baseItem);
  const guard =
    <T>(name: string, f: (input: Json) => T) =>
    (input: Json) => {
      opts.onCall?.(name);
      if (deny.has(name)) throw denied();
      return f(input);
    };

  config.on(DescribeConfigurationRecordersCommand).callsFake(
    guard("DescribeConfigurationRecordersCommand", () => ({
      ConfigurationRecorders: [
        {
          name: "default",
          roleARN: `arn:aws:iam::${DEMO.accountId}:role/config`,
          recordingGroup: opts.recordingGroup ?? { allSupported: true, includeGlobalResourceTypes: true },
        },
      ],
    })),
  );
  config.on(DescribeConfigurationRecorderStatusCommand).callsFake(
    guard("DescribeConfigurationRecorderStatusCommand", () => ({
      ConfigurationRecordersStatus: [{ name: "default", recording: true, lastStatus: "SUCCESS" }],
    })),
  );
  config.on(ListDiscoveredResourcesCommand).callsFake(async (input: Json, getClient) => {
    if (opts.servedTo !== undefined) {
      const signer = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
      if (signer.accessKeyId !== opts.servedTo) return { resourceIdentifiers: [] };
    }
    const region = opts.regional ? await (getClient().config.region as () => Promise<string>)() : undefined;
    const here = (i: BaseConfigurationItem) =>
      region === undefined || i.awsRegion === region || (i.awsRegion === "global" && region === DEMO.region);
    return guard("ListDiscoveredResourcesCommand", (input) => {
      if (throttles > 0) {
        throttles--;
        throw Object.assign(new Error("Rate exceeded"), {
          name: "ThrottlingException",
          $metadata: { httpStatusCode: 400 },
        });
      }
      const ids = items
        .filter((i) => i.resourceType === input.resourceType && here(i))
        .map((i) => ({
          resourceType: i.resourceType,
          resourceId: i.resourceId,
          resourceName: i.resourceName,
        }));
      // Two per page by default, to exercise pagination.
      const page = opts.pageSize ?? 2;
      const start = input.nextToken ? Number(input.nextToken) : 0;
      return {
        resourceIdentifiers: ids.slice(start, start + page),
        ...(start + page < ids.length ? { nextToken: String(start + page) } : {}),
      };
    })(input);
  });
  let firstBatch = true;
  config.on(BatchGetResourceConfigCommand).callsFake(
    guard("BatchGetResourceConfigCommand", (input) => {
      const keys = input.resourceKeys as Array<{ resourceType: string; resourceId: string }>;
      // The first batch leaves its last key unprocessed, as Config does under load.
      const unprocessed = firstBatch && keys.length > 1 ? keys.slice(-1) : [];
      firstBatch = false;
      const served = keys.filter((k) => !unprocessed.includes(k));
      return {
        baseConfigurationItems: items.filter((i) =>
          served.some((k) => k.resourceType === i.resourceType && k.resourceId === i.resourceId),
        ),
        unprocessedResourceKeys: unprocessed,
      };
    }),
  );

  const rotation = revive(
    recorded("test/fixtures/api/custodian__kms.GetKeyRotationStatus_false.json"),
  ) as Json;
  kms.on(GetKeyRotationStatusCommand).callsFake(guard("GetKeyRotationStatusCommand", () => rotation));
  kms.on(GetKeyPolicyCommand).callsFake(
    guard("GetKeyPolicyCommand", () => ({
      PolicyName: "default",
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Enable IAM User Permissions",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${DEMO.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
          },
        ],
      }),
    })),
  );
  kms.on(DescribeKeyCommand).callsFake(
    guard("DescribeKeyCommand", (input) => {
      const d = revive(recorded("test/fixtures/api/custodian__kms.DescribeKey_CUSTOMER.json")) as Json;
      return {
        KeyMetadata: {
          ...d.KeyMetadata,
          Arn: String(input.KeyId).startsWith("arn:")
            ? input.KeyId
            : `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${input.KeyId}`,
          KeyManager: "CUSTOMER",
        },
      };
    }),
  );

  // DescribeTrails: the account's own trails (as Config records them) and any shadow trails.
  cloudtrail.on(DescribeTrailsCommand).callsFake(async (input: Json, getClient) => {
    const signer = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    const served = opts.servedTo === undefined || signer.accessKeyId === opts.servedTo;
    return guard("DescribeTrailsCommand", () => {
      if (!served) return { trailList: [] };
      const own = items
        .filter((i) => i.resourceType === "AWS::CloudTrail::Trail")
        .map((i) => {
          const c = JSON.parse(String(i.configuration)) as Json;
          return {
            Name: c.name,
            TrailARN: c.trailARN,
            HomeRegion: c.homeRegion,
            IsMultiRegionTrail: c.isMultiRegionTrail,
            IsOrganizationTrail: c.isOrganizationTrail ?? false,
            LogFileValidationEnabled: c.logFileValidationEnabled,
            S3BucketName: c.s3BucketName,
            ...(c.kmsKeyId ? { KmsKeyId: c.kmsKeyId } : {}),
          };
        });
      return {
        trailList: [...own, ...(input.includeShadowTrails === false ? [] : (opts.shadowTrails ?? []))],
      };
    })(input);
  });
  // Management events only, no data events: the trail of the story (selector shape as in the real GetEventSelectors sample).
  cloudtrail.on(GetEventSelectorsCommand).callsFake(
    guard("GetEventSelectorsCommand", (input) => ({
      TrailARN: input.TrailName,
      ...(opts.selectorsFor?.(input.TrailName) ?? {
        EventSelectors: [
          {
            ReadWriteType: "All",
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: [],
          },
        ],
      }),
    })),
  );
  cloudtrail.on(GetTrailStatusCommand).callsFake(
    guard("GetTrailStatusCommand", () => {
      const s = revive(
        recorded("test/fixtures/api/custodian__cloudtrail.GetTrailStatus_IsLogging_false.json"),
      ) as Json;
      return { ...s, IsLogging: true };
    }),
  );

  s3control.on(GetPublicAccessBlockCommand).callsFake(
    guard("GetPublicAccessBlockCommand", () => {
      const body = recorded("test/fixtures/api/custodian__s3.GetPublicAccessBlock_404_not_found.json");
      throw Object.assign(new Error(body.Error.Message), {
        name: body.Error.Code,
        $metadata: { httpStatusCode: 404 },
      });
    }),
  );

  const instances = revive(recorded("test/fixtures/api/custodian__connect.ListInstances.json")) as Json;
  const lens = recorded(
    "test/fixtures/api/custodian__connect.DescribeInstanceAttribute_CONTACT_LENS_true.json",
  ).Attribute;
  connect.on(ListInstancesCommand).callsFake(async (input: Json, getClient) => {
    // The instance lives in the demo region: with `regional`, other regions have none.
    const region = opts.regional ? await (getClient().config.region as () => Promise<string>)() : undefined;
    return guard("ListInstancesCommand", () =>
      region === undefined || region === DEMO.region ? instances : { InstanceSummaryList: [] },
    )(input);
  });
  connect.on(ListInstanceAttributesCommand).callsFake(
    guard("ListInstanceAttributesCommand", () => ({
      Attributes: [lens, { AttributeType: "INBOUND_CALLS", Value: "true" }],
    })),
  );
  connect.on(ListInstanceStorageConfigsCommand).callsFake(
    guard("ListInstanceStorageConfigsCommand", (input) => {
      const custom = opts.storageFor?.(input.ResourceType);
      if (custom instanceof Error) throw custom;
      if (custom) return { StorageConfigs: custom };
      return demoStorage(input);
    }),
  );
  const demoStorage = (input: Json) => ({
    StorageConfigs:
      input.ResourceType === "CALL_RECORDINGS"
        ? [
            {
              AssociationId: "a1",
              StorageType: "S3",
              S3Config: {
                BucketName: DEMO.recordingsBucket,
                BucketPrefix: `connect/${INSTANCE}/CallRecordings`,
                EncryptionConfig: {
                  EncryptionType: "KMS",
                  KeyId: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`,
                },
              },
            },
          ]
        : input.ResourceType === "CHAT_TRANSCRIPTS"
          ? [
              {
                AssociationId: "a2",
                StorageType: "S3",
                S3Config: {
                  BucketName: DEMO.transcriptsBucket,
                  BucketPrefix: "connect/chat",
                  EncryptionConfig: {
                    EncryptionType: "KMS",
                    KeyId: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`,
                  },
                },
              },
            ]
          : [],
  });
  const flowDocs = flows();
  connect.on(ListContactFlowsCommand).callsFake(
    guard("ListContactFlowsCommand", () => ({
      ContactFlowSummaryList: flowDocs.map((f) => ({
        Id: f.Id,
        Name: f.Name,
        Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${INSTANCE}/contact-flow/${f.Id}`,
        ContactFlowType: "CONTACT_FLOW",
      })),
    })),
  );
  connect.on(DescribeContactFlowCommand).callsFake(
    guard("DescribeContactFlowCommand", (input) => {
      const f = flowDocs.find((x) => x.Id === input.ContactFlowId)!;
      return {
        ContactFlow: {
          Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${INSTANCE}/contact-flow/${f.Id}`,
          Id: f.Id,
          Name: f.Name,
          Type: "CONTACT_FLOW",
          State: "ACTIVE",
          Status: "PUBLISHED",
          Content: f.Content,
        },
      };
    }),
  );
  connect
    .on(ListContactFlowModulesCommand)
    .callsFake(guard("ListContactFlowModulesCommand", () => ({ ContactFlowModulesSummaryList: [] })));
  connect.on(DescribeContactFlowModuleCommand).rejects(new Error("no modules"));

  // Object Ownership: the transcripts bucket enforces bucket-owner; the recordings bucket never set it.
  s3.on(GetBucketOwnershipControlsCommand).callsFake(
    guard("GetBucketOwnershipControlsCommand", (input) => {
      if (input.Bucket === DEMO.transcriptsBucket)
        return { OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } };
      throw Object.assign(new Error("The bucket ownership controls were not found"), {
        name: "OwnershipControlsNotFoundError",
        $metadata: { httpStatusCode: 404 },
      });
    }),
  );

  // AWS's prefix lists of the demo region (recorded shape, test/fixtures/README.md); none elsewhere.
  const awsLists = recorded(
    "test/fixtures/api/awsdocs-schema__ec2.DescribeManagedPrefixLists_owner_AWS.json",
  );
  ec2.on(DescribeManagedPrefixListsCommand).callsFake(async (input: Json, getClient) => {
    const region = await (getClient().config.region as () => Promise<string>)();
    return guard("DescribeManagedPrefixListsCommand", (input) => {
      const aws = input.Filters?.some((f: Json) => f.Name === "owner-id" && f.Values?.includes("AWS"));
      return { PrefixLists: aws && region === DEMO.region ? awsLists.PrefixLists : [] };
    })(input);
  });

  const all = { config, kms, cloudtrail, connect, s3control, s3, ec2 };
  return {
    ...all,
    /** Names of every command sent, in order. */
    sent(): string[] {
      return Object.values(all).flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name));
    },
    restore() {
      for (const m of Object.values(all)) m.restore();
    },
  };
}

/** Clients of the mocked account (the mocks answer for any instance). */
export function clientsFor(region: string) {
  return {
    config: new ConfigServiceClient({ region }),
    kms: new KMSClient({ region }),
    ec2: new EC2Client({ region }),
    cloudtrail: new CloudTrailClient({ region }),
    connect: new ConnectClient({ region }),
    s3control: new S3ControlClient({ region }),
    s3: new S3Client({ region }),
  };
}

/** Access key and region each call of a mocked command was signed for. */
export async function signers(
  calls: ReadonlyArray<{ thisValue: unknown }>,
): Promise<Array<{ accessKeyId: string; region: string }>> {
  return Promise.all(
    calls.map(async (c) => {
      const cfg = (
        c.thisValue as {
          config: { credentials: () => Promise<{ accessKeyId: string }>; region: () => Promise<string> };
        }
      ).config;
      return { accessKeyId: (await cfg.credentials()).accessKeyId, region: await cfg.region() };
    }),
  );
}

/**
 * An open s3-encryption-cmk finding of a demo-account bucket no listing shows (deleted since it was
 * recorded): a complete listing of the account's buckets resolves it; a cut one must not.
 */
export async function seedDeletedBucketFinding(findings: FindingStore, resourceId: string) {
  await recordObservation(findings, {
    kind: "drift",
    ruleId: "s3-encryption-cmk",
    title: "PHI buckets encrypt with a customer-managed KMS key",
    severity: "high",
    hipaa: ["164.312(a)(2)(iv)"],
    subject: { accountId: DEMO.accountId, region: DEMO.region, resourceType: "AWS::S3::Bucket", resourceId },
    verdict: "fail",
    summary: "SSE-S3",
    evidence: {},
    observedAt: "2026-03-01T00:00:00.000Z",
    cause: "evt-deleted",
  });
}

/**
 * `n` PHI buckets of the demo account on SSE-S3 (`<prefix>-000`, `-001`, …): s3-encryption-cmk fails
 * each, so a bucket has a finding once it was evaluated.
 */
export function sseS3Buckets(prefix: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    bucketConfigurationItem({
      name: `${prefix}-${String(i).padStart(3, "0")}`,
      accountId: DEMO.accountId,
      region: DEMO.region,
      capturedAt: "2026-03-03T10:00:00.000Z",
      sse: { algorithm: "AES256" },
    }),
  );
}
