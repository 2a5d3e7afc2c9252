// `phiwatch baseline check` promises the file, the line and the field of every mistake
// (docs/baseline.md): these are the mistakes a person typing a baseline makes.
import { describe, expect, it } from "vitest";
import { parseBaseline } from "../../../packages/core/src/baseline/index.ts";
import { BaselineError } from "../../../packages/core/src/errors.ts";

const VALID = [
  "version: 1",
  "organisation: { name: Test Health }",
  'accounts: ["123456789012"]',
  "allowedRegions: [us-east-1]",
  "phiBuckets: [{ name: test-recordings }]",
];

function issues(text: string): BaselineError["issues"] {
  try {
    parseBaseline(text, "b.yaml");
  } catch (error) {
    if (error instanceof BaselineError) return error.issues;
    throw error;
  }
  throw new Error("the baseline was accepted");
}

const suppression = (until: string) =>
  [
    ...VALID,
    "suppressions:",
    "  - rule: s3-*",
    "    resource: legacy-*",
    "    reason: migration ticket CC-1",
    `    until: "${until}"`,
  ].join("\n");

describe("baseline loading: file, line and field of every mistake", () => {
  it("names the line of a YAML syntax error", () => {
    const found = issues([...VALID, "retentionDays: 2555: 3", "detectors: {}"].join("\n"));
    expect(found[0]).toMatchObject({ file: "b.yaml", field: "(yaml)" });
    expect(found[0]!.line).toBe(6);
  });

  it("names the line of a misspelt top-level field, not the first line of the file", () => {
    const found = issues(
      [...VALID, "retentionDays: 2555", "severityOverides:", "  kms-rotation: high"].join("\n"),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/severityOverides/);
    expect(found[0]!.line).toBe(7);
  });

  it("names the line of a misspelt nested field", () => {
    const found = issues(
      [...VALID, "s3:", "  requireMfaDelete: false", "  requireLifecycle: true"].join("\n"),
    );
    expect(found[0]!.message).toMatch(/requireLifecycle/);
    expect(found[0]!.line).toBe(8);
  });

  it.each([
    ["2026-02-30", "a day February does not have (Date.parse rolls it over to 2 March)"],
    ["2026-04-31", "a day April does not have"],
    ["Dec 31", "not ISO-8601 (Date.parse reads it as 31 December 2001: an expired suppression)"],
    ["12/31/2026", "not ISO-8601"],
  ])("refuses suppression expiry %s (%s)", (until) => {
    const found = issues(suppression(until));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ field: "suppressions.0.until", line: 10 });
  });

  it("accepts an ISO-8601 date or date-time expiry", () => {
    expect(parseBaseline(suppression("2026-12-31"), "b.yaml").suppressions[0]!.until).toBe("2026-12-31");
    expect(parseBaseline(suppression("2026-12-31T17:00:00Z"), "b.yaml").suppressions).toHaveLength(1);
  });

  const webhook = (url: string, extra = "") =>
    [...VALID, "webhooks:", "  - name: siem", `    url: ${url}`, "    secret: { env: SIEM_SECRET }", extra]
      .filter(Boolean)
      .join("\n");

  it.each([
    ["http://siem.example.org/hook", /plain http/],
    ["https://10.1.2.3/hook", /10\.1\.2\.3 is in/],
    ["https://169.254.169.254/latest/meta-data", /169\.254\.169\.254 is in/],
    ["https://user:pw@siem.example.org/hook", /credentials in the URL/],
  ])("refuses webhook URL %s, which the sender would refuse on every delivery", (url, message) => {
    const found = issues(webhook(url));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ field: "webhooks.0.url", line: 8 });
    expect(found[0]!.message).toMatch(message);
  });

  it("accepts an https URL on a DNS name, and plain http to loopback with allowInsecureLocal", () => {
    expect(
      parseBaseline(webhook("https://siem.example.org:8088/services/collector"), "b.yaml").webhooks,
    ).toHaveLength(1);
    expect(
      parseBaseline(webhook("http://127.0.0.1:37099/hook", "    allowInsecureLocal: true"), "b.yaml")
        .webhooks,
    ).toHaveLength(1);
  });

  it("takes a Splunk index on a HEC target, and names the field of an index elsewhere or misspelt", () => {
    const url = "https://splunk.example.org:8088/services/collector/event";
    expect(
      parseBaseline(webhook(url, "    format: hec\n    index: security"), "b.yaml").webhooks[0]!.index,
    ).toBe("security");
    expect(issues(webhook(url, "    format: ocsf\n    index: security"))[0]).toMatchObject({
      field: "webhooks.0.index",
      message: "index is for format: hec only",
    });
    expect(issues(webhook(url, "    format: hec\n    index: Security Logs"))[0]).toMatchObject({
      field: "webhooks.0.index",
      line: 11,
    });
  });
});
