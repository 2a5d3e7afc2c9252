// An AWS answer that looks like success but leaves out a resource that was just listed is not proof
// that the resource is gone. Taken as absence, one such answer resolves the resource's open findings
// ("resource no longer exists": a RESOLVED transition, an alert and a SIEM event) and the next listing
// re-opens them an hour later. Each case: a resource with an open finding, one sweep whose answer is
// partial, and the finding must stay OPEN, the inventory item present, the posture naming the operation.
import {
  BatchGetResourceConfigCommand,
  ListDiscoveredResourcesCommand,
} from "@aws-sdk/client-config-service";
import {
  DescribeContactFlowCommand,
  DescribeContactFlowModuleCommand,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-connect";
import { describe, expect, it } from "vitest";
import { type BatchReadFindingStore, runSweep, type SweepDeps } from "../../../packages/aws/src/index.ts";
import { iamRoleConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { allFindings, type Finding, fromConfigurationItem } from "../../../packages/core/src/index.ts";
import { baseItem, flows, type Mocks } from "./account.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("partial");

/** One hourly sweep of the demo account; `answer` changes what AWS answers after the recorded account is mocked. */
async function sweep(
  deps: SweepDeps,
  items: Record<string, unknown>[],
  now: string,
  answer?: (m: Mocks) => void,
) {
  const mocks = h.mock({ items });
  answer?.(mocks);
  return runSweep(deps, {
    accountId: DEMO.accountId,
    regions: [DEMO.region],
    sweepId: `sweep-${now}`,
    now: new Date(now),
  });
}

/** A role with s3:* on the PHI recordings bucket: iam-no-wildcard-on-phi fails on it. */
const admin = () =>
  iamRoleConfigurationItem({
    roleName: "recordings-admin",
    accountId: DEMO.accountId,
    capturedAt: "2026-03-01T08:00:00.000Z",
    inlinePolicies: {
      all: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:*"], Resource: `arn:aws:s3:::${DEMO.recordingsBucket}/*` },
        ],
      },
    },
  }) as Record<string, unknown>;
/** A second role of the same type, so that the type's listing is not empty when the admin is left out. */
const other = () =>
  iamRoleConfigurationItem({
    roleName: "app-reader",
    accountId: DEMO.accountId,
    capturedAt: "2026-03-01T08:00:00.000Z",
    inlinePolicies: {},
  }) as Record<string, unknown>;
const ROLE = "AWS::IAM::Role";
const adminRole = fromConfigurationItem(admin());
const FLOW = "AWS::Connect::ContactFlow";
const MODULE = "AWS::Connect::ContactFlowModule";
const INSTANCE = "AWS::Connect::Instance";

const FIRST = "2026-03-03T15:00:00.000Z";
const NEXT = "2026-03-03T16:00:00.000Z";

async function openOn(deps: { findings: BatchReadFindingStore }, resourceType: string, resourceId?: string) {
  return (await allFindings(deps.findings)).filter(
    (f: Finding) =>
      f.status === "OPEN" &&
      f.subject.resourceType === resourceType &&
      (resourceId === undefined || f.subject.resourceId === resourceId),
  );
}

/** The open findings of `resourceType` (and `resourceId`) after the first sweep: at least one. */
async function openBefore(
  deps: { findings: BatchReadFindingStore },
  resourceType: string,
  resourceId?: string,
) {
  const open = await openOn(deps, resourceType, resourceId);
  expect(open.length).toBeGreaterThan(0);
  return open.map((f) => f.findingId).sort();
}

async function stillOpen(deps: { findings: BatchReadFindingStore }, ids: string[]) {
  for (const id of ids) {
    const f = await deps.findings.getFinding(id);
    expect(f?.status, id).toBe("OPEN");
    expect(f?.summary).not.toMatch(/no longer exists/);
  }
}

describe("sweep: an answer that leaves out a listed resource is not absence", () => {
  it("BatchGetResourceConfig answering without a listed key (neither an item nor unprocessed)", async () => {
    const deps = await h.freshDeps();
    const items = [admin(), other()];
    await sweep(deps, items, FIRST);
    const open = await openBefore(deps, ROLE, adminRole.resourceId);

    const { posture } = await sweep(deps, items, NEXT, (m) =>
      m.config.on(BatchGetResourceConfigCommand).callsFake((input) => ({
        // A 200 with every listed key but the admin role, and no unprocessedResourceKeys at all.
        baseConfigurationItems: items
          .map(baseItem)
          .filter((i) =>
            input.resourceKeys.some(
              (k: { resourceType: string; resourceId: string }) =>
                k.resourceType === i.resourceType &&
                k.resourceId === i.resourceId &&
                k.resourceId !== adminRole.resourceId,
            ),
          ),
      })),
    );
    await stillOpen(deps, open);
    expect(
      (await deps.inventory.get(DEMO.accountId, adminRole.region, ROLE, adminRole.resourceId))?.state,
    ).toBe("present");
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        resourceType: ROLE,
        resourceId: adminRole.resourceId,
        operation: "config:BatchGetResourceConfig",
      }),
    );
  });

  it("BatchGetResourceConfig returning a listed key's item as ResourceNotRecorded", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [admin(), other()], FIRST);
    const open = await openBefore(deps, ROLE, adminRole.resourceId);

    // Config listed the role (it exists) but its item says the configuration was not recorded: unknown.
    // The other role is gone meanwhile: the unrecorded one must not hold up its deletion.
    const notRecorded = { ...admin(), configurationItemStatus: "ResourceNotRecorded", configuration: null };
    const { posture } = await sweep(deps, [notRecorded], NEXT);
    await stillOpen(deps, open);
    expect(
      (await deps.inventory.get(DEMO.accountId, adminRole.region, ROLE, adminRole.resourceId))?.state,
    ).toBe("present");
    const gone = fromConfigurationItem(other());
    expect((await deps.inventory.get(DEMO.accountId, gone.region, ROLE, gone.resourceId))?.state).toBe(
      "deleted",
    );
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        resourceType: ROLE,
        resourceId: adminRole.resourceId,
        operation: "config:BatchGetResourceConfig",
      }),
    );
  });

  it("ListDiscoveredResources listing an identifier without its resourceId", async () => {
    const deps = await h.freshDeps();
    const items = [admin(), other()];
    await sweep(deps, items, FIRST);
    const open = await openBefore(deps, ROLE, adminRole.resourceId);

    const { posture } = await sweep(deps, items, NEXT, (m) =>
      m.config.on(ListDiscoveredResourcesCommand).callsFake((input) => ({
        resourceIdentifiers: items
          .map(baseItem)
          .filter((i) => i.resourceType === input.resourceType)
          .map((i) =>
            i.resourceId === adminRole.resourceId
              ? { resourceType: i.resourceType, resourceName: i.resourceName }
              : { resourceType: i.resourceType, resourceId: i.resourceId, resourceName: i.resourceName },
          ),
      })),
    );
    await stillOpen(deps, open);
    expect(
      (await deps.inventory.get(DEMO.accountId, adminRole.region, ROLE, adminRole.resourceId))?.state,
    ).toBe("present");
    expect(posture.unable).toContainEqual(
      expect.objectContaining({ resourceType: ROLE, operation: "config:ListDiscoveredResources" }),
    );
  });

  it("DescribeContactFlow answering without the ContactFlow it listed", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [], FIRST);
    const open = await openBefore(deps, FLOW);
    const flowIds = [...new Set((await openOn(deps, FLOW)).map((f) => f.subject.resourceId))];

    const { posture } = await sweep(deps, [], NEXT, (m) =>
      m.connect.on(DescribeContactFlowCommand).resolves({}),
    );
    await stillOpen(deps, open);
    for (const id of flowIds)
      expect((await deps.inventory.get(DEMO.accountId, DEMO.region, FLOW, id))?.state).toBe("present");
    expect(posture.unable).toContainEqual(
      expect.objectContaining({ resourceType: FLOW, operation: "connect:DescribeContactFlow" }),
    );
  });

  it("DescribeContactFlowModule answering without the ContactFlowModule it listed", async () => {
    // The demo instance has no module: one that asks for a date of birth while recording, listed on
    // the instance of the first listed flow, so that it has an open finding before the partial answer.
    const identify = flows().find((f) => f.Id === "flow-identify")!;
    const listed = (m: Mocks) =>
      m.connect.on(ListContactFlowModulesCommand).callsFake((input: { InstanceId?: string }) => ({
        ContactFlowModulesSummaryList: [
          {
            Id: "module-dob",
            Name: "Verify caller",
            Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${input.InstanceId}/flow-module/module-dob`,
          },
        ],
      }));
    const deps = await h.freshDeps();
    await sweep(deps, [], FIRST, (m) => {
      listed(m);
      m.connect.on(DescribeContactFlowModuleCommand).callsFake((input: { InstanceId?: string }) => ({
        ContactFlowModule: {
          Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${input.InstanceId}/flow-module/module-dob`,
          Id: "module-dob",
          Name: "Verify caller",
          State: "ACTIVE",
          Status: "PUBLISHED",
          Content: identify.Content,
        },
      }));
    });
    const open = await openBefore(deps, MODULE, "module-dob");

    const { posture } = await sweep(deps, [], NEXT, (m) => {
      listed(m);
      m.connect.on(DescribeContactFlowModuleCommand).resolves({});
    });
    await stillOpen(deps, open);
    expect((await deps.inventory.get(DEMO.accountId, DEMO.region, MODULE, "module-dob"))?.state).toBe(
      "present",
    );
    expect(posture.unable).toContainEqual(
      expect.objectContaining({
        resourceType: MODULE,
        resourceId: "module-dob",
        operation: "connect:DescribeContactFlowModule",
      }),
    );
  });

  it("ListContactFlows listing a flow summary without its Id", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [], FIRST);
    const open = await openBefore(deps, FLOW);
    const flowIds = [...new Set((await openOn(deps, FLOW)).map((f) => f.subject.resourceId))];

    const { posture } = await sweep(deps, [], NEXT, (m) =>
      m.connect.on(ListContactFlowsCommand).resolves({
        ContactFlowSummaryList: flowIds.map((id) => ({ Name: id, ContactFlowType: "CONTACT_FLOW" })),
      }),
    );
    await stillOpen(deps, open);
    for (const id of flowIds)
      expect((await deps.inventory.get(DEMO.accountId, DEMO.region, FLOW, id))?.state).toBe("present");
    expect(posture.unable).toContainEqual(
      expect.objectContaining({ resourceType: FLOW, operation: "connect:ListContactFlows" }),
    );
  });

  it("ListInstances listing an instance summary without its Id", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [], FIRST);
    const openFlows = await openBefore(deps, FLOW);
    const instances = await deps.inventory.list(DEMO.accountId, INSTANCE);
    expect(instances.length).toBeGreaterThan(0);

    const { posture } = await sweep(deps, [], NEXT, (m) =>
      m.connect.on(ListInstancesCommand).resolves({
        InstanceSummaryList: instances.map((i) => ({
          InstanceAlias: i.resourceName,
          IdentityManagementType: "CONNECT_MANAGED",
        })),
      }),
    );
    await stillOpen(deps, openFlows);
    for (const i of instances)
      expect((await deps.inventory.get(DEMO.accountId, DEMO.region, INSTANCE, i.resourceId))?.state).toBe(
        "present",
      );
    // No instance under a made-up id ("undefined") either.
    expect((await deps.inventory.list(DEMO.accountId, INSTANCE)).map((i) => i.resourceId).sort()).toEqual(
      instances.map((i) => i.resourceId).sort(),
    );
    expect(posture.unable).toContainEqual(
      expect.objectContaining({ resourceType: INSTANCE, operation: "connect:ListInstances" }),
    );
  });
});
