export {
  bucketReadCoverage,
  type Coverage,
  type CoverageResult,
  judgedByOwner,
  organizationTrailOwner,
  recordsManagementEvents,
  s3ReadCoverage,
  TRAIL_TYPE,
  type TrailBucketCoverage,
  type TrailView,
  trailCoversBucketReads,
  trailView,
} from "./cloudtrail.ts";
export { type ConfigurationItem, ConfigurationItemSchema, fromConfigurationItem } from "./config-item.ts";
export {
  GLOBAL_TYPES,
  IAM_RECORDING_REGIONS,
  type RecordingGroup,
  type RecordingMode,
  recordingFrequency,
  recordsType,
} from "./config-recorder.ts";
export {
  CONNECT_FLOW,
  CONNECT_FLOW_MODULE,
  CONNECT_INSTANCE,
  CONNECT_OPTIONAL_STORAGE_TYPES,
  CONNECT_STORAGE_REFUSALS,
  CONNECT_STORAGE_TYPES,
  connectInstanceId,
  contactLensEnabled,
  flowContentOf,
  type InstanceStorageConfig,
  inConnectScope,
  instanceAttribute,
  instanceStorageConfigs,
  instanceStorageRefusals,
} from "./connect.ts";
export { customerManagedKey, isAwsManagedAlias, type KeyProof, manualRotation } from "./kms-proof.ts";
export {
  accountPublicAccessBlock,
  type BucketEncryption,
  bucketEncryption,
  bucketName,
  bucketPublicAccessBlock,
  isAwsManagedS3Alias,
  PUBLIC_ACCESS_FLAGS,
  type PublicAccessBlock,
  type PublicAccessFlag,
} from "./s3.ts";
export type { ResourceSnapshot } from "./snapshot.ts";
