// The functions as Lambda runs them: each bundled by esbuild the way SST bundles a handler (ESM,
// minified, node22, the AWS SDK left to the runtime), then run through the local stack. The unit and
// integration tests run the TypeScript sources; this catches what only bundling can break —
// tree-shaking (packages/core declares `"sideEffects": false`, so unused modules such as the YAML
// baseline loader are dropped), module initialisation order, the JSON baseline path.
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIME_PROVIDED, SST_BUNDLE } from "../../../bench/bundle/options.ts";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { cloudTrailEnvelope, FUNCTION_NAMES } from "../../../packages/core/src/plan/index.ts";

// Inside the repository, so the bundles resolve the AWS SDK from node_modules as Lambda's runtime provides it.
const dir = join("node_modules", ".cache", "phiwatch", `bundled-handlers-${process.pid}`);
let stack: LocalStack;
const sizes: Record<string, number> = {};
/** The source files each bundle holds code of (esbuild's metafile). */
const inputs: Record<string, string[]> = {};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  for (const fn of FUNCTION_NAMES) {
    const outfile = join(dir, `${fn}.mjs`);
    const { metafile } = await build({
      ...SST_BUNDLE,
      entryPoints: [join("functions", `${fn}.ts`)],
      outfile,
      external: RUNTIME_PROVIDED,
      logLevel: "error",
      metafile: true,
    });
    sizes[fn] = statSync(outfile).size;
    inputs[fn] = Object.entries(Object.values(metafile.outputs)[0]!.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path);
  }
  stack = await LocalStack.start({
    baselineFile: "examples/baseline.yaml",
    logLevel: "ERROR",
    handlerModule: (name) => join(process.cwd(), dir, `${name}.mjs`),
  });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("bundled handlers", () => {
  it("bundle without a YAML parser and under 400 KiB each (the SDK comes from the runtime)", () => {
    for (const fn of FUNCTION_NAMES) {
      const text = readFileSync(join(dir, `${fn}.mjs`), "utf8");
      // yaml's parser classes carry these messages; the functions read the baseline's JSON rendition.
      expect(text.includes("Implicit keys need to be on a single line"), fn).toBe(false);
      expect(sizes[fn], fn).toBeLessThan(400 * 1024);
    }
  });

  it("carry control code only where controls are evaluated (notify reads generated texts, ≈ 80 KiB less)", () => {
    const evaluating = new Set(["config-change", "sweep"]);
    for (const fn of FUNCTION_NAMES) {
      const controlCode = inputs[fn]!.filter((p) => /packages\/core\/src\/controls\/[a-z0-9]+\//.test(p));
      if (evaluating.has(fn)) expect(controlCode.length, fn).toBeGreaterThan(0);
      else expect(controlCode, fn).toEqual([]);
    }
  });

  it("every bundle initialises (as Lambda's init phase) and exports its handler", async () => {
    for (const fn of FUNCTION_NAMES) expect(typeof (await stack.handler(fn)), fn).toBe("function");
  });

  it("evaluate a Config change and a tamper event end to end: findings, alerts, history", async () => {
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "AES256" },
          publicAccessBlock: {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
          },
        }),
      ),
    );
    // A published real StopLogging record (Stratus Red Team, test/fixtures/README.md), in the demo account.
    const [record] = JSON.parse(
      readFileSync("test/fixtures/infra/stratus__detonation_StopLogging.json", "utf8"),
    ) as Array<Record<string, unknown>>;
    const routes = await stack.dispatch(
      cloudTrailEnvelope({ ...record, awsRegion: DEMO.region, recipientAccountId: DEMO.accountId }),
    );
    expect(routes).toEqual(["tamper"]);
    await stack.drain({ maxMs: 20_000 });
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const open = (await store.listFindings({ status: "OPEN" })).items.map((f) => f.ruleId);
    expect(open).toContain("s3-encryption-cmk");
    expect(open).toContain("tamper-audit-logging");
    const alerts = await stack.receivedAlerts();
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    expect(stack.deadLettered).toBe(0);
  });
});
