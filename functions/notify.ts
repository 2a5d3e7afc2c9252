// Table stream (transactional outbox) → SNS alerts and SIEM delivery queue. A finding that is stored
// is always announced; an announcement never precedes storage; one finding's changes are announced
// in the order the stream holds them.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { findingChangeOf } from "@phiwatch/aws";
import { PhiwatchError } from "@phiwatch/core";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { announce, registerContext } from "./lib/announce.ts";
import { clock, loadBaseline, logger } from "./lib/runtime.ts";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const { old, next } = findingChangeOf(record);
  if (!next) return; // history, inventory, profiles, idempotency records: nothing to announce
  const outcome = await announce(old, next, loadBaseline(), clock());
  if (outcome.alerted || outcome.queued)
    logger.info("announced", { findingId: next.findingId, ruleId: next.ruleId, ...outcome });
}

/**
 * This batch's latest record per table item. Records are processed in parallel (Powertools' default),
 * but each waits for the record before it of the same item; when that one failed, it fails unprocessed,
 * so Lambda retries both, in order, from the first (a stream batch is retried from its first failed
 * record). Without this, a resolution could be announced while the opening it resolves still waits.
 */
let lastOfItem = new Map<string, Promise<void>>();

function inItemOrder(record: DynamoDBRecord): Promise<void> {
  const keys = record.dynamodb?.Keys;
  const item = keys ? `${keys.PK?.S}|${keys.SK?.S}` : `record:${record.eventID}`;
  const run = (lastOfItem.get(item) ?? Promise.resolve()).then(
    () => recordHandler(record),
    (error: unknown) => {
      throw new PhiwatchError("not announced: an earlier change of the same item failed in this batch", {
        cause: error,
      });
    },
  );
  lastOfItem.set(item, run);
  return run;
}

export const lambdaHandler = async (event: DynamoDBStreamEvent, context: Context) => {
  registerContext(context);
  lastOfItem = new Map();
  return processPartialResponse(event, inItemOrder, processor, { context });
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
