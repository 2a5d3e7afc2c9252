export {
  type AccessAction,
  type AccessEvent,
  type AccessTargetType,
  eventIdHash,
  hashSecret,
  type KeyHasher,
  networkOf,
  OBJECT_KEY_ID_HEX,
  OBJECT_KEY_ID_LABEL,
  objectKeyHasher,
  S3_READ_EVENTS,
  toAccessEvent,
  userAgentClass,
} from "./access-event.ts";
export { declaresReaders, readDenialReason, rolesOfPrincipal } from "./authz.ts";
export { inAnyCidr } from "./cidr.ts";
export { dailyThreshold, usualSlot, volumeThreshold } from "./expect.ts";
export { MemoryAccessStore } from "./memory-store.ts";
export {
  type AccessDeps,
  type AccessResult,
  detectManagement,
  foldProfile,
  INVENTORY_READ_MAX_PAGES,
  inventoryQueries,
  observationOfDetection,
  processAccessEvents,
  resolveSettings,
} from "./pipeline.ts";
export type { AccessStore, TargetState } from "./ports.ts";
export { type Principal, type PrincipalKind, principalOf, sanitiseIdentityText } from "./principal.ts";
export {
  type AccessProfile,
  emptyProfile,
  foldWindows,
  localDate,
  MAX_PROFILE_SOURCES,
  slotLabel,
  slotStats,
} from "./profile.ts";
export {
  type AccessMessage,
  CLOUDTRAIL_DETAIL_TYPES,
  type CloudTrailRecord,
  CloudTrailRecordSchema,
  isGzip,
  type LogObjectRef,
  MAX_LOG_FILE_BYTES,
  MAX_LOG_FILE_RECORDS,
  parseCloudTrailLogFile,
  readAccessMessage,
  readCloudTrail,
} from "./record.ts";
export { type AccessDetectorSettings, AccessDetectorSettingsSchema } from "./settings.ts";
export {
  aggregate,
  distinctObjects,
  largestGroup,
  pairKey,
  type WindowDelta,
  type WindowTotals,
  windowStartOf,
} from "./window.ts";
