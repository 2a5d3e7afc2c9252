import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { Activity, KEYS } from "@phiwatch/core";

type AccessProfile = Activity.AccessProfile;
type WindowDelta = Activity.WindowDelta;
type WindowTotals = Activity.WindowTotals;
type TargetState = Activity.TargetState;

/**
 * Most ids one window item keeps per set (8 bytes each, 10 for object-key hashes with their key id:
 * ≈ 96 KB and 120 KB, far below DynamoDB's 400 KB item limit). Past it, reads are counted in `ovf`
 * (not deduplicated; see docs/detectors.md).
 */
export const WINDOW_SET_CAP = 12_000;
/** Ids added per UpdateItem (keeps each request well under DynamoDB's request size limits). */
const CHUNK = 4_000;
/** Window updates in flight at once (a backfill touches thousands of windows). */
const WRITE_CONCURRENCY = 16;
/** Marker principal of the per-target learning state item. */
const TARGET_MARKER = "*";

const bin = (hex: string) => Buffer.from(hex, "hex");

/**
 * DynamoDB adapter of the access store: one item per (target, principal, window) holding Binary Sets
 * of short event-id and object-key hashes, updated with `ADD` (set union: duplicate deliveries and
 * replays change nothing), one `UpdateItem` per key per batch; one item per (target, principal)
 * profile, written conditionally on its fold watermark. Keys from `KEYS` in `@phiwatch/core`.
 *
 * @example
 * ```ts
 * const store = new DynamoAccessStore(new DynamoDBClient({}), Resource.Findings.name);
 * await Activity.processAccessEvents(events, { store, baseline, detectors: DETECTORS, findings });
 * ```
 */
export class DynamoAccessStore implements Activity.AccessStore {
  /** Write requests sent (UpdateItem/PutItem), for the bench and operations metrics. */
  writes = 0;

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async addWindows(
    deltas: readonly WindowDelta[],
    expiresAt: (delta: WindowDelta) => number,
  ): Promise<WindowTotals[]> {
    // Keys are distinct within a call (one delta per window), so updates can run side by side.
    const out: WindowTotals[] = new Array(deltas.length);
    let next = 0;
    const worker = async () => {
      while (next < deltas.length) {
        const i = next++;
        out[i] = await this.addWindow(deltas[i]!, expiresAt(deltas[i]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, deltas.length) }, worker));
    return out;
  }

  private async addWindow(d: WindowDelta, exp: number): Promise<WindowTotals> {
    const key = KEYS.accessWindow(d.target, d.principal.id, d.windowStart);
    const reads = [...d.readIds];
    const objects = [...d.objects];
    const chunks = Math.max(1, Math.ceil(Math.max(reads.length, objects.length) / CHUNK));
    let item: Record<string, unknown> | undefined;
    for (let c = 0; c < chunks; c++) {
      const ev = reads.slice(c * CHUNK, (c + 1) * CHUNK);
      const ob = objects.slice(c * CHUNK, (c + 1) * CHUNK);
      // Small sets (denied, lists, sources) ride on the first update only.
      const first = c === 0;
      item = await this.update(key, d, exp, ev, ob, first);
    }
    return totalsOf(item ?? {}, d);
  }

  private async update(
    key: { PK: string; SK: string },
    d: WindowDelta,
    exp: number,
    ev: string[],
    ob: string[],
    first: boolean,
  ): Promise<Record<string, unknown>> {
    const adds: string[] = [];
    const values: Record<string, AttributeValue> = {
      ":t": { S: d.target },
      ":p": { S: d.principal.id },
      ":w": { S: d.windowStart },
      ":exp": { N: String(exp) },
      ":kind": { S: "access-window" },
    };
    const addSet = (attr: string, xs: Iterable<string>, binary: boolean) => {
      const arr = [...xs];
      if (arr.length === 0) return;
      values[`:${attr}`] = binary ? { BS: arr.map(bin) } : { SS: arr };
      adds.push(`${attr} :${attr}`);
    };
    const set = "SET #type = :kind, target = :t, principal = :p, windowStart = :w, expiresAt = :exp";
    if (first) {
      addSet("dn", d.deniedIds, true);
      addSet("ls", d.listIds, true);
      addSet("nw", d.networks, false);
      addSet("vp", d.vpces, false);
      addSet("ua", d.uaClasses, false);
    }
    const small = [...adds];
    const smallValues = { ...values };
    addSet("ev", ev, true);
    addSet("ob", ob, true);
    const capped = ev.length > 0 || ob.length > 0;
    try {
      this.writes += 1;
      const r = await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(key),
          UpdateExpression: `${set}${adds.length ? ` ADD ${adds.join(", ")}` : ""}`,
          ...(capped
            ? {
                ConditionExpression:
                  "(attribute_not_exists(ev) OR size(ev) < :cap) AND (attribute_not_exists(ob) OR size(ob) < :cap)",
              }
            : {}),
          ExpressionAttributeNames: { "#type": "type" },
          ExpressionAttributeValues: capped ? { ...values, ":cap": { N: String(WINDOW_SET_CAP) } } : values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return unmarshall(r.Attributes ?? {});
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
    // The window is full: count the rest in the overflow counter (approximate, not deduplicated).
    this.writes += 1;
    const r = await this.ddb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall(key),
        UpdateExpression: `${set} ADD ${[...small, "ovf :n"].join(", ")}`,
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: { ...smallValues, ":n": { N: String(ev.length) } },
        ReturnValues: "ALL_NEW",
      }),
    );
    return unmarshall(r.Attributes ?? {});
  }

  async flagWindows(
    keys: ReadonlyArray<{ target: string; principal: string; windowStart: string }>,
  ): Promise<void> {
    for (const k of keys) {
      this.writes += 1;
      await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(KEYS.accessWindow(k.target, k.principal, k.windowStart)),
          UpdateExpression: "SET flagged = :t",
          ExpressionAttributeValues: { ":t": { BOOL: true } },
        }),
      );
    }
  }

  async listWindows(
    target: string,
    principal: string,
    fromIso: string,
    toIso: string,
  ): Promise<WindowTotals[]> {
    const pk = KEYS.accessWindow(target, principal, "").PK;
    const out: WindowTotals[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const r = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :f AND :t",
          ExpressionAttributeValues: marshall({ ":pk": pk, ":f": fromIso, ":t": toIso }),
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const raw of r.Items ?? []) {
        const item = unmarshall(raw);
        if ((item.SK as string) >= toIso) continue;
        out.push(totalsOf(item, { target, principal: { id: principal }, windowStart: item.SK as string }));
      }
      startKey = r.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async getProfile(target: string, principal: string, atMs: number): Promise<AccessProfile | undefined> {
    const r = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(KEYS.accessProfile(target, principal)),
        ConsistentRead: true,
      }),
    );
    if (!r.Item) return undefined;
    const item = unmarshall(r.Item);
    // Expired but not yet deleted (TTL runs days late): absent, so a returning reader is new again.
    if (typeof item.expiresAt === "number" && item.expiresAt <= Math.floor(atMs / 1000)) return undefined;
    return typeof item.profile === "string" ? (JSON.parse(item.profile) as AccessProfile) : undefined;
  }

  async putProfile(
    profile: AccessProfile,
    expect: string | null,
    atMs: number,
  ): Promise<"applied" | "conflict"> {
    try {
      this.writes += 1;
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            ...KEYS.accessProfile(profile.target, profile.principal),
            type: "access-profile",
            target: profile.target,
            principal: profile.principal,
            foldedThrough: profile.foldedThrough,
            lastSeen: profile.lastSeen,
            profile: JSON.stringify(profile),
            expiresAt: profile.expiresAt,
          }),
          ...(expect === null
            ? {
                // None live: absent, or expired by `atMs` and not yet deleted by TTL (replaced).
                ConditionExpression: "attribute_not_exists(PK) OR expiresAt <= :at",
                ExpressionAttributeValues: marshall({ ":at": Math.floor(atMs / 1000) }),
              }
            : {
                ConditionExpression: "foldedThrough = :ft",
                ExpressionAttributeValues: marshall({ ":ft": expect }),
              }),
        }),
      );
      return "applied";
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return "conflict";
      throw error;
    }
  }

  async getTarget(target: string): Promise<TargetState | undefined> {
    const r = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(KEYS.accessProfile(target, TARGET_MARKER)),
        ConsistentRead: true,
      }),
    );
    const item = r.Item ? unmarshall(r.Item) : undefined;
    if (!item || typeof item.firstSeen !== "string") return undefined;
    return {
      target,
      firstSeen: item.firstSeen,
      ...(typeof item.expiresAt === "number" ? { expiresAt: item.expiresAt } : {}),
    };
  }

  async touchTarget(target: string, firstSeen: string, expiresAt?: number): Promise<TargetState> {
    const key = marshall(KEYS.accessProfile(target, TARGET_MARKER));
    const names = { "#type": "type" };
    const kind = { ":kind": "access-target", ":t": target, ":f": firstSeen };
    // Absent, or expired before this activity (DynamoDB's TTL deletes it within days, not at once):
    // the learning period starts here.
    if (
      await this.conditionalUpdate({
        Key: key,
        UpdateExpression: `SET #type = :kind, target = :t, firstSeen = :f${expiresAt !== undefined ? ", expiresAt = :e" : " REMOVE expiresAt"}`,
        ConditionExpression: "attribute_not_exists(firstSeen) OR expiresAt <= :fs",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall({
          ...kind,
          ":fs": Math.floor(Date.parse(firstSeen) / 1000),
          ...(expiresAt !== undefined ? { ":e": expiresAt } : {}),
        }),
      })
    )
      return { target, firstSeen, ...(expiresAt !== undefined ? { expiresAt } : {}) };
    await this.conditionalUpdate({
      Key: key,
      UpdateExpression: "SET firstSeen = :f",
      ConditionExpression: "firstSeen > :f",
      ExpressionAttributeValues: marshall({ ":f": firstSeen }),
    });
    if (expiresAt !== undefined)
      await this.conditionalUpdate({
        Key: key,
        UpdateExpression: "SET expiresAt = :e",
        ConditionExpression: "attribute_not_exists(expiresAt) OR expiresAt < :e",
        ExpressionAttributeValues: marshall({ ":e": expiresAt }),
      });
    return (await this.getTarget(target)) ?? { target, firstSeen };
  }

  /** One UpdateItem; false when its condition did not hold. */
  private async conditionalUpdate(
    input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], "TableName">,
  ): Promise<boolean> {
    try {
      this.writes += 1;
      await this.ddb.send(new UpdateItemCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      return false;
    }
  }
}

function size(v: unknown): number {
  return v instanceof Set ? v.size : 0;
}

/**
 * Distinct objects of a window's `ob` set: its hashes grouped by the key id that leads each (2 bytes;
 * an 8-byte hash stored before hashes carried an id is a group of its own), the larger group counted
 * — the semantics of `Activity.distinctObjects`, on the stored bytes.
 */
function objectsOf(v: unknown): number {
  return v instanceof Set
    ? Activity.largestGroup(v as Set<Uint8Array>, (b) => (b.length > 8 ? (b[0]! << 8) | b[1]! : -1))
    : 0;
}

function strings(v: unknown): string[] {
  return v instanceof Set ? [...v].map(String).sort() : [];
}

function totalsOf(
  item: Record<string, unknown>,
  d: { target: string; principal: { id: string }; windowStart: string },
): WindowTotals {
  const ovf = typeof item.ovf === "number" ? item.ovf : 0;
  return {
    target: d.target,
    principal: d.principal.id,
    windowStart: d.windowStart,
    reads: size(item.ev) + ovf,
    denied: size(item.dn),
    lists: size(item.ls),
    objects: objectsOf(item.ob),
    networks: strings(item.nw),
    vpces: strings(item.vp),
    uaClasses: strings(item.ua),
    overflow: ovf > 0,
    ...(item.flagged === true ? { flagged: true } : {}),
  };
}
