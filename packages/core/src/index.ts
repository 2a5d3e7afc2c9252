/**
 * @phiwatch/core — the pure domain. No AWS SDK imports (enforced by test/unit/meta/core-purity.test.ts).
 */
/** CloudTrail activity (records, principals, windows, profiles, access pipeline): `Activity.processAccessEvents(…)`. */
export * as Activity from "./activity/index.ts";
/** Query API (routing, input validation), namespaced: `Api.handleApiRequest(…)`. */
export * as Api from "./api/index.ts";
export * from "./baseline/index.ts";
export * from "./control/index.ts";
export { type ControlText, controlText } from "./control-texts.ts";
export { CONTROLS } from "./controls/index.ts";
/** Webhook delivery policy (retry, SSRF guard), namespaced: `Delivery.retryDecision(…)`. */
export * as Delivery from "./delivery/index.ts";
export { DETECTORS } from "./detectors/index.ts";
export {
  type Detection,
  type DetectionDraft,
  type Detector,
  type DetectorDefinition,
  defineDetector,
  type InventoryQuery,
  type InventoryRead,
  type RecordContext,
  type WindowContext,
} from "./detectors/types.ts";
export * from "./errors.ts";
/** EventBridge pattern matching (the rule language), namespaced: `EventPatterns.matchesPattern(…)`. */
export * as EventPatterns from "./eventpattern/index.ts";
export * from "./events/index.ts";
export * from "./finding/index.ts";
/** Alert, SIEM (OCSF, Splunk HEC, JSON) and signature formats, namespaced: `Format.buildAlert(…)`. */
export * as Format from "./format/index.ts";
/**
 * What the sweep needs of the plans and the report, also named outside `Plan` and `Report`: a
 * namespace re-export keeps every member in a handler's bundle (the sweep's carried the HTML report).
 */
export { MEMBER_UNREADABLE_MESSAGE } from "./plan/alarms.ts";
/** The delivery queues' message size, also named outside `Plan` so handlers need not load every plan. */
export { QUEUE_MESSAGE_MAX_BYTES } from "./plan/functions.ts";
/** Pure resource plans infra/ deploys (rules, IAM, alarms), namespaced: `Plan.eventRules(baseline)`. */
export * as Plan from "./plan/index.ts";
export { memberAccounts, memberReadRoleArn, storeOf, storeOfResource } from "./plan/naming.ts";
/** IAM policy evaluation (bucket, key and identity policies), namespaced: `Policy.evaluatePolicies(…)`. */
export * as Policy from "./policy/index.ts";
export type { DeadLetter, DeadLetterSink } from "./ports.ts";
/** Evidence report (model, HTML, Markdown) and posture snapshots, namespaced: `Report.buildReport(…)`. */
export * as Report from "./report/index.ts";
export { countPosture, MAX_UNABLE, unsweptRegions, unsweptUnable } from "./report/posture.ts";
export { NOT_RECORDED_REASON, prefixListUnable } from "./report/prefix-lists.ts";
export * from "./resource/index.ts";
export { isRuleId } from "./rule-ids.ts";
export { KEYS, TABLE, type TableIndexName, tableAttributes } from "./table.ts";
