// DynamoDB refuses an item over 400 KB (ValidationException). Evidence is what a control or detector
// produced, and an identity control on an admin role over many PHI buckets lists every (action,
// bucket) it may perform: far more than 400 KB. The lifecycle stores evidence bounded (lists cut,
// long strings cut, what was left out counted, `evidenceTruncated: true`), so the finding item and
// its history entry fit, the transition is recorded, and re-evaluating the same resource is a no-op.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore } from "../../../packages/aws/src/index.ts";
import { configChangeEvent, iamRoleConfigurationItem } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  findingId,
  KEYS,
  MAX_EVIDENCE_BYTES,
  type Observation,
  recordObservation,
} from "../../../packages/core/src/index.ts";

const ACCOUNT = "111122223333";
const BUCKETS = 2000;
const dir = mkdtempSync(join(tmpdir(), "phiwatch-large-evidence-"));
let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  // A health system with many PHI buckets (one per clinic and year), marked by a tag as
  // docs/baseline.md advises for many buckets; the identity controls name them from the inventory.
  const baselineFile = join(dir, "baseline.yaml");
  writeFileSync(
    baselineFile,
    [
      "version: 1",
      "organisation:",
      "  name: Northwind Health",
      "  timeZone: America/New_York",
      '  businessHours: { days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00" }',
      `accounts: ["${ACCOUNT}"]`,
      "allowedRegions: [us-east-1]",
      "phiBuckets:",
      "  - { tag: { key: data-classification, value: phi }, holds: [recordings] }",
      "principals:",
      "  rawReaders: []",
      "  analytics: []",
      "  operators: []",
      "  services: [connect.amazonaws.com]",
      "",
    ].join("\n"),
  );
  stack = await LocalStack.start({ baselineFile, dir, storeOnly: true });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  const inventory = new InventoryStore(stack.ddb, LOCAL_NAMES.table);
  // Written 16 at a time: one by one, 2,000 round trips to DynamoDB Local took over the hook's time
  // on a loaded 2-core machine.
  const put = (i: number) => {
    const name = `northwind-clinic-${String(i).padStart(4, "0")}-recordings`;
    return inventory.put({
      accountId: ACCOUNT,
      region: "us-east-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: name,
      resourceName: name,
      capturedAt: "2026-03-01T00:00:00.000Z",
      state: "present",
      configuration: {},
      supplementary: {},
      tags: { "data-classification": "phi" },
      source: "config",
    });
  };
  for (let i = 0; i < BUCKETS; i += 16)
    await Promise.all(Array.from({ length: Math.min(16, BUCKETS - i) }, (_, k) => put(i + k)));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Size of a stored item as DynamoDB counts it, near enough: its attributes as JSON. */
async function itemBytes(key: { PK: string; SK: string }): Promise<number> {
  const r = await stack.ddb.send(
    new GetItemCommand({ TableName: LOCAL_NAMES.table, Key: marshall(key), ConsistentRead: true }),
  );
  expect(r.Item, `${key.PK} ${key.SK}`).toBeDefined();
  return Buffer.byteLength(JSON.stringify(r.Item));
}

const subject = {
  accountId: ACCOUNT,
  region: "us-east-1",
  resourceType: "AWS::IAM::Role",
  resourceId: "AROAPLATFORMADMIN01",
  resourceName: "platform-admin",
};
const access = Array.from({ length: 5000 }, (_, i) => ({
  action: i % 2 ? "s3:GetObjectVersion" : "s3:GetObject",
  resource: `arn:aws:s3:::northwind-clinic-${String(i >> 1).padStart(4, "0")}-recordings/*`,
  effect: "allow",
  allowedBy: ["arn:aws:iam::aws:policy/AdministratorAccess#0"],
}));
const observation: Observation = {
  kind: "drift",
  ruleId: "iam-raw-readers-designated",
  title: "Only designated raw readers can read PHI objects",
  severity: "high",
  hipaa: ["164.308(a)(4)"],
  subject,
  verdict: "fail",
  summary: "an identity outside the baseline's raw readers can read PHI objects",
  evidence: {
    identity: "arn:aws:iam::111122223333:role/platform-admin",
    policiesEvaluated: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    access,
    note: "x".repeat(300_000),
  },
  observedAt: "2026-03-03T10:00:00.000Z",
  cause: "evt-admin-1",
};

describe("findings store: evidence larger than a DynamoDB item", () => {
  it("records the transition with the evidence bounded and marked, finding and history alike", async () => {
    expect(Buffer.byteLength(JSON.stringify(observation.evidence))).toBeGreaterThan(400 * 1024);
    const r = await recordObservation(store, observation);
    expect(r).toMatchObject({ changed: true, transitioned: true });

    const id = findingId(observation.ruleId, subject);
    const f = (await store.getFinding(id))!;
    expect(f.status).toBe("OPEN");
    expect(f.evidence).toMatchObject({
      identity: "arn:aws:iam::111122223333:role/platform-admin",
      policiesEvaluated: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      evidenceTruncated: true,
    });
    // What is kept is the head of the list, as produced; what is left out is counted.
    const kept = f.evidence.access as unknown[];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(access.length);
    expect(kept).toEqual(access.slice(0, kept.length));
    expect(f.evidence.evidenceOmitted).toMatchObject({
      access: `kept ${kept.length} of ${access.length} items`,
      note: `kept ${(f.evidence.note as string).length} of 300000 characters`,
    });
    expect(f.evidence.note).toBe("x".repeat((f.evidence.note as string).length));
    expect(Buffer.byteLength(JSON.stringify(f.evidence))).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);

    const history = await store.findingHistory(id);
    expect(history).toHaveLength(1);
    expect(history[0]!.evidence).toEqual(f.evidence);
    // Both items fit with a wide margin.
    expect(await itemBytes(KEYS.finding(id))).toBeLessThan(100 * 1024);
    expect(await itemBytes(KEYS.history(id, 1))).toBeLessThan(100 * 1024);
  });

  it("treats the same oversized evidence observed again as unchanged (no write, no history)", async () => {
    const again = await recordObservation(store, { ...observation, observedAt: "2026-03-03T10:20:00.000Z" });
    expect(again).toMatchObject({ changed: false, transitioned: false });
    expect(await store.findingHistory(findingId(observation.ruleId, subject))).toHaveLength(1);
  });

  it("records an admin role over many PHI buckets through the config-change handler", async () => {
    const event = configChangeEvent(
      iamRoleConfigurationItem({
        roleName: "clinic-platform-admin",
        capturedAt: "2026-03-03T14:04:12.000Z",
        inlinePolicies: {
          admin: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
      }),
    );
    await stack.invoke("config-change", event);
    const open = (await store.listFindings({ status: "OPEN", limit: 500 })).items.filter(
      (f) => f.subject.resourceName === "clinic-platform-admin",
    );
    const rules = open.map((f) => f.ruleId).sort();
    expect(rules).toEqual(
      expect.arrayContaining(["iam-no-phi-delete", "iam-no-wildcard-on-phi", "iam-raw-readers-designated"]),
    );
    const readers = open.find((f) => f.ruleId === "iam-raw-readers-designated")!;
    expect(readers.evidence).toMatchObject({ evidenceTruncated: true });
    expect(JSON.stringify(readers.evidence)).toContain("northwind-clinic-0000-recordings");
    for (const f of open) {
      expect(await itemBytes(KEYS.finding(f.findingId))).toBeLessThan(100 * 1024);
      expect(await store.findingHistory(f.findingId)).toHaveLength(1);
    }
  });
});
