import { type Finding, type HistoryEntry, KEYS, severityRank } from "@phiwatch/core";

/** Table attributes of a finding item (the finding itself plus keys for GSI1–GSI4). */
export function findingItem(f: Finding): Record<string, unknown> {
  const { accountId, region, resourceId } = f.subject;
  return {
    ...KEYS.finding(f.findingId),
    type: "finding",
    ...f,
    // Status then severity then last change: "open findings by severity", newest first (query descending).
    GSI1PK: `S#${f.status}`,
    GSI1SK: `${severityRank(f.severity)}#${f.statusChangedAt}#${f.findingId}`,
    GSI2PK: KEYS.resourcePartition(accountId, region, resourceId),
    GSI2SK: `F#${f.ruleId}#${f.findingId}`,
    GSI3PK: `RULE#${f.ruleId}`,
    GSI3SK: `${f.firstSeen}#${f.findingId}`,
    GSI4PK: `M#${f.firstSeen.slice(0, 7)}`,
    GSI4SK: `${f.firstSeen}#${f.findingId}`,
  };
}

const NON_FINDING_ATTRS = new Set([
  "PK",
  "SK",
  "type",
  "GSI1PK",
  "GSI1SK",
  "GSI2PK",
  "GSI2SK",
  "GSI3PK",
  "GSI3SK",
  "GSI4PK",
  "GSI4SK",
  "expiresAt",
]);

/** The finding held by an item (stream images and query results), or undefined for other item kinds. */
export function findingFromItem(item: Record<string, unknown> | undefined): Finding | undefined {
  if (item?.type !== "finding") return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!NON_FINDING_ATTRS.has(k)) out[k] = v;
  return out as unknown as Finding;
}

export function historyItem(h: HistoryEntry): Record<string, unknown> {
  const { accountId, region, resourceId } = h.subject;
  return {
    ...KEYS.history(h.findingId, h.seq),
    type: "history",
    ...h,
    GSI2PK: KEYS.resourcePartition(accountId, region, resourceId),
    GSI2SK: `H#${h.at}#${h.findingId}#${String(h.seq).padStart(6, "0")}`,
  };
}

export function historyFromItem(item: Record<string, unknown>): HistoryEntry {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!NON_FINDING_ATTRS.has(k)) out[k] = v;
  return out as unknown as HistoryEntry;
}
