export { CONFIG_DETAIL_TYPE, type ConfigChange, readConfigChange } from "./config-event.ts";
export {
  type EventBridgeEnvelope,
  EventBridgeEnvelopeSchema,
  MAX_EVENT_BYTES,
  parseJsonText,
  parseWith,
} from "./eventbridge.ts";
