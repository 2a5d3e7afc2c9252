/**
 * The findings table: one DynamoDB table for findings, drift history, the resource inventory, access
 * windows and profiles, posture snapshots and idempotency records. This is the single source of truth for
 * its keys, indexes, TTL and stream: `infra/storage.ts` and the local stack both read it.
 * The design and its access patterns are in `docs/data-model.md`.
 */
export const TABLE = {
  /** Logical name (SST link name). */
  logicalName: "Findings",
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "expiresAt",
  stream: "NEW_AND_OLD_IMAGES" as const,
  /**
   * Point-in-time recovery period in days: AWS's default and maximum, which the deploy keeps by setting
   * none (infra/storage.ts; the pinned Pulumi AWS provider's `pointInTimeRecovery` takes only `enabled`).
   * tamper-phiwatch reports a shorter one.
   */
  recoveryPeriodDays: 35,
  indexes: [
    /** Findings by status, ordered by severity rank then last change: "open findings by severity". */
    { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
    /** Findings and history by resource: "findings of a resource", "drift history of a resource in time order". */
    { name: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK" },
    /** Findings by control/detector id, ordered by first seen. */
    { name: "GSI3", partitionKey: "GSI3PK", sortKey: "GSI3SK" },
    /** Findings by month of first detection, ordered by time: "findings in a time range". */
    { name: "GSI4", partitionKey: "GSI4PK", sortKey: "GSI4SK" },
  ],
} as const;

export type TableIndexName = (typeof TABLE.indexes)[number]["name"];

/** Key attributes (all strings), for CreateTable and for infra. */
export function tableAttributes(): Array<{ name: string; type: "S" }> {
  const names = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const i of TABLE.indexes) {
    names.add(i.partitionKey);
    names.add(i.sortKey);
  }
  return [...names].map((name) => ({ name, type: "S" as const }));
}

/**
 * Key layout of every item kind (see docs/data-model.md). All writers build keys here, so the
 * layout is defined once.
 */
export const KEYS = {
  finding: (findingId: string) => ({ PK: `F#${findingId}`, SK: "F" }),
  /** One history entry per transition number: a conditional put makes it idempotent. */
  history: (findingId: string, seq: number) => ({
    PK: `F#${findingId}`,
    SK: `H#${String(seq).padStart(6, "0")}`,
  }),
  historyPrefix: "H#",
  /** Partition of GSI2 for one resource (its findings and its drift history). */
  resourcePartition: (accountId: string, region: string, resourceId: string) =>
    `R#${accountId}#${region}#${resourceId}`,
  /** Latest configuration of one resource (the inventory for cross-resource controls). */
  inventory: (accountId: string, region: string, resourceType: string, resourceId: string) => ({
    PK: `I#${accountId}#${region}#${resourceType}#${resourceId}`,
    SK: "CURRENT",
  }),
  /** Access counters of one (target, principal) in one window. */
  accessWindow: (target: string, principal: string, windowStart: string) => ({
    PK: `W#${target}#${principal}`,
    SK: windowStart,
  }),
  /** Learned access profile of one (target, principal). */
  accessProfile: (target: string, principal: string) => ({ PK: `P#${target}#${principal}`, SK: "PROFILE" }),
  postureSnapshot: (at: string) => ({ PK: "POSTURE", SK: at }),
} as const;

/**
 * A point-in-time-recovery period in days as a record carries it (a number, or a numeric string), or
 * undefined when there is none or it does not read as a number. Shared by tamper-phiwatch (the
 * UpdateContinuousBackups request) and phiwatch-self-protection (the table's recorded description).
 */
export function recoveryPeriodOf(raw: unknown): number | undefined {
  const days =
    typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  return Number.isFinite(days) ? days : undefined;
}
