import { type Receiver, redriveDeliveries, startReceiver } from "@phiwatch/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { webhookBaseline } from "./baseline.ts";

const SECRET = "test-webhook-secret-0123456789abcdef";
let stack: LocalStack;
let receiver: Receiver;

const bucket = (capturedAt: string, fixed: boolean) =>
  configChangeEvent(
    bucketConfigurationItem({
      name: "northwind-connect-recordings",
      capturedAt,
      sse: { algorithm: "AES256" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: fixed,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }),
  );

beforeAll(async () => {
  receiver = await startReceiver({ secrets: [SECRET], failFirst: 3, failStatus: 503, retryAfter: "1" });
  stack = await LocalStack.start({
    baselineFile: webhookBaseline(receiver.url, 4),
    logLevel: "ERROR",
    env: { PHIWATCH_TEST_WEBHOOK_SECRET: SECRET },
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

type Ocsf = {
  finding_info: { uid: string };
  unmapped?: { phiwatch?: { transition?: string; eventId?: string } };
  activity_id: number;
};

describe("forward: delivery queue → signed SIEM webhook", () => {
  it("delivers every finding event exactly once and in order per finding when the SIEM is down for the first attempts", async () => {
    await stack.dispatch(bucket("2026-03-03T15:00:00.000Z", false));
    await stack.drain();
    await stack.dispatch(bucket("2026-03-03T16:00:00.000Z", true)); // resolves s3-block-public-access
    await stack.drain({ maxMs: 30_000 });
    const events = receiver.deliveries.flatMap((d) => d.events) as Ocsf[];
    expect(receiver.rejected.filter((r) => r.status === 503)).toHaveLength(3);
    expect(receiver.duplicates).toBe(0);
    // Every event once.
    const ids = events.map((e) => `${e.finding_info.uid}:${e.activity_id}`);
    expect(new Set(ids).size).toBe(ids.length);
    // The block-public-access finding: opened (Create = 1) strictly before resolved (Close = 3).
    const pab = events.filter(
      (e) =>
        events.length > 0 && e.finding_info.uid === events.find((x) => x.activity_id === 3)?.finding_info.uid,
    );
    expect(pab.map((e) => e.activity_id)).toEqual([1, 3]);
    expect(receiver.deliveries.every((d) => d.headers["x-phiwatch-signature"]?.startsWith("t="))).toBe(true);
  });

  it("dead-letters deliveries past the retry budget with the reason, and redrive delivers them", async () => {
    const before = receiver.deliveries.length;
    receiver.failNext(1000, 503);
    await stack.dispatch(bucket("2026-03-03T17:00:00.000Z", false)); // re-opens s3-block-public-access
    await stack.drain({ maxMs: 30_000 });
    expect(receiver.deliveries.length).toBe(before);
    receiver.failNext(0);
    const moved = await redriveDeliveries(
      stack.sqs!,
      stack.queues[LOCAL_NAMES.deliveriesDlq]!,
      stack.queues[LOCAL_NAMES.deliveries]!,
    );
    expect(moved.moved).toBeGreaterThan(0);
    expect(Object.keys(moved.reasons).join()).toMatch(/HTTP 503 after 4 attempts/);
    await stack.drain({ maxMs: 30_000 });
    expect(receiver.deliveries.length).toBe(before + moved.moved);
  });
});
