export {
  type CompiledPattern,
  compilePattern,
  type EventPattern,
  EventPatternError,
  matchesPattern,
  parseIp,
} from "./match.ts";
