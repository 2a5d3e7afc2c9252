import { gunzipSync, gzipSync } from "node:zlib";
import { type DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { KEYS, type ResourceSnapshot } from "@phiwatch/core";

/** How the sweep writes what its listings showed, or did not (`InventoryStore.put`). */
export interface InventoryPutOptions {
  /** A present snapshot read from a listing of its type (the sweep): the resource exists. */
  listed?: boolean;
  /** A deletion mark: the time of the complete listing that no longer showed the resource. */
  absentAt?: string;
}

/**
 * The resource inventory: the latest snapshot of every resource phiwatch evaluated, for cross-resource
 * controls (trail coverage of a bucket, keys that protect PHI buckets). Snapshots are stored gzip'd
 * (IAM and Connect items can be large; DynamoDB caps items at 400 KB). A put only lands if it is newer
 * than (or as new as) what is stored, so out-of-order Config deliveries never roll the inventory back;
 * a resource the sweep found missing comes back with the next listing that shows it (`put`).
 */
export class InventoryStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Store a snapshot unless a newer one is stored; returns false when it was older. An item with the
   * stored capture time (a redelivery, or Lambda's retry of an attempt that failed after this write)
   * is stored and evaluated again: the lifecycle makes that a no-op when everything was recorded, and
   * records what a failed attempt did not.
   *
   * A `not-recorded` snapshot (Config stopped recording the resource) is never stored: its
   * configuration is unknown, not changed, so the last one recorded stays for the cross-resource
   * controls that read it. Returns false.
   *
   * The sweep's deletion mark (`absentAt`) is not a deletion Config recorded: it says a complete
   * listing made at `absentAt` did not show the resource, and it is dated with the capture time of the
   * last item seen present. A present item must be newer than the listing to replace it, as it must be
   * newer than a deletion Config recorded — an older change delivered late, or a redelivery, does not
   * revive a deleted resource — unless it was itself `listed`: a later listing shows the resource
   * exists, and Config's capture time does not move when a listing briefly left a live resource out.
   * A deletion Config recorded replaces the mark as it would the item the mark replaced.
   */
  async put(s: ResourceSnapshot, opts: InventoryPutOptions = {}): Promise<boolean> {
    return (await this.write(s, opts, false)).stored;
  }

  /**
   * `put`, also returning the item the write replaced (PutItem's `ALL_OLD`: in the same request,
   * strongly consistent, no read capacity): `null` when there was none, `undefined` when its snapshot
   * cannot be read. Nothing when the put is refused (`stored: false`).
   *
   * @example
   * ```ts
   * const r = await inventory.replace(snapshot); // { stored: true, previous: <the bucket as it was> }
   * ```
   */
  async replace(
    s: ResourceSnapshot,
    opts: InventoryPutOptions = {},
  ): Promise<{ stored: false } | { stored: true; previous: ResourceSnapshot | null | undefined }> {
    return this.write(s, opts, true);
  }

  private async write(
    s: ResourceSnapshot,
    opts: InventoryPutOptions,
    returnOld: boolean,
  ): Promise<{ stored: false } | { stored: true; previous: ResourceSnapshot | null | undefined }> {
    if (s.state === "not-recorded") return { stored: false };
    const key = KEYS.inventory(s.accountId, s.region, s.resourceType, s.resourceId);
    const body = gzipSync(JSON.stringify(s));
    const markHolds = s.state === "present" && !opts.listed;
    try {
      const r = await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            ...key,
            type: "inventory",
            capturedAt: s.capturedAt,
            state: s.state,
            resourceType: s.resourceType,
            resourceId: s.resourceId,
            accountId: s.accountId,
            region: s.region,
            snapshot: body,
            GSI3PK: `INV#${s.accountId}#${s.resourceType}`,
            GSI3SK: `${s.region}#${s.resourceId}`,
            ...(opts.absentAt !== undefined ? { absentAt: opts.absentAt } : {}),
          }),
          ConditionExpression: markHolds
            ? "attribute_not_exists(PK) OR (capturedAt <= :c AND (attribute_not_exists(absentAt) OR absentAt <= :c))"
            : "attribute_not_exists(PK) OR capturedAt <= :c",
          ExpressionAttributeValues: marshall({ ":c": s.capturedAt }),
          // The sweep's puts do not ask: it re-evaluates every resource after them.
          ...(returnOld ? { ReturnValues: "ALL_OLD" as const } : {}),
        }),
      );
      if (!returnOld) return { stored: true, previous: undefined };
      return { stored: true, previous: r.Attributes ? decodeOrUndefined(unmarshall(r.Attributes)) : null };
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return { stored: false };
      throw error;
    }
  }

  async get(
    accountId: string,
    region: string,
    resourceType: string,
    resourceId: string,
  ): Promise<ResourceSnapshot | undefined> {
    const r = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(KEYS.inventory(accountId, region, resourceType, resourceId)),
        ConsistentRead: true,
      }),
    );
    return r.Item ? decode(unmarshall(r.Item)) : undefined;
  }

  /** Every stored snapshot of a type in an account (all regions), deleted ones excluded. */
  async list(accountId: string, resourceType: string): Promise<ResourceSnapshot[]> {
    return (await this.listUntil(accountId, resourceType, () => false)).snapshots;
  }

  /**
   * `list`, asking `stop()` before each DynamoDB page (up to 1 MB each, the first included): once it
   * says so, no further page is read and the listing is not `complete` (the sweep's deadline).
   *
   * @example
   * ```ts
   * const { snapshots, complete } = await inventory.listUntil(accountId, "AWS::S3::Bucket", () => Date.now() > deadline);
   * ```
   */
  async listUntil(
    accountId: string,
    resourceType: string,
    stop: () => boolean,
  ): Promise<{ snapshots: ResourceSnapshot[]; complete: boolean }> {
    return this.query(accountId, resourceType, undefined, stop);
  }

  /**
   * Every stored snapshot of a type in one account and region (deleted ones excluded), reading at most
   * `maxPages` DynamoDB pages (up to 1 MB each): the tamper handler's bounded read. `complete` is false
   * when a further page was left unread.
   *
   * @example
   * ```ts
   * const { snapshots, complete } = await inventory.listRegion(accountId, "eu-west-1", "AWS::S3::Bucket", 4);
   * ```
   */
  async listRegion(
    accountId: string,
    region: string,
    resourceType: string,
    maxPages: number,
  ): Promise<{ snapshots: ResourceSnapshot[]; complete: boolean }> {
    let pages = 0;
    return this.query(accountId, resourceType, region, () => pages++ >= maxPages);
  }

  /** The GSI3 listing (one region's when `region` is given), asking `stop()` before each page. */
  private async query(
    accountId: string,
    resourceType: string,
    region: string | undefined,
    stop: () => boolean,
  ): Promise<{ snapshots: ResourceSnapshot[]; complete: boolean }> {
    const out: ResourceSnapshot[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      if (stop()) return { snapshots: out, complete: false };
      const r = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "GSI3",
          KeyConditionExpression:
            region === undefined ? "GSI3PK = :pk" : "GSI3PK = :pk AND begins_with(GSI3SK, :region)",
          ExpressionAttributeValues: marshall({
            ":pk": `INV#${accountId}#${resourceType}`,
            ...(region === undefined ? {} : { ":region": `${region}#` }),
          }),
          ...(startKey ? { ExclusiveStartKey: marshall(startKey) } : {}),
        }),
      );
      for (const raw of r.Items ?? []) {
        const item = unmarshall(raw);
        if (item.state === "present") out.push(decode(item));
      }
      startKey = r.LastEvaluatedKey ? unmarshall(r.LastEvaluatedKey) : undefined;
    } while (startKey);
    return { snapshots: out, complete: true };
  }
}

/** A replaced item whose snapshot cannot be read is not known: the write that replaced it stands. */
function decodeOrUndefined(item: Record<string, unknown>): ResourceSnapshot | undefined {
  try {
    return decode(item);
  } catch {
    return undefined;
  }
}

function decode(item: Record<string, unknown>): ResourceSnapshot {
  return JSON.parse(gunzipSync(item.snapshot as Uint8Array).toString("utf8")) as ResourceSnapshot;
}
