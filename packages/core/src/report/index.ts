export { escapeHtml, renderHtml } from "./html.ts";
export {
  type ConnectStoragePath,
  type DataPathInventory,
  dataPathInventory,
  type KeyPath,
  type PhiBucketPath,
  type TrailPath,
} from "./inventory.ts";
export { renderMarkdown } from "./markdown.ts";
export {
  buildReport,
  type ControlRow,
  type ControlStatus,
  type DetectorRow,
  type EvidenceReport,
  formatDuration,
  NOT_SWEPT_ACCOUNT_NOTE,
  NOT_SWEPT_NOTE,
  notSwept,
  notSweptNote,
  type ReportInput,
  type ResolvedRow,
} from "./model.ts";
export {
  type ControlCounts,
  countPosture,
  emptySeverityCounts,
  MAX_UNABLE,
  type PostureSnapshot,
  type UnableToEvaluate,
  type UnsweptRegion,
  unsweptRegions,
  unsweptUnable,
} from "./posture.ts";
export { controlFamily, driftTimeline, type FamilySeries, timelineSvg } from "./timeline.ts";
