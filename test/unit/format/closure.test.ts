// An incident closed after review (`closeIncident`): who closed it and why travels with the RESOLVED
// change to the SNS alert, the SIEM payloads and the evidence report, redacted like every caller string.
import { describe, expect, it } from "vitest";
import { buildAlert, findingEvent, toOcsf } from "../../../packages/core/src/format/index.ts";
import { closeIncident, type Finding, Report } from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { activityFinding, driftFinding } from "./finding-fixtures.ts";

const CLOSER = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_SecOps_1a2b/jane.doe@example.org";
const open = activityFinding();
const closed = closeIncident(
  open,
  "approved export, call back 555-867-5309",
  CLOSER,
  "2026-03-03T09:00:00.000Z",
);

describe("a closed incident leaves with who closed it and why, redacted", () => {
  it("in the SNS alert: no 'control satisfied' wording, the closer and reason, no PHI", () => {
    const a = buildAlert(open, closed.next, "RESOLVED", "notify");
    expect(a.text).toContain("Closed after review by");
    expect(a.text).toContain("re-opens if the incident grows or happens again");
    expect(a.text).not.toContain("control is satisfied again");
    expect(a.text).not.toContain("555-867-5309");
    expect(a.text).not.toContain("jane.doe@example.org");
  });

  it("in the plain JSON and OCSF payloads", () => {
    const e = findingEvent(open, closed.next, "RESOLVED");
    expect(e.finding.closure?.reason).toMatch(/^approved export, call back \[phone/);
    expect(JSON.stringify(e)).not.toContain("555-867-5309");
    const o = toOcsf(open, closed.next, "RESOLVED") as unknown as {
      unmapped: { phiwatch: { closure?: unknown } };
    };
    expect(o.unmapped.phiwatch.closure).toEqual(e.finding.closure);
  });

  it("in the evidence report: an outcome per resolved finding, remediation time from drift only", () => {
    const fixed: Finding = driftFinding({
      findingId: "f-00000000000000000000000a",
      status: "RESOLVED",
      summary: "Resolved: aws:kms with a customer-managed key",
      firstSeen: "2026-03-01T00:00:00.000Z",
      statusChangedAt: "2026-03-01T06:00:00.000Z",
    });
    const r = Report.buildReport({
      baseline: testBaseline(),
      controls: [],
      findings: [fixed, closed.next],
      history: [],
      inventory: [],
      generatedAt: "2026-03-04T00:00:00.000Z",
    });
    const outcomes = r.resolvedFindings.map((x) => x.outcome);
    expect(outcomes).toContain("Resolved: aws:kms with a customer-managed key");
    expect(outcomes.find((o) => o.startsWith("closed after review by"))).toMatch(/approved export/);
    expect(JSON.stringify(r)).not.toContain("555-867-5309");
    // The drift finding took 6 h; the incident's 7 h to closure is not remediation time.
    expect(r.summary.medianTimeToResolveMs).toBe(6 * 3600_000);
    expect(Report.renderMarkdown(r)).toContain("| Outcome |");
  });
});
