/**
 * Pure resource plans that infra/ turns into AWS resources: names, table schema, event patterns from
 * the baseline, IAM statements per function, key policy, alarms. Tested without AWS.
 */
export {
  type AlarmPlan,
  alarmPlans,
  type LogAlarmPlan,
  logAlarmPlans,
  logFilterPattern,
  MEMBER_UNREADABLE_MESSAGE,
} from "./alarms.ts";
export {
  ACCESS_BATCH,
  DELIVERY_MAX_RECEIVE_COUNT,
  DLQ_RETENTION_SECONDS,
  deployRefusals,
  type FunctionSettings,
  functionSettings,
  MAX_RECEIVE_COUNT,
  QUEUE_MESSAGE_MAX_BYTES,
  queueVisibilitySeconds,
} from "./functions.ts";
export { KEY_ADMIN_ACTIONS, KEY_USE_ACTIONS, type KeyPolicyInput, keyPolicy } from "./key-policy.ts";
export {
  isProtectedStage,
  MEMBER_READ_ROLE,
  memberAccounts,
  memberReadRoleArn,
  PROTECTED_STAGES,
  resourceName,
  resourceTags,
  STORES,
  storeOf,
} from "./naming.ts";
export {
  ACCESS_S3_COPY_EVENTS,
  ACCESS_S3_EVENTS,
  accessPattern,
  CLOUDTRAIL_DETAIL_TYPE,
  cloudTrailEnvelope,
  configChangePattern,
  DENIED_ERROR_CODES,
  EVENT_PATTERN_MAX_CHARS,
  eventPatternMax,
  eventRules,
  memberForwardPattern,
  OWN_DEPLOYMENT_SOURCES,
  oversizedRules,
  patternChars,
  type RulePlan,
  tamperEvents,
  tamperPattern,
  trailLogKeyWildcard,
  trailLogPattern,
  watchedResourceTypes,
} from "./patterns.ts";
export {
  type Destination,
  FUNCTION_NAMES,
  type FunctionName,
  iamActionsOf,
  iamStatements,
  type ResourceArns,
  SDK_CALLS,
  type Statement,
  TRIGGERS,
  type Trigger,
} from "./permissions.ts";
export { type TableSpec, tableSpec } from "./table.ts";
