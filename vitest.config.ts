import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // A hang detector: the property tests run 1,000–1,500 cases each (2–4 s alone) and overran
          // vitest's 5 s default on 2 cores shared with six other test runs.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          environment: "node",
          // A hang detector, not a speed check (bench/ measures speed): the demo replay takes ≈ 50 s
          // on 2 cores shared with other jobs (load average 15), 10–20 s on an idle machine.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts its own local stack (DynamoDB Local is a JVM): keep two at a time on 2 cores.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          // sst.config.ts + infra/ evaluated under Pulumi mocks (needs .sst/platform: scripts/ensure-sst.mjs).
          name: "infra",
          sequence: { groupOrder: 2 },
          include: ["test/infra/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
