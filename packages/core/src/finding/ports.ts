import type { FindingChange } from "./lifecycle.ts";
import type { Finding, FindingKind, FindingStatus, HistoryEntry, Severity } from "./types.ts";

export interface FindingQuery {
  status?: FindingStatus;
  /** Minimum severity. */
  severity?: Severity;
  ruleId?: string;
  /** Only findings of this account / of this kind (applied as filters after the index query). */
  accountId?: string;
  kind?: FindingKind;
  /** Resource id (bucket name, key id, principal ARN) with account and region. */
  resource?: { accountId: string; region: string; resourceId: string };
  /** ISO-8601 bounds on first detection. */
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  /** Stop the page before its items' JSON passes this many bytes (it holds one item at least). */
  maxBytes?: number;
}

/** A page of drift history of one resource, oldest first. */
export interface HistoryQuery {
  /** ISO-8601 bounds on the transition time (inclusive). */
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  /** Stop the page before its entries' JSON passes this many bytes (it holds one entry at least). */
  maxBytes?: number;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/**
 * Where findings live. Implementations apply changes conditionally: a change whose expectation no
 * longer holds (another writer got there first — its revision, transitions or last-seen time differ)
 * returns `conflict` and the caller re-decides; an applied change stores `revisionAfter(expect)`.
 */
export interface FindingStore {
  getFinding(findingId: string): Promise<Finding | undefined>;
  /**
   * Several findings in as few requests as the store allows, each read as `getFinding` reads it
   * (strongly consistent). The map holds every id that was read (`undefined`: no such finding); an id
   * missing from it was not read (the caller reads it with `getFinding`). Optional: a store without
   * it is read one finding at a time.
   */
  getFindings?(findingIds: readonly string[]): Promise<Map<string, Finding | undefined>>;
  applyChange(change: FindingChange): Promise<"applied" | "conflict">;
  listFindings(query: FindingQuery): Promise<Page<Finding>>;
  findingHistory(findingId: string): Promise<HistoryEntry[]>;
  /** One page of a resource's drift history, oldest first (`limit` 100 by default, at most 500). */
  resourceHistory(
    resource: { accountId: string; region: string; resourceId: string },
    query?: HistoryQuery,
  ): Promise<Page<HistoryEntry>>;
}

/**
 * Every finding matching `query`, reading all pages (500 at a time).
 *
 * @example
 * ```ts
 * const open = await allFindings(store, { status: "OPEN", accountId: "111122223333" });
 * ```
 */
export async function allFindings(
  store: Pick<FindingStore, "listFindings">,
  query: Omit<FindingQuery, "cursor" | "limit"> = {},
): Promise<Finding[]> {
  const out: Finding[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listFindings({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * A resource's whole drift history, oldest first, reading all pages (500 at a time).
 *
 * @example
 * ```ts
 * const h = await allResourceHistory(store, { accountId, region, resourceId: "northwind-connect-recordings" });
 * ```
 */
export async function allResourceHistory(
  store: Pick<FindingStore, "resourceHistory">,
  resource: { accountId: string; region: string; resourceId: string },
  query: Omit<HistoryQuery, "cursor" | "limit"> = {},
): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.resourceHistory(resource, {
      ...query,
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
