// Table stream (transactional outbox) → SNS alerts and SIEM delivery queue. A finding that is stored
// is always announced; an announcement never precedes storage.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { findingChangeOf } from "@phiwatch/aws";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { announce, registerContext } from "./lib/announce.ts";
import { loadBaseline, logger } from "./lib/runtime.ts";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const { old, next } = findingChangeOf(record);
  if (!next) return; // history, inventory, profiles, idempotency records: nothing to announce
  const outcome = await announce(old, next, loadBaseline());
  if (outcome.alerted || outcome.queued)
    logger.info("announced", { findingId: next.findingId, ruleId: next.ruleId, ...outcome });
}

export const lambdaHandler = async (event: DynamoDBStreamEvent, context: Context) => {
  registerContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
