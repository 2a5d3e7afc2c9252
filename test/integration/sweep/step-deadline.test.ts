// The sweep's time budget where the other deadline tests do not reach: resources read in full that no
// control evaluates (fact sources), and the table listings between reading and evaluating. Time is a
// virtual clock (Date.now) that the slow calls move on: deterministic whatever the machine's load.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runSweep } from "../../../packages/aws/src/index.ts";
import { resourceKey } from "../../../packages/aws/src/sweep/reader.ts";
import {
  bucketConfigurationItem,
  kmsKeyConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { CONTROLS, ControlSet } from "../../../packages/core/src/index.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("step-deadline");

/** As the handler sets it: the function's 900 s less its 3-minute margin. */
const BUDGET_MS = 720_000;
const realNow = Date.now.bind(Date);
let skew = 0;
beforeAll(() => {
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);
});
afterAll(() => {
  vi.restoreAllMocks();
});

describe("sweep: fact sources read in full after the resources the controls evaluate", () => {
  // Only s3-encryption-cmk: it evaluates buckets, and customer-managed KMS keys are a fact source it
  // reads (their rotation and policy from the KMS API) but no control of this set evaluates.
  const controls = new ControlSet(CONTROLS.filter((c) => c.id === "s3-encryption-cmk"));
  const buckets = Array.from({ length: 3 }, (_, i) =>
    bucketConfigurationItem({
      name: `northwind-ctr-fact-${i}`,
      accountId: DEMO.accountId,
      region: DEMO.region,
      capturedAt: "2026-03-03T10:00:00.000Z",
      sse: { algorithm: "AES256" },
    }),
  );
  // Eight keys whose rotation read takes 100 virtual seconds each (a throttled KMS): about four fit
  // in the half of the budget left for reading in full.
  const keys = Array.from({ length: 8 }, (_, i) =>
    kmsKeyConfigurationItem({
      keyId: `00000000-0000-4000-8000-00000000000${i}`,
      accountId: DEMO.accountId,
      region: DEMO.region,
      keyManager: "CUSTOMER",
      capturedAt: "2026-03-03T10:00:00.000Z",
    }),
  );

  it("a run that evaluated everything but left keys unread says so and the next run reads those keys first", async () => {
    expect(controls.handles("AWS::KMS::Key")).toBe(false);
    const deps = { ...(await h.freshDeps()), controls };
    h.mock({
      items: [...buckets, ...keys],
      pageSize: 100,
      onCall: (command) => {
        if (command === "GetKeyRotationStatusCommand") skew += 100_000;
      },
    });
    const keyIds = keys.map((k) => String(k.resourceId));
    const readInFull = async () => {
      const out = new Set<string>();
      for (const id of keyIds)
        if (
          (await deps.inventory.get(DEMO.accountId, DEMO.region, "AWS::KMS::Key", id))?.supplementary
            .KeyRotationStatus !== undefined
        )
          out.add(id);
      return out;
    };
    let resume: Record<string, string> | undefined;
    const postures = [];
    const seen: Set<string>[] = [];
    for (let run = 1; run <= 3; run++) {
      const t0 = Date.now();
      const { posture } = await runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: `fact-${run}`,
        deadline: t0 + BUDGET_MS,
        ...(resume ? { resume } : {}),
      });
      postures.push(posture);
      seen.push(await readInFull());
      resume = posture.resume;
    }
    // Run 1 read keys from the head until half its budget was spent: the buckets (after them in key
    // order) were not read, so not evaluated, and the next run starts with them.
    expect(postures[0]!.resume?.[DEMO.accountId]).toMatch(/^AWS::S3::Bucket\|/);
    // Run 2 evaluated every bucket, and read the first keys again: the last four keys (and the
    // account's Block Public Access, last in its order) were left unread — a key never read in full
    // has no snapshot stored — so the run says it is incomplete and resumes with the first it left.
    expect(seen[1]!.has(keyIds[4]!)).toBe(false);
    const second = postures[1]!;
    expect(second.unable[0]).toMatchObject({
      accountId: DEMO.accountId,
      resourceType: "*",
      operation: "sweep",
    });
    expect(second.unable[0]!.reason).toMatch(
      /^sweep incomplete: 3 of 3 resources evaluated .*\(5 listed but not read in full/,
    );
    const firstUnread = resourceKey({
      resourceType: "AWS::KMS::Key",
      region: DEMO.region,
      resourceId: keyIds[4]!,
    });
    expect(second.resume?.[DEMO.accountId]).toBe(firstUnread);
    // Run 3 starts there: every key has now been read in full (without the resume point it would start
    // from the head again and never reach the last four).
    expect(await readInFull()).toEqual(new Set(keyIds));
  });
});
