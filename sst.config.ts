/// <reference path="./.sst/platform/config.d.ts" />

// phiwatch's deployable app: `npx sst deploy --stage prod` (docs/deploy.md). Resources live in infra/.
// Stages that hold real findings retain data on removal and cannot be removed by mistake; keep this
// list equal to PROTECTED_STAGES in packages/core/src/plan/naming.ts (a test checks it).
const PROTECTED = ["prod", "production", "staging"];

export default $config({
  app(input) {
    const protectedStage = PROTECTED.includes(input?.stage ?? "");
    return {
      name: "phiwatch",
      home: "aws",
      removal: protectedStage ? "retain" : "remove",
      protect: protectedStage,
      providers: { aws: true },
    };
  },
  async run() {
    const infra = await import("./infra");
    return infra.outputs;
  },
});
