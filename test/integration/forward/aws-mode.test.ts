import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { type Receiver, startReceiver } from "@phiwatch/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { webhookBaseline } from "./baseline.ts";

const SECRET = "test-webhook-secret-0123456789abcdef";
let stack: LocalStack;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver({ secrets: [SECRET] });
  stack = await LocalStack.start({
    baselineFile: webhookBaseline(receiver.url, 2),
    logLevel: "ERROR",
    env: { PHIWATCH_TEST_WEBHOOK_SECRET: SECRET, PHIWATCH_OFFLINE: "" },
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

describe("forward in AWS mode", () => {
  it("refuses an allowInsecureLocal target: nothing is posted to loopback, the DLQ holds the reason", async () => {
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "AES256" },
        }),
      ),
    );
    await stack.drain({ maxMs: 30_000 });
    expect(receiver.deliveries).toHaveLength(0);
    const r = await stack.sqs!.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues[LOCAL_NAMES.deliveriesDlq]!.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    expect(r.Messages?.length ?? 0).toBeGreaterThan(0);
    for (const m of r.Messages ?? [])
      expect(m.MessageAttributes?.reason?.StringValue).toMatch(/allowInsecureLocal/);
  });
});
