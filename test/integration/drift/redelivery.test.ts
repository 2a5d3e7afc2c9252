// EventBridge delivers at least once, and Lambda retries an invocation that failed. A retry of an item
// whose first attempt stored it in the inventory but failed before its findings were written (a
// throttled or failed DynamoDB write, a timeout) must still record them: nothing may be lost.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore, processSnapshot } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  CONTROLS,
  ControlSet,
  type FindingChange,
  fromConfigurationItem,
  parseBaseline,
} from "../../../packages/core/src/index.ts";

let stack: LocalStack;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: true });
});
afterAll(async () => {
  await stack?.stop();
});

describe("a Config item delivered again after a failed attempt", () => {
  it("records the findings the failed attempt did not write", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    let failNext = true;
    // The first write of the first attempt fails as a throttled DynamoDB call would.
    const flaky = Object.assign(Object.create(store) as DynamoFindingStore, {
      applyChange: async (change: FindingChange) => {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException" });
        }
        return store.applyChange(change);
      },
    });
    const deps = {
      baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      findings: flaky,
    };
    const snapshot = () =>
      fromConfigurationItem(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "AES256", kmsKeyId: null },
          publicAccessBlock: {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
          },
        }),
      );

    await expect(processSnapshot(deps, snapshot(), "evt-1")).rejects.toThrow("Rate exceeded");
    // Lambda retries the same event.
    const retry = await processSnapshot(deps, snapshot(), "evt-1");
    expect(retry.stale).toBe(false);
    const open = await store.listFindings({ ruleId: "s3-encryption-cmk" });
    expect(open.items.map((f) => f.status)).toEqual(["OPEN"]);
    expect(await store.findingHistory(open.items[0]!.findingId)).toHaveLength(1);

    // A third delivery of the same item changes nothing (no history, no write).
    await processSnapshot(deps, snapshot(), "evt-1");
    expect(await store.findingHistory(open.items[0]!.findingId)).toHaveLength(1);
  });

  it("records the item's other findings when one cannot be written, and still fails the invocation", async () => {
    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    let refused: string | undefined;
    // DynamoDB refuses every write of the first finding written (as it refuses an item over 400 KB).
    const refusing = Object.assign(Object.create(store) as DynamoFindingStore, {
      applyChange: async (change: FindingChange) => {
        refused ??= change.next.ruleId;
        if (change.next.ruleId === refused)
          throw Object.assign(new Error("Item size has exceeded the maximum allowed size"), {
            name: "ValidationException",
          });
        return store.applyChange(change);
      },
    });
    const deps = {
      baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      findings: refusing,
    };
    const snapshot = fromConfigurationItem(
      bucketConfigurationItem({
        name: "northwind-ctr-2026",
        capturedAt: "2026-03-03T15:00:00.000Z",
        sse: { algorithm: "AES256", kmsKeyId: null },
        publicAccessBlock: {
          blockPublicAcls: false,
          ignorePublicAcls: false,
          blockPublicPolicy: false,
          restrictPublicBuckets: false,
        },
      }),
    );
    await expect(processSnapshot(deps, snapshot, "evt-2")).rejects.toThrow("Item size has exceeded");
    const recorded = (await store.listFindings({ status: "OPEN", limit: 500 })).items
      .filter((f) => f.subject.resourceId === "northwind-ctr-2026")
      .map((f) => f.ruleId);
    expect(refused).toBeDefined();
    expect(recorded).not.toContain(refused);
    // Every other failing control of the bucket is recorded.
    expect(recorded).toEqual(
      expect.arrayContaining(
        ["s3-encryption-cmk", "s3-block-public-access", "s3-tls-only"].filter((r) => r !== refused),
      ),
    );
    expect(recorded.length).toBeGreaterThanOrEqual(3);
  });
});
