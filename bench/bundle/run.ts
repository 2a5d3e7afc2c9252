// Lambda bundle sizes: each handler bundled as SST would (esbuild, ESM, minified, Node 22 target),
// with and without the AWS SDK v3 (the Lambda Node.js runtime ships it). Run: npm run bench -- bundle
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const handlers = readdirSync("functions").filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
const rows: Array<Record<string, string | number>> = [];
for (const file of handlers) {
  for (const sdk of ["bundled", "external"] as const) {
    const outfile = join(tmpdir(), `phiwatch-bundle-${file.replace(".ts", "")}-${sdk}.mjs`);
    const started = performance.now();
    await build({
      entryPoints: [join("functions", file)],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      minify: true,
      outfile,
      external: sdk === "external" ? ["@aws-sdk/*", "@smithy/*"] : [],
      banner: { js: "import { createRequire as _cr } from 'module'; const require = _cr(import.meta.url);" },
      logLevel: "silent",
    });
    const bytes = statSync(outfile).size;
    rows.push({
      handler: file.replace(".ts", ""),
      sdk,
      kib: +(bytes / 1024).toFixed(0),
      gzipKib: +(gzipSync(readFileSync(outfile)).length / 1024).toFixed(0),
      buildMs: Math.round(performance.now() - started),
    });
  }
}
console.table(rows);
console.log(JSON.stringify(rows));
