#!/usr/bin/env node
// The `phiwatch` command. Runs the TypeScript sources through tsx, so the CLI, the local stack and the
// Lambda handlers are the same code with no build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
