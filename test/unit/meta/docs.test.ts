import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { BaselineSchema, CONTROLS, parseBaseline } from "../../../packages/core/src/index.ts";
import { CONTROLS_DOC, renderControlsDoc } from "../../../scripts/gen-docs.ts";
import { CONTROL_TEXTS_FILE, renderControlTexts } from "../../../scripts/gen-texts.ts";

function* files(dir: string, suffix: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p, suffix);
    else if (p.endsWith(suffix)) yield p;
  }
}

describe("docs/controls.md", () => {
  it("is generated from the current registries (run npm run gen:docs)", () => {
    expect(readFileSync(CONTROLS_DOC, "utf8")).toBe(renderControlsDoc());
  });
});

describe("packages/core/src/controls/texts.ts", () => {
  it("is generated from the current registry (run npm run gen)", () => {
    expect(readFileSync(CONTROL_TEXTS_FILE, "utf8")).toBe(renderControlTexts());
  });
});

describe("control registry", () => {
  const controlFiles = [...files("packages/core/src/controls", ".ts")].filter((f) =>
    /export default defineControl\(/.test(readFileSync(f, "utf8")),
  );

  it("has unique ids", () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("holds every control file", () => {
    expect(CONTROLS.length).toBe(controlFiles.length);
  });

  it.each(controlFiles)("%s: the control id equals the file name", async (file) => {
    const mod = (await import(`../../../${file}`)) as { default: { id: string } };
    expect(mod.default.id).toBe(basename(file, ".ts"));
  });
});

/**
 * Every control has at least one COMPLIANT and one NON_COMPLIANT case. Checked statically, robust to
 * how a test is written: the tests of a control live in a top-level `describe("control <id>", …)`
 * block (the house style), and that block — up to the next top-level `describe(` of its file —
 * must name both statuses as string literals ("COMPLIANT" and "NON_COMPLIANT", as assertions and
 * it.each tables write them). A block may be split over several files; their texts are joined.
 */
describe("control tests", () => {
  const blocks = new Map<string, string>();
  for (const file of files("test/unit", ".test.ts")) {
    const text = readFileSync(file, "utf8");
    const tops = [...text.matchAll(/^describe\(/gm)].map((m) => m.index ?? 0);
    for (const m of text.matchAll(/^describe\(\s*["'`]control ([a-z0-9-]+)["'`]/gm)) {
      const start = m.index ?? 0;
      const end = tops.find((t) => t > start) ?? text.length;
      blocks.set(m[1]!, (blocks.get(m[1]!) ?? "") + text.slice(start, end));
    }
  }

  it.each(CONTROLS.map((c) => c.id))("%s has a COMPLIANT and a NON_COMPLIANT case", (id) => {
    const block = blocks.get(id);
    expect(block, `no top-level describe("control ${id}") block in test/unit`).toBeDefined();
    expect(block).toMatch(/["'`]COMPLIANT["'`]/);
    expect(block).toMatch(/["'`]NON_COMPLIANT["'`]/);
  });
});

/**
 * docs/baseline.md documents every field of BaselineSchema: each field path (`organisation.timeZone`,
 * `phiBuckets[].holds`, `webhooks[].secret.ssm`, …), read from the schema's JSON Schema, must appear in
 * the page as a code span. The annotated example must itself be a valid baseline.
 */
describe("docs/baseline.md", () => {
  const doc = readFileSync("docs/baseline.md", "utf8");

  function fieldPaths(schema: unknown, path = "", out = new Set<string>()): Set<string> {
    const s = schema as {
      anyOf?: unknown[];
      oneOf?: unknown[];
      type?: string;
      items?: unknown;
      properties?: Record<string, unknown>;
    };
    if (!s || typeof s !== "object") return out;
    for (const alt of s.anyOf ?? s.oneOf ?? []) fieldPaths(alt, path, out);
    if (s.type === "array" && s.items) fieldPaths(s.items, `${path}[]`, out);
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const p = path ? `${path}.${k}` : k;
      out.add(p);
      fieldPaths(v, p, out);
    }
    return out;
  }
  const paths = [...fieldPaths(z.toJSONSchema(BaselineSchema, { io: "input", unrepresentable: "any" }))];

  it("walks the whole schema (nested objects, lists and unions)", () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        "version",
        "phiBuckets[].tag.key",
        "webhooks[].secret.ssm",
        "detectors.access.bulk.floor",
      ]),
    );
  });

  it.each(paths)("documents %s", (path) => {
    expect(doc, `add \`${path}\` (type, default, meaning) to docs/baseline.md`).toContain(`\`${path}\``);
  });

  // The other way round: every field the reference tables describe is one the schema takes (a
  // documented field that does not exist is refused by the strict schema when a reader copies it).
  const reference = doc.slice(doc.indexOf("## Reference"));
  const documented = [...reference.matchAll(/^\| `([A-Za-z0-9_.[\]]+)` \|/gm)].map((m) => m[1]!);

  it("has reference tables to read", () => {
    expect(documented.length).toBeGreaterThan(50);
  });

  it.each(documented)("documents %s, a field of the schema", (path) => {
    expect(paths, `docs/baseline.md documents \`${path}\`, which BaselineSchema does not have`).toContain(
      path,
    );
  });

  it("has an annotated example that validates", () => {
    const example = /## Annotated example\s+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const b = parseBaseline(example!, "docs/baseline.md#annotated-example");
    expect(b.phiBuckets.length).toBeGreaterThanOrEqual(4);
  });
});

describe("relative links in the project's Markdown", () => {
  const docs = ["README.md", "SECURITY.md", "test/fixtures/README.md", ...files("docs", ".md")];
  it.each(docs)("%s links only to files that exist", (doc) => {
    const text = readFileSync(doc, "utf8");
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^(?:[a-z]+:|#)/i.test(target)) continue;
      const file = target.split("#")[0]!;
      try {
        statSync(join(dirname(doc), file));
      } catch {
        broken.push(target);
      }
    }
    expect(broken, `${doc}: links to missing files`).toEqual([]);
  });
});
