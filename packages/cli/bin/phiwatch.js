#!/usr/bin/env node
// The `phiwatch` command. Runs the TypeScript sources through tsx, so the CLI, the local stack and the
// Lambda handlers are the same code with no build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// A reader that stops early (`phiwatch findings --json | head`) closes the pipe: the rest of the output
// goes nowhere, without a crash, and the command still finishes so its exit code keeps --fail-on's verdict.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
