// How SST v3 bundles a Node.js function with esbuild (ESM, minified, Node 22 target, a `require` shim
// for CommonJS dependencies). One definition for the bundle-size bench, the drift bench's bundled form
// and the test that runs the bundled handlers.
import type { BuildOptions } from "esbuild";

export const SST_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  banner: { js: "import { createRequire as _cr } from 'module'; const require = _cr(import.meta.url);" },
} as const satisfies BuildOptions;

/** The AWS SDK v3 is left to the Lambda runtime, which ships it. */
export const RUNTIME_PROVIDED = ["@aws-sdk/*", "@smithy/*"];
