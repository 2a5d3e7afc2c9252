// A personal/dev stage: no deletion protection, and the trail-logs path when the baseline chooses it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Evaluation, evaluateApp } from "./harness.ts";

let app: Evaluation;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "phiwatch-baseline-"));
  const file = join(dir, "baseline.yaml");
  writeFileSync(
    file,
    `${readFileSync("test/infra/baseline.yaml", "utf8")}ingest:\n  access: trail-logs\n  trail:\n    bucket: org-trail-logs\n    kmsKey: arn:aws:kms:us-east-1:444455556666:key/abcd\n`,
  );
  app = await evaluateApp("alice", relative(process.cwd(), file));
}, 60_000);

describe("sst app, stage alice (dev), trail-logs path", () => {
  it("turns deletion protection off on a dev stage", () => {
    expect(app.one("aws:dynamodb/table:Table", "Findings").inputs.deletionProtectionEnabled).toBe(false);
    expect(app.one("aws:dynamodb/table:Table", "Findings").inputs.name).toBe("phiwatch-alice-findings");
  });

  it("routes trail log files, not data events, to the access queue", () => {
    const names = app.of("aws:cloudwatch/eventRule:EventRule").map((r) => r.name);
    expect(names).toContain("Rule-trail-logs");
    expect(names).not.toContain("Rule-access");
    const policy = JSON.parse(
      app.one("aws:iam/rolePolicy:RolePolicy", "Policy-access").inputs.policy as string,
    );
    const get = policy.Statement.find((s: { Action: string[] }) => s.Action.includes("s3:GetObject"));
    expect(get.Resource).toEqual(["arn:aws:s3:::org-trail-logs/AWSLogs/*"]);
    const decrypt = policy.Statement.filter((s: { Action: string[] }) => s.Action.includes("kms:Decrypt"));
    expect(decrypt.flatMap((s: { Resource: string[] }) => s.Resource)).toContain(
      "arn:aws:kms:us-east-1:444455556666:key/abcd",
    );
  });
});
