// `phiwatch findings --limit N --fail-on S`: the limit caps what is printed (the most severe first),
// never what --fail-on judges — a CI gate must see every matching finding, on every page.
import { describe, expect, it } from "vitest";
import { findingsReport } from "../../../packages/cli/src/commands/findings.ts";
import type { Finding, Severity } from "../../../packages/core/src/index.ts";
import { MemoryFindingStore } from "../api/memory-store.ts";

function finding(n: number, severity: Severity, status: Finding["status"] = "OPEN"): Finding {
  const at = "2026-03-03T10:00:00.000Z";
  return {
    findingId: `f-${n.toString(16).padStart(24, "0")}`,
    kind: "drift",
    ruleId: severity === "critical" ? "s3-block-public-access" : "s3-versioning",
    status,
    severity,
    title: "t",
    summary: "s",
    hipaa: [],
    subject: {
      accountId: "111122223333",
      region: "us-east-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: `b-${n}`,
    },
    evidence: {},
    remediation: "",
    firstSeen: at,
    lastSeen: at,
    statusChangedAt: at,
    transitions: 1,
  } as Finding;
}

describe("phiwatch findings: --limit and --fail-on", () => {
  it("judges --fail-on on every finding past 10,000, and shows the most severe first", async () => {
    const store = new MemoryFindingStore();
    for (let n = 0; n < 10_050; n++) store.findings.set(finding(n, "low").findingId, finding(n, "low"));
    const last = finding(20_000, "critical"); // highest id: the last page
    store.findings.set(last.findingId, last);
    const r = await findingsReport(store, {}, { limit: 20, failOn: "high" });
    expect(r.failed).toBe(true);
    expect(r.total).toBe(10_051);
    expect(r.shown).toHaveLength(20);
    expect(r.shown[0]?.findingId).toBe(last.findingId);
  });

  it("does not fail on a suppressed or resolved finding, and shows all without --limit", async () => {
    const store = new MemoryFindingStore();
    for (const f of [finding(1, "critical", "SUPPRESSED"), finding(2, "high", "RESOLVED"), finding(3, "low")])
      store.findings.set(f.findingId, f);
    const r = await findingsReport(store, {}, { failOn: "high" });
    expect(r.failed).toBe(false);
    expect(r.shown.map((f) => f.severity)).toEqual(["critical", "high", "low"]);
  });
});
