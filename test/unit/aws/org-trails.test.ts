// Organisation trails in a member account: Config records a trail only in the account that owns it, so
// the sweep reads the member's organisation trail from CloudTrail (DescribeTrails with shadow trails,
// then GetEventSelectors / GetTrailStatus by ARN) and the trail controls judge the member on it.

import { readFileSync } from "node:fs";
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  ListDiscoveredResourcesCommand,
} from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  completenessOf,
  ORGANIZATION_TRAILS_COMPLETE,
  readAccount,
} from "../../../packages/aws/src/sweep/reader.ts";
import { judgedByOwner, organizationTrailOwner } from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { evaluate, recorded, testFacts } from "../../helpers/facts.ts";

const MEMBER = "111122223333";
const MANAGEMENT = "999900001111";
const T = "AWS::CloudTrail::Trail";
const ORG_ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`;
const config = mockClient(ConfigServiceClient);
const cloudtrail = mockClient(CloudTrailClient);
afterEach(() => {
  config.reset();
  cloudtrail.reset();
});

/** The real DescribeTrails trail (Cloud Custodian's recording), made the management account's organisation trail. */
function orgTrail(over: Record<string, unknown> = {}) {
  const t = recorded(
    readFileSync(
      "test/fixtures/api/custodian__cloudtrail.DescribeTrails_multiregion_kms_validation.json",
      "utf8",
    ),
  ).trailList[0];
  return {
    ...t,
    Name: "org-trail",
    TrailARN: ORG_ARN,
    KmsKeyId: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/36812ccf-daaf-49b1-a24b-0eef254ffe41`,
    IsOrganizationTrail: true,
    HasCustomEventSelectors: true,
    ...over,
  };
}
const OWN = {
  Name: "own",
  TrailARN: `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/own`,
  HomeRegion: "us-east-1",
  IsMultiRegionTrail: true,
};

function recorderWithNoTrails() {
  config
    .on(DescribeConfigurationRecordersCommand)
    .resolves({ ConfigurationRecorders: [{ name: "default", recordingGroup: { allSupported: true } }] });
  config.on(DescribeConfigurationRecorderStatusCommand).resolves({
    ConfigurationRecordersStatus: [{ name: "default", recording: true, lastStatus: "Success" }],
  });
  config.on(ListDiscoveredResourcesCommand).resolves({ resourceIdentifiers: [] });
}
const clientsFor = (region: string) => ({
  config: new ConfigServiceClient({ region }),
  cloudtrail: new CloudTrailClient({ region }),
});
const read = (regions = ["us-east-1", "eu-west-1"]) =>
  readAccount(clientsFor, {
    accountId: MEMBER,
    regions,
    resourceTypes: [T],
    connect: false,
    now: new Date("2026-03-03T15:00:00.000Z"),
    backoff: { sleep: async () => {} },
  });

describe("sweep reader: organisation trails", () => {
  it("adds the organisation trail once (by ARN, in its home region), read by ARN; skips the account's own trails", async () => {
    recorderWithNoTrails();
    // A multi-region trail shows in every region; the account's own trail is Config's to report.
    cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [orgTrail(), OWN] });
    cloudtrail.on(GetEventSelectorsCommand).resolves({ TrailARN: ORG_ARN, AdvancedEventSelectors: [] });
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    const r = await read();
    expect(r.unable).toEqual([]);
    expect(r.snapshots).toEqual([
      expect.objectContaining({
        accountId: MEMBER,
        region: "us-east-1",
        resourceType: T,
        resourceId: ORG_ARN,
        resourceName: "org-trail",
        arn: ORG_ARN,
        state: "present",
        source: "api",
        configuration: expect.objectContaining({ IsOrganizationTrail: true, TrailARN: ORG_ARN }),
        supplementary: { AdvancedEventSelectors: [], TrailStatus: { IsLogging: true } },
      }),
    ]);
    expect(cloudtrail.commandCalls(DescribeTrailsCommand).map((c) => c.args[0].input)).toEqual([
      { includeShadowTrails: true },
      { includeShadowTrails: true },
    ]);
    expect(cloudtrail.commandCalls(GetEventSelectorsCommand).map((c) => c.args[0].input)).toEqual([
      { TrailName: ORG_ARN },
    ]);
    expect(cloudtrail.commandCalls(GetTrailStatusCommand).map((c) => c.args[0].input)).toEqual([
      { Name: ORG_ARN },
    ]);
    expect(r.complete.has(ORGANIZATION_TRAILS_COMPLETE)).toBe(true);
  });

  it("is not complete when one region's DescribeTrails fails (a trail not listed there is not gone)", async () => {
    recorderWithNoTrails();
    cloudtrail
      .on(DescribeTrailsCommand)
      .resolvesOnce({ trailList: [] })
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const r = await read();
    expect(r.complete.has(ORGANIZATION_TRAILS_COMPLETE)).toBe(false);
    expect(r.unable).toEqual([
      {
        resourceType: T,
        region: "eu-west-1",
        operation: "cloudtrail:DescribeTrails",
        reason: "AccessDeniedException: not authorized",
      },
    ]);
  });

  it("keys the completeness of an organisation trail apart from Config's regions", () => {
    expect(
      completenessOf({ accountId: MEMBER, region: "us-east-1", resourceType: T, resourceId: ORG_ARN }),
    ).toBe(ORGANIZATION_TRAILS_COMPLETE);
    expect(
      completenessOf({ accountId: MEMBER, region: "us-east-1", resourceType: T, resourceId: "own" }),
    ).toBe(`${T}|us-east-1`);
    expect(organizationTrailOwner({ accountId: MEMBER, resourceId: ORG_ARN })).toBe(MANAGEMENT);
    expect(organizationTrailOwner({ accountId: MANAGEMENT, resourceId: ORG_ARN })).toBeUndefined();
    expect(organizationTrailOwner({ accountId: MEMBER, resourceId: OWN.TrailARN })).toBeUndefined();
  });
});

describe("trail controls on a member's organisation trail", () => {
  const copy = (over: Record<string, unknown> = {}) => ({
    accountId: MEMBER,
    region: "us-east-1",
    resourceType: T,
    resourceId: ORG_ARN,
    resourceName: "org-trail",
    arn: ORG_ARN,
    capturedAt: "2026-03-03T15:00:00.000Z",
    state: "present" as const,
    configuration: orgTrail(over),
    supplementary: {
      AdvancedEventSelectors: [
        { Name: "mgmt", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
      ],
      TrailStatus: { IsLogging: true },
    },
    tags: {},
    source: "api" as const,
  });
  const watchingOwner = testBaseline({ accounts: [MEMBER, MANAGEMENT] });
  const memberOnly = testBaseline({ accounts: [MEMBER] });

  it("cloudtrail-enabled passes on it: the member's activity is logged by it", () => {
    const t = copy();
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }), memberOnly);
    expect(e.status).toBe("COMPLIANT");
  });

  it("log validation and KMS are judged once, in the owner's account, when phiwatch watches it", () => {
    const t = copy({ LogFileValidationEnabled: false });
    expect(judgedByOwner(t, watchingOwner.accounts)).toBe(MANAGEMENT);
    for (const id of ["cloudtrail-log-validation", "cloudtrail-kms"]) {
      const e = evaluate(id, t, testFacts(), watchingOwner);
      expect(e.status, id).toBe("NOT_APPLICABLE");
      expect(e.evidence, id).toMatchObject({ owner: MANAGEMENT });
    }
  });

  it("…and in the member when phiwatch does not watch the owner (the only place it can be judged)", () => {
    const t = copy({ LogFileValidationEnabled: false });
    expect(evaluate("cloudtrail-log-validation", t, testFacts(), memberOnly).status).toBe("NON_COMPLIANT");
    const kms = evaluate("cloudtrail-kms", t, testFacts(), memberOnly);
    expect(kms.status).toBe("NON_COMPLIANT");
    expect(kms.summary).toMatch(/cannot prove|DescribeKey|AccessDenied/i);
  });
});
