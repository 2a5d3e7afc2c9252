export {
  boundEvidence,
  EVIDENCE_DEPTH,
  EVIDENCE_LIST_ITEMS,
  MAX_EVIDENCE_BYTES,
} from "./evidence.ts";
export { findingId } from "./id.ts";
export {
  closeIncident,
  closeRefusal,
  decide,
  evidenceDigest,
  type FindingChange,
  type FindingExpectation,
  LAST_SEEN_REFRESH_MS,
  type Observation,
  reconsiderSuppression,
  revisionAfter,
  stableStringify,
  suppress,
  unsuppress,
} from "./lifecycle.ts";
export {
  allFindings,
  allResourceHistory,
  type FindingQuery,
  type FindingStore,
  type HistoryQuery,
  type Page,
} from "./ports.ts";
export { applyDecision, recordObservation } from "./record.ts";
export {
  BASELINE_SUPPRESSOR,
  type Evidence,
  FINDING_STATUSES,
  type Finding,
  type FindingKind,
  type FindingStatus,
  type FindingSubject,
  type HistoryEntry,
  isSeverity,
  SEVERITIES,
  type Severity,
  severityRank,
} from "./types.ts";
