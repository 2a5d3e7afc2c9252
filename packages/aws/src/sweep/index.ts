export { type BackoffOptions, isDenied, isThrottle, reasonOf, withBackoff } from "./backoff.ts";
export { ENRICHED_TYPES, enrichmentClients, enrichSnapshot } from "./enrich.ts";
export { readOnlyPolicy, SWEEP_COMMANDS } from "./permissions.ts";
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
  runSweep,
  type SweepDeps,
  type SweepRequest,
  type SweepResult,
  sweepResourceTypes,
} from "./sweep.ts";
