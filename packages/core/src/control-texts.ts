import type { Control } from "./control/types.ts";
import { CONTROL_TEXTS } from "./controls/texts.ts";

/** The texts of a control that handlers read without evaluating it (generated from the registry). */
export type ControlText = Pick<Control, "rationale">;

/**
 * The texts of configuration control `id`, or `undefined` for any other id (a detector, an unknown
 * rule). Read from a generated table, so a handler that only words alerts (notify) bundles no control's
 * evaluation code; a meta-test keeps the table equal to the registry.
 *
 * @example
 * ```ts
 * controlText("s3-encryption-cmk")?.rationale; // "With SSE-S3 or the AWS-managed aws/s3 key, …"
 * controlText("tamper-audit-logging"); // undefined (a detector)
 * ```
 */
export function controlText(id: string): ControlText | undefined {
  // Own keys only: a rule id such as "constructor" must not find Object.prototype's.
  return Object.hasOwn(CONTROL_TEXTS, id) ? CONTROL_TEXTS[id] : undefined;
}
