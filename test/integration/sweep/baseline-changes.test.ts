// A year with phiwatch: the scheduled sweep (functions/sweep.ts) after each redeploy with a new
// baseline, on the data the previous deployment left (the local stack keeps its DynamoDB directory, as
// a protected stage keeps its table). Each redeploy is a new stack and fresh handler modules (a new
// Lambda container: the baseline is read once per container).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeContactFlowCommand, ListContactFlowsCommand } from "@aws-sdk/client-connect";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  allFindings,
  decide,
  type Finding,
  type HistoryEntry,
  suppress,
} from "../../../packages/core/src/index.ts";
import { demoEvents, flows, type Mocks, mockAccount } from "./account.ts";

const INSTANCE = "8dab73a7-51ab-4610-8c72-359333b63f10";

const EXAMPLE = readFileSync("examples/baseline.yaml", "utf8");
const FORMER_MEMBER = "444455556666";
const dir = mkdtempSync(join(tmpdir(), "phiwatch-redeploy-"));
const sts = mockClient(STSClient);
let stack: LocalStack | undefined;
let mocks: Mocks;
let deploys = 0;

/** Deploy (or redeploy) with this baseline YAML: a new stack on the same stored data, new handler modules. */
async function deploy(yaml: string): Promise<LocalStack> {
  await stack?.stop();
  vi.resetModules();
  const file = join(dir, `baseline-${++deploys}.yaml`);
  writeFileSync(file, yaml);
  stack = await LocalStack.start({ baselineFile: file, dir: join(dir, "state") });
  return stack;
}

const store = () => new DynamoFindingStore(stack!.ddb, LOCAL_NAMES.table);
const sweep = async (id: string) => stack!.invoke("sweep", { id, "detail-type": "Scheduled Event" });
const find = async (ruleId: string, resourceId: string): Promise<Finding | undefined> =>
  (await allFindings(store())).find((f) => f.ruleId === ruleId && f.subject.resourceId === resourceId);
const history = async (f: Finding): Promise<HistoryEntry[]> => store().findingHistory(f.findingId);

beforeAll(() => {
  process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
  sts.on(GetCallerIdentityCommand).resolves({
    Account: DEMO.accountId,
    Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  mocks = mockAccount({ items: demoEvents().items });
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  mocks?.restore();
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const suppression = (until: string) =>
  EXAMPLE.replace(
    "suppressions: []",
    [
      "suppressions:",
      "  - rule: s3-encryption-cmk",
      `    resource: ${DEMO.recordingsBucket}`,
      "    reason: CMK migration scheduled (CHG-1234)",
      `    until: "${until}"`,
    ].join("\n"),
  );

describe("redeploying with a changed baseline", () => {
  it("a baseline suppression that is removed no longer holds: the next sweep re-opens the finding, in order", async () => {
    await deploy(suppression("2099-12-31"));
    await sweep("v1");
    const suppressed = await find("s3-encryption-cmk", DEMO.recordingsBucket);
    expect(suppressed).toMatchObject({ status: "SUPPRESSED", suppression: { by: "baseline" } });

    await deploy(EXAMPLE);
    const before = Date.now();
    await sweep("v2");
    const reopened = await find("s3-encryption-cmk", DEMO.recordingsBucket);
    expect(reopened?.status).toBe("OPEN");
    expect(reopened?.suppression).toBeUndefined();
    const h = await history(reopened!);
    expect(h.map((e) => `${e.from}>${e.to}`)).toEqual(["NEW>SUPPRESSED", "SUPPRESSED>OPEN"]);
    // The re-opening happened at this sweep, not when Config last captured the bucket (March).
    expect(Date.parse(h[1]!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(reopened?.statusChangedAt).toBe(h[1]!.at);
  });

  it("a baseline suppression cut short holds only to its new end", async () => {
    await deploy(suppression("2099-12-31"));
    await sweep("v3");
    expect((await find("s3-encryption-cmk", DEMO.recordingsBucket))?.suppression?.until).toBe(
      "2100-01-01T05:00:00.000Z",
    );
    await deploy(suppression("2099-06-30"));
    await sweep("v4");
    const f = await find("s3-encryption-cmk", DEMO.recordingsBucket);
    expect(f).toMatchObject({
      status: "SUPPRESSED",
      suppression: { until: "2099-07-01T04:00:00.000Z", by: "baseline" },
    });
    const h = await history(f!);
    expect(h.at(-1)).toMatchObject({ from: "SUPPRESSED", to: "SUPPRESSED", cause: "sweep:v4" });
  });

  it("a bucket taken out of the PHI buckets has its findings resolved as out of scope, at the sweep's time", async () => {
    await deploy(EXAMPLE);
    await sweep("v5");
    const open = await find("s3-encryption-cmk", DEMO.recordingsBucket);
    expect(open?.status).toBe("OPEN");
    await deploy(
      EXAMPLE.replace("  - name: northwind-connect-recordings\n", "  - name: some-other-bucket\n"),
    );
    const before = Date.now();
    await sweep("v6");
    const resolved = await find("s3-encryption-cmk", DEMO.recordingsBucket);
    expect(resolved?.status).toBe("RESOLVED");
    expect(resolved?.summary).toMatch(/not a PHI bucket|no PHI bucket|not in the baseline/i);
    const h = await history(resolved!);
    expect(h.at(-1)).toMatchObject({ from: "OPEN", to: "RESOLVED", cause: "sweep:v6" });
    expect(Date.parse(h.at(-1)!.at)).toBeGreaterThanOrEqual(before - 1000);
    // Drift history stays in time order: each transition at or after the one before.
    for (let i = 1; i < h.length; i++) expect(h[i]!.at >= h[i - 1]!.at).toBe(true);
  });
});

describe("findings phiwatch no longer evaluates", () => {
  it("resolves the findings of a control this release no longer has, and of an account taken out of the baseline", async () => {
    await deploy(EXAMPLE);
    const old = (ruleId: string, accountId: string, resourceId: string) =>
      decide(undefined, {
        kind: "drift",
        ruleId,
        title: "a control of an earlier release",
        severity: "high",
        hipaa: ["164.312(b)"],
        subject: { accountId, region: DEMO.region, resourceType: "AWS::S3::Bucket", resourceId },
        verdict: "fail",
        summary: "failed in an earlier release",
        evidence: {},
        observedAt: "2026-03-03T10:00:00.000Z",
        cause: "evt-old",
      })!;
    // A control retired in this release, on a bucket that still exists and is still swept.
    await store().applyChange(old("s3-retired-control", DEMO.accountId, DEMO.recordingsBucket));
    // A member account the organisation removed from the baseline (its role is gone too).
    await store().applyChange(old("s3-encryption-cmk", FORMER_MEMBER, "former-member-recordings"));
    await sweep("v7");
    const retired = await find("s3-retired-control", DEMO.recordingsBucket);
    expect(retired).toMatchObject({ status: "RESOLVED" });
    expect(retired?.summary).toMatch(/no longer evaluated/);
    const former = await find("s3-encryption-cmk", "former-member-recordings");
    expect(former).toMatchObject({ status: "RESOLVED" });
    expect(former?.summary).toMatch(/no longer evaluated/);
    expect((await history(former!)).at(-1)).toMatchObject({ to: "RESOLVED", cause: "sweep:v7" });
  });
});

describe("suppressions that expire", () => {
  it("re-opens a finding whose suppression (set through the API) ended, though nothing re-evaluates it", async () => {
    await deploy(EXAMPLE);
    // An activity finding (no sweep evaluates activity), suppressed through the API a month ago until yesterday.
    const opened = decide(undefined, {
      kind: "activity",
      ruleId: "access-off-hours",
      title: "PHI is read during business hours",
      severity: "medium",
      hipaa: ["164.312(b)"],
      subject: {
        accountId: DEMO.accountId,
        region: DEMO.region,
        resourceType: "AWS::S3::Bucket",
        resourceId: DEMO.recordingsBucket,
        principal: `arn:aws:iam::${DEMO.accountId}:role/analytics-qa`,
      },
      verdict: "fail",
      summary: "reads outside business hours",
      evidence: { reads: 12 },
      observedAt: "2026-10-20T03:00:00.000Z",
      cause: "evt-1",
      discriminator: "2026-10-20T03:00:00.000Z",
      windowStart: "2026-10-20T03:00:00.000Z",
      count: 12,
    })!;
    await store().applyChange(opened);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    await store().applyChange(
      suppress(opened.next, "night shift pilot (CHG-77)", yesterday, "arn:aws:iam::1:user/ana", monthAgo),
    );
    await sweep("v8");
    const f = await store().getFinding(opened.next.findingId);
    expect(f?.status).toBe("OPEN");
    expect(f?.suppression).toBeUndefined();
    const h = await history(f!);
    expect(h.at(-1)).toMatchObject({ from: "SUPPRESSED", to: "OPEN", cause: "sweep:v8" });
    // …and announced (after the opening; the suppression itself is silent): notify reads the table stream.
    await stack!.drain();
    const alerts = (await stack!.receivedAlerts()).filter(
      (a) => a.attributes.controlId === "access-off-hours",
    );
    expect(alerts.map((a) => a.attributes.transition)).toEqual(["OPENED", "REOPENED"]);
  });
});

describe("a person's suppression that ends under a baseline suppression", () => {
  it("stays suppressed, now by the baseline, with no alert: the sweep does what an evaluation would", async () => {
    const principal = `arn:aws:iam::${DEMO.accountId}:role/analytics-night`;
    await deploy(
      EXAMPLE.replace(
        "suppressions: []",
        [
          "suppressions:",
          "  - rule: access-off-hours",
          `    resource: "${principal}"`,
          "    reason: night shift approved (CHG-91)",
          '    until: "2099-12-31"',
        ].join("\n"),
      ),
    );
    // An incident reviewed and set aside by a person until yesterday; the baseline now covers it too.
    const opened = decide(undefined, {
      kind: "activity",
      ruleId: "access-off-hours",
      title: "PHI is read during business hours",
      severity: "medium",
      hipaa: ["164.312(b)"],
      subject: {
        accountId: DEMO.accountId,
        region: DEMO.region,
        resourceType: "AWS::S3::Bucket",
        resourceId: DEMO.recordingsBucket,
        principal,
      },
      verdict: "fail",
      summary: "reads outside business hours",
      evidence: { reads: 9 },
      observedAt: "2026-10-21T03:00:00.000Z",
      cause: "evt-9",
      discriminator: "2026-10-21T03:00:00.000Z",
      windowStart: "2026-10-21T03:00:00.000Z",
      count: 9,
    })!;
    await store().applyChange(opened);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    await store().applyChange(
      suppress(opened.next, "reviewed (INC-12)", yesterday, "arn:aws:iam::1:user/ana", monthAgo),
    );
    await sweep("v9");
    const f = await store().getFinding(opened.next.findingId);
    expect(f).toMatchObject({ status: "SUPPRESSED", suppression: { by: "baseline" } });
    expect((await history(f!)).at(-1)).toMatchObject({
      from: "SUPPRESSED",
      to: "SUPPRESSED",
      cause: "sweep:v9",
    });
    await stack!.drain();
    const alerts = (await stack!.receivedAlerts()).filter(
      (a) => a.attributes.controlId === "access-off-hours" && a.attributes.transition === "REOPENED",
    );
    // This deployment's stack has received nothing else for the rule: no re-opening was announced.
    expect(alerts).toEqual([]);
  });
});

describe("a resource renamed into a baseline suppression", () => {
  it("stays suppressed across sweeps: reconcile does not undo what the sweep's evaluation just decided", async () => {
    await deploy(
      EXAMPLE.replace(
        "suppressions: []",
        [
          "suppressions:",
          '  - rule: "*"',
          '    resource: "IVR-*"',
          "    reason: legacy IVR flows, retired with CHG-310",
          '    until: "2099-12-31"',
        ].join("\n"),
      ),
    );
    await sweep("r1");
    const flowFindings = async () =>
      (await allFindings(store())).filter(
        (f) => f.kind === "drift" && f.subject.resourceName?.includes("Patient identification"),
      );
    const before = await flowFindings();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((f) => f.status === "OPEN")).toBe(true);

    // The flow is renamed in Connect: its name now matches the baseline's suppression.
    const renamed = (name: string) =>
      name === "Patient identification" ? "IVR-Patient identification" : name;
    const original = flows();
    mocks.connect.on(ListContactFlowsCommand).resolves({
      ContactFlowSummaryList: original.map((f) => ({
        Id: f.Id,
        Name: renamed(f.Name),
        Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${INSTANCE}/contact-flow/${f.Id}`,
        ContactFlowType: "CONTACT_FLOW",
      })),
    });
    mocks.connect.on(DescribeContactFlowCommand).callsFake((input: { ContactFlowId: string }) => {
      const f = original.find((x) => x.Id === input.ContactFlowId)!;
      return {
        ContactFlow: {
          Arn: `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${INSTANCE}/contact-flow/${f.Id}`,
          Id: f.Id,
          Name: renamed(f.Name),
          Type: "CONTACT_FLOW",
          State: "ACTIVE",
          Status: "PUBLISHED",
          Content: f.Content,
        },
      };
    });
    try {
      await sweep("r2");
      await sweep("r3");
      for (const f of before) {
        const now = await store().getFinding(f.findingId);
        expect(now).toMatchObject({ status: "SUPPRESSED", suppression: { by: "baseline" } });
        const h = await history(now!);
        // Suppressed once, by the sweep that first read the new name: never re-opened in between.
        expect(h.map((e) => `${e.from}>${e.to}`)).toEqual(["NEW>OPEN", "OPEN>SUPPRESSED"]);
      }
      await stack!.drain();
      const reopened = (await stack!.receivedAlerts()).filter((a) => a.attributes.transition === "REOPENED");
      expect(reopened).toEqual([]);
    } finally {
      mocks.restore();
      mocks = mockAccount({ items: demoEvents().items });
    }
  });
});
