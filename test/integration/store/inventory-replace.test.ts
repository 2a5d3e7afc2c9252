// `InventoryStore.replace`: the conditional put of `put`, returning the item it replaced in the same
// request (PutItem ALL_OLD) — what the dependants' last verdicts were decided on (drift-service).
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InventoryStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { fromConfigurationItem, KEYS } from "../../../packages/core/src/index.ts";

let stack: LocalStack;
let inventory: InventoryStore;
beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: true });
  inventory = new InventoryStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

const bucket = (name: string, capturedAt: string, kmsKeyId?: string) =>
  fromConfigurationItem(
    bucketConfigurationItem({
      name,
      capturedAt,
      sse: kmsKeyId ? { algorithm: "aws:kms", kmsKeyId } : { algorithm: "AES256" },
    }) as never,
  );

describe("InventoryStore.replace", () => {
  it("returns null for a first record, then the snapshot each newer put replaced; nothing when refused", async () => {
    const first = bucket("northwind-ctr-replace", "2026-03-03T09:00:00.000Z", "alias/one");
    expect(await inventory.replace(first)).toEqual({ stored: true, previous: null });
    const second = bucket("northwind-ctr-replace", "2026-03-03T10:00:00.000Z", "alias/two");
    expect(await inventory.replace(second)).toEqual({ stored: true, previous: first });
    // Older than the stored item: refused, the stored item stays.
    expect(await inventory.replace(bucket("northwind-ctr-replace", "2026-03-03T09:30:00.000Z"))).toEqual({
      stored: false,
    });
    // The same capture time again (a redelivery or retry): stored, and what it replaced is itself.
    expect(await inventory.replace(second)).toEqual({ stored: true, previous: second });
    // `put` is unchanged: a boolean, nothing returned.
    expect(await inventory.put(bucket("northwind-ctr-replace", "2026-03-03T11:00:00.000Z"))).toBe(true);
  });

  it("says the replaced item is not known when its snapshot cannot be read", async () => {
    const s = bucket("northwind-ctr-unreadable", "2026-03-03T10:00:00.000Z");
    await stack.ddb.send(
      new PutItemCommand({
        TableName: LOCAL_NAMES.table,
        Item: marshall({
          ...KEYS.inventory(s.accountId, s.region, s.resourceType, s.resourceId),
          type: "inventory",
          capturedAt: "2026-03-03T09:00:00.000Z",
          state: "present",
          snapshot: new Uint8Array([1, 2, 3]),
        }),
      }),
    );
    expect(await inventory.replace(s)).toEqual({ stored: true, previous: undefined });
  });
});
