import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

const event = (capturedAt: string, pabOn: boolean) =>
  configChangeEvent(
    bucketConfigurationItem({
      name: "northwind-connect-recordings",
      capturedAt,
      sse: { algorithm: "AES256" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: pabOn,
        blockPublicPolicy: true,
        restrictPublicBuckets: pabOn,
      },
    }),
  );

describe("notify: table stream → SNS", () => {
  it("publishes one alert per opened finding even when the event and the stream records are delivered again", async () => {
    const e = event("2026-03-03T15:00:00.000Z", false);
    await stack.dispatch(e);
    await stack.drain();
    await stack.dispatch(e);
    await stack.dispatch(e);
    await stack.drain();
    const alerts = await stack.receivedAlerts();
    const ids = alerts.map((a) => a.attributes.controlId);
    // Each opened finding is announced exactly once, whatever the redeliveries.
    expect(ids.length).toBe(new Set(ids).size);
    expect(ids).toEqual(expect.arrayContaining(["s3-block-public-access", "s3-encryption-cmk"]));
    const pab = alerts.find((a) => a.attributes.controlId === "s3-block-public-access")!;
    expect(pab.attributes).toMatchObject({
      severity: "critical",
      kind: "drift",
      transition: "OPENED",
      account: "111122223333",
    });
    expect(pab.subject).toMatch(/^\[phiwatch\] CRITICAL NEW: s3-block-public-access/);
  });

  it("announces the resolution when the bucket is fixed", async () => {
    await stack.dispatch(event("2026-03-04T15:00:00.000Z", true));
    await stack.drain();
    const alerts = await stack.receivedAlerts();
    const pab = alerts.filter((a) => a.attributes.controlId === "s3-block-public-access");
    expect(pab).toHaveLength(1);
    expect(pab[0]!.attributes).toMatchObject({
      transition: "RESOLVED",
      status: "RESOLVED",
    });
  });
});
