import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { CONTROLS } from "../controls/index.ts";
import { DETECTORS } from "../detectors/index.ts";
import { BaselineError } from "../errors.ts";
import { MAX_BASELINE_BYTES } from "./json.ts";
import { type Baseline, BaselineSchema } from "./schema.ts";

/**
 * Parse and validate a baseline YAML text. Errors name the file, the line and the field.
 *
 * @example
 * ```ts
 * const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
 * ```
 */
export function parseBaseline(text: string, file = "baseline.yaml"): Baseline {
  return validated(text, file).baseline;
}

/**
 * The JSON rendition of a baseline YAML text, for the functions (`parseBaselineJson`), after the
 * same validation as `parseBaseline` — so a mistake is reported at deploy time with its line. It is
 * the file's data as written (defaults are applied again when the functions parse it).
 *
 * @example
 * ```ts
 * writeFileSync(".sst/phiwatch/baseline.json", baselineJson(readFileSync("phiwatch.baseline.yaml", "utf8"), "phiwatch.baseline.yaml"));
 * ```
 */
export function baselineJson(text: string, file = "baseline.yaml"): string {
  return `${JSON.stringify(validated(text, file).data)}\n`;
}

function validated(text: string, file: string): { baseline: Baseline; data: unknown } {
  if (Buffer.byteLength(text) > MAX_BASELINE_BYTES) {
    throw new BaselineError(`${file}: larger than ${MAX_BASELINE_BYTES} bytes`, [
      { file, field: "(file)", message: "too large" },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      file,
      // linePos is only filled in with prettyErrors; the offset always is.
      line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
      field: "(yaml)",
      message: e.message.split("\n")[0] ?? e.message,
    }));
    throw new BaselineError(formatIssues(issues), issues);
  }
  const data: unknown = doc.toJS();
  const result = BaselineSchema.safeParse(data);
  const found = result.success
    ? unknownOverrides(result.data).map((id) => ({
        path: ["severityOverrides", id],
        message: "not a control or detector id",
      }))
    : result.error.issues;
  if (result.success && found.length === 0) return { baseline: result.data, data };
  const issues = found.map((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported on the object that holds it: point at the key's own line.
    const keys =
      (issue as { code?: string; keys?: string[] }).code === "unrecognized_keys"
        ? ((issue as { keys?: string[] }).keys ?? []).slice(0, 1)
        : [];
    const line = lineOf(doc, lineCounter, [...(issue.path as (string | number)[]), ...keys]);
    return { file, ...(line ? { line } : {}), field: path.join(".") || "(root)", message: issue.message };
  });
  throw new BaselineError(formatIssues(issues), issues);
}

/**
 * Override keys that name no control or detector: an override is looked up by id, so a misspelt one
 * would be ignored without a word and the built-in severity would stay.
 */
function unknownOverrides(b: Baseline): string[] {
  const ids = new Set<string>([...CONTROLS.map((c) => c.id), ...DETECTORS.map((d) => d.id)]);
  return Object.keys(b.severityOverrides).filter((id) => !ids.has(id));
}

function formatIssues(
  issues: ReadonlyArray<{ file: string; line?: number; field: string; message: string }>,
): string {
  return issues.map((i) => `${i.file}${i.line ? `:${i.line}` : ""}: ${i.field}: ${i.message}`).join("\n");
}

/**
 * Line of the deepest existing node on the path (a missing field points at its parent). A field of a
 * mapping is reported on its key's line: its value may start on the next one (a block mapping).
 */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  path: (string | number)[],
): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    const node = isMap(parent)
      ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last))?.key
      : isSeq(parent)
        ? parent.items[Number(last)]
        : undefined;
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  const root = doc.contents;
  return isNode(root) && root.range ? lc.linePos(root.range[0]).line : undefined;
}
