import { describe, expect, it } from "vitest";
import {
  clearFactCache,
  InventoryBatch,
  type InventoryReader,
  resolveFacts,
} from "../../../packages/aws/src/facts.ts";
import type { FactRequest, ResourceSnapshot } from "../../../packages/core/src/index.ts";

const ACCT = "111122223333";
const snap = (resourceType: string, resourceId: string, arn?: string): ResourceSnapshot => ({
  accountId: ACCT,
  region: "us-east-1",
  resourceType,
  resourceId,
  ...(arn ? { arn } : {}),
  capturedAt: "2026-03-01T00:00:00.000Z",
  state: "present",
  configuration: {},
  supplementary: {},
  tags: {},
  source: "config",
});

/** An inventory that counts its reads (and can be slow, to show concurrent asks sharing one read). */
function countingInventory(items: ResourceSnapshot[]) {
  const calls = { list: 0, get: 0 };
  const reader: InventoryReader = {
    async list(accountId, resourceType) {
      calls.list++;
      await new Promise((r) => setTimeout(r, 5));
      return items.filter((s) => s.accountId === accountId && s.resourceType === resourceType);
    },
    async get(accountId, region, resourceType, resourceId) {
      calls.get++;
      return items.find(
        (s) =>
          s.accountId === accountId &&
          s.region === region &&
          s.resourceType === resourceType &&
          s.resourceId === resourceId,
      );
    },
  };
  return { reader, calls };
}

const buckets = Array.from({ length: 50 }, (_, i) =>
  snap("AWS::S3::Bucket", `b-${i}`, `arn:aws:s3:::b-${i}`),
);
const trails = [
  snap("AWS::CloudTrail::Trail", "org-trail", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"),
];
const policy = snap("AWS::IAM::Policy", "ANPAEXAMPLE", "arn:aws:iam::111122223333:policy/app");
const inventoryRequest = (resourceType: string, ref?: string): FactRequest => ({
  kind: "inventory",
  resourceType,
  accountId: ACCT,
  ...(ref ? { ref } : {}),
});

describe("resolveFacts inventory reads", () => {
  it("reads each list once per call, even when asked concurrently", async () => {
    const { reader, calls } = countingInventory([...buckets, ...trails, policy]);
    await resolveFacts(
      [
        inventoryRequest("AWS::IAM::Policy", policy.arn),
        inventoryRequest("AWS::IAM::Policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        inventoryRequest("AWS::S3::Bucket"),
        inventoryRequest("AWS::S3::Bucket"),
      ],
      { inventory: reader },
    );
    expect(calls.list).toBe(2);
  });

  it("shares reads across a batch: re-evaluating 50 dependants lists each type once, not 50 times", async () => {
    const { reader, calls } = countingInventory([...buckets, ...trails]);
    const batch = new InventoryBatch(reader);
    for (const b of await batch.list(ACCT, "AWS::S3::Bucket")) {
      const facts = await resolveFacts(
        [inventoryRequest("AWS::CloudTrail::Trail"), inventoryRequest("AWS::S3::Bucket")],
        { inventory: batch },
      );
      expect(facts.inventory("AWS::CloudTrail::Trail", ACCT)).toHaveLength(1);
      expect(facts.inventory("AWS::S3::Bucket", ACCT, b.resourceId)).toEqual([b]);
    }
    expect(calls.list).toBe(2);
    expect(batch.storeReads).toBe(2);

    // Without the batch: one list of each type per evaluation.
    const plain = countingInventory([...buckets, ...trails]);
    for (let i = 0; i < 50; i++)
      await resolveFacts([inventoryRequest("AWS::CloudTrail::Trail"), inventoryRequest("AWS::S3::Bucket")], {
        inventory: plain.reader,
      });
    expect(plain.calls.list).toBe(100);
  });

  it("looks up one resource by id or ARN, as before, in list order", async () => {
    const twin = snap("AWS::S3::Bucket", "arn:aws:s3:::b-3"); // an id equal to another item's ARN
    const { reader } = countingInventory([...buckets, twin]);
    const facts = await resolveFacts([inventoryRequest("AWS::S3::Bucket")], { inventory: reader });
    expect(facts.inventory("AWS::S3::Bucket", ACCT, "b-7")?.map((s) => s.resourceId)).toEqual(["b-7"]);
    expect(facts.inventory("AWS::S3::Bucket", ACCT, "arn:aws:s3:::b-3")?.map((s) => s.resourceId)).toEqual([
      "b-3",
      "arn:aws:s3:::b-3",
    ]);
    expect(facts.inventory("AWS::S3::Bucket", ACCT, "nope")).toEqual([]);
    expect(facts.inventory("AWS::IAM::Role", ACCT)).toBeUndefined();
  });

  it("does not remember a failed read", async () => {
    let fail = true;
    const reader: InventoryReader = {
      list: async () => {
        if (fail) {
          fail = false;
          throw new Error("throttled");
        }
        return buckets;
      },
      get: async () => undefined,
    };
    const batch = new InventoryBatch(reader);
    await expect(batch.list(ACCT, "AWS::S3::Bucket")).rejects.toThrow("throttled");
    await expect(batch.list(ACCT, "AWS::S3::Bucket")).resolves.toHaveLength(50);
  });
});

describe("resolveFacts key facts: DescribeKey in the key's own account and region", () => {
  const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
  const keyRequest = (ref: string): FactRequest => ({
    kind: "kms-key",
    ref,
    accountId: ACCT,
    region: "us-east-1",
  });
  /** A KMS client per (account, region) that records what it was asked and answers as KMS does. */
  function kmsPerAccountRegion(reachable: (accountId: string) => boolean) {
    const asked: string[] = [];
    const kmsFor = (accountId: string, region: string) =>
      reachable(accountId)
        ? ({
            send: async (cmd: { constructor: { name: string }; input: { KeyId: string } }) => {
              asked.push(`${cmd.constructor.name} ${accountId} ${region} ${cmd.input.KeyId}`);
              if (cmd.constructor.name === "DescribeKeyCommand")
                return { KeyMetadata: { Arn: cmd.input.KeyId, KeyManager: "CUSTOMER", KeyState: "Enabled" } };
              return { KeyRotationEnabled: true };
            },
          } as never)
        : undefined;
    return { asked, kmsFor };
  }

  it("asks the key's region and account named by its ARN, not the item's", async () => {
    clearFactCache();
    const { asked, kmsFor } = kmsPerAccountRegion(() => true);
    const ref = `arn:aws:kms:eu-west-1:444455556666:key/${KEY}`;
    const facts = await resolveFacts([keyRequest(ref)], { inventory: countingInventory([]).reader, kmsFor });
    expect(facts.kmsKey(ref, ACCT, "us-east-1")).toMatchObject({
      ok: true,
      value: { keyManager: "CUSTOMER" },
    });
    expect(asked).toEqual([
      `DescribeKeyCommand 444455556666 eu-west-1 ${ref}`,
      `GetKeyRotationStatusCommand 444455556666 eu-west-1 ${ref}`,
    ]);
  });

  it("keeps the key's origin, and does not ask rotation of a key KMS cannot rotate automatically", async () => {
    clearFactCache();
    const asked: string[] = [];
    const kmsFor = () =>
      ({
        send: async (cmd: { constructor: { name: string }; input: { KeyId: string } }) => {
          asked.push(cmd.constructor.name);
          if (cmd.constructor.name === "DescribeKeyCommand")
            return {
              KeyMetadata: {
                Arn: cmd.input.KeyId,
                KeyManager: "CUSTOMER",
                KeyState: "Enabled",
                Origin: "EXTERNAL",
              },
            };
          throw Object.assign(new Error("not supported"), { name: "UnsupportedOperationException" });
        },
      }) as never;
    const ref = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY}`;
    const facts = await resolveFacts([keyRequest(ref)], { inventory: countingInventory([]).reader, kmsFor });
    expect(facts.kmsKey(ref, ACCT, "us-east-1")).toMatchObject({
      ok: true,
      value: { keyManager: "CUSTOMER", origin: "EXTERNAL" },
    });
    expect(asked).toEqual(["DescribeKeyCommand"]);
  });

  it("falls back to the item's account when phiwatch cannot enter the key's account", async () => {
    clearFactCache();
    const { asked, kmsFor } = kmsPerAccountRegion((a) => a === ACCT);
    const ref = `arn:aws:kms:us-east-2:444455556666:key/${KEY}`;
    await resolveFacts([keyRequest(ref)], { inventory: countingInventory([]).reader, kmsFor });
    expect(asked[0]).toBe(`DescribeKeyCommand ${ACCT} us-east-2 ${ref}`);
  });

  it("a key id or alias is the item's account and region", async () => {
    clearFactCache();
    const { asked, kmsFor } = kmsPerAccountRegion(() => true);
    await resolveFacts([keyRequest("alias/aws/s3")], { inventory: countingInventory([]).reader, kmsFor });
    expect(asked[0]).toBe(`DescribeKeyCommand ${ACCT} us-east-1 alias/aws/s3`);
  });

  it("reads a cross-account key's Config item in the key's account, without asking KMS", async () => {
    clearFactCache();
    const { asked, kmsFor } = kmsPerAccountRegion(() => true);
    const key: ResourceSnapshot = {
      ...snap("AWS::KMS::Key", KEY),
      accountId: "444455556666",
      region: "eu-west-1",
      configuration: { keyManager: "AWS", arn: `arn:aws:kms:eu-west-1:444455556666:key/${KEY}` },
    };
    const ref = `arn:aws:kms:eu-west-1:444455556666:key/${KEY}`;
    const facts = await resolveFacts([keyRequest(ref)], {
      inventory: countingInventory([key]).reader,
      kmsFor,
    });
    expect(facts.kmsKey(ref, ACCT, "us-east-1")).toMatchObject({ ok: true, value: { keyManager: "AWS" } });
    expect(asked).toEqual([]);
  });

  it("says why when no account it can enter can answer", async () => {
    clearFactCache();
    const { kmsFor } = kmsPerAccountRegion(() => false);
    const ref = `arn:aws:kms:us-east-1:444455556666:key/${KEY}`;
    const facts = await resolveFacts([keyRequest(ref)], { inventory: countingInventory([]).reader, kmsFor });
    expect(facts.kmsKey(ref, ACCT, "us-east-1")).toEqual({
      ok: false,
      reason: "no KMS access to account 444455556666 and no AWS::KMS::Key item recorded",
    });
  });
});
