/**
 * @phiwatch/aws — adapters between the pure core and AWS. The only package that imports `@aws-sdk/*`.
 */
export { lazyClients } from "./clients.ts";
export { fetchConfigurationItem } from "./config-reader.ts";
export { SqsDeadLetterSink } from "./dead-letter.ts";
export {
  type DriftDeps,
  type DriftOutcome,
  evaluateAndRecord,
  processSnapshot,
  type RecordFailure,
} from "./drift-service.ts";
export {
  clearFactCache,
  type Ec2For,
  type FactSources,
  InventoryBatch,
  type InventoryReader,
  type KmsFor,
  resolveFacts,
} from "./facts.ts";
export { type AlertPublishInput, type FifoMessage, FifoQueue, SnsAlertPublisher } from "./messaging.ts";
export { MAX_OBJECT_BYTES, readObject } from "./objects.ts";
export { type RedriveResult, redriveDeliveries } from "./redrive.ts";
export { DynamoAccessStore } from "./store/access-store.ts";
export { BatchReadFindingStore } from "./store/finding-batch-store.ts";
export { DynamoFindingStore } from "./store/findings-store.ts";
export { type InventoryPutOptions, InventoryStore } from "./store/inventory-store.ts";
export { findingFromItem, findingItem, historyFromItem, historyItem } from "./store/items.ts";
export { ensureTable } from "./store/table-admin.ts";
export { findingChangeOf } from "./stream.ts";
export {
  type AccountAccess,
  type AssumeRoleOptions,
  assumeRoleCredentials,
  type Identity,
  identityFromArn,
  MemberRoles,
  type TemporaryCredentials,
} from "./sweep/assume.ts";
export { callerIdentity, regionalReadClients } from "./sweep/clients.ts";
export * from "./sweep/index.ts";
export * from "./webhook/index.ts";
export { secretsManagerFetcher, ssmFetcher } from "./webhook/secret-fetchers.ts";
