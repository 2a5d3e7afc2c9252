import type { Baseline } from "../baseline/schema.ts";
import type { FunctionName } from "./permissions.ts";

export interface FunctionSettings {
  /** SST handler path: `functions/<name>.handler`. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Lambda runtime, set explicitly (SST 3 defaults to nodejs24.x). */
  runtime: "nodejs22.x";
  description: string;
}

const SETTINGS: Record<FunctionName, Omit<FunctionSettings, "handler" | "runtime">> = {
  "config-change": {
    memoryMb: 512,
    timeoutSeconds: 60,
    description: "Config CI change → controls → findings",
  },
  tamper: {
    memoryMb: 256,
    timeoutSeconds: 30,
    description: "CloudTrail tamper events → detectors → findings",
  },
  access: {
    memoryMb: 1024,
    timeoutSeconds: 120,
    description: "CloudTrail data events / log files → access detectors",
  },
  notify: {
    memoryMb: 256,
    timeoutSeconds: 60,
    description: "Table stream → SNS alerts + webhook deliveries",
  },
  forward: { memoryMb: 256, timeoutSeconds: 60, description: "Webhook deliveries → SIEM" },
  sweep: { memoryMb: 1024, timeoutSeconds: 900, description: "Hourly sweep of every in-scope resource" },
  api: {
    memoryMb: 512,
    timeoutSeconds: 29,
    description: "Findings, history, posture and evidence API (IAM auth)",
  },
};

/**
 * Lambda settings of one function. The SQS visibility timeout of a queue is six times its consumer's
 * timeout (AWS's guidance for event source mappings), see {@link queueVisibilitySeconds}.
 *
 * @example
 * ```ts
 * functionSettings("access").runtime; // "nodejs22.x"
 * ```
 */
export function functionSettings(fn: FunctionName): FunctionSettings {
  return { handler: `functions/${fn}.handler`, runtime: "nodejs22.x", ...SETTINGS[fn] };
}

/** Visibility timeout for a queue consumed by `fn`. */
export function queueVisibilitySeconds(fn: FunctionName): number {
  return SETTINGS[fn].timeoutSeconds * 6;
}

/** Messages are retried this many times before they move to the queue's DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/**
 * The webhook delivery queue's `maxReceiveCount`. functions/forward counts attempts itself and
 * dead-letters with the reason after `webhooks[].retry.maxAttempts` (at most 20); SQS's redrive is
 * only the backstop for a consumer that crashes, so it must come later — also for a message waiting
 * behind a failing one in its FIFO group, which is received and skipped once per attempt ahead of it.
 */
export const DELIVERY_MAX_RECEIVE_COUNT = 50;
/**
 * Largest message (and SendMessageBatch payload) the webhook delivery queues take, in bytes: SQS's
 * `MaximumMessageSize` as the provider creates queues (256 KiB), set explicitly in infra/alerts.ts and
 * on the local stack's queues. A finding event larger than this is queued without its evidence.
 */
export const QUEUE_MESSAGE_MAX_BYTES = 262_144;
/**
 * Access queue batching: up to this many records, waiting at most the window (cost vs latency). The
 * activity benchmark (docs/performance.md) measures 0.0415 DynamoDB writes per event at batches of
 * 100 and 0.0060 at 1000; Lambda also caps a batch at 6 MB of payload.
 */
export const ACCESS_BATCH = { size: 1000, windowSeconds: 30 } as const;
/**
 * Retention of dead letters and of webhook deliveries: the SQS maximum, so a long weekend never loses
 * one, and longer than the slowest retry schedule the baseline allows (20 attempts × 12 h).
 */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * What in a baseline must not be deployed to AWS: a webhook target with `allowInsecureLocal` (plain
 * http to private addresses is for the local receiver; in Lambda, loopback is the Runtime API). The
 * deployed forward function dead-letters such a target too; refusing it here stops it before a deploy.
 *
 * @example
 * ```ts
 * deployRefusals(baseline); // [] for a baseline fit to deploy
 * ```
 */
export function deployRefusals(baseline: Pick<Baseline, "webhooks">): string[] {
  return baseline.webhooks
    .filter((w) => w.allowInsecureLocal)
    .map(
      (w) => `webhooks "${w.name}": allowInsecureLocal is for local mode only; use an https URL to deploy`,
    );
}
