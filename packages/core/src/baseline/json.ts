import { BaselineError } from "../errors.ts";
import { type Baseline, BaselineSchema } from "./schema.ts";

/** Baseline files larger than this are refused (a baseline is a page of YAML, not a data set). */
export const MAX_BASELINE_BYTES = 512 * 1024;

/**
 * Parse and validate the JSON rendition of a baseline — what the functions read in AWS and in local
 * mode (`baselineJson` writes it from the YAML at deploy time, after validating it with line
 * numbers). No YAML parser here, so the Lambda bundles carry none. Errors name the file and field.
 *
 * @example
 * ```ts
 * const baseline = parseBaselineJson(readFileSync("/var/task/baseline.json", "utf8"), "baseline.json");
 * ```
 */
export function parseBaselineJson(text: string, file = "baseline.json"): Baseline {
  if (Buffer.byteLength(text) > MAX_BASELINE_BYTES) {
    throw new BaselineError(`${file}: larger than ${MAX_BASELINE_BYTES} bytes`, [
      { file, field: "(file)", message: "too large" },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = `not JSON (${(error as Error).message.slice(0, 200)}); the functions read the JSON rendition of the baseline (baselineJson)`;
    throw new BaselineError(`${file}: ${message}`, [{ file, field: "(json)", message }]);
  }
  const result = BaselineSchema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    file,
    field: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  throw new BaselineError(issues.map((i) => `${i.file}: ${i.field}: ${i.message}`).join("\n"), issues);
}
