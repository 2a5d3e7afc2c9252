// The table stream keeps one finding's changes in order, and Lambda retries a stream batch from its
// first failed record. notify must announce one finding's transitions in that order too: a change
// that fails (a throttled publish, an announcement another invocation still holds) must not be
// overtaken by a later change of the same finding — a resolution announced before the opening it
// resolves leaves SIEMs and on-call with the finding open once the opening is retried.

import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingItem } from "../../../packages/aws/src/index.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import type { Finding } from "../../../packages/core/src/index.ts";
import { driftFinding } from "../../unit/format/finding-fixtures.ts";

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", logLevel: "ERROR" });
});
afterAll(async () => {
  await stack?.stop();
});

const subject = {
  accountId: "111122223333",
  region: "us-east-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "northwind-connect-recordings",
};
const image = (f: Finding) => marshall(findingItem(f), { removeUndefinedValues: true });
function record(seq: string, old: Finding | undefined, next: Finding) {
  return {
    eventID: `e${seq}`,
    eventName: old ? "MODIFY" : "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:dynamodb:us-east-1:000000000000:table/phiwatch-local-findings/stream/x",
    dynamodb: {
      Keys: marshall({ PK: `F#${next.findingId}`, SK: "F" }),
      ...(old ? { OldImage: image(old) } : {}),
      NewImage: image(next),
      SequenceNumber: seq,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

/** notify's persistence layer, asked for the table key Powertools gives an announcement key. */
class AnnouncementKeys extends DynamoDBPersistenceLayer {
  keyOf(key: string): string {
    return this.getHashedIdempotencyKey({ key });
  }
}

/** Hold the announcement under `key` as an invocation still running would (Powertools INPROGRESS). */
async function holdAnnouncement(key: string): Promise<() => Promise<void>> {
  const layer = new AnnouncementKeys({
    tableName: LOCAL_NAMES.table,
    awsSdkV3Client: stack.ddb,
    keyAttr: "PK",
    sortKeyAttr: "SK",
    staticPkValue: "IDEMPOTENCY#notify",
    expiryAttr: "expiresAt",
  });
  layer.configure({ config: new IdempotencyConfig({ eventKeyJmesPath: "key" }) });
  const sk = layer.keyOf(key);
  const now = Date.now();
  await stack.ddb.send(
    new PutItemCommand({
      TableName: LOCAL_NAMES.table,
      Item: marshall({
        PK: "IDEMPOTENCY#notify",
        SK: sk,
        status: "INPROGRESS",
        expiresAt: Math.floor(now / 1000) + 3600,
        in_progress_expiration: now + 600_000,
      }),
    }),
  );
  // Released as the other invocation's failure would release it (Powertools deletes the record).
  return async () => {
    await stack.ddb.send(
      new PutItemCommand({
        TableName: LOCAL_NAMES.table,
        Item: marshall({ PK: "IDEMPOTENCY#notify", SK: sk, status: "INPROGRESS", expiresAt: 1 }),
      }),
    );
  };
}

describe("notify: one finding's changes in stream order", () => {
  it("does not announce a later change of a finding while an earlier one failed, and announces both in order on the retry", async () => {
    const opened = driftFinding({
      findingId: "f-00000000000000000000ab01",
      ruleId: "s3-block-public-access",
      severity: "critical",
      subject,
    });
    const resolved: Finding = {
      ...opened,
      status: "RESOLVED",
      summary: "Resolved: Block Public Access on",
      lastSeen: "2026-03-03T10:05:00.000Z",
      statusChangedAt: "2026-03-03T10:05:00.000Z",
      transitions: 2,
    };
    // Another finding's change in the same batch is independent of the failure.
    const other = driftFinding({ findingId: "f-00000000000000000000ab02", subject });
    const batch = {
      Records: [
        record("100", undefined, opened),
        record("101", undefined, other),
        record("102", opened, resolved),
      ],
    };

    const release = await holdAnnouncement(`alert:${opened.findingId}:1:OPENED`);
    const first = (await stack.invoke("notify", batch)) as {
      batchItemFailures: { itemIdentifier: string }[];
    };
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["100", "102"]);
    const early = await stack.receivedAlerts();
    expect(early.map((a) => [a.attributes.controlId, a.attributes.transition])).toEqual([
      ["s3-encryption-cmk", "OPENED"],
    ]);

    // Lambda retries from the first failed record, in order.
    await release();
    const retry = (await stack.invoke("notify", { Records: batch.Records })) as {
      batchItemFailures: unknown[];
    };
    expect(retry.batchItemFailures).toEqual([]);
    const later = await stack.receivedAlerts();
    expect(
      later
        .filter((a) => a.attributes.controlId === "s3-block-public-access")
        .map((a) => a.attributes.transition),
    ).toEqual(["OPENED", "RESOLVED"]);
  });
});
