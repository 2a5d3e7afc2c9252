// Which live findings a sweep no longer re-checks: drift findings of the swept accounts in a region
// outside the swept regions (docs/operations.md "A region taken out of the sweep").
import { describe, expect, it } from "vitest";
import { type Finding, Report } from "../../../packages/core/src/index.ts";

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
