// Delivery queue (FIFO, one group per target and finding) → SIEM webhooks, signed. Retries with
// exponential backoff and jitter (visibility timeout), Retry-After honoured; after the retry budget or
// on a permanent refusal the delivery goes to the DLQ with the reason; `phiwatch forward redrive`
// replays it. Nothing is dropped silently.

import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { deliverEvent, FifoQueue } from "@phiwatch/aws";
import { Format, InvalidEventError, QUEUE_MESSAGE_MAX_BYTES } from "@phiwatch/core";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { Resource } from "sst";
import { type DeliveryMessage, deliveryGroup } from "./lib/delivery.ts";
import { clients, loadBaseline, logger, offline } from "./lib/runtime.ts";
import { secretSource } from "./lib/secrets.ts";

const processor = new SqsFifoPartialProcessorAsync();
const queue = new FifoQueue(clients.sqs(), Resource.Deliveries.url, QUEUE_MESSAGE_MAX_BYTES);
const dlq = new FifoQueue(clients.sqs(), Resource.DeliveriesDlq.url, QUEUE_MESSAGE_MAX_BYTES);

export class DeliveryRetryError extends Error {
  override name = "DeliveryRetryError";
}

// A reason can quote the SIEM's answer (a HEC error `text`), which the endpoint controls and may echo
// the payload in: bounded, without control characters and redacted before it is stored or logged.
async function deadLetter(
  m: DeliveryMessage | undefined,
  body: string,
  rawReason: string,
  attempts: number,
): Promise<void> {
  const reason = Format.printableText(rawReason);
  await dlq.send({
    body,
    groupId: m ? deliveryGroup(m) : "malformed",
    deduplicationId: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
    attributes: { reason, attempts: String(attempts) },
  });
  logger.warn("delivery dead-lettered", {
    ...(m
      ? { target: Format.printableText(m.target, 64), eventId: Format.printableText(m.event.eventId, 64) }
      : {}),
    reason,
    attempts,
  });
}

function parse(body: string): DeliveryMessage {
  let m: unknown;
  try {
    m = JSON.parse(body);
  } catch (error) {
    throw new InvalidEventError("not JSON", "body", { cause: error });
  }
  const d = m as Partial<DeliveryMessage>;
  if (typeof d?.target !== "string") throw new InvalidEventError("missing", "body.target");
  if (!d.event || typeof d.event.eventId !== "string")
    throw new InvalidEventError("missing", "body.event.eventId");
  return d as DeliveryMessage;
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const attempt = Number(record.attributes.ApproximateReceiveCount ?? "1");
  let m: DeliveryMessage;
  try {
    m = parse(record.body);
  } catch (error) {
    return deadLetter(undefined, record.body, `malformed delivery: ${(error as Error).message}`, attempt);
  }
  const target = loadBaseline().webhooks.find((t) => t.name === m.target);
  if (!target) return deadLetter(m, record.body, `target "${m.target}" is not in the baseline`, attempt);
  // Plain http to loopback is for the local receiver; in Lambda, loopback is the Runtime API.
  if (target.allowInsecureLocal && !offline)
    return deadLetter(
      m,
      record.body,
      `target "${m.target}": allowInsecureLocal is for local mode only`,
      attempt,
    );

  const step = await deliverEvent(target, m.event, attempt, secretSource);
  if (step.action === "delivered") return;
  if (step.action === "dead-letter") return deadLetter(m, record.body, step.reason, attempt);
  await queue.delay(record.receiptHandle, step.delayMs / 1000);
  throw new DeliveryRetryError(
    `${target.name}: ${Format.printableText(step.reason)}; retry in ${Math.ceil(step.delayMs / 1000)} s`,
  );
}

export const lambdaHandler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
