// functions/forward as deployed (PHIWATCH_OFFLINE unset): `allowInsecureLocal` is for local mode only.
// A target carrying it must not make the function in AWS post plain http to loopback (the Lambda
// Runtime API and extensions listen there); the delivery is dead-lettered with the reason.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { type Receiver, startReceiver } from "@phiwatch/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";

const SECRET = "test-webhook-secret-0123456789abcdef";
let stack: LocalStack;
let receiver: Receiver;

function baselineWith(url: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "phiwatch-forward-aws-")), "baseline.yaml");
  writeFileSync(
    file,
    `version: 1
organisation: { name: Test Health, timeZone: America/New_York }
accounts: ["111122223333"]
allowedRegions: [us-east-1]
phiBuckets:
  - name: northwind-connect-recordings
webhooks:
  - name: siem
    url: ${url}
    format: ocsf
    secret: { env: PHIWATCH_TEST_WEBHOOK_SECRET }
    minSeverity: low
    allowInsecureLocal: true
    retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000 }
`,
  );
  return file;
}

beforeAll(async () => {
  receiver = await startReceiver({ secrets: [SECRET] });
  stack = await LocalStack.start({
    baselineFile: baselineWith(receiver.url),
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
