import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import {
  FINDING_STATUSES,
  type Finding,
  type FindingChange,
  type FindingQuery,
  type FindingStore,
  type HistoryEntry,
  type HistoryQuery,
  InvalidEventError,
  KEYS,
  type Page,
  revisionAfter,
  severityRank,
} from "@phiwatch/core";
import { type BackoffOptions, backoffPause } from "../sweep/backoff.ts";
import { findingFromItem, findingItem, historyFromItem, historyItem } from "./items.ts";

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const MAX_PAGE = 500;

/**
 * The findings store on DynamoDB (single-table, see docs/data-model.md). Every write is conditional:
 * a finding is created only if absent and updated only if it is still the revision the change was
 * decided on (each write stores the next revision); a history entry is put only if absent. Delivered
 * three times, the same event therefore yields one finding, one history entry and — through the
 * stream — one alert; two updates at once never overwrite each other unseen.
 *
 * @example
 * ```ts
 * const store = new DynamoFindingStore(new DynamoDBClient({}), Resource.Findings.name);
 * await recordObservation(store, observation);
 * ```
 */
export class DynamoFindingStore implements FindingStore {
  constructor(
    protected readonly ddb: DynamoDBClient,
    protected readonly tableName: string,
    /** Pauses between attempts of a throttled transaction (tests pass a recording `sleep`). */
    protected readonly opts: { backoff?: BackoffOptions } = {},
  ) {}

  async getFinding(findingId: string): Promise<Finding | undefined> {
    const r = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(KEYS.finding(findingId)),
        ConsistentRead: true,
      }),
    );
    return r.Item ? findingFromItem(unmarshall(r.Item)) : undefined;
  }

  async applyChange(change: FindingChange): Promise<"applied" | "conflict"> {
    const put = {
      TableName: this.tableName,
      // The revision is the store's: one more than the one expected, whatever the caller put in `next`.
      Item: marshall(findingItem({ ...change.next, revision: revisionAfter(change.expect) }), MARSHALL),
      ...conditionOf(change.expect),
    };
    const history = change.history;
    const write = (): Promise<unknown> =>
      history
        ? this.ddb.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                { Put: put },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: marshall(historyItem(history), MARSHALL),
                    ConditionExpression: "attribute_not_exists(PK)",
                  },
                },
              ],
            }),
          )
        : this.ddb.send(new PutItemCommand(put));
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return "applied";
      } catch (error) {
        const outcome = cancellation(error);
        if (outcome === "conflict") return "conflict";
        // The SDK retries a throttled PutItem, not a cancelled transaction: pause and try again.
        if (outcome === "throttled" && attempt < TRANSACTION_ATTEMPTS) {
          await backoffPause(attempt, this.opts.backoff);
          continue;
        }
        throw error;
      }
    }
  }

  async listFindings(q: FindingQuery): Promise<Page<Finding>> {
    return this.page(this.plan(q), q, (item) => {
      const f = findingFromItem(item);
      return f && matches(f, q) ? f : undefined;
    });
  }

  async findingHistory(findingId: string): Promise<HistoryEntry[]> {
    return this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :h)",
      ExpressionAttributeValues: marshall({ ":pk": KEYS.finding(findingId).PK, ":h": KEYS.historyPrefix }),
      ConsistentRead: true,
    });
  }

  async resourceHistory(
    resource: { accountId: string; region: string; resourceId: string },
    q: HistoryQuery = {},
  ): Promise<Page<HistoryEntry>> {
    // GSI2SK is `H#<at>#<findingId>#<seq>`: a time range is a range of the sort key, oldest first.
    const plan: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: "GSI2",
      KeyConditionExpression: "GSI2PK = :pk AND GSI2SK BETWEEN :a AND :b",
      ExpressionAttributeValues: marshall({
        ":pk": KEYS.resourcePartition(resource.accountId, resource.region, resource.resourceId),
        ":a": `H#${q.from ?? ""}`,
        ":b": `H#${q.to ?? ""}~`,
      }),
    };
    return this.page([plan], q, historyFromItem);
  }

  /**
   * One page over `plans` read in order: at most `limit` items (default 100, at most 500) and, with
   * `maxBytes`, items whose JSON stays under it (one at least). The cursor names the plan and the
   * key to resume after: DynamoDB's last evaluated key, or the last item taken when the byte budget
   * ended the page in the middle of a DynamoDB page.
   */
  private async page<T>(
    plans: readonly QueryCommandInput[],
    q: { limit?: number; cursor?: string; maxBytes?: number },
    decode: (item: Record<string, unknown>) => T | undefined,
  ): Promise<Page<T>> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_PAGE);
    let cursor = cursorOf(q.cursor, plans);
    const items: T[] = [];
    let bytes = 0;
    let last: Cursor | undefined;
    for (let p = cursor?.p ?? 0; p < plans.length && items.length < limit; p++) {
      let startKey = cursor?.p === p ? cursor.k : undefined;
      let fromCaller = startKey !== undefined;
      cursor = undefined;
      do {
        const r = await this.ddb
          .send(
            new QueryCommand({
              ...plans[p]!,
              Limit: limit - items.length,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          )
          .catch((error: unknown) => {
            // DynamoDB refuses a start key outside the key condition: the caller's cursor is not of this query.
            if (fromCaller && (error as Error).name === "ValidationException") throw notThisQuery(error);
            throw error;
          });
        fromCaller = false;
        for (const raw of r.Items ?? []) {
          const item = decode(unmarshall(raw));
          if (item === undefined) continue;
          const size = Buffer.byteLength(JSON.stringify(item));
          if (q.maxBytes !== undefined && last && bytes + size > q.maxBytes)
            return { items, cursor: encodeCursor(last) };
          items.push(item);
          bytes += size;
          last = { p, k: keyOf(raw, plans[p]!) };
        }
        startKey = r.LastEvaluatedKey;
        if (items.length >= limit && startKey) return { items, cursor: encodeCursor({ p, k: startKey }) };
      } while (startKey);
    }
    return { items };
  }

  private async queryAll(input: QueryCommandInput): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    let startKey: QueryCommandInput["ExclusiveStartKey"];
    do {
      const r = await this.ddb.send(
        new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const raw of r.Items ?? []) out.push(historyFromItem(unmarshall(raw)));
      startKey = r.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** One query per partition to read, in result order; secondary filters are applied by `matches`. */
  private plan(q: FindingQuery): QueryCommandInput[] {
    const t = this.tableName;
    if (q.resource) {
      const { accountId, region, resourceId } = q.resource;
      return [
        {
          TableName: t,
          IndexName: "GSI2",
          KeyConditionExpression: "GSI2PK = :pk AND begins_with(GSI2SK, :f)",
          ExpressionAttributeValues: marshall({
            ":pk": KEYS.resourcePartition(accountId, region, resourceId),
            ":f": "F#",
          }),
        },
      ];
    }
    if (q.ruleId) {
      return [
        {
          TableName: t,
          IndexName: "GSI3",
          KeyConditionExpression: "GSI3PK = :pk AND GSI3SK BETWEEN :a AND :b",
          ExpressionAttributeValues: marshall({
            ":pk": `RULE#${q.ruleId}`,
            ":a": q.from ?? "0",
            ":b": `${q.to ?? "9"}~`,
          }),
          ScanIndexForward: false,
        },
      ];
    }
    if ((q.from || q.to) && !q.status) {
      // Nothing is first seen in the future (a day's margin for clocks): a far `to` reads no empty months.
      const soon = new Date(Date.now() + 86_400_000).toISOString();
      return monthsBetween(q.from ?? "2020-01", q.to && q.to < soon ? q.to : soon)
        .reverse()
        .map((m) => ({
          TableName: t,
          IndexName: "GSI4",
          KeyConditionExpression: "GSI4PK = :pk AND GSI4SK BETWEEN :a AND :b",
          ExpressionAttributeValues: marshall({
            ":pk": `M#${m}`,
            ":a": q.from ?? "0",
            ":b": `${q.to ?? "9"}~`,
          }),
          ScanIndexForward: false,
        }));
    }
    const statuses = q.status ? [q.status] : FINDING_STATUSES;
    const minRank = q.severity ? severityRank(q.severity) : 0;
    return statuses.map((s) => ({
      TableName: t,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk AND GSI1SK >= :min",
      ExpressionAttributeValues: marshall({ ":pk": `S#${s}`, ":min": `${minRank}#` }),
      ScanIndexForward: false,
    }));
  }
}

/**
 * The condition of a finding write: absent for a create; else exactly the state the change was
 * decided on — the revision it read (every write stores a higher one, so any write in between
 * fails it), or, for an item an older version wrote, no revision yet. `transitions` and `lastSeen`
 * are checked too: a writer of that older version, still running during a deploy, keeps the revision
 * it read, and its status and time changes must still fail a newer writer's stale decision.
 */
function conditionOf(expect: FindingChange["expect"]) {
  if (expect === "absent") return { ConditionExpression: "attribute_not_exists(PK)" };
  return {
    ConditionExpression: `${expect.revision === undefined ? "attribute_not_exists(#r)" : "#r = :r"} AND #t = :t AND #ls = :ls`,
    ExpressionAttributeNames: { "#r": "revision", "#t": "transitions", "#ls": "lastSeen" },
    ExpressionAttributeValues: marshall(
      { ":r": expect.revision, ":t": expect.transitions, ":ls": expect.lastSeen },
      MARSHALL,
    ),
  };
}

/** Attempts of a transaction DynamoDB cancels for throttling (the first included). */
const TRANSACTION_ATTEMPTS = 5;

/**
 * What a failed write means. A failed condition — or another transaction on the item — is a race:
 * re-read and re-decide. DynamoDB cancels a transaction with the same exception for throttling and for
 * invalid items, naming the reason per item in `CancellationReasons`: those are not races.
 */
function cancellation(error: unknown): "conflict" | "throttled" | "other" {
  const name = (error as Error).name;
  if (name === "ConditionalCheckFailedException") return "conflict";
  if (name !== "TransactionCanceledException") return "other";
  const codes = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [])
    .map((r) => r.Code)
    .filter((c) => c !== undefined && c !== "None");
  if (codes.length === 0 || codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict"))
    return "conflict";
  if (codes.every((c) => c === "ThrottlingError" || c === "ProvisionedThroughputExceeded"))
    return "throttled";
  return "other";
}

function matches(f: Finding, q: FindingQuery): boolean {
  if (q.status && f.status !== q.status) return false;
  if (q.severity && severityRank(f.severity) < severityRank(q.severity)) return false;
  if (q.ruleId && f.ruleId !== q.ruleId) return false;
  if (q.accountId && f.subject.accountId !== q.accountId) return false;
  if (q.kind && f.kind !== q.kind) return false;
  if (q.from && f.firstSeen < q.from) return false;
  if (q.to && f.firstSeen > q.to) return false;
  return true;
}

/**
 * The months from `from` to `to` (ISO dates), oldest first; at most the newest 240 (twenty years,
 * longer than CloudTrail and Config exist), so a `from` decades back still reaches the present.
 */
function monthsBetween(from: string, to: string, max = 240): string[] {
  const index = (iso: string) => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
  const end = index(to);
  const out: string[] = [];
  for (let i = Math.max(index(from), end - max + 1); i <= end; i++)
    out.push(`${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`);
  return out;
}

type Cursor = { p: number; k: NonNullable<QueryCommandInput["ExclusiveStartKey"]> };

/** The key of an item read from a plan's index, as DynamoDB's `LastEvaluatedKey` would name it. */
function keyOf(raw: Cursor["k"], plan: QueryCommandInput): Cursor["k"] {
  const index = plan.IndexName!;
  const k: Cursor["k"] = {};
  for (const n of ["PK", "SK", `${index}PK`, `${index}SK`]) k[n] = raw[n]!;
  return k;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function notThisQuery(cause?: unknown): InvalidEventError {
  return new InvalidEventError(
    "not a cursor of this query (pass it back with the filters of the page it came from)",
    "cursor",
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The caller's cursor, checked against this query's plans: a partition index of one of them and a
 * start key made of exactly that index's key attributes (strings), in that plan's partition. The
 * cursor is not signed, so nothing in it may widen what the query reads.
 */
function cursorOf(s: string | undefined, plans: readonly QueryCommandInput[]): Cursor | undefined {
  const c = decodeCursor(s);
  if (!c) return undefined;
  const plan = Number.isInteger(c.p) && c.p >= 0 ? plans[c.p] : undefined;
  if (!plan?.IndexName || c.k === null || Array.isArray(c.k)) throw notThisQuery();
  const index = plan.IndexName;
  const names = ["PK", "SK", `${index}PK`, `${index}SK`];
  const k = c.k as unknown as Record<string, Record<string, unknown> | undefined>;
  const isString = (v: Record<string, unknown> | undefined) =>
    typeof v === "object" && v !== null && Object.keys(v).length === 1 && typeof v.S === "string";
  if (Object.keys(k).length !== names.length || !names.every((n) => isString(k[n]))) throw notThisQuery();
  if (k[`${index}PK`]!.S !== plan.ExpressionAttributeValues?.[":pk"]?.S) throw notThisQuery();
  return c;
}

function decodeCursor(s: string | undefined): Cursor | undefined {
  if (!s) return undefined;
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as Cursor;
    if (typeof c.p !== "number" || typeof c.k !== "object") throw new Error("shape");
    return c;
  } catch (error) {
    throw new InvalidEventError("not a cursor returned by a previous page", "cursor", { cause: error });
  }
}
