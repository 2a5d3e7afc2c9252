// A bucket change re-evaluates the KMS keys of its account that the kms-* controls may judge
// differently: those the bucket's previous or new default encryption names (every key when either
// names an alias). The previous item comes back in the inventory put's response (ALL_OLD). Through the
// config-change handler against DynamoDB Local; the keys re-evaluated are those whose findings the
// change read (one BatchGetItem per 100 findings: `FindingRecorder`).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearFactCache,
  DynamoFindingStore,
  InventoryStore,
  processSnapshot,
} from "../../../packages/aws/src/index.ts";
import {
  bucketConfigurationItem,
  configChangeEvent,
  kmsKeyConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  allFindings,
  CONTROLS,
  ControlSet,
  type FindingChange,
  findingId,
  fromConfigurationItem,
  parseBaseline,
} from "../../../packages/core/src/index.ts";
import { demoBaselineFileWithAccounts } from "../../helpers/baseline.ts";
import { recordHandlerRequests, type SentRequest } from "../../helpers/handler-requests.ts";

const ACCOUNTS = ["333300000001", "333300000002", "333300000003", "333300000004", "333300000005"];
const REGION = "us-east-1";
let stack: LocalStack;
let store: DynamoFindingStore;
let baselineFile: string;
let stopRecording: (() => Promise<void>) | undefined;
const sent: SentRequest[] = [];

beforeAll(async () => {
  baselineFile = demoBaselineFileWithAccounts(ACCOUNTS, "bucket-keys-");
  stack = await LocalStack.start({ baselineFile });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  stopRecording = await recordHandlerRequests("bucketKeysRequestCounter", sent);
});
afterAll(async () => {
  await stopRecording?.();
  await stack?.stop();
});

const keyId = (i: number) => `7c1d2e3f-4a5b-4c6d-8e9f-${String(i).padStart(12, "0")}`;
const keyArn = (account: string, i: number) => `arn:aws:kms:${REGION}:${account}:key/${keyId(i)}`;
let minute = 0;
const at = () => new Date(Date.UTC(2026, 2, 3, 9) + minute++ * 60_000).toISOString();
const PAB = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const bucketItem = (account: string, name: string, ref?: string, deleted = false) =>
  bucketConfigurationItem({
    name,
    accountId: account,
    capturedAt: at(),
    ...(deleted ? { status: "ResourceDeleted" as const } : {}),
    sse: ref ? { algorithm: "aws:kms", kmsKeyId: ref } : { algorithm: "AES256" },
    publicAccessBlock: PAB,
  });
const bucket = (account: string, name: string, ref?: string, deleted = false) =>
  stack.dispatch(configChangeEvent(bucketItem(account, name, ref, deleted)));
const key = (account: string, i: number, keyState = "Enabled") => {
  const item = kmsKeyConfigurationItem({
    keyId: keyId(i),
    accountId: account,
    keyManager: "CUSTOMER",
    capturedAt: at(),
  });
  const configuration = item.configuration as Record<string, unknown>;
  return stack.dispatch(
    configChangeEvent({
      ...item,
      configuration: { ...configuration, keyState, enabled: keyState === "Enabled" },
    }),
  );
};

const KEY_CONTROLS = CONTROLS.filter((c) => c.resourceTypes.includes("AWS::KMS::Key")).map((c) => c.id);
/** The keys (by index) whose findings the requests since the last reset read: the keys re-evaluated. */
function reevaluatedKeys(account: string, keys: number): number[] {
  const byPk = new Map<string, number>();
  for (let i = 0; i < keys; i++)
    for (const rule of KEY_CONTROLS)
      byPk.set(
        `F#${findingId(rule, { accountId: account, region: REGION, resourceType: "AWS::KMS::Key", resourceId: keyId(i) })}`,
        i,
      );
  const asked = sent
    .filter((s) => s.command === "BatchGetItemCommand")
    .flatMap((s) =>
      Object.values(s.input.RequestItems as Record<string, { Keys: Array<{ PK: { S: string } }> }>).flatMap(
        (t) => t.Keys.map((k) => k.PK.S),
      ),
    );
  return [...new Set(asked.flatMap((pk) => (byPk.has(pk) ? [byPk.get(pk)!] : [])))].sort((a, b) => a - b);
}
const keyFindings = async (account: string, rule: string) =>
  new Map(
    (await allFindings(store, { accountId: account }))
      .filter((f) => f.ruleId === rule)
      .map((f) => [f.subject.resourceId, f]),
  );

describe("config-change: a bucket change re-evaluates the keys its old or new encryption names", () => {
  it("re-evaluates 1 or 2 of an account's 30 keys, not all of them (every key only for an alias)", async () => {
    const account = ACCOUNTS[0]!;
    for (let i = 0; i < 30; i++) await key(account, i);
    const step = async (change: () => Promise<unknown>) => {
      sent.length = 0;
      await change();
      return reevaluatedKeys(account, 30);
    };
    // First record: no key was decided with the bucket, only the key it names can move.
    expect(await step(() => bucket(account, "northwind-ctr-k", keyArn(account, 0)))).toEqual([0]);
    // Recorded again (same key): that key (its evidence names the bucket).
    expect(await step(() => bucket(account, "northwind-ctr-k", keyArn(account, 0)))).toEqual([0]);
    // Moved to key 1, named by key id: the old key and the new one.
    expect(await step(() => bucket(account, "northwind-ctr-k", keyId(1)))).toEqual([0, 1]);
    // A bucket on SSE-S3, PHI or not: none.
    expect(await step(() => bucket(account, "app-assets-k"))).toEqual([]);
    expect(await step(() => bucket(account, "northwind-ctr-s3"))).toEqual([]);
    // An alias could be any key: all of them, as before.
    expect(await step(() => bucket(account, "northwind-ctr-k", "alias/phi-ctr"))).toHaveLength(30);
    // Away from the alias: all of them again (the alias may have named any).
    expect(await step(() => bucket(account, "northwind-ctr-k", keyArn(account, 2)))).toHaveLength(30);
    // Deleted: the key it named.
    expect(await step(() => bucket(account, "northwind-ctr-k", undefined, true))).toEqual([2]);
  });

  it("resolves a key's PHI-key findings when its last PHI bucket moves to another key, and only then", async () => {
    const account = ACCOUNTS[1]!;
    for (let i = 1; i <= 3; i++) await key(account, i);
    // kms-rotation: rotation is not recorded in these items, so every PHI key is a "cannot prove" finding.
    await bucket(account, "northwind-ctr-x", keyArn(account, 1));
    await bucket(account, "northwind-ctr-y", keyArn(account, 3));
    await bucket(account, "northwind-ctr-z", keyId(3));
    let f = await keyFindings(account, "kms-rotation");
    expect([...f.keys()].sort()).toEqual([keyId(1), keyId(3)]);
    expect([f.get(keyId(1))!.status, f.get(keyId(3))!.status]).toEqual(["OPEN", "OPEN"]);

    // x moves from key 1 to key 2: no other PHI bucket uses key 1.
    await bucket(account, "northwind-ctr-x", keyArn(account, 2));
    f = await keyFindings(account, "kms-rotation");
    expect(f.get(keyId(1))!.status).toBe("RESOLVED");
    expect(f.get(keyId(2))!.status).toBe("OPEN");
    expect((await store.findingHistory(f.get(keyId(1))!.findingId)).at(-1)!.cause).toMatch(
      /^dependency:AWS::S3::Bucket:/,
    );

    // y leaves key 3, which z still uses: key 3 stays a PHI key.
    await bucket(account, "northwind-ctr-y", keyArn(account, 2));
    f = await keyFindings(account, "kms-rotation");
    expect(f.get(keyId(3))!.status).toBe("OPEN");
    // z, key 3's last PHI bucket, is deleted: resolved.
    await bucket(account, "northwind-ctr-z", undefined, true);
    f = await keyFindings(account, "kms-rotation");
    expect(f.get(keyId(3))!.status).toBe("RESOLVED");
    expect(f.get(keyId(2))!.status).toBe("OPEN");
  });

  it("a retry of a change whose first attempt failed after its put re-evaluates every key", async () => {
    // The first attempt stored the move from key 1 to key 2, then failed to write key 1's findings.
    // The retry's put replaces the item with itself: what the first attempt replaced is not known.
    const account = ACCOUNTS[2]!;
    for (let i = 1; i <= 4; i++) await key(account, i);
    await bucket(account, "northwind-ctr-r", keyArn(account, 1));
    expect((await keyFindings(account, "kms-rotation")).get(keyId(1))!.status).toBe("OPEN");
    let failing = true;
    const flaky = Object.assign(Object.create(store) as DynamoFindingStore, {
      applyChange: async (change: FindingChange) => {
        if (failing && change.next.subject.resourceId === keyId(1))
          throw Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException" });
        return store.applyChange(change);
      },
    });
    const deps = {
      baseline: parseBaseline(readFileSync(baselineFile, "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      findings: flaky,
    };
    const moved = fromConfigurationItem(bucketItem(account, "northwind-ctr-r", keyArn(account, 2)));
    await expect(processSnapshot(deps, moved, "evt-move")).rejects.toThrow("Rate exceeded");
    expect((await keyFindings(account, "kms-rotation")).get(keyId(1))!.status).toBe("OPEN");
    failing = false;
    const retry = await processSnapshot(deps, moved, "evt-move");
    expect(retry.dependants).toBe(4);
    expect((await keyFindings(account, "kms-rotation")).get(keyId(1))!.status).toBe("RESOLVED");
  });
});

describe("config-change: a PHI bucket that names its key by alias", () => {
  it("makes the key behind the alias a PHI key: DescribeKey of the alias, asked once the bucket inventory is read", async () => {
    const account = ACCOUNTS[3]!;
    for (let i = 1; i <= 3; i++) await key(account, i, i === 2 ? "PendingDeletion" : "Enabled");
    clearFactCache();
    const asked: string[] = [];
    const kmsFor = (accountId: string, region: string) =>
      ({
        send: async (cmd: { constructor: { name: string }; input: { KeyId: string } }) => {
          asked.push(`${cmd.constructor.name} ${accountId} ${region} ${cmd.input.KeyId}`);
          if (cmd.constructor.name !== "DescribeKeyCommand") return { KeyRotationEnabled: true };
          const arn = cmd.input.KeyId === "alias/phi-ctr" ? keyArn(account, 2) : cmd.input.KeyId;
          return { KeyMetadata: { Arn: arn, KeyManager: "CUSTOMER", KeyState: "Enabled" } };
        },
      }) as never;
    const deps = {
      baseline: parseBaseline(readFileSync(baselineFile, "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      findings: store,
      kmsFor,
    };
    const onAlias = fromConfigurationItem(bucketItem(account, "northwind-ctr-a", "alias/phi-ctr"));
    await processSnapshot(deps, onAlias, "evt-alias");
    let f = await keyFindings(account, "kms-key-usable");
    expect([...f.keys()]).toEqual([keyId(2)]);
    expect(f.get(keyId(2))).toMatchObject({
      status: "OPEN",
      summary: "key state is PendingDeletion: PHI under it cannot be decrypted",
    });
    expect(f.get(keyId(2))!.evidence.phiBecause).toEqual([
      "default encryption of PHI bucket northwind-ctr-a, through alias/phi-ctr",
    ]);
    expect(asked).toContain(`DescribeKeyCommand ${account} ${REGION} alias/phi-ctr`);
    // The bucket names key 1 by ARN now: key 2 protects no PHI bucket any more.
    const moved = fromConfigurationItem(bucketItem(account, "northwind-ctr-a", keyArn(account, 1)));
    await processSnapshot(deps, moved, "evt-move");
    f = await keyFindings(account, "kms-key-usable");
    expect(f.get(keyId(2))!.status).toBe("RESOLVED");
  });

  it("offline (no KMS): cannot prove a failing key of the bucket's account and region is not behind the alias", async () => {
    const account = ACCOUNTS[4]!;
    await key(account, 1, "PendingDeletion");
    await key(account, 2);
    await bucket(account, "northwind-ctr-b", "alias/phi-ctr");
    const f = await keyFindings(account, "kms-key-usable");
    expect([...f.keys()]).toEqual([keyId(1)]);
    expect(f.get(keyId(1))).toMatchObject({ status: "OPEN" });
    expect(f.get(keyId(1))!.summary).toMatch(/^cannot prove /);
    expect(f.get(keyId(1))!.evidence).toMatchObject({
      proof: "cannot prove",
      unresolvedAliases: [
        {
          bucket: "northwind-ctr-b",
          alias: "alias/phi-ctr",
          reason: "no KMS access in local mode and no AWS::KMS::Key item recorded",
        },
      ],
    });
  });
});
