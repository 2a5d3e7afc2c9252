export { ACCOUNT_TYPE, accountTrailEvaluation, evaluatesAccount } from "./account-trail.ts";
export { defineControl } from "./define.ts";
export {
  ControlSet,
  evaluateSnapshot,
  FACT_SOURCE_TYPES,
  factRequests,
  followUpFactRequests,
  observationOf,
  watchedTypes,
  withFacts,
} from "./engine.ts";
export {
  type Control,
  type ControlDefinition,
  type Evaluation,
  type EvaluationContext,
  type EvaluationStatus,
  type FactLookup,
  type FactRequest,
  type FactResult,
  fail,
  type KeyFacts,
  notApplicable,
  type PrefixListFacts,
  type PreviousSnapshot,
  pass,
  type Verdict,
} from "./types.ts";
