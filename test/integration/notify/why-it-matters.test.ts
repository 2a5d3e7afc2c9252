// The alert's "Why it matters" line end to end: a control's finding explains itself in the control's
// own rationale (read from the registry here, the oracle, whatever notify reads it from); an activity
// detector's finding explains the HIPAA safeguards instead (notify gives no detector rationale).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { CONTROLS, DETECTORS } from "../../../packages/core/src/index.ts";
import { cloudTrailEnvelope } from "../../../packages/core/src/plan/index.ts";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

/** The e-mail text of each alert received (the structured SNS message's `email` rendition), by rule. */
async function alertTexts(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const a of await stack.receivedAlerts()) {
    const text = (JSON.parse(a.message) as { email: string }).email;
    out.set(a.attributes.controlId!, text);
  }
  return out;
}

describe("notify: why an alert matters", () => {
  it("quotes the control's rationale for a configuration finding and the safeguards for an activity one", async () => {
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "AES256" },
          publicAccessBlock: {
            blockPublicAcls: true,
            ignorePublicAcls: false,
            blockPublicPolicy: true,
            restrictPublicBuckets: false,
          },
        }),
      ),
    );
    // A published real StopLogging record (Stratus Red Team, test/fixtures/README.md), in the demo account.
    const [record] = JSON.parse(
      readFileSync("test/fixtures/infra/stratus__detonation_StopLogging.json", "utf8"),
    ) as Array<Record<string, unknown>>;
    await stack.dispatch(
      cloudTrailEnvelope({ ...record, awsRegion: DEMO.region, recipientAccountId: DEMO.accountId }),
    );
    await stack.drain({ maxMs: 20_000 });
    const texts = await alertTexts();

    for (const id of ["s3-block-public-access", "s3-encryption-cmk"]) {
      const control = CONTROLS.find((c) => c.id === id)!;
      expect(texts.get(id), id).toContain(`\nWhy it matters: ${control.rationale}\n`);
    }
    const tamper = texts.get("tamper-audit-logging");
    const detector = DETECTORS.find((d) => d.id === "tamper-audit-logging")!;
    expect(tamper).toMatch(/\nWhy it matters: .+\n/);
    expect(tamper).not.toContain(detector.rationale);
  });
});
