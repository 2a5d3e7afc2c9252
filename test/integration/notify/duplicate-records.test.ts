import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingItem } from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { driftFinding } from "../../unit/format/finding-fixtures.ts";

// The table stream delivers at least once: the same record (and the same transition in two records)
// must give one SNS alert and one queued SIEM delivery.
let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

const finding = driftFinding({
  findingId: "f-0000000000000000000000aa",
  subject: {
    accountId: "111122223333",
    region: "us-east-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "northwind-connect-recordings",
  },
});

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
