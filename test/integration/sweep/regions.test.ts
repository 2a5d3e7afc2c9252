// An operator takes a region out of the sweep (PHIWATCH_SWEEP_REGIONS, or the baseline's
// allowedRegions when it is unset) after findings were recorded there. The scheduled sweep
// (functions/sweep.ts through the local stack, DynamoDB Local, Config answering per region) no longer
// reads that region: its findings must neither pass for "resource no longer exists" nor sit open with
// no sign that nothing re-checks them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore, PostureStore } from "../../../packages/aws/src/index.ts";
import { renderReport } from "../../../packages/cli/src/commands/report.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  allFindings,
  CONTROLS,
  type Finding,
  parseBaseline,
  Report,
} from "../../../packages/core/src/index.ts";
import { demoEvents, type Mocks, mockAccount } from "./account.ts";

const EAST2 = "us-east-2";
const BUCKET = "northwind-ctr-east2";
const dir = mkdtempSync(join(tmpdir(), "phiwatch-regions-"));
const sts = mockClient(STSClient);
let stack: LocalStack;
let mocks: Mocks;

const store = () => new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
const sweep = async (id: string, regions: string) => {
  process.env.PHIWATCH_SWEEP_REGIONS = regions;
  await stack.invoke("sweep", { id, "detail-type": "Scheduled Event" });
  return (await new PostureStore(stack.ddb, LOCAL_NAMES.table).list({ limit: 1 }))[0]!;
};
const east2 = async (): Promise<Finding[]> =>
  (await allFindings(store())).filter((f) => f.subject.resourceId === BUCKET);

beforeAll(async () => {
  sts.on(GetCallerIdentityCommand).resolves({
    Account: DEMO.accountId,
    Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
  });
  const items = demoEvents().items;
  // A contact-trace-record bucket (a PHI bucket by the baseline's `northwind-ctr-` prefix) in us-east-2.
  const transcripts = items.find((i) => i.resourceId === "northwind-contact-lens-transcripts")!;
  const ctr = JSON.parse(
    JSON.stringify(transcripts).replaceAll("northwind-contact-lens-transcripts", BUCKET),
  );
  ctr.awsRegion = EAST2;
  ctr.availabilityZone = "Regional";
  mocks = mockAccount({ items: [...items, ctr], regional: true });
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", dir: join(dir, "state") });
});
afterAll(async () => {
  mocks?.restore();
  sts.restore();
  delete process.env.PHIWATCH_SWEEP_REGIONS;
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a region taken out of the sweep", () => {
  it("keeps its findings open, never resolves them as deleted, and says in the posture and the report that nothing re-checks them", async () => {
    const first = await sweep("with-east-2", `${DEMO.region},${EAST2}`);
    expect(first.regions).toEqual([DEMO.region, EAST2]);
    expect(first.unswept).toEqual([]);
    const before = await east2();
    expect(before.filter((f) => f.status === "OPEN").length).toBeGreaterThan(0);
    const history = new Map(
      await Promise.all(
        before.map(async (f) => [f.findingId, await store().findingHistory(f.findingId)] as const),
      ),
    );

    // The operator drops us-east-2 from PHIWATCH_SWEEP_REGIONS.
    const second = await sweep("without-east-2", DEMO.region);
    const after = await east2();
    // Not "resource no longer exists": the same findings, as they were, with no new history.
    expect(after.map((f) => [f.findingId, f.status, f.summary]).sort()).toEqual(
      before.map((f) => [f.findingId, f.status, f.summary]).sort(),
    );
    for (const f of after)
      expect(await store().findingHistory(f.findingId)).toEqual(history.get(f.findingId));
    expect(second.resolvedGone).toBe(0);
    const inventory = await new InventoryStore(stack.ddb, LOCAL_NAMES.table).get(
      DEMO.accountId,
      EAST2,
      "AWS::S3::Bucket",
      BUCKET,
    );
    expect(inventory?.state).not.toBe("deleted");

    // The posture names the region and its live findings, first among what the run could not evaluate.
    const open = after.filter((f) => f.status === "OPEN").length;
    expect(second.unswept).toEqual([{ accountId: DEMO.accountId, region: EAST2, open, suppressed: 0 }]);
    expect(second.unable[0]).toMatchObject({
      accountId: DEMO.accountId,
      region: EAST2,
      resourceType: "*",
      operation: "sweep",
    });
    expect(second.unable[0]!.reason).toContain(`region not swept: ${EAST2}`);
    // The findings still count as open in the posture.
    expect(Object.values(second.open).reduce((a, b) => a + b, 0)).toBe(
      Object.values(first.open).reduce((a, b) => a + b, 0),
    );

    // The evidence report marks each of them.
    const report = Report.buildReport({
      baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8")),
      controls: CONTROLS,
      findings: await allFindings(store()),
      history: [],
      inventory: [],
      posture: [second, first],
      generatedAt: second.at,
    });
    const marked = report.openFindings.filter((f) => Report.notSwept(report, f));
    expect(marked.map((f) => f.findingId).sort()).toEqual(
      after
        .filter((f) => f.status === "OPEN")
        .map((f) => f.findingId)
        .sort(),
    );
    expect(
      report.openFindings
        .filter((f) => f.subject.region === DEMO.region)
        .some((f) => Report.notSwept(report, f)),
    ).toBe(false);
    const md = Report.renderMarkdown(report);
    expect(md.split(Report.NOT_SWEPT_NOTE).length - 1).toBe(marked.length);
    expect(Report.renderHtml(report)).toContain("Region not swept");
    // The scope says which regions are swept now, and names the one left out apart: `phiwatch report`'s
    // JSON (the model) and Markdown agree.
    const json = JSON.parse(renderReport(report, "json")) as Report.EvidenceReport;
    expect(json.scope).toMatchObject({ regions: [DEMO.region], notSwept: [EAST2] });
    const header = renderReport(report, "md")
      .split("\n")
      .find((l) => l.startsWith("Generated "))!;
    expect(header).toContain(`Regions swept: ${DEMO.region}.`);
    expect(header).toContain(`Not swept by the latest sweep: ${EAST2} (`);

    // Swept again: re-checked as usual, and the posture has nothing left out.
    const third = await sweep("east-2-back", `${DEMO.region},${EAST2}`);
    expect(third.unswept).toEqual([]);
    expect(third.unable.filter((u) => u.operation === "sweep")).toEqual([]);
  });
});
