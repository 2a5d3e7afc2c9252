// A finding event is queued for each SIEM target on the FIFO delivery queue, whose messages are at
// most 256 KiB (`Plan.QUEUE_MESSAGE_MAX_BYTES`, the size the deployed queue has and the local one is
// given). Public evidence keeps up to 200 items per list, so a finding with several long lists can pass
// it: SQS would refuse the message on every retry and the delivery would be lost with the stream
// record. It must still reach the SIEM, with its evidence left to the API.
import { marshall } from "@aws-sdk/util-dynamodb";
import { findingItem, type Receiver, startReceiver } from "@phiwatch/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { driftFinding } from "../../unit/format/finding-fixtures.ts";
import { webhookBaseline } from "./baseline.ts";

const SECRET = "test-webhook-secret-0123456789abcdef";
let stack: LocalStack;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver({ secrets: [SECRET] });
  stack = await LocalStack.start({
    baselineFile: webhookBaseline(receiver.url, 3),
    logLevel: "ERROR",
    env: { PHIWATCH_TEST_WEBHOOK_SECRET: SECRET },
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

// One list per delete/policy action, 200 PHI buckets each (the most a public list keeps).
const list = (action: string) =>
  Array.from({ length: 200 }, (_, i) => ({
    action,
    resource: `arn:aws:s3:::nw-phi-tagged-bucket-${String(i).padStart(3, "0")}/*`,
    effect: "allow",
    allowedBy: [
      "managed:arn:aws:iam::aws:policy/AdministratorAccess#0",
      "inline:platform-admin/legacy-s3-full-access:AllowS3Everything",
    ],
  }));

describe("notify → forward: a finding event larger than a queue message", () => {
  it("is queued and delivered with its evidence left to the API, instead of failing the stream record", async () => {
    const finding = driftFinding({
      findingId: "f-00000000000000000000dd01",
      ruleId: "iam-no-phi-delete",
      severity: "high",
      evidence: Object.fromEntries(
        [
          "DeleteObject",
          "DeleteObjectVersion",
          "PutBucketPolicy",
          "DeleteBucketPolicy",
          "PutLifecycle",
          "Put",
        ].map((a) => [a, list(`s3:${a}`)]),
      ),
    });
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
    await stack.drain({ maxMs: 20_000 });
    const delivered = JSON.stringify(receiver.deliveries.flatMap((d) => d.events));
    expect(delivered).toContain("f-00000000000000000000dd01");
    expect(delivered).toContain("evidence too large for a queued SIEM delivery");
  });
});
