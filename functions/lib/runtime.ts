// Dependencies every handler shares, built once per Lambda container (module scope) and read from SST
// links (`Resource.*`) — the local stack sets the same links through SST_RESOURCE_* variables, so the
// handlers are the same code in AWS, in `phiwatch` and in tests. SDK clients come from @phiwatch/aws,
// the only package that imports the AWS SDK.
import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoFindingStore, InventoryStore, lazyClients, SqsDeadLetterSink } from "@phiwatch/aws";
import {
  type Baseline,
  CONTROLS,
  ControlSet,
  type DeadLetterSink,
  type InvalidEventError,
  isInputError,
  parseBaselineJson,
  RedactedError,
} from "@phiwatch/core";
import { Resource } from "sst";

export const logger = new Logger({ serviceName: "phiwatch" });

/** Local mode (`phiwatch`, tests): no KMS or Config endpoint exists, facts come from the inventory. */
export const offline = process.env.PHIWATCH_OFFLINE === "1";

/**
 * The handlers' clock. In AWS the wall clock. Offline (`phiwatch`, tests) PHIWATCH_NOW, an ISO
 * instant read on every call, fixes it, so the demo and tests decide time-dependent things (quiet-hours
 * paging) the same whatever the time of day they run; it is ignored in AWS, where a stray variable
 * must not move the clock that decides who is paged.
 */
export function clock(): Date {
  const fixed = offline ? process.env.PHIWATCH_NOW : undefined;
  if (!fixed) return new Date();
  const at = new Date(fixed);
  if (Number.isNaN(at.getTime())) throw new Error(`PHIWATCH_NOW is not an ISO 8601 instant: ${fixed}`);
  return at;
}

export const clients = lazyClients({ offline });
export const ddb = clients.dynamodb();
export const tableName = (): string => Resource.Findings.name;
/**
 * ARNs of this deployment's findings table and alerts topic (SST links): the only stores whose recovery
 * period and data-protection policy the sweep and config-change read (their roles may read no others).
 * Empty where a link carries no ARN (the local stack's table).
 */
export const ownStores = (): string[] =>
  [(Resource.Findings as { arn?: string }).arn, (Resource.Alerts as { arn?: string }).arn].filter(
    (a): a is string => typeof a === "string" && a.startsWith("arn:"),
  );
export const findingStore = new DynamoFindingStore(ddb, tableName());
export const inventory = new InventoryStore(ddb, tableName());
/** The control registry (annotated pure: bundles of handlers that never read it leave it out). */
export const controls = /* @__PURE__ */ new ControlSet(CONTROLS);
export const deadLetter: DeadLetterSink = new SqsDeadLetterSink(clients.sqs(), Resource.DeadLetter.url);

let baseline: Baseline | undefined;

/**
 * The baseline, parsed once per container: the JSON rendition of the baseline YAML (written and
 * validated at deploy time by infra/, or by the local stack; see `baselineJson`) from the file named
 * by PHIWATCH_BASELINE_FILE (bundled with the function), or inline in PHIWATCH_BASELINE. JSON, so the
 * bundles carry no YAML parser.
 */
export function loadBaseline(): Baseline {
  if (baseline) return baseline;
  const file = process.env.PHIWATCH_BASELINE_FILE;
  if (file) baseline = parseBaselineJson(readFileSync(file, "utf8"), file);
  else if (process.env.PHIWATCH_BASELINE)
    baseline = parseBaselineJson(process.env.PHIWATCH_BASELINE, "PHIWATCH_BASELINE");
  else throw new Error("no baseline: set PHIWATCH_BASELINE_FILE or PHIWATCH_BASELINE");
  return baseline;
}

/**
 * Run `work` on one input; an input error (malformed event, naming the field) goes to the dead letter
 * with the reason and is not retried. Anything else is rethrown so Lambda / SQS retry it — as a
 * {@link RedactedError}: Lambda logs a failed invocation's error message, and an AWS error's message
 * quotes resource names and keys.
 */
export async function orDeadLetter<T>(
  source: string,
  payload: unknown,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!isInputError(error)) throw new RedactedError(error);
    await deadLetterInput(source, error, payload);
    return undefined;
  }
}

/** Put one input that failed validation on the dead letter with its reason (the log line names no payload). */
export async function deadLetterInput(
  source: string,
  error: InvalidEventError,
  payload: unknown,
): Promise<void> {
  logger.warn("input dead-lettered", { source, reason: error.name, field: error.field });
  await deadLetter.put({ reason: error.name, message: error.message, field: error.field, source, payload });
}
