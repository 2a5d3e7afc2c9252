export { type ConfigurationItem, ConfigurationItemSchema, fromConfigurationItem } from "./config-item.ts";
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
export { type ResourceSnapshot, snapshotKey } from "./snapshot.ts";
