export {
  type AnalyticsSetting,
  analyticsSettings,
  analyzeRecording,
  contactAttributeKeys,
  INPUT_CAPTURE_TYPES,
  RECORDING_TYPES,
  type RecordedSensitiveInput,
  type RecordingAnalysis,
  type RecordingState,
  type RecordingSwitch,
  recordingChange,
  type SensitiveInputBlock,
  type SensitiveSource,
  sensitiveInput,
} from "./analyze.ts";
export {
  type Flow,
  type FlowAction,
  type FlowEdge,
  MAX_FLOW_ACTIONS,
  MAX_FLOW_CONTENT_CHARS,
  parseFlow,
  reachableActions,
} from "./flow.ts";
export {
  normaliseWords,
  PHI_VALUE_PATTERNS,
  phiValueShapes,
  SENSITIVE_TOPICS,
  type SensitivePattern,
  sensitiveTopics,
} from "./sensitive.ts";
