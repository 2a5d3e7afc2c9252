// Account-level Block Public Access is part of a PHI bucket's verdict (s3-block-public-access reads it
// as a fact): a change of the account's item re-evaluates the account's buckets at once, as a trail
// change re-evaluates them for data-event coverage — not at the next sweep.
// Account item: the published AWS Config RDK example (test/fixtures/README.md), in the demo account.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";

const ACCOUNT = "111122223333";
let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

function accountBlock(capturedAt: string, on: boolean) {
  const rdk = JSON.parse(
    readFileSync("test/fixtures/config/rdk__AWS_S3_AccountPublicAccessBlock.json", "utf8"),
  );
  const { accountId: _, ...item } = rdk;
  return {
    ...configChangeEvent({
      ...item,
      awsAccountId: ACCOUNT,
      resourceId: ACCOUNT,
      configurationItemCaptureTime: capturedAt,
      configuration: {
        blockPublicAcls: on,
        ignorePublicAcls: on,
        blockPublicPolicy: on,
        restrictPublicBuckets: on,
      },
    }),
    resources: [],
  };
}

const finding = async () =>
  (await store.listFindings({ ruleId: "s3-block-public-access", accountId: ACCOUNT })).items.find(
    (f) => f.subject.resourceId === "northwind-connect-recordings",
  );

describe("account-level Block Public Access re-evaluates the account's PHI buckets", () => {
  it("resolves a bucket's finding when the account turns all four flags on, and reopens it when they go off", async () => {
    // A PHI bucket with no bucket-level Block Public Access, before any account item is recorded.
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "AES256", kmsKeyId: null },
          publicAccessBlock: null,
        }),
      ),
    );
    expect((await finding())?.status).toBe("OPEN");

    await stack.dispatch(accountBlock("2026-03-03T16:00:00.000Z", true));
    expect((await finding())?.status).toBe("RESOLVED");

    await stack.dispatch(accountBlock("2026-03-03T17:00:00.000Z", false));
    expect((await finding())?.status).toBe("OPEN");
  });
});
