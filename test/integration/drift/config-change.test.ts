import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  oversizedBucketChangeEvent,
} from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";

let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: false });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

const recordings = (capturedAt: string, sse: "AES256" | "aws:kms" = "AES256") =>
  configChangeEvent(
    bucketConfigurationItem({
      name: "northwind-connect-recordings",
      capturedAt,
      sse: { algorithm: sse, kmsKeyId: sse === "aws:kms" ? "alias/aws/s3" : null },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }),
  );

describe("config-change handler through the local stack", () => {
  it("opens an s3-encryption-cmk finding once however often the event is delivered", async () => {
    const event = recordings("2026-03-03T15:00:00.000Z");
    for (let i = 0; i < 3; i++) await stack.dispatch(event);
    const page = await store.listFindings({ ruleId: "s3-encryption-cmk" });
    expect(page.items).toHaveLength(1);
    const f = page.items[0]!;
    expect(f).toMatchObject({
      status: "OPEN",
      severity: "high",
      subject: { resourceId: "northwind-connect-recordings" },
    });
    expect(f.evidence).toMatchObject({ sseAlgorithm: "AES256" });
    expect(await store.findingHistory(f.findingId)).toHaveLength(1);
  });

  it("keeps drift history of the resource in time order across a fix and a regression", async () => {
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-04T09:00:00.000Z",
          sse: {
            algorithm: "aws:kms",
            kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11",
          },
          publicAccessBlock: {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
          },
        }),
      ),
    );
    // Offline there is no KMS: an unrecorded key cannot be proven customer-managed, so it stays open.
    const still = (await store.listFindings({ ruleId: "s3-encryption-cmk" })).items[0]!;
    expect(still.status).toBe("OPEN");
    expect(still.evidence.proof).toBe("cannot prove");

    await stack.dispatch(recordings("2026-03-05T09:00:00.000Z", "aws:kms"));
    const { items: history } = await store.resourceHistory({
      accountId: "111122223333",
      region: "us-east-1",
      resourceId: "northwind-connect-recordings",
    });
    expect(history.map((h) => h.at)).toEqual([...history.map((h) => h.at)].sort());
  });

  it("ignores an older item delivered after a newer one", async () => {
    const before = await store.listFindings({ ruleId: "s3-encryption-cmk" });
    await stack.dispatch(recordings("2026-03-01T00:00:00.000Z", "aws:kms"));
    const after = await store.listFindings({ ruleId: "s3-encryption-cmk" });
    expect(after.items[0]!.lastSeen).toBe(before.items[0]!.lastSeen);
  });

  it("dead-letters an oversized notification offline, with the reason (no Config API locally)", async () => {
    const before = stack.deadLettered;
    const routes = await stack.dispatch(
      oversizedBucketChangeEvent({
        name: "northwind-connect-recordings",
        accountId: "111122223333",
        region: "us-east-1",
        capturedAt: "2026-03-05T10:00:00.000Z",
        eventId: "7d2a61e0-5b0c-4f7e-9a51-3c1d0e2f4a6b",
      }),
    );
    expect(routes).toEqual(["config-change"]);
    await stack.drain({ maxMs: 5000 });
    expect(stack.deadLettered).toBe(before + 1);
  });

  it("dead-letters a malformed event with the field at fault", async () => {
    const bad = recordings("2026-03-06T00:00:00.000Z") as {
      detail: { configurationItem: Record<string, unknown> };
    };
    bad.detail.configurationItem.awsAccountId = "not-an-account";
    const before = stack.deadLettered;
    await stack.dispatch(bad as never);
    await stack.drain({ maxMs: 5000 });
    expect(stack.deadLettered).toBe(before + 1);
  });
});
