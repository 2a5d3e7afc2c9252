export {
  type Cidr,
  formatIp,
  type IpAddress,
  inCidr,
  parseCidr,
  parseIPv4,
  parseIPv6,
  parseIp,
  type SpecialRange,
  specialRange,
} from "./ip.ts";
export {
  type AttemptOutcome,
  backoffDelay,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  nextStep,
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  type StatusClass,
} from "./retry.ts";
export {
  type CheckedUrl,
  checkResolved,
  checkUrl,
  decideTarget,
  type PinnedTarget,
  type Refusal,
  type RefusalCode,
  type TargetPolicy,
} from "./ssrf.ts";
