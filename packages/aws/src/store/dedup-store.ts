import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { KEYS } from "@phiwatch/core";

/** Conditional "first time?" records with TTL (dedup of at-least-once deliveries). */
export class DedupStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** True the first time (scope, id) is claimed within `ttlSeconds`; false afterwards. */
  async claim(scope: string, id: string, ttlSeconds: number, now = Date.now()): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            ...KEYS.dedup(scope, id),
            type: "dedup",
            expiresAt: Math.floor(now / 1000) + ttlSeconds,
          }),
          ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now",
          ExpressionAttributeValues: marshall({ ":now": Math.floor(now / 1000) }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}
