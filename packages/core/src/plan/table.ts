import { TABLE, tableAttributes } from "../table.ts";

/** What infra needs to create the findings table, derived from the single TABLE definition. */
export interface TableSpec {
  hashKey: string;
  rangeKey: string;
  attributes: Array<{ name: string; type: "S" }>;
  globalSecondaryIndexes: Array<{ name: string; hashKey: string; rangeKey: string; projectionType: "ALL" }>;
  ttlAttribute: string;
  streamViewType: "NEW_AND_OLD_IMAGES";
  billingMode: "PAY_PER_REQUEST";
  pointInTimeRecovery: true;
  deletionProtection: boolean;
}

/**
 * The table specification for a stage: on-demand, PITR, TTL, stream with both images, deletion
 * protection on protected stages.
 *
 * @example
 * ```ts
 * tableSpec(true).streamViewType; // "NEW_AND_OLD_IMAGES"
 * ```
 */
export function tableSpec(protectedStage: boolean): TableSpec {
  return {
    hashKey: TABLE.partitionKey,
    rangeKey: TABLE.sortKey,
    attributes: tableAttributes(),
    globalSecondaryIndexes: TABLE.indexes.map((i) => ({
      name: i.name,
      hashKey: i.partitionKey,
      rangeKey: i.sortKey,
      projectionType: "ALL" as const,
    })),
    ttlAttribute: TABLE.ttlAttribute,
    streamViewType: TABLE.stream,
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: true,
    deletionProtection: protectedStage,
  };
}
