// Lambda bundle sizes: each handler bundled as SST would (esbuild, ESM, minified, Node 22 target),
// with and without the AWS SDK v3 (the Lambda Node.js runtime ships it). Run: npm run bench -- bundle
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { RUNTIME_PROVIDED, SST_BUNDLE } from "./options.ts";

const handlers = readdirSync("functions").filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
const rows: Array<Record<string, string | number>> = [];
for (const file of handlers) {
  for (const sdk of ["bundled", "external"] as const) {
    const outfile = join(tmpdir(), `phiwatch-bundle-${file.replace(".ts", "")}-${sdk}.mjs`);
    const started = performance.now();
    await build({
      ...SST_BUNDLE,
      entryPoints: [join("functions", file)],
      outfile,
      external: sdk === "external" ? RUNTIME_PROVIDED : [],
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
