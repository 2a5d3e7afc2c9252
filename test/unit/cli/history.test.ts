// `phiwatch history <resource>` finds the account and region of a resource from its findings, so a
// user need not know them: that must hold on a real table, with more than one page of findings.
import { describe, expect, it } from "vitest";
import { resourceLocations } from "../../../packages/cli/src/commands/findings.ts";
import type { Finding } from "../../../packages/core/src/index.ts";
import { MemoryFindingStore } from "../api/memory-store.ts";

function finding(n: number, resourceId: string, accountId = "111122223333", region = "us-east-1"): Finding {
  const at = "2026-03-03T10:00:00.000Z";
  return {
    findingId: `f-${n.toString(16).padStart(24, "0")}`,
    kind: "drift",
    ruleId: "s3-encryption-cmk",
    status: "OPEN",
    severity: "high",
    title: "PHI buckets encrypt with a customer-managed KMS key",
    summary: "SSE-S3 (AES256) instead of aws:kms with a customer-managed key",
    hipaa: ["164.312(a)(2)(iv)"],
    subject: { accountId, region, resourceType: "AWS::S3::Bucket", resourceId },
    evidence: {},
    remediation: "",
    firstSeen: at,
    lastSeen: at,
    statusChangedAt: at,
    transitions: 1,
  } as Finding;
}

describe("phiwatch history: where a resource is", () => {
  it("finds a resource whose findings are past the first page of 500", async () => {
    const store = new MemoryFindingStore();
    for (let n = 0; n < 1200; n++)
      store.findings.set(finding(n, `bucket-${n}`).findingId, finding(n, `bucket-${n}`));
    const last = finding(5000, "zz-late-bucket", "444455556666", "us-east-2");
    store.findings.set(last.findingId, last);
    expect(await resourceLocations(store, "zz-late-bucket")).toEqual([
      { accountId: "444455556666", region: "us-east-2", resourceId: "zz-late-bucket" },
    ]);
  });

  it("returns every account and region where a resource of that id has findings", async () => {
    const store = new MemoryFindingStore();
    for (const f of [
      finding(1, "analytics-qa", "111122223333"),
      finding(2, "analytics-qa", "444455556666"),
      finding(3, "analytics-qa", "111122223333"),
      finding(4, "other"),
    ])
      store.findings.set(f.findingId, f);
    expect(await resourceLocations(store, "analytics-qa")).toEqual([
      { accountId: "111122223333", region: "us-east-1", resourceId: "analytics-qa" },
      { accountId: "444455556666", region: "us-east-1", resourceId: "analytics-qa" },
    ]);
    expect(await resourceLocations(store, "nothing-here")).toEqual([]);
  });

  it("finds a resource by the name the findings table shows (a role, a contact flow), not only its id", async () => {
    const store = new MemoryFindingStore();
    const role = finding(7, "AROAC50CB446D7040AE82", "111122223333", "global");
    role.subject = { ...role.subject, resourceType: "AWS::IAM::Role", resourceName: "analytics-qa" };
    store.findings.set(role.findingId, role);
    expect(await resourceLocations(store, "analytics-qa")).toEqual([
      { accountId: "111122223333", region: "global", resourceId: "AROAC50CB446D7040AE82" },
    ]);
  });
});
