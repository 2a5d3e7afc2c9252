// Inventory writes of the hourly sweep: an item is written only when the stored one differs from what
// the sweep read (its configuration, or its capture time). Counted by table and item kind with a
// command-counting middleware on the DynamoDB client, as bench/handlers counts requests.
import { describe, expect, it } from "vitest";
import { runSweep, type SweepDeps } from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  iamRoleConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { realSecurityGroup } from "./account.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("inventory-writes");

type Key = { PK?: { S?: string } };
/** The inputs of DynamoDB's write commands, as far as the counter reads them. */
type WriteInput = {
  TableName?: string;
  Item?: Key;
  Key?: Key;
  RequestItems?: Record<string, Array<{ PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } }>>;
  TransactItems?: Array<Record<string, { TableName?: string; Item?: Key; Key?: Key }>>;
};
type Counter = (
  next: (a: { input: WriteInput }) => Promise<unknown>,
  ctx: { commandName?: string },
) => (args: { input: WriteInput }) => Promise<unknown>;
const middleware = () =>
  h.stack.ddb.middlewareStack as unknown as {
    add: (mw: Counter, o: { step: "initialize"; name: string }) => void;
    remove: (name: string) => boolean;
  };

/** Writes by `<table> <item kind>` (the kind is the key's prefix: `I` inventory, `F` finding, …). */
async function countingWrites<T>(
  work: () => Promise<T>,
): Promise<{ result: T; writes: Record<string, number> }> {
  const writes: Record<string, number> = {};
  const add = (table: string | undefined, key: Key | undefined) => {
    const k = `${table} ${String(key?.PK?.S ?? "?").split("#")[0]}`;
    writes[k] = (writes[k] ?? 0) + 1;
  };
  const name = "inventoryWriteCounter"; // removed again below: one counter at a time
  middleware().add(
    (next, ctx) => (args) => {
      const i = args.input;
      if (ctx.commandName === "PutItemCommand") add(i.TableName, i.Item);
      else if (ctx.commandName === "UpdateItemCommand") add(i.TableName, i.Key);
      else if (ctx.commandName === "BatchWriteItemCommand")
        for (const [t, rs] of Object.entries(i.RequestItems ?? {}))
          for (const r of rs) add(t, r.PutRequest?.Item ?? r.DeleteRequest?.Key);
      else if (ctx.commandName === "TransactWriteItemsCommand")
        for (const t of i.TransactItems ?? [])
          for (const op of Object.values(t)) add(op.TableName, op.Item ?? op.Key);
      return next(args);
    },
    { step: "initialize", name },
  );
  try {
    return { result: await work(), writes };
  } finally {
    middleware().remove(name);
  }
}

const sweepAt = (deps: SweepDeps, now: string) =>
  runSweep(deps, {
    accountId: DEMO.accountId,
    regions: [DEMO.region],
    sweepId: `sweep-${now}`,
    now: new Date(now),
  });

const role = (name: string, capturedAt: string, action: string) =>
  iamRoleConfigurationItem({
    roleName: name,
    accountId: DEMO.accountId,
    capturedAt,
    inlinePolicies: {
      read: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: [action], Resource: "arn:aws:s3:::app-assets/*" }],
      },
    },
  });
/** The reads only the API answers: without them every item keeps Config's capture time. */
const API_ONLY = ["GetPublicAccessBlockCommand", "ListInstancesCommand", "DescribeTrailsCommand"];

describe("sweep: inventory writes", () => {
  it("writes no inventory item on a second sweep of an unchanged account, and writes a changed resource", async () => {
    const deps = await h.freshDeps();
    const { table } = deps;
    const items = [
      role("app-reader", "2026-03-01T08:00:00.000Z", "s3:GetObject"),
      role("app-writer", "2026-03-01T08:00:00.000Z", "s3:PutObject"),
      { ...realSecurityGroup(), configurationItemCaptureTime: "2026-03-01T08:00:00.000Z" },
    ];
    h.mock({ items, deny: API_ONLY });
    const first = await countingWrites(() => sweepAt(deps, "2026-03-03T15:00:00.000Z"));
    expect(first.result.snapshots).toHaveLength(3);
    expect(first.writes[`${table} I`]).toBe(3);

    // An hour later, nothing changed: the stored items are what the sweep reads (capture time included).
    const steady = await countingWrites(() => sweepAt(deps, "2026-03-03T16:00:00.000Z"));
    expect(steady.result.snapshots).toHaveLength(3);
    expect(steady.writes[`${table} I`] ?? 0).toBe(0);

    // One role changed (Config recorded a new item): that one is written, the others are not.
    h.mock({
      items: [items[0]!, role("app-writer", "2026-03-03T16:30:00.000Z", "s3:DeleteObject"), items[2]!],
      deny: API_ONLY,
    });
    const changed = await countingWrites(() => sweepAt(deps, "2026-03-03T17:00:00.000Z"));
    expect(changed.writes[`${table} I`]).toBe(1);
    const writer = changed.result.snapshots.find((s) => s.configuration.roleName === "app-writer")!;
    const stored = await deps.inventory.get(
      writer.accountId,
      writer.region,
      writer.resourceType,
      writer.resourceId,
    );
    expect(stored?.capturedAt).toBe("2026-03-03T16:30:00.000Z");
    expect(JSON.stringify(stored?.configuration)).toContain("DeleteObject");
  });

  it("writes a bucket again only when its read-time stamp moves (the stamp is what dependants are observed at)", async () => {
    const deps = await h.freshDeps();
    const { table } = deps;
    const bucket = bucketConfigurationItem({
      name: "northwind-ctr-stamped",
      accountId: DEMO.accountId,
      capturedAt: "2026-03-01T08:00:00.000Z",
      sse: { algorithm: "AES256" },
    });
    h.mock({ items: [bucket], deny: API_ONLY });
    await sweepAt(deps, "2026-03-03T15:00:00.000Z");
    // The same run again (same read time): identical in everything, nothing to write.
    const same = await countingWrites(() => sweepAt(deps, "2026-03-03T15:00:00.000Z"));
    expect(same.writes[`${table} I`] ?? 0).toBe(0);
    // An hour later: a bucket is stamped with the read's time (sweep/reader.ts), and the stored stamp
    // is the time a dependant re-evaluated from the inventory is observed at: it must move.
    const later = await countingWrites(() => sweepAt(deps, "2026-03-03T16:00:00.000Z"));
    expect(later.writes[`${table} I`]).toBe(1);
    const stored = await deps.inventory.get(
      DEMO.accountId,
      DEMO.region,
      "AWS::S3::Bucket",
      "northwind-ctr-stamped",
    );
    expect(stored?.capturedAt).toBe("2026-03-03T16:00:00.000Z");
  });
});
