import {
  type Finding,
  type FindingChange,
  type FindingQuery,
  type FindingStore,
  type HistoryEntry,
  type Page,
  revisionAfter,
  severityRank,
} from "../../../packages/core/src/index.ts";

/** A FindingStore in memory with the same conditional semantics as the DynamoDB one (for unit tests). */
export class MemoryFindingStore implements FindingStore {
  readonly findings = new Map<string, Finding>();
  readonly history: HistoryEntry[] = [];
  queries: FindingQuery[] = [];

  async getFinding(id: string) {
    return this.findings.get(id);
  }
  /** Runs once, just before the next write is checked (another writer getting there first). */
  beforeWrite: ((store: MemoryFindingStore) => void) | undefined;

  async applyChange(change: FindingChange): Promise<"applied" | "conflict"> {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.(this);
    const cur = this.findings.get(change.next.findingId);
    if (
      change.expect === "absent"
        ? cur
        : !cur ||
          cur.revision !== change.expect.revision ||
          cur.transitions !== change.expect.transitions ||
          cur.lastSeen !== change.expect.lastSeen
    )
      return "conflict";
    this.findings.set(
      change.next.findingId,
      structuredClone({ ...change.next, revision: revisionAfter(change.expect) }),
    );
    if (change.history) this.history.push(change.history);
    return "applied";
  }
  async listFindings(q: FindingQuery): Promise<Page<Finding>> {
    this.queries.push(q);
    const all = [...this.findings.values()]
      .filter(
        (f) =>
          (!q.status || f.status === q.status) &&
          (!q.severity || severityRank(f.severity) >= severityRank(q.severity)) &&
          (!q.ruleId || f.ruleId === q.ruleId) &&
          (!q.accountId || f.subject.accountId === q.accountId) &&
          (!q.kind || f.kind === q.kind) &&
          (!q.resource ||
            (f.subject.resourceId === q.resource.resourceId && f.subject.accountId === q.resource.accountId)),
      )
      .sort((a, b) => a.findingId.localeCompare(b.findingId));
    const start = q.cursor ? Number(Buffer.from(q.cursor, "base64url").toString()) : 0;
    const limit = q.limit ?? 100;
    const items = all.slice(start, start + limit);
    return start + limit < all.length
      ? { items, cursor: Buffer.from(String(start + limit)).toString("base64url") }
      : { items };
  }
  async findingHistory(id: string) {
    return this.history.filter((h) => h.findingId === id);
  }
  async resourceHistory(r: { accountId: string; region: string; resourceId: string }) {
    return {
      items: this.history.filter(
        (h) =>
          h.subject.accountId === r.accountId &&
          h.subject.region === r.region &&
          h.subject.resourceId === r.resourceId,
      ),
    };
  }
}
