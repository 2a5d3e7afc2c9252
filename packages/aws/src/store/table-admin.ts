import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { TABLE, tableAttributes } from "@phiwatch/core";

/**
 * Create the findings table from the shared definition (local stack and tests; in AWS, infra/ does
 * it). Idempotent: an existing table is left as it is.
 */
export async function ensureTable(ddb: DynamoDBClient, tableName: string): Promise<{ streamArn?: string }> {
  try {
    const d = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    return d.Table?.LatestStreamArn ? { streamArn: d.Table.LatestStreamArn } : {};
  } catch (error) {
    if ((error as Error).name !== "ResourceNotFoundException") throw error;
  }
  const r = await ddb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: tableAttributes().map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: TABLE.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: "HASH" },
          { AttributeName: i.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.stream },
    }),
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    }),
  );
  return r.TableDescription?.LatestStreamArn ? { streamArn: r.TableDescription.LatestStreamArn } : {};
}
