/**
 * @phiwatch/core — the pure domain. No AWS SDK imports (enforced by test/unit/meta/core-purity.test.ts).
 */
export * from "./baseline/index.ts";
export * from "./control/index.ts";
export { CONTROLS } from "./controls/index.ts";
export * from "./errors.ts";
export * from "./events/index.ts";
export * from "./finding/index.ts";
/** IAM policy evaluation (bucket, key and identity policies), namespaced: `Policy.evaluatePolicies(…)`. */
export * as Policy from "./policy/index.ts";
export type { DeadLetter, DeadLetterSink } from "./ports.ts";
export * from "./resource/index.ts";
export { KEYS, TABLE, type TableIndexName, tableAttributes } from "./table.ts";
