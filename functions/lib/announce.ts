// Shared by the notify handler: decide, build and publish one alert, and enqueue SIEM deliveries —
// each at most once per finding transition however often the stream delivers the record.

import { createHash } from "node:crypto";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { type AlertPublishInput, FifoQueue, SnsAlertPublisher } from "@phiwatch/aws";
import {
  type Baseline,
  controlText,
  type Finding,
  Format,
  isBusinessHours,
  QUEUE_MESSAGE_MAX_BYTES,
} from "@phiwatch/core";
import { Resource } from "sst";
import { type DeliveryMessage, deliveryGroup } from "./delivery.ts";
import { clients, ddb, logger, offline, tableName } from "./runtime.ts";

const alerts = new SnsAlertPublisher(clients.sns(), Resource.Alerts.arn);
const deliveries = new FifoQueue(clients.sqs(), Resource.Deliveries.url, QUEUE_MESSAGE_MAX_BYTES);
/** A queued delivery's body, leaving room for forward's dead-letter attributes (reason, attempts). */
const DELIVERY_BODY_MAX_BYTES = QUEUE_MESSAGE_MAX_BYTES - 8 * 1024;
const ONE_WEEK = 7 * 24 * 3600;
/**
 * Keyed redaction tokens (`[email:1a2b3c4d]`): the key infra derives from the PhiwatchHashKey secret,
 * the same in every container, so a SIEM correlates one person across alerts, payloads and reports.
 */
const redaction = Format.redactionOptions(process.env);
if (!redaction.hashKey && !offline)
  logger.warn(`${Format.REDACTION_KEY_ENV} unset: alerts and SIEM payloads carry kind-only tokens ([email])`);

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: tableName(),
  awsSdkV3Client: ddb,
  keyAttr: "PK",
  sortKeyAttr: "SK",
  staticPkValue: "IDEMPOTENCY#notify",
  expiryAttr: "expiresAt",
});
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: "key",
  expiresAfterSeconds: ONE_WEEK,
  throwOnNoIdempotencyKey: true,
});

/** Publish an alert once per key: a duplicate stream record finds the completed record and does nothing. */
const publishOnce = makeIdempotent(
  async (req: { key: string; input: AlertPublishInput }) => {
    return { messageId: await alerts.publish(req.input) };
  },
  { persistenceStore, config: idempotency },
);

/**
 * Enqueue the SIEM deliveries of one finding event once per key, on the FIFO delivery queue: one
 * message group per (target, finding) keeps each finding's events in order at each target, and the
 * deduplication id drops a repeat within SQS's five-minute window.
 */
const enqueueOnce = makeIdempotent(
  async (req: { key: string; messages: DeliveryMessage[] }) => {
    await deliveries.sendAll(
      req.messages.map((m) => ({
        body: deliveryBody(m),
        groupId: deliveryGroup(m),
        deduplicationId: createHash("sha256").update(`${m.target}|${m.event.eventId}`).digest("hex"),
      })),
    );
    return { queued: req.messages.length };
  },
  { persistenceStore, config: idempotency },
);

export function registerContext(context: Parameters<IdempotencyConfig["registerLambdaContext"]>[0]): void {
  idempotency.registerLambdaContext(context);
}

/**
 * The queued body of a delivery. A finding whose evidence would pass the queue's message limit is
 * queued without it (a pointer to the API instead): SQS would refuse it on every retry, and the
 * delivery would be lost with the stream record.
 */
export function deliveryBody(m: DeliveryMessage, max = DELIVERY_BODY_MAX_BYTES): string {
  const body = JSON.stringify(m);
  if (Buffer.byteLength(body) <= max) return body;
  return JSON.stringify({ ...m, event: Format.withEvidenceOmitted(m.event, "a queued SIEM delivery") });
}

/**
 * Announce one finding change (old and new image of a stream record): SNS alert if the alert policy
 * says so, and one delivery per webhook target whose severity filter it passes. `now` is when the
 * alert goes out (the handler's clock).
 */
export async function announce(
  old: Finding | undefined,
  next: Finding,
  baseline: Baseline,
  now: Date,
): Promise<{ alerted: boolean; queued: number }> {
  const policy = baseline.alerts;
  // Flood collapse runs on event time: an incident's "still happening" updates are spaced by the
  // events' own clock (replayed or late CloudTrail files must not page once per batch).
  const eventNow = next.kind === "activity" ? new Date(next.lastSeen) : now;
  const decision = Format.decideAlert(old, next, {
    policy,
    now: eventNow,
    // Paging is about who is awake to read the alert, so quiet hours are judged when it goes out,
    // not when the resource was last seen: a finding the 03:00 sweep re-opens from Config's afternoon
    // capture pages; night-time events processed at 10:00 do not.
    businessHours: isBusinessHours(baseline, now),
  });
  // At most one "still happening" per finding per interval: the key names the interval, not the count.
  const interval = Math.floor(eventNow.getTime() / (policy.stillHappeningMinutes * 60_000));
  const stillKey = `${next.findingId}:still:${interval}`;
  let alerted = false;
  if (decision.alert) {
    // The control's texts from the generated table, not the registry: notify evaluates no control,
    // and the registry would bundle every control's code (≈ 80 KiB) for one string.
    const text = controlText(next.ruleId);
    const alert = Format.buildAlert(
      old,
      next,
      decision.transition,
      decision.urgency,
      text ? { rationale: text.rationale, redaction } : { redaction },
    );
    const key = decision.transition === "STILL_HAPPENING" ? stillKey : alert.dedupKey;
    await publishOnce({ key: `alert:${key}`, input: Format.snsPublishInput(alert) });
    alerted = true;
  }
  // SIEMs get every lifecycle transition (not bare count/lastSeen refreshes), whatever the alert
  // policy, filtered per target on the higher of the old and new severity.
  const messages: DeliveryMessage[] = [];
  for (const target of baseline.webhooks) {
    const t = Format.shouldForward(old, next, target.minSeverity, {
      now: eventNow,
      intervalMinutes: policy.stillHappeningMinutes,
    });
    if (!t || (t === "STILL_HAPPENING" && !decision.alert)) continue;
    messages.push({ target: target.name, event: Format.findingEvent(old, next, t, redaction) });
  }
  if (messages.length === 0) return { alerted, queued: 0 };
  const first = messages[0]!.event;
  await enqueueOnce({
    key: `deliver:${first.transition === "STILL_HAPPENING" ? stillKey : first.eventId}`,
    messages,
  });
  return { alerted, queued: messages.length };
}
