import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type KeysAndAttributes,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { type Finding, KEYS } from "@phiwatch/core";
import { backoffPause } from "../sweep/backoff.ts";
import { DynamoFindingStore } from "./findings-store.ts";
import { findingFromItem } from "./items.ts";

/** Keys DynamoDB takes in one BatchGetItem. */
const BATCH = 100;
/** Rounds of asking again for unprocessed keys before leaving them to `getFinding`. */
const ROUNDS = 4;

/**
 * The findings store with `getFindings`: one strongly consistent `BatchGetItem` for up to 100 findings
 * instead of one `GetItem` each (`FindingRecorder`: the sweep reads those of an account's resources
 * together, every resource every hour; a Config change those of its resource and all its dependants). Its
 * own module, so only the functions that use it are granted `dynamodb:BatchGetItem` (docs/deploy.md,
 * "Least privilege"). Read units are the same as the `GetItem`s (one per item up to 4 KB); requests
 * and round trips are fewer.
 *
 * @example
 * ```ts
 * const store = new BatchReadFindingStore(new DynamoDBClient({}), Resource.Findings.name);
 * const read = await store.getFindings([idA, idB]); // Map { idA → Finding, idB → undefined }
 * ```
 */
export class BatchReadFindingStore extends DynamoFindingStore {
  async getFindings(findingIds: readonly string[]): Promise<Map<string, Finding | undefined>> {
    const out = new Map<string, Finding | undefined>();
    const unique = [...new Set(findingIds)];
    for (let i = 0; i < unique.length; i += BATCH) {
      const chunk = unique.slice(i, i + BATCH);
      const idOf = new Map(chunk.map((id) => [KEYS.finding(id).PK, id]));
      let pending: KeysAndAttributes["Keys"] = chunk.map((id) => marshall(KEYS.finding(id)));
      const found = new Set<string>();
      for (let round = 0; pending && pending.length > 0 && round < ROUNDS; round++) {
        // Unprocessed keys come back when the table is busy: asking again at once meets the same load.
        if (round > 0) await backoffPause(round, this.opts.backoff);
        const r: BatchGetItemCommandOutput = await this.ddb.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const raw of r.Responses?.[this.tableName] ?? []) {
          const item = unmarshall(raw);
          const id = idOf.get(String(item.PK));
          if (id === undefined) continue;
          found.add(id);
          out.set(id, findingFromItem(item));
        }
        pending = r.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
      // Answered without an item: no such finding. Still unprocessed: not read (left out of the map).
      const unread = new Set((pending ?? []).map((k) => String(unmarshall(k).PK)));
      for (const [pk, id] of idOf) if (!found.has(id) && !unread.has(pk)) out.set(id, undefined);
    }
    return out;
  }
}
