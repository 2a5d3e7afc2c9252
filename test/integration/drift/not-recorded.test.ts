// ResourceNotRecorded: Config stopped recording the resource (its type was taken out of the recorder,
// or the recorder was stopped). Its configuration is unknown, not fixed: findings stay as they are (no
// history entry, no alert), and the inventory keeps the last configuration recorded, so the
// cross-resource controls that read it (a bucket for its trail, a role for its managed policies) do
// not turn on a resource that merely stopped being recorded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";

let stack: LocalStack;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
});
afterAll(async () => {
  await stack?.stop();
});

const bucket = (capturedAt: string, status?: string) => {
  const item = bucketConfigurationItem({
    name: "northwind-connect-recordings",
    capturedAt,
    sse: { algorithm: "AES256", kmsKeyId: null },
    publicAccessBlock: {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    },
  });
  // As Config sends it: status ResourceNotRecorded, with no configuration.
  return status
    ? { ...item, configurationItemStatus: status, configuration: null, supplementaryConfiguration: {} }
    : item;
};

describe("a ResourceNotRecorded item", () => {
  it("leaves findings and the inventory's last recorded configuration as they are", async () => {
    const findings = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const inventory = new InventoryStore(stack.ddb, LOCAL_NAMES.table);
    await stack.dispatch(configChangeEvent(bucket("2026-03-03T15:00:00.000Z")));
    const open = (await findings.listFindings({ ruleId: "s3-encryption-cmk" })).items;
    expect(open.map((f) => f.status)).toEqual(["OPEN"]);

    expect(
      await stack.dispatch(configChangeEvent(bucket("2026-03-04T15:00:00.000Z", "ResourceNotRecorded"))),
    ).toEqual(["config-change"]);
    const after = (await findings.listFindings({ ruleId: "s3-encryption-cmk" })).items;
    expect(after.map((f) => f.status)).toEqual(["OPEN"]);
    expect(await findings.findingHistory(open[0]!.findingId)).toHaveLength(1);
    const stored = await inventory.get(
      "111122223333",
      "us-east-1",
      "AWS::S3::Bucket",
      "northwind-connect-recordings",
    );
    expect(stored).toMatchObject({ state: "present", capturedAt: "2026-03-03T15:00:00.000Z" });
  });
});
