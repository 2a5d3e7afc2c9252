import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { InvalidEventError, KEYS, type Page, type Report } from "@phiwatch/core";

type PostureSnapshot = Report.PostureSnapshot;

/**
 * Posture snapshots in the findings table (`PK = POSTURE`, `SK = <at>`, see docs/data-model.md): one
 * per sweep run, listed newest first for "posture over time".
 */
export class PostureStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(p: PostureSnapshot): Promise<void> {
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          ...KEYS.postureSnapshot(p.at),
          type: "posture",
          sweepId: p.sweepId,
          snapshot: JSON.stringify(p),
        }),
      }),
    );
  }

  /** Snapshots taken in [from, to], newest first, at most `limit`. */
  async list(q: { from?: string; to?: string; limit: number }): Promise<PostureSnapshot[]> {
    const out: PostureSnapshot[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.page({ ...q, limit: q.limit - out.length, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor && out.length < q.limit);
    return out;
  }

  /**
   * One page of snapshots taken in [from, to], newest first: at most `limit` (1 to 500) and, with
   * `maxBytes`, snapshots whose JSON stays under it (one at least: an item is at most 400 KB). The
   * cursor is the time of the last snapshot answered; a cursor outside [from, to] is refused (it is
   * not signed, and DynamoDB would refuse the start key).
   *
   * @example
   * ```ts
   * const { items, cursor } = await store.page({ from: "2026-03-01", limit: 100, maxBytes: 3 * 1024 * 1024 });
   * ```
   */
  async page(q: {
    from?: string;
    to?: string;
    limit: number;
    cursor?: string;
    maxBytes?: number;
  }): Promise<Page<PostureSnapshot>> {
    const lo = q.from ?? "0";
    const hi = `${q.to ?? "9"}~`;
    if (lo > hi) throw new InvalidEventError("must not be after to", "from");
    const limit = Math.min(Math.max(q.limit, 1), 500);
    const pk = KEYS.postureSnapshot("").PK;
    let startKey: Record<string, AttributeValue> | undefined = q.cursor
      ? marshall(KEYS.postureSnapshot(cursorAt(q.cursor, lo, hi)))
      : undefined;
    const items: PostureSnapshot[] = [];
    let bytes = 0;
    let last: string | undefined;
    do {
      const r = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :a AND :b",
          ExpressionAttributeValues: marshall({ ":pk": pk, ":a": lo, ":b": hi }),
          ScanIndexForward: false,
          Limit: limit - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const raw of r.Items ?? []) {
        const item = unmarshall(raw);
        const json = String(item.snapshot);
        const size = Buffer.byteLength(json);
        if (q.maxBytes !== undefined && last !== undefined && bytes + size > q.maxBytes)
          return { items, cursor: encodeCursor(last) };
        items.push(JSON.parse(json) as PostureSnapshot);
        bytes += size;
        last = String(item.SK);
      }
      startKey = r.LastEvaluatedKey;
      if (items.length >= limit && startKey && last !== undefined)
        return { items, cursor: encodeCursor(last) };
    } while (startKey);
    return { items };
  }
}

function encodeCursor(at: string): string {
  return Buffer.from(JSON.stringify(at)).toString("base64url");
}

/** The snapshot time a cursor resumes after, checked to lie in [lo, hi]. */
function cursorAt(cursor: string, lo: string, hi: string): string {
  let at: unknown;
  try {
    at = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (error) {
    throw new InvalidEventError("not a cursor returned by a previous page", "cursor", { cause: error });
  }
  if (typeof at !== "string" || !/^\d{4}-\d{2}-\d{2}T[\d:.]{1,20}Z$/.test(at))
    throw new InvalidEventError("not a cursor returned by a previous page", "cursor");
  if (at < lo || at > hi)
    throw new InvalidEventError(
      "not a cursor of this query (pass it back with the from and to of the page it came from)",
      "cursor",
    );
  return at;
}
