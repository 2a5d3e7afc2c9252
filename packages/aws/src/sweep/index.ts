export { type BackoffOptions, isDenied, isThrottle, reasonOf, withBackoff } from "./backoff.ts";
export { ENRICHED_TYPES, type EnrichmentClients, enrichmentClients, enrichSnapshot } from "./enrich.ts";
export { memberReadPolicy, OWN_STORE_COMMANDS, readOnlyPolicy, SWEEP_COMMANDS } from "./permissions.ts";
export { PostureStore } from "./posture-store.ts";
export {
  type AccountRead,
  CONNECT_STORAGE_TYPES,
  completeKey,
  type ReadRequest,
  type RegionClients,
  readAccount,
  snapshotOf,
} from "./reader.ts";
export {
  type MemberAccess,
  runSweep,
  type SweepDeps,
  type SweepRequest,
  type SweepResult,
  sweepResourceTypes,
} from "./sweep.ts";
