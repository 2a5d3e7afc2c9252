// A resource the sweep marked deleted (its type was listed completely and it was not in the listing)
// that a later listing shows again, with the Config item it had before: Config's capture time does
// not move when Config briefly leaves a live resource out, so the resource must come back on the
// item it was marked deleted over. An older Config event must still not undo a deletion.
import { describe, expect, it } from "vitest";
import { processSnapshot, runSweep, type SweepDeps } from "../../../packages/aws/src/index.ts";
import { iamRoleConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { findingId, fromConfigurationItem } from "../../../packages/core/src/index.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("reappear");

/** The reads only the API answers: without them every item keeps Config's capture time. */
const API_ONLY = ["GetPublicAccessBlockCommand", "ListInstancesCommand", "DescribeTrailsCommand"];
const CAPTURED = "2026-03-01T08:00:00.000Z";

async function sweep(deps: SweepDeps, items: Record<string, unknown>[], now: string) {
  h.mock({ items, deny: API_ONLY });
  return runSweep(deps, {
    accountId: DEMO.accountId,
    regions: [DEMO.region],
    sweepId: `sweep-${now}`,
    now: new Date(now),
  });
}

const policyArn = `arn:aws:iam::${DEMO.accountId}:policy/app-assets-read`;
/** A customer-managed policy as Config records it: read-only on a bucket that holds no PHI. */
const managedPolicy = (capturedAt = CAPTURED) => ({
  version: "1.3",
  accountId: DEMO.accountId,
  configurationItemCaptureTime: capturedAt,
  configurationItemStatus: "OK",
  configurationStateId: "1",
  arn: policyArn,
  resourceType: "AWS::IAM::Policy",
  resourceId: "ANPAAPPASSETSREAD0001",
  resourceName: "app-assets-read",
  awsRegion: "global",
  availabilityZone: "Not Applicable",
  tags: {},
  relationships: [],
  configuration: {
    policyName: "app-assets-read",
    policyId: "ANPAAPPASSETSREAD0001",
    arn: policyArn,
    path: "/",
    defaultVersionId: "v1",
    attachmentCount: 1,
    isAttachable: true,
    policyVersionList: [
      {
        document: encodeURIComponent(
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::app-assets/*" }],
          }),
        ),
        versionId: "v1",
        isDefaultVersion: true,
      },
    ],
  },
  supplementaryConfiguration: {},
});

/** A role whose only permissions are the managed policy's: compliant once the policy is known. */
const reader = () => {
  const ci = iamRoleConfigurationItem({
    roleName: "app-assets-reader",
    accountId: DEMO.accountId,
    capturedAt: CAPTURED,
    inlinePolicies: {},
  }) as { configuration: Record<string, unknown> };
  ci.configuration.attachedManagedPolicies = [{ policyArn, policyName: "app-assets-read" }];
  return ci;
};

/** A role with s3:* on the PHI recordings bucket: iam-no-wildcard-on-phi fails on it. */
const admin = (capturedAt = CAPTURED) =>
  iamRoleConfigurationItem({
    roleName: "recordings-admin",
    accountId: DEMO.accountId,
    capturedAt,
    inlinePolicies: {
      all: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:*"], Resource: `arn:aws:s3:::${DEMO.recordingsBucket}/*` },
        ],
      },
    },
  });

const ROLE = "AWS::IAM::Role";
const adminRole = fromConfigurationItem(admin());
const adminFinding = findingId("iam-no-wildcard-on-phi", {
  accountId: adminRole.accountId,
  region: adminRole.region,
  resourceType: ROLE,
  resourceId: adminRole.resourceId,
});

describe("sweep: a resource listed again after it was marked deleted", () => {
  it("is stored again, its findings re-open, and the controls that read it see it", async () => {
    const deps = await h.freshDeps();
    const all = [managedPolicy(), reader(), admin()];
    await sweep(deps, all, "2026-03-03T15:00:00.000Z");
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("OPEN");

    // Config's listing leaves the policy and the admin role out for one run (the types were listed
    // completely, so the sweep takes them as deleted): the role's finding resolves as gone.
    await sweep(deps, [reader()], "2026-03-03T16:00:00.000Z");
    expect(
      (await deps.inventory.get(adminRole.accountId, adminRole.region, ROLE, adminRole.resourceId))?.state,
    ).toBe("deleted");
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("RESOLVED");

    // Listed again, with the items they had (Config's capture time did not move): both are back.
    const back = await sweep(deps, all, "2026-03-03T17:00:00.000Z");
    const stored = await deps.inventory.get(
      adminRole.accountId,
      adminRole.region,
      ROLE,
      adminRole.resourceId,
    );
    expect(stored?.state).toBe("present");
    expect(stored?.capturedAt).toBe(CAPTURED);
    const policies = await deps.inventory.list(DEMO.accountId, "AWS::IAM::Policy");
    expect(policies.map((p) => p.resourceName)).toEqual(["app-assets-read"]);
    // The admin role's wildcard is open again, not left resolved as "resource no longer exists".
    const f = await deps.findings.getFinding(adminFinding);
    expect(f?.status).toBe("OPEN");
    expect(f?.summary).not.toMatch(/no longer exists/);
    // The reader role is judged on its managed policy, not "cannot prove: some policies are not available".
    const judged = back.evaluations.find(
      (e) =>
        e.controlId === "iam-no-wildcard-on-phi" &&
        e.resourceId === fromConfigurationItem(reader()).resourceId,
    );
    expect(judged?.status).toBe("COMPLIANT");
    expect(judged?.evidence).not.toHaveProperty("missingPolicies");

    // The next run writes nothing for them (stored as read) and keeps the finding open.
    await sweep(deps, all, "2026-03-03T18:00:00.000Z");
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("OPEN");
  });

  it("still refuses a Config event older than the deletion mark, and a newer one is evaluated", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [admin()], "2026-03-03T15:00:00.000Z");
    await sweep(deps, [], "2026-03-03T16:00:00.000Z");

    // A change captured before the listing that left the role out, delivered after it: out of order.
    const late = await processSnapshot(
      deps,
      fromConfigurationItem(admin("2026-03-03T15:30:00.000Z")),
      "evt-late",
    );
    expect(late.stale).toBe(true);
    expect(
      (await deps.inventory.get(adminRole.accountId, adminRole.region, ROLE, adminRole.resourceId))?.state,
    ).toBe("deleted");
    // A redelivery of the item stored before the mark is older than it too.
    expect((await processSnapshot(deps, adminRole, "evt-redelivered")).stale).toBe(true);
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("RESOLVED");

    // A change captured after the mark is the resource's latest state: stored and evaluated.
    const fresh = await processSnapshot(
      deps,
      fromConfigurationItem(admin("2026-03-03T16:30:00.000Z")),
      "evt-new",
    );
    expect(fresh.stale).toBe(false);
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("OPEN");
  });

  it("keeps Config's own deletion: a listing that still shows the older item does not undo it", async () => {
    const deps = await h.freshDeps();
    await sweep(deps, [admin()], "2026-03-03T15:00:00.000Z");
    const deleted = fromConfigurationItem({
      ...admin("2026-03-03T15:20:00.000Z"),
      configurationItemStatus: "ResourceDeleted",
      configuration: null,
    });
    expect((await processSnapshot(deps, deleted, "evt-deleted")).stale).toBe(false);
    expect((await deps.findings.getFinding(adminFinding))?.status).toBe("RESOLVED");

    // Config's listing lags its deletion and still serves the item captured before it.
    await sweep(deps, [admin()], "2026-03-03T16:00:00.000Z");
    const stored = await deps.inventory.get(
      adminRole.accountId,
      adminRole.region,
      ROLE,
      adminRole.resourceId,
    );
    expect(stored?.state).toBe("deleted");
    expect(stored?.capturedAt).toBe("2026-03-03T15:20:00.000Z");
  });
});
