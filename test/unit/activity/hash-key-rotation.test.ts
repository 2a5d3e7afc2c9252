// Object-key hashes carry the id of the key that made them, so a rotation of PHIWATCH_HASH_KEY never
// counts one object twice (docs/deploy.md "Rotating the secret").
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { learnFiles } from "../../../packages/cli/src/commands/learn.ts";
import { generateAccessScenario } from "../../../packages/cli/src/demo/access-scenario.ts";
import { Activity } from "../../../packages/core/src/index.ts";
import { demoBaseline } from "./helpers.ts";

const OLD = Activity.objectKeyHasher("rotation-unit-secret-before-01");
const NEW = Activity.objectKeyHasher("rotation-unit-secret-after-002");
const KEY = "connect/northwind-prod/CallRecordings/2026/03/03/c-1.wav";
const b = demoBaseline();

function read(i: number, key: string): Activity.CloudTrailRecord {
  return Activity.readCloudTrail({
    eventVersion: "1.09",
    eventTime: `2026-03-03T15:0${i % 10}:00Z`,
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    eventID: `rot-${i}`,
    eventCategory: "Data",
    managementEvent: false,
    readOnly: true,
    recipientAccountId: "111122223333",
    sourceIPAddress: "198.51.100.23",
    userAgent: "[aws-cli/2.17.60 md/awscrt#0.21.2]",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAEXAMPLE:qa",
      arn: "arn:aws:sts::111122223333:assumed-role/qa/qa",
      accountId: "111122223333",
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/qa" } },
    },
    requestParameters: { bucketName: "northwind-connect-recordings", key },
  })[0]!;
}

describe("object-key hasher", () => {
  it("leads each hash with its key's id, HMAC-SHA256(secret, label), and keeps the 64-bit keyed hash", () => {
    const secret = "rotation-unit-secret-before-01";
    const id = createHmac("sha256", secret).update("phiwatch:object-key-id:v1").digest("hex").slice(0, 4);
    expect(OLD.keyId).toBe(id);
    expect(OLD(KEY)).toBe(id + createHmac("sha256", secret).update(KEY).digest("hex").slice(0, 16));
    expect(OLD(KEY)).toMatch(/^[0-9a-f]{20}$/);
    expect(NEW.keyId).not.toBe(OLD.keyId);
    // The key id names the secret, never the object.
    expect(OLD(`${KEY}x`).slice(0, 4)).toBe(OLD.keyId);
  });
});

describe("distinct objects across a rotation", () => {
  it("counts the larger group of one key's hashes: an object hashed with two keys is one object", () => {
    const keys = ["a", "b", "c"].map((k) => `${KEY}${k}`);
    expect(Activity.distinctObjects(keys.map(OLD))).toBe(3);
    expect(Activity.distinctObjects([...keys.map(OLD), ...keys.map(NEW)])).toBe(3);
    expect(Activity.distinctObjects([...keys.map(OLD), NEW(keys[0]!)])).toBe(3);
    // Hashes stored before they carried a key id (16 hex) are a group of their own.
    const legacy = keys.map((k) => OLD(k).slice(4));
    expect(Activity.distinctObjects([...legacy, NEW(keys[0]!)])).toBe(3);
    expect(Activity.distinctObjects([])).toBe(0);
  });

  it("a batch delivered again after the rotation leaves the window's counts as they were (memory store)", async () => {
    const store = new Activity.MemoryAccessStore();
    const records = Array.from({ length: 30 }, (_, i) => read(i, `${KEY}-${i}`));
    const run = async (hasher: Activity.KeyHasher) =>
      Activity.processAccessEvents(
        records.map((r) => Activity.toAccessEvent(r, b, hasher)!),
        { store, baseline: b, detectors: [] },
      );
    await run(OLD);
    await run(NEW);
    const [w] = await store.listWindows(
      "northwind-connect-recordings",
      Activity.toAccessEvent(records[0]!, b, OLD)!.principal.id,
      "2026-03-03T15:00:00.000Z",
      "2026-03-03T15:15:00.000Z",
    );
    expect(w).toMatchObject({ reads: 30, objects: 30 });
  });
});

describe("phiwatch learn and the secret", () => {
  it("learns the same profiles whatever the secret: a backfill counts its objects in its own windows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phiwatch-rotation-learn-"));
    try {
      const { historyFiles } = await generateAccessScenario(dir);
      const learn = async (hashKey: Activity.KeyHasher) => {
        const store = new Activity.MemoryAccessStore();
        await learnFiles(historyFiles, { store, baseline: b, hashKey });
        return [...store.profiles.values()].sort((x, y) => (x.principal < y.principal ? -1 : 1));
      };
      const before = await learn(OLD);
      expect(before.some((p) => p.objMean > 0)).toBe(true);
      expect(await learn(NEW)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
