// A failed delivery's reason can quote the SIEM's answer (a HEC 2xx with an error code carries its
// `text`). A hostile or echoing endpoint controls that text: what the forwarder stores on the DLQ
// message and logs, and what `phiwatch forward redrive` prints, must hold no terminal escapes, no
// PHI-shaped strings and no unbounded text — whatever the endpoint answered, and whatever reason an
// older forwarder stored.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { redriveDeliveries } from "@phiwatch/aws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forwardCommand } from "../../../packages/cli/src/commands/forward.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { webhookBaseline } from "./baseline.ts";

// An OSC title change, a screen clear, a bell, a C1 CSI and a bidi override, an SSN and an e-mail
// address echoed from the payload, then a long tail.
const HOSTILE =
  "\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eInvalid event: patient SSN 123-45-6789 jane.doe@example.org " +
  "x".repeat(5000);
const UNSAFE = /[\p{Cc}\p{Cf}]/u;

let stack: LocalStack;
let siem: http.Server;
let baselineFile: string;

beforeAll(async () => {
  // A HEC endpoint that accepts the request and answers with an error code and hostile text.
  siem = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: 6, text: HOSTILE }));
    });
  });
  await new Promise<void>((r) => siem.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(siem.address() as AddressInfo).port}/services/collector/event`;
  baselineFile = webhookBaseline(url, 1, {
    name: "splunk",
    format: "hec",
    tokenEnv: "PHIWATCH_TEST_HEC_TOKEN",
  });
  stack = await LocalStack.start({
    baselineFile,
    logLevel: "WARN",
    env: {
      PHIWATCH_TEST_WEBHOOK_SECRET: "test-webhook-secret-0123456789abcdef",
      PHIWATCH_TEST_HEC_TOKEN: "11111111-2222-3333-4444-555555555555",
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => siem?.close(r));
});

/** Console output of `fn` (Powertools writes through the console in dev mode, as vitest runs it). */
async function captureConsole(fn: () => Promise<unknown>): Promise<string[]> {
  const logged: string[] = [];
  const spies = (["log", "info", "warn", "error"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
    }),
  );
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return logged;
}

const expectSafe = (text: string) => {
  expect(text).not.toMatch(UNSAFE);
  expect(text).not.toContain("123-45-6789");
  expect(text).not.toContain("jane.doe@example.org");
  expect(text.length).toBeLessThanOrEqual(300);
};

describe("forward: a failure reason quoting the SIEM's answer", () => {
  it("is stored on the DLQ message and logged bounded, without control characters or PHI", async () => {
    const logged = await captureConsole(async () => {
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
    });
    const line = logged.find((l) => l.includes("delivery dead-lettered"));
    expect(line).toBeDefined();
    const reason = String(JSON.parse(line!).reason);
    expect(reason).toMatch(/^network: HEC code 6: /);
    expectSafe(reason);
    expect(reason).toContain("[ssn]");

    const r = await stack.sqs!.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues[LOCAL_NAMES.deliveriesDlq]!.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 0,
      }),
    );
    expect(r.Messages?.length).toBeGreaterThan(0);
    for (const m of r.Messages ?? []) expectSafe(m.MessageAttributes?.reason?.StringValue ?? "");
  });

  it("is printed by forward redrive bounded, without control characters or PHI, whatever the DLQ holds", async () => {
    // A reason as an older forwarder, or anything else that can write to the DLQ, may have stored it.
    await stack.sqs!.send(
      new SendMessageCommand({
        QueueUrl: stack.queues[LOCAL_NAMES.deliveriesDlq]!.url,
        MessageBody: JSON.stringify({
          target: "splunk",
          event: { eventId: "e-1", finding: { findingId: "f-1" } },
        }),
        MessageGroupId: "splunk:f-1",
        MessageDeduplicationId: "hostile-1",
        MessageAttributes: { reason: { DataType: "String", StringValue: `HEC code 6: ${HOSTILE}` } },
      }),
    );
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const code = await forwardCommand([
        "redrive",
        "--baseline",
        baselineFile,
        "--from",
        stack.queues[LOCAL_NAMES.deliveriesDlq]!.url,
        "--to",
        stack.queues[LOCAL_NAMES.deliveries]!.url,
      ]);
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
    }
    const out = printed.join("");
    expect(out).toMatch(/deliveries moved back/);
    // Printed as JSON, so decode it: what a terminal shows of a \u escape is the character itself
    // only for C1 and bidi characters, which JSON.stringify leaves as they are.
    expect(out).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const reasons = JSON.parse(out.slice(out.indexOf("{"))) as Record<string, number>;
    for (const reason of Object.keys(reasons)) expectSafe(reason);
  });

  it("comes back from redriveDeliveries already safe (the library answer the CLI prints)", async () => {
    await stack.sqs!.send(
      new SendMessageCommand({
        QueueUrl: stack.queues[LOCAL_NAMES.deliveriesDlq]!.url,
        MessageBody: JSON.stringify({
          target: "splunk",
          event: { eventId: "e-2", finding: { findingId: "f-2" } },
        }),
        MessageGroupId: "splunk:f-2",
        MessageDeduplicationId: "hostile-2",
        MessageAttributes: { reason: { DataType: "String", StringValue: HOSTILE } },
      }),
    );
    const moved = await redriveDeliveries(
      stack.sqs!,
      stack.queues[LOCAL_NAMES.deliveriesDlq]!,
      stack.queues[LOCAL_NAMES.deliveries]!,
      { filter: (b) => b.includes('"f-2"') },
    );
    expect(moved.moved).toBe(1);
    for (const reason of Object.keys(moved.reasons)) expectSafe(reason);
  });
});
