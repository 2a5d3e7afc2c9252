// Shared by the notify handler: decide, build and publish one alert, and enqueue SIEM deliveries —
// each at most once per finding transition however often the stream delivers the record.

import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { type Baseline, type Finding, Format, isBusinessHours, severityRank } from "@phiwatch/core";
import { Resource } from "sst";
import { controls, ddb, sqs, tableName } from "./runtime.ts";

const sns = new SNSClient({});
const ONE_WEEK = 7 * 24 * 3600;

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
  async (req: { key: string; input: ReturnType<typeof Format.snsPublishInput> }) => {
    const r = await sns.send(new PublishCommand({ TopicArn: Resource.Alerts.arn, ...req.input }));
    return { messageId: r.MessageId ?? "" };
  },
  { persistenceStore, config: idempotency },
);

/** Enqueue the SIEM deliveries of one finding event once per key. */
const enqueueOnce = makeIdempotent(
  async (req: { key: string; messages: string[] }) => {
    for (let i = 0; i < req.messages.length; i += 10) {
      const batch = req.messages.slice(i, i + 10);
      const r = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: Resource.Deliveries.url,
          Entries: batch.map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      );
      if (r.Failed && r.Failed.length > 0)
        throw new Error(`SQS refused ${r.Failed.length} deliveries: ${r.Failed[0]?.Code}`);
    }
    return { queued: req.messages.length };
  },
  { persistenceStore, config: idempotency },
);

export function registerContext(context: Parameters<IdempotencyConfig["registerLambdaContext"]>[0]): void {
  idempotency.registerLambdaContext(context);
}

/** A webhook delivery as queued for functions/forward: the target's name and the finding event. */
export interface DeliveryMessage {
  target: string;
  event: Format.FindingEvent;
}

/**
 * Announce one finding change (old and new image of a stream record): SNS alert if the alert policy
 * says so, and one delivery per webhook target whose severity filter it passes.
 */
export async function announce(
  old: Finding | undefined,
  next: Finding,
  baseline: Baseline,
  now = new Date(),
): Promise<{ alerted: boolean; queued: number }> {
  const policy = Format.AlertPolicySchema.parse((baseline as { alerts?: unknown }).alerts ?? {});
  const decision = Format.decideAlert(old, next, {
    policy,
    now,
    businessHours: isBusinessHours(baseline, now),
  });
  const transition = decision.transition ?? Format.classifyTransition(old, next);
  // Repeated "still happening" announcements of one finding differ by their interval.
  const bucket =
    transition === "STILL_HAPPENING"
      ? `:${Math.floor(now.getTime() / (policy.stillHappeningMinutes * 60_000))}`
      : "";
  let alerted = false;
  if (decision.alert) {
    const control = controls.controls.find((c) => c.id === next.ruleId);
    const alert = Format.buildAlert(
      old,
      next,
      decision.transition,
      decision.urgency,
      control ? { rationale: control.rationale } : {},
    );
    await publishOnce({ key: `alert:${alert.dedupKey}${bucket}`, input: Format.snsPublishInput(alert) });
    alerted = true;
  }
  // SIEMs get every announced transition (not bare count/lastSeen updates), whatever the alert policy.
  if (!transition || transition === "UPDATED" || (transition === "STILL_HAPPENING" && !decision.alert))
    return { alerted, queued: 0 };
  const event = Format.findingEvent(old, next, transition);
  const targets = baseline.webhooks.filter((t) => severityRank(next.severity) >= severityRank(t.minSeverity));
  if (targets.length === 0) return { alerted, queued: 0 };
  const messages = targets.map((t) => JSON.stringify({ target: t.name, event } satisfies DeliveryMessage));
  await enqueueOnce({ key: `deliver:${event.eventId}${bucket}`, messages });
  return { alerted, queued: messages.length };
}
