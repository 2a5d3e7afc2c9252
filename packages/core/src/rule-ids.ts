import { CONTROL_IDS } from "./controls/ids.ts";
import { DETECTOR_IDS } from "./detectors/ids.ts";

// The ids alone (generated with the registries): the API and the CLI check a rule id without loading
// any control or detector.
const RULE_IDS: ReadonlySet<string> = new Set([...CONTROL_IDS, ...DETECTOR_IDS]);

/**
 * Whether `id` is the id of a configuration control or an activity detector: a misspelt id would list
 * nothing, and an empty list reads as "no findings".
 *
 * @example
 * ```ts
 * isRuleId("s3-encryption-cmk"); // true
 * isRuleId("s3-encryption-kms"); // false
 * ```
 */
export function isRuleId(id: string): boolean {
  return RULE_IDS.has(id);
}
