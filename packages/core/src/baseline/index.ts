export { MAX_BASELINE_BYTES, parseBaselineJson } from "./json.ts";
export { baselineJson, parseBaseline } from "./load.ts";
export {
  baselineSuppression,
  globMatch,
  hourOfWeek,
  isBusinessHours,
  isRawObjectKey,
  localTime,
  matchesAny,
  type PrincipalRole,
  phiBucketOf,
  rolesOf,
} from "./match.ts";
export {
  type Baseline,
  type BaselineInput,
  BaselineSchema,
  type Ingest,
  IngestSchema,
  type PhiBucket,
  PhiBucketSchema,
  type WebhookTarget,
  WebhookTargetSchema,
} from "./schema.ts";
export { suppressionEnd } from "./until.ts";
