// An account whose evaluations outnumber what a spread can pass as arguments (about 120,000 on
// Node 20's default stack: a 10,000-bucket account under the 12 bucket controls). Synthetic controls
// stand in for the size: 200 of them on 800 buckets make 160,000 evaluations in seconds.
import { describe, expect, it } from "vitest";
import { runSweep } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { ControlSet, defineControl, pass } from "../../../packages/core/src/index.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("many-evaluations");

const CONTROLS = 200;
const BUCKETS = 800;

const controls = new ControlSet(
  Array.from({ length: CONTROLS }, (_, i) =>
    defineControl({
      id: `s3-synthetic-${i}`,
      title: "A synthetic bucket control that always passes",
      resourceTypes: ["AWS::S3::Bucket"],
      hipaa: ["164.312(b)"],
      severity: "low",
      rationale: "size only",
      remediation: { console: "none", cli: "none" },
      evaluate: () => pass("ok"),
    }),
  ),
);

describe("sweep: an account with more evaluations than a spread carries", () => {
  it("records the posture with every evaluation counted, instead of failing the account", async () => {
    const deps = { ...(await h.freshDeps()), controls };
    h.mock({
      items: Array.from({ length: BUCKETS }, (_, i) =>
        bucketConfigurationItem({
          name: `app-assets-many-${i}`,
          accountId: DEMO.accountId,
          region: DEMO.region,
          capturedAt: "2026-03-03T10:00:00.000Z",
          sse: { algorithm: "aws:kms", kmsKeyId: "alias/aws/s3" },
        }),
      ),
      pageSize: 100,
    });
    const { posture, evaluations } = await runSweep(deps, {
      accountId: DEMO.accountId,
      regions: [DEMO.region],
      sweepId: "many-evaluations",
    });
    expect(evaluations).toHaveLength(CONTROLS * BUCKETS);
    expect(posture.unable.filter((u) => u.operation === "sweep")).toEqual([]);
    expect(posture.controls["s3-synthetic-0"]).toMatchObject({ compliant: BUCKETS });
    // The buckets and the account's Block Public Access (read, evaluated by none of these controls).
    expect(posture.resources).toBe(BUCKETS + 1);
  }, 120_000);
});
