import { type DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { KEYS, type Report } from "@phiwatch/core";

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
    let startKey: Record<string, unknown> | undefined;
    do {
      const r = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :a AND :b",
          ExpressionAttributeValues: marshall({
            ":pk": KEYS.postureSnapshot("").PK,
            ":a": q.from ?? "0",
            ":b": `${q.to ?? "9"}~`,
          }),
          ScanIndexForward: false,
          Limit: q.limit - out.length,
          ...(startKey ? { ExclusiveStartKey: marshall(startKey) } : {}),
        }),
      );
      for (const raw of r.Items ?? [])
        out.push(JSON.parse(String(unmarshall(raw).snapshot)) as PostureSnapshot);
      startKey = r.LastEvaluatedKey ? unmarshall(r.LastEvaluatedKey) : undefined;
    } while (startKey && out.length < q.limit);
    return out;
  }
}
