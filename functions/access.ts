// SQS (batch) of CloudTrail data events → access windows and profiles → access findings. Each body is
// an EventBridge envelope of a data event, or an S3 notification of a CloudTrail log file to fetch.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { DynamoAccessStore, readObject } from "@phiwatch/aws";
import {
  Activity,
  type Baseline,
  DETECTORS,
  errorDetails,
  type InvalidEventError,
  isInputError,
} from "@phiwatch/core";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import {
  clients,
  ddb,
  deadLetterInput,
  findingStore,
  loadBaseline,
  logger,
  offline,
  orDeadLetter,
  tableName,
} from "./lib/runtime.ts";

const processor = new BatchProcessor(EventType.SQS);
const store = new DynamoAccessStore(ddb, tableName());
// Object keys are counted as keyed hashes: the key comes from the environment (see docs/detectors.md).
const hashKey = Activity.objectKeyHasher(Activity.hashSecret(process.env, tableName()));
if (!process.env.PHIWATCH_HASH_KEY && !offline)
  logger.warn("PHIWATCH_HASH_KEY unset: object-key hashes use a key derived from the table name");

/**
 * A log file as dead letters and log lines name it: the bucket and the keyed hash of the key (the form
 * object keys are counted in). A key is never written out: a notification that names an object of
 * another bucket than the trail's would put a recording's key in the reason.
 */
const logFileName = (o: { bucket: string; key: string }) => `s3://${o.bucket}/[key:${hashKey(o.key)}]`;
/** CloudTrail's event ids are UUIDs; anything else is the record's own text and is not repeated. */
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The access events of one queue message. A record that cannot be read is dead-lettered alone, with
 * its reason: the file's other records still count (one odd record must not cost a whole log file).
 */
async function eventsOf(body: string, baseline: Baseline): Promise<Activity.AccessEvent[]> {
  const msg = Activity.readAccessMessage(body);
  const rejected: Array<{ source: string; error: InvalidEventError; payload: unknown }> = [];
  let records: Activity.CloudTrailRecord[] = msg.kind === "records" ? msg.records : [];
  for (const o of msg.kind === "log-files" ? msg.objects : []) {
    const bytes = await readObject(clients.s3(), o.bucket, o.key);
    const source = logFileName(o);
    records = records.concat(
      Activity.parseCloudTrailLogFile(bytes, source, {
        onRejected: (index, error, record) =>
          rejected.push({ source: `access:${source}#${index}`, error, payload: record }),
      }),
    );
  }
  const events: Activity.AccessEvent[] = [];
  for (const rec of records) {
    try {
      const ev = Activity.toAccessEvent(rec, baseline, hashKey);
      if (ev) events.push(ev);
    } catch (error) {
      if (!isInputError(error)) throw error;
      rejected.push({
        source: `access:${EVENT_ID.test(rec.eventID) ? rec.eventID : "record"}`,
        error,
        payload: rec,
      });
    }
  }
  for (const r of rejected) await deadLetterInput(r.source, r.error, r.payload);
  return events;
}

export const lambdaHandler = async (event: SQSEvent, context: Context) => {
  const baseline = loadBaseline();
  // Phase 1: parse every message (bad ones are dead-lettered, not retried; S3 failures are retried).
  const pending = new Map<string, Activity.AccessEvent[]>();
  const parsed = await processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const events = await orDeadLetter("access", record.body, () => eventsOf(record.body, baseline));
      if (events && events.length > 0) pending.set(record.messageId, events);
    },
    processor,
    { context, throwOnFullBatchFailure: false },
  );
  // Phase 2: one aggregated write per (target, principal, window). Idempotent, so on failure the
  // messages that contributed are retried whole.
  try {
    const r = await Activity.processAccessEvents([...pending.values()].flat(), {
      store,
      baseline,
      detectors: DETECTORS,
      findings: findingStore,
    });
    logger.info("access batch", {
      events: r.events,
      windows: r.windows,
      detections: r.detections.length,
      recorded: r.recorded,
      folded: r.profilesFolded,
    });
    for (const e of r.errors) logger.error("detector failed", { detectorId: e.detectorId, error: e.error });
    return parsed;
  } catch (error) {
    logger.error("access batch failed: retrying its messages", { error: errorDetails(error) });
    const failed = [...pending.keys()].map((itemIdentifier) => ({ itemIdentifier }));
    return { batchItemFailures: [...parsed.batchItemFailures, ...failed] };
  }
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
