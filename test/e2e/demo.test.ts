import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { phiwatch } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("phiwatch demo (npm start) as a new user runs it", () => {
  it("finds the recordings bucket on AWS-managed encryption, alerts once, and persists the findings", () => {
    const first = phiwatch("demo", "--dir", dir);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/HIGH\s+OPEN\s+s3-encryption-cmk\s+northwind-connect-recordings/);
    expect(first.out).toMatch(/CRITICAL\s+OPEN\s+s3-block-public-access\s+northwind-connect-recordings/);
    expect(first.out).toMatch(/SNS alerts published this run: [1-9]/);
    // The 2 AM service account: volume spike and off-hours; the analytics role: unauthorized on its first read.
    expect(first.out).toMatch(
      /access-volume-spike\s+northwind-connect-recordings ← role\/recording-export-svc\s+2000 reads between 02:00 and 02:15/,
    );
    expect(first.out).toMatch(/access-off-hours\s+northwind-connect-recordings ← role\/recording-export-svc/);
    expect(first.out).toMatch(
      /access-unauthorized-principal\s+northwind-connect-recordings ← role\/analytics-qa/,
    );
    // The Tuesday-afternoon QA supervisor fires nothing.
    expect(first.out).not.toMatch(/QASupervisor|dana\.whitfield/);
    expect(first.out).toMatch(
      /Webhook deliveries received by the local SIEM: [1-9]\d* \(signature verified; 0 rejected\)/,
    );

    const json = phiwatch("findings", "--json", "--dir", dir);
    expect(json.code).toBe(0);
    const findings = json.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const cmk = findings.filter((f) => f.ruleId === "s3-encryption-cmk" && f.status === "OPEN");
    expect(cmk.map((f) => f.subject.resourceId)).toEqual(["northwind-connect-recordings"]);
    // No PHI-bearing strings (object keys) in any stored finding.
    expect(json.out).not.toMatch(/CallRecordings\/\d{4}/);
  });

  it("replays the demo again without duplicate findings, history entries or alerts", () => {
    const before = phiwatch("findings", "--json", "--dir", dir).out;
    const historyBefore = phiwatch("history", "northwind-connect-recordings", "--json", "--dir", dir).out;
    const again = phiwatch("demo", "--dir", dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/SNS alerts published this run: 0/);
    expect(again.out).toMatch(/Webhook deliveries received by the local SIEM: 0/);
    const after = phiwatch("findings", "--json", "--dir", dir).out;
    const count = (s: string) => s.trim().split("\n").length;
    expect(count(after)).toBe(count(before));
    expect(phiwatch("history", "northwind-connect-recordings", "--json", "--dir", dir).out).toBe(
      historyBefore,
    );
  });

  it("exits 1 with --fail-on when open findings reach the threshold, 2 on a usage error", () => {
    expect(phiwatch("findings", "--fail-on", "critical", "--dir", dir).code).toBe(1);
    expect(phiwatch("findings", "--severity", "urgent", "--dir", dir).code).toBe(2);
    expect(phiwatch("nonsense").code).toBe(2);
  });
});
