// A finding's evidence can be far larger than one SNS message may carry (256 KB for the whole Message,
// in which the structured alert repeats the JSON payload once per protocol). An identity control on a
// role with s3:* lists one entry per action and PHI bucket: ~80 KB for 150 tagged PHI buckets.
// The alert must still go out (evidence left to the API), not fail the stream record until it is
// dead-lettered.
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingItem } from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { driftFinding } from "../../unit/format/finding-fixtures.ts";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

const identity = "arn:aws:iam::111122223333:role/platform-admin";
const access = Array.from({ length: 150 }, (_, i) =>
  ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"].map(
    (action) => ({
      action,
      resource: `arn:aws:s3:::nw-phi-tagged-bucket-${String(i).padStart(3, "0")}${action.includes("Object") ? "/*" : ""}`,
      effect: "allow",
      allowedBy: [
        "managed:arn:aws:iam::aws:policy/AdministratorAccess#0",
        "inline:platform-admin/legacy-s3-full-access:AllowS3Everything",
      ],
    }),
  ),
).flat();

describe("notify: evidence larger than an SNS message", () => {
  it("publishes the alert with the evidence left out, instead of failing the record", async () => {
    const finding = driftFinding({
      findingId: "f-00000000000000000000cc01",
      ruleId: "iam-no-phi-delete",
      title: "Only operators can delete PHI objects or change PHI bucket policies",
      severity: "high",
      subject: {
        accountId: "111122223333",
        region: "global",
        resourceType: "AWS::IAM::Role",
        resourceId: "AROAEXAMPLEADMIN",
        resourceName: "platform-admin",
      },
      summary: "a non-operator can delete PHI objects or change a PHI bucket policy",
      evidence: { identity, policiesEvaluated: ["AdministratorAccess"], access },
    });
    expect(JSON.stringify(finding.evidence).length).toBeGreaterThan(75_000);
    const r = (await stack.invoke("notify", {
      Records: [
        {
          eventID: "e1",
          eventName: "INSERT",
          eventVersion: "1.1",
          eventSource: "aws:dynamodb",
          awsRegion: "us-east-1",
          eventSourceARN: "arn:aws:dynamodb:us-east-1:000000000000:table/phiwatch-local-findings/stream/x",
          dynamodb: {
            Keys: marshall({ PK: `F#${finding.findingId}`, SK: "F" }),
            NewImage: marshall(findingItem(finding), { removeUndefinedValues: true }),
            SequenceNumber: "100",
            StreamViewType: "NEW_AND_OLD_IMAGES",
          },
        },
      ],
    })) as { batchItemFailures: unknown[] };
    expect(r.batchItemFailures).toEqual([]);
    const alerts = (await stack.receivedAlerts()).filter(
      (a) => a.attributes.controlId === "iam-no-phi-delete",
    );
    expect(alerts).toHaveLength(1);
    // The local topic hands its queue the structured message; SQS subscribers get its `sqs` part.
    const payload = JSON.parse((JSON.parse(alerts[0]!.message) as { sqs: string }).sqs) as {
      finding: { findingId: string; evidence: object };
    };
    expect(payload.finding.findingId).toBe(finding.findingId);
    expect(payload.finding.evidence).toMatchObject({ omitted: expect.stringContaining("too large") });
  });
});
