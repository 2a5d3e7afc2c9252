import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingItem } from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import type { Finding } from "../../../packages/core/src/index.ts";

// The table stream delivers at least once: the same record (and the same transition in two records)
// must give one SNS alert and one queued SIEM delivery.
let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

const finding: Finding = {
  findingId: "f-0000000000000000000000aa",
  kind: "drift",
  ruleId: "s3-encryption-cmk",
  title: "PHI buckets encrypt with a customer-managed KMS key",
  severity: "high",
  status: "OPEN",
  subject: {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "northwind-connect-recordings",
  },
  hipaa: ["164.312(a)(2)(iv)"],
  summary: "SSE-S3 (AES256) instead of aws:kms with a customer-managed key",
  evidence: { sseAlgorithm: "AES256" },
  firstSeen: "2026-03-03T14:02:31.000Z",
  lastSeen: "2026-03-03T14:02:31.000Z",
  statusChangedAt: "2026-03-03T14:02:31.000Z",
  transitions: 1,
};

const record = (eventID: string, seq: string) => ({
  eventID,
  eventName: "INSERT",
  eventVersion: "1.1",
  eventSource: "aws:dynamodb",
  awsRegion: "us-east-1",
  eventSourceARN: "arn:aws:dynamodb:us-east-1:000000000000:table/phiwatch-local-findings/stream/x",
  dynamodb: {
    Keys: marshall({ PK: `F#${finding.findingId}`, SK: "F" }),
    NewImage: marshall(findingItem(finding), { removeUndefinedValues: true }),
    SequenceNumber: seq,
    StreamViewType: "NEW_AND_OLD_IMAGES",
  },
});

describe("notify: duplicate stream records", () => {
  it("publishes one alert however often the same record or transition arrives", async () => {
    await stack.invoke("notify", { Records: [record("e1", "100")] });
    await stack.invoke("notify", { Records: [record("e1", "100")] });
    await stack.invoke("notify", { Records: [record("e2", "101"), record("e3", "102")] });
    const alerts = await stack.receivedAlerts();
    expect(alerts.filter((a) => a.attributes.controlId === "s3-encryption-cmk")).toHaveLength(1);
  });
});
