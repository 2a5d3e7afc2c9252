// Which live findings a sweep no longer re-checks: drift findings of the swept accounts in a region
// outside the swept regions (docs/operations.md "A region taken out of the sweep").
import { describe, expect, it } from "vitest";
import { CONTROLS, type Finding, Report } from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { activityFinding, driftFinding } from "../format/finding-fixtures.ts";

const ACCT = "111122223333";
let n = 0;
function f(over: Partial<Finding> & { region?: string; accountId?: string }): Finding {
  const { region = "eu-west-1", accountId = ACCT, ...rest } = over;
  return {
    findingId: `f-${++n}`,
    kind: "drift",
    ruleId: "s3-encryption-cmk",
    status: "OPEN",
    severity: "high",
    subject: { accountId, region, resourceType: "AWS::S3::Bucket", resourceId: `b-${n}` },
    ...rest,
  } as Finding;
}

describe("unswept regions", () => {
  it("counts open and suppressed drift findings per account and region outside the swept regions", () => {
    const findings = [
      f({}),
      f({ status: "SUPPRESSED" }),
      f({ status: "RESOLVED" }),
      f({ region: "us-east-1" }),
      f({ region: "global" }),
      f({ kind: "activity" }),
      f({ accountId: "444455556666" }),
      f({ region: "ap-southeast-2" }),
    ];
    expect(Report.unsweptRegions(findings, { accounts: [ACCT], regions: ["us-east-1"] })).toEqual([
      { accountId: ACCT, region: "ap-southeast-2", open: 1, suppressed: 0 },
      { accountId: ACCT, region: "eu-west-1", open: 1, suppressed: 1 },
    ]);
    expect(
      Report.unsweptRegions(findings, {
        accounts: [ACCT],
        regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
      }),
    ).toEqual([]);
  });

  it("gives each region an unable entry that names it and its counts, ids only", () => {
    const u = Report.unsweptUnable({ accountId: ACCT, region: "eu-west-1", open: 2, suppressed: 1 });
    expect(u).toMatchObject({ accountId: ACCT, region: "eu-west-1", resourceType: "*", operation: "sweep" });
    expect(u.reason).toMatch(/^region not swept: eu-west-1 .* 2 open and 1 suppressed finding/);
  });
});

describe("the evidence report's scope", () => {
  const snapshot = (
    at: string,
    regions: string[],
    unswept: Report.UnsweptRegion[] = [],
    accounts: string[] = [ACCT],
  ) =>
    ({
      at,
      sweepId: at,
      accounts,
      regions,
      resources: 1,
      controls: {},
      open: { info: 0, low: 0, medium: 0, high: 1, critical: 0 },
      unable: unswept.map(Report.unsweptUnable),
      unableTotal: unswept.length,
      resolvedGone: 0,
      transitions: 0,
      durationMs: 1,
      unswept,
    }) satisfies Report.PostureSnapshot;
  // eu-west-1 was swept, then taken out of PHIWATCH_SWEEP_REGIONS; us-east-2 is allowed by the baseline
  // but was never in the sweep's regions. Only us-east-1 is swept now.
  const at = (region: string, findingId: string) =>
    driftFinding({ findingId, subject: { ...driftFinding().subject, region } });
  const report = Report.buildReport({
    baseline: testBaseline({ allowedRegions: ["us-east-1", "us-east-2"] }),
    controls: CONTROLS,
    findings: [at("eu-west-1", "f-eu"), at("us-east-1", "f-us")],
    history: [],
    inventory: [],
    posture: [
      snapshot("2026-03-01T10:00:00.000Z", ["us-east-1", "eu-west-1"]),
      snapshot(
        "2026-03-03T10:00:00.000Z",
        ["us-east-1"],
        [{ accountId: ACCT, region: "eu-west-1", open: 1, suppressed: 0 }],
      ),
    ],
    generatedAt: "2026-03-03T12:00:00.000Z",
  });

  it("names the regions the latest sweep read, and the others apart (JSON model)", () => {
    expect(report.scope.regions).toEqual(["us-east-1"]);
    expect(report.scope.notSwept).toEqual(["eu-west-1", "us-east-2"]);
  });

  it("says so in the Markdown and HTML headers: no region outside the sweep reads as monitored", () => {
    const md = Report.renderMarkdown(report)
      .split("\n")
      .find((l) => l.startsWith("Generated "))!;
    expect(md).toContain("Regions swept: us-east-1.");
    expect(md).toContain("Not swept by the latest sweep: eu-west-1, us-east-2");
    expect(md).toContain("Region not swept");
    expect(md).not.toMatch(/Regions swept: [^.]*(eu-west-1|us-east-2)/);
    const html = Report.renderHtml(report);
    const meta = /<p class="meta">(.*?)<\/p>/s.exec(html)![1]!;
    expect(meta).toContain("regions swept us-east-1");
    expect(meta).toContain("not swept by the latest sweep: eu-west-1, us-east-2");
    expect(meta).not.toMatch(/regions swept [^·]*(eu-west-1|us-east-2)/);
  });

  it("names the accounts the latest sweep read, and apart those it no longer reads", () => {
    // 444455556666 was swept on 1 March, then taken out of the sweep (its findings were resolved as
    // out of scope): the header must not list it as monitored.
    const OLD = "444455556666";
    const r = Report.buildReport({
      baseline: testBaseline({ allowedRegions: ["us-east-1"] }),
      controls: CONTROLS,
      findings: [],
      history: [],
      inventory: [],
      posture: [
        snapshot("2026-03-01T10:00:00.000Z", ["us-east-1"], [], [ACCT, OLD]),
        snapshot("2026-03-03T10:00:00.000Z", ["us-east-1"], [], [ACCT]),
      ],
      generatedAt: "2026-03-03T12:00:00.000Z",
    });
    expect(r.scope).toMatchObject({ accounts: [ACCT], accountsNotSwept: [OLD] });
    const md = Report.renderMarkdown(r)
      .split("\n")
      .find((l) => l.startsWith("Generated "))!;
    expect(md).toContain(`Accounts: ${ACCT}.`);
    expect(md).toContain(`Accounts no longer swept: ${OLD} (`);
    expect(md).not.toMatch(new RegExp(`Accounts: [^.]*${OLD}`));
    const meta = /<p class="meta">(.*?)<\/p>/s.exec(Report.renderHtml(r))![1]!;
    expect(meta).toContain(`accounts ${ACCT} ·`);
    expect(meta).toContain(`accounts no longer swept: ${OLD}`);
  });

  it("without a sweep, calls the baseline's regions what they are: not yet swept", () => {
    const none = Report.buildReport({
      baseline: testBaseline({ allowedRegions: ["us-east-1", "us-east-2"] }),
      controls: CONTROLS,
      findings: [],
      history: [],
      inventory: [],
      posture: [],
      generatedAt: "2026-03-03T12:00:00.000Z",
    });
    expect(none.scope).toMatchObject({
      regions: [],
      notSwept: ["us-east-1", "us-east-2"],
      accountsNotSwept: [],
    });
    const md = Report.renderMarkdown(none)
      .split("\n")
      .find((l) => l.startsWith("Generated "))!;
    expect(md).toContain("No sweep recorded");
    expect(md).not.toContain("Regions swept");
  });
});

describe("findings of an account no longer swept", () => {
  const FORMER = "444455556666";
  const snapshot = (at: string, accounts: string[]) =>
    ({
      at,
      sweepId: at,
      accounts,
      regions: ["us-east-1"],
      resources: 1,
      controls: {},
      open: { info: 0, low: 0, medium: 0, high: 1, critical: 0 },
      unable: [],
      unableTotal: 0,
      resolvedGone: 0,
      transitions: 0,
      durationMs: 1,
      unswept: [],
    }) satisfies Report.PostureSnapshot;
  const of = (accountId: string, findingId: string, over: Partial<Finding> = {}) =>
    driftFinding({ findingId, subject: { ...driftFinding().subject, accountId }, ...over });
  const build = (findings: Finding[]) =>
    Report.buildReport({
      baseline: testBaseline({ accounts: [ACCT] }),
      controls: CONTROLS,
      findings,
      history: [],
      inventory: [],
      posture: [
        snapshot("2026-03-01T10:00:00.000Z", [ACCT, FORMER]),
        snapshot("2026-03-03T10:00:00.000Z", [ACCT]),
      ],
      generatedAt: "2026-03-03T12:00:00.000Z",
    });
  // FORMER was a member account, then taken out of the baseline's accounts: the latest sweep read ACCT
  // only. Two of its drift findings are still live (the reconcile that resolves them was cut short by
  // the run's deadline, or could not write them); an incident of it stays open for review.
  const report = build([
    of(FORMER, "f-former"),
    of(FORMER, "f-former-s", {
      status: "SUPPRESSED",
      suppression: { by: "sec", reason: "migration", until: "2026-12-01T00:00:00.000Z" },
    }),
    of(ACCT, "f-here"),
    activityFinding({
      findingId: "f-incident",
      subject: { ...activityFinding().subject, accountId: FORMER },
    }),
  ]);

  it("marks its live drift findings as the regions' marking does, never an incident nor a swept account's", () => {
    expect(report.scope.accountsNotSwept).toEqual([FORMER]);
    const marked = [...report.openFindings, ...report.suppressedFindings]
      .filter((f) => Report.notSwept(report, f))
      .map((f) => f.findingId)
      .sort();
    expect(marked).toEqual(["f-former", "f-former-s"]);
    expect(Report.notSweptNote(report, report.openFindings.find((f) => f.findingId === "f-former")!)).toBe(
      Report.NOT_SWEPT_ACCOUNT_NOTE,
    );
    const md = Report.renderMarkdown(report);
    expect(md.split(Report.NOT_SWEPT_ACCOUNT_NOTE).length - 1).toBe(2);
    expect(md).not.toContain(Report.NOT_SWEPT_NOTE);
    const html = Report.renderHtml(report);
    expect(html.split("Account not swept: the latest sweep").length - 1).toBe(2);
    expect(html).not.toContain("Region not swept");
  });

  it("says in the header that findings there are marked, and not that they were resolved", () => {
    const md = Report.renderMarkdown(report)
      .split("\n")
      .find((l) => l.startsWith("Generated "))!;
    expect(md).toContain(`Accounts no longer swept: ${FORMER} (`);
    expect(md).toContain(`findings there are marked "Account not swept"`);
    expect(md).not.toContain("resolved as out of scope");
    const meta = /<p class="meta">(.*?)<\/p>/s.exec(Report.renderHtml(report))![1]!;
    expect(meta).toContain("findings there are marked &quot;Account not swept&quot;");
    // With none of its drift findings left live, the header says they were resolved.
    const clean = Report.renderMarkdown(build([of(ACCT, "f-here")]));
    expect(clean).toContain("resolved as out of scope");
    expect(clean).not.toContain("Account not swept");
  });
});
