import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";

// alerts.page routes on when the alert goes out (who is awake to read it), not on when the resource
// was last seen: a finding re-opened by the 03:00 sweep from Config's afternoon capture must page, and
// a night-time change processed at 10:00 must not. The handlers' clock is fixed through PHIWATCH_NOW
// (honoured offline only), so the result is the same whatever the time of day the suite runs.
// examples/baseline.yaml: America/New_York (UTC-5 in March), business hours Mon-Fri 07:00-19:00,
// page: { atOrAbove: critical, quietHoursAtOrAbove: high }.
const TUE_03_00_LOCAL = "2026-03-03T08:00:00.000Z";
const TUE_10_00_LOCAL = "2026-03-03T15:00:00.000Z";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({
    baselineFile: "examples/baseline.yaml",
    logLevel: "ERROR",
    env: { PHIWATCH_NOW: TUE_03_00_LOCAL },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** A PHI bucket with SSE-S3 (s3-encryption-cmk: high) and Block Public Access on (nothing critical). */
const sseS3Bucket = (name: string, capturedAt: string) =>
  configChangeEvent(
    bucketConfigurationItem({
      name,
      capturedAt,
      sse: { algorithm: "AES256" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }),
  );

async function cmkAlertOf(bucket: string) {
  const alerts = await stack.receivedAlerts();
  return alerts.filter((a) => a.attributes.controlId === "s3-encryption-cmk" && a.subject?.includes(bucket));
}

describe("notify: urgency follows the time the alert goes out", () => {
  it("pages a high finding announced at 03:00 although Config captured it the afternoon before", async () => {
    // Monday 14:00 local: inside business hours, where high alone would not page.
    await stack.dispatch(sseS3Bucket("northwind-connect-recordings", "2026-03-02T19:00:00.000Z"));
    await stack.drain();
    const cmk = await cmkAlertOf("northwind-connect-recordings");
    expect(cmk).toHaveLength(1);
    expect(cmk[0]!.attributes).toMatchObject({ severity: "high", transition: "OPENED", urgency: "page" });
  });

  it("notifies (no page) for a night-time change announced at 10:00", async () => {
    // The local stack's handlers share this process's environment: move their clock to 10:00.
    process.env.PHIWATCH_NOW = TUE_10_00_LOCAL;
    // Tuesday 02:00 local: quiet hours, where high would page.
    await stack.dispatch(sseS3Bucket("northwind-contact-lens-transcripts", "2026-03-03T07:00:00.000Z"));
    await stack.drain();
    const cmk = await cmkAlertOf("northwind-contact-lens-transcripts");
    expect(cmk).toHaveLength(1);
    expect(cmk[0]!.attributes).toMatchObject({ severity: "high", transition: "OPENED", urgency: "notify" });
  });
});
