// The KMS key a trail encrypts its log files with is disabled without the trail changing: S3 can no
// longer get a data key for a log file, so the trail delivers nothing while it still reads as logging.
// The config-change handler re-evaluates the trails that name the key (cloudtrail-kms's dependsOn +
// affectedBy), so the finding opens on the key's change, not at the next hourly sweep.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";

const ACCOUNT = "111122223333";
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;

/** A Config item of the API shape (fixtures) in the EventBridge event's shape, in our account. */
function eventItem(ci: Record<string, unknown>, capturedAt: string): Record<string, unknown> {
  const { accountId: _a, arn, version, ...rest } = ci;
  return {
    ...rest,
    awsAccountId: ACCOUNT,
    ARN: arn,
    configurationItemVersion: version,
    configurationItemCaptureTime: capturedAt,
  };
}

/** The RDK trail item, in us-east-1, encrypting its log files with the key (by ARN, as Config records it). */
function trail(name: string, capturedAt: string, kmsKeyId?: string) {
  const ci = json("test/fixtures/config/rdk__AWS_Cloudtrail_Trail.json");
  const arn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`;
  Object.assign(ci, { resourceId: name, arn, awsRegion: "us-east-1" });
  Object.assign(ci.configuration, { name, trailARN: arn, homeRegion: "us-east-1" });
  if (kmsKeyId) ci.configuration.kmsKeyId = kmsKeyId;
  return configChangeEvent(eventItem(ci, capturedAt));
}

/** The real customer-managed key (Custodian's recorded SelectResourceConfig) in the RDK KMS item's shape. */
function key(capturedAt: string, state: { keyState: string; enabled: boolean }) {
  const rec = json("test/fixtures/api/custodian__config.SelectResourceConfig_KMSKey_CUSTOMER.json");
  const frag = JSON.parse(rec.data.Results[0]);
  const ci = json("test/fixtures/config/rdk__AWS_KMS_Key.json");
  Object.assign(ci, {
    resourceId: KEY_ID,
    arn: KEY_ARN,
    configuration: { ...frag.configuration, arn: KEY_ARN, ...state },
    supplementaryConfiguration: frag.supplementaryConfiguration,
  });
  return configChangeEvent(eventItem(ci, capturedAt));
}

let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

const finding = async (trailName: string) =>
  (await store.listFindings({ ruleId: "cloudtrail-kms" })).items.find(
    (f) => f.subject.resourceId === trailName,
  );

describe("a KMS key change re-evaluates the trails that encrypt with it", () => {
  it("opens cloudtrail-kms on the trail when its key is disabled, and resolves it when re-enabled", async () => {
    await stack.dispatch(key("2026-03-01T10:00:00.000Z", { keyState: "Enabled", enabled: true }));
    await stack.dispatch(trail("audit", "2026-03-01T10:05:00.000Z", KEY_ARN));
    // A trail without a key fails on its own (SSE-S3) and does not name the key.
    await stack.dispatch(trail("plain", "2026-03-01T10:06:00.000Z"));
    expect(await finding("audit")).toBeUndefined(); // customer-managed key, Enabled: compliant
    const unrelated = await finding("plain");
    expect(unrelated?.status).toBe("OPEN");

    await stack.dispatch(key("2026-03-02T08:00:00.000Z", { keyState: "Disabled", enabled: false }));
    const f = await finding("audit");
    expect(f).toMatchObject({
      status: "OPEN",
      summary:
        "the trail's key is Disabled: KMS refuses the data key for each log file, so CloudTrail delivers none",
    });
    expect(f!.evidence).toMatchObject({ keyArn: KEY_ARN, keyState: "Disabled" });
    const [opened] = await store.findingHistory(f!.findingId);
    expect(opened!.cause).toMatch(/^dependency:AWS::KMS::Key:/);
    // The trail that does not name the key was not re-evaluated.
    expect((await finding("plain"))!.lastSeen).toBe(unrelated!.lastSeen);

    await stack.dispatch(key("2026-03-03T08:00:00.000Z", { keyState: "Enabled", enabled: true }));
    expect((await finding("audit"))?.status).toBe("RESOLVED");
  });
});
