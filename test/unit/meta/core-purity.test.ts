import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

describe("packages/core purity", () => {
  it("imports no AWS SDK, no I/O and no other workspace package", () => {
    const offenders: string[] = [];
    for (const file of tsFiles("packages/core/src")) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/from\s+["']([^"']+)["']/g)) {
        const spec = m[1]!;
        if (
          spec.startsWith("@aws-sdk/") ||
          spec.startsWith("@smithy/") ||
          spec.startsWith("@phiwatch/") ||
          [
            "node:fs",
            "node:fs/promises",
            "node:http",
            "node:https",
            "node:net",
            "node:child_process",
          ].includes(spec)
        ) {
          offenders.push(`${file}: ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("registries", () => {
  it("controls/index.ts and detectors/index.ts are current (npm run gen)", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync("node", ["scripts/gen-registry.mjs", "--check"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("functions/ stay thin", () => {
  it("import no AWS SDK: adapters in packages/aws do (the only package that does)", () => {
    const offenders: string[] = [];
    for (const file of tsFiles("functions")) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/from\s+["'](@aws-sdk\/[^"']+)["']/g)) {
        if (!text.slice(Math.max(0, m.index - 20), m.index).includes("import type"))
          offenders.push(`${file}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("bundle size habits", () => {
  it('zod is imported as a namespace (`import * as z from "zod"`): `{ z }` bundles all of zod, ≈ 340 KiB per function', () => {
    const offenders: string[] = [];
    for (const dir of ["packages", "functions"])
      for (const file of tsFiles(dir)) {
        if (file.includes("node_modules")) continue;
        if (/import\s+(type\s+)?\{[^}]*\bz\b[^}]*\}\s+from\s+["']zod/.test(readFileSync(file, "utf8")))
          offenders.push(file);
      }
    expect(offenders).toEqual([]);
  });
});
