// Which keys a bucket change re-evaluates (the kms-* controls' `affectedBy`): the keys the bucket's
// previous or new default encryption names, every key when either names an alias, or when what the
// change replaced is not known. The property test checks the rule against the controls themselves: a
// key whose kms-* verdict (status, summary, evidence) differs between the inventory before and after
// the change is always re-evaluated.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  type PreviousSnapshot,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import { apiSnapshot, testFacts } from "../../../helpers/facts.ts";
import { ACCT, run, testBaseline } from "../s3/support.ts";

const REGION = "us-east-1";
const KMS = CONTROLS.filter((c) => c.id.startsWith("kms-"));
const keyId = (i: number) => `1234abcd-12ab-34cd-56ef-${String(i).padStart(12, "0")}`;
const keyArn = (i: number, account = ACCT, region = REGION) =>
  `arn:aws:kms:${region}:${account}:key/${keyId(i)}`;
const key = (i: number, config: Record<string, unknown> = {}) =>
  apiSnapshot(
    "AWS::KMS::Key",
    keyId(i),
    {
      keyId: keyId(i),
      arn: keyArn(i),
      keyManager: "CUSTOMER",
      keyState: "Enabled",
      enabled: true,
      ...config,
    },
    { arn: keyArn(i) },
  );
const bucket = (
  name: string,
  refs: Array<string | null>,
  extra: Partial<ResourceSnapshot> = {},
): ResourceSnapshot =>
  apiSnapshot(
    "AWS::S3::Bucket",
    name,
    { name },
    {
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: refs.map((ref) => ({
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: ref === null ? "AES256" : "aws:kms",
              kmsMasterKeyID: ref,
            },
          })),
        },
      },
      ...extra,
    },
  );
const deleted = (name: string): ResourceSnapshot => ({
  ...bucket(name, []),
  state: "deleted",
  configuration: {},
  supplementary: {},
});

/** The keys (0–3) each kms-* control would re-evaluate for this change. */
function moved(changed: ResourceSnapshot, previous: PreviousSnapshot): number[][] {
  return KMS.map((c) => [0, 1, 2, 3].filter((i) => c.affectedBy!(key(i), changed, previous)));
}
const every = (keys: number[]) => KMS.map(() => keys);

describe("kms-* controls: the keys a bucket change re-evaluates", () => {
  it("each kms-* control narrows bucket changes (the drift service re-evaluates all of a type without it)", () => {
    expect(KMS.map((c) => c.id)).toEqual(["kms-key-usable", "kms-rotation", "kms-separation-of-duties"]);
    for (const c of KMS) {
      expect(c.dependsOn).toEqual(["AWS::S3::Bucket"]);
      expect(c.affectedBy).toBeTypeOf("function");
    }
  });

  it.each<[string, ResourceSnapshot, PreviousSnapshot, number[]]>([
    ["first record naming a key by ARN: that key", bucket("phi-recordings", [keyArn(1)]), null, [1]],
    ["first record naming a key by key id: that key", bucket("phi-recordings", [keyId(2)]), null, [2]],
    ["first record with SSE-S3: none", bucket("phi-recordings", [null]), null, []],
    [
      "first record with no default encryption recorded",
      { ...bucket("phi-recordings", []), supplementary: {} },
      null,
      [],
    ],
    [
      "first record on the AWS-managed key (alias/aws/s3): none",
      bucket("phi-recordings", ["alias/aws/s3"]),
      null,
      [],
    ],
    [
      "a move from key 1 to key 2: both",
      bucket("phi-recordings", [keyArn(2)]),
      bucket("phi-recordings", [keyArn(1)]),
      [1, 2],
    ],
    [
      "unchanged key, PHI-ness changed by tags: that key",
      bucket("plain", [keyId(3)], { tags: { phi: "true" } }),
      bucket("plain", [keyId(3)]),
      [3],
    ],
    [
      "a non-PHI bucket naming a key: that key",
      bucket("app-assets", [keyArn(0)]),
      bucket("app-assets", [keyArn(0)]),
      [0],
    ],
    [
      "deleted, previously on key 1: key 1",
      deleted("phi-recordings"),
      bucket("phi-recordings", [keyArn(1)]),
      [1],
    ],
    ["deleted over a deletion mark: none", deleted("phi-recordings"), deleted("phi-recordings"), []],
    [
      "back after a deletion mark on key 2: key 2",
      bucket("phi-recordings", [keyArn(2)]),
      deleted("phi-recordings"),
      [2],
    ],
    // As `phiKeyOf` compares them (`bucketUsesKey`): an ARN ending in the key's id names it.
    [
      "a key ARN of another account with the key's id: that key",
      bucket("phi-recordings", [keyArn(1, "444455556666")]),
      null,
      [1],
    ],
    [
      "a key ARN of another region with the key's id: that key",
      bucket("phi-recordings", [keyArn(2, ACCT, "eu-west-1")]),
      null,
      [2],
    ],
    [
      "an unparseable reference: only a key it names",
      bucket("phi-recordings", ["not-a-key"]),
      bucket("phi-recordings", [""]),
      [],
    ],
    [
      "an alias now: every key",
      bucket("phi-recordings", ["alias/phi"]),
      bucket("phi-recordings", [keyArn(1)]),
      [0, 1, 2, 3],
    ],
    [
      "an alias ARN before: every key",
      bucket("phi-recordings", [keyArn(1)]),
      bucket("phi-recordings", [`arn:aws:kms:${REGION}:${ACCT}:alias/phi`]),
      [0, 1, 2, 3],
    ],
    [
      "what it replaced unknown (a retry): every key",
      bucket("phi-recordings", [keyArn(1)]),
      undefined,
      [0, 1, 2, 3],
    ],
  ])("%s", (_, changed, previous, keys) => {
    expect(moved(changed, previous)).toEqual(every(keys));
  });

  it("any other changed type: every key (only buckets are narrowed)", () => {
    const trail = apiSnapshot("AWS::CloudTrail::Trail", "org-trail", {});
    expect(moved(trail, null)).toEqual(every([0, 1, 2, 3]));
  });
});

// ——— Soundness against the controls: a verdict that moves is always re-evaluated ———

const NAMES = ["phi-recordings", "phi-transcripts-a", "plain", "app-assets"];
const REFS = [
  ...[0, 1, 2, 3].flatMap((i) => [keyArn(i), keyId(i)]),
  keyArn(1, "444455556666"),
  keyArn(2, ACCT, "eu-west-1"),
  "alias/phi",
  `arn:aws:kms:${REGION}:${ACCT}:alias/phi`,
  "alias/aws/s3",
  `arn:aws:kms:${REGION}:${ACCT}:alias/aws/s3`,
  "not-a-key",
  "",
  null,
];
const bucketState = (name: string) =>
  fc
    .record({
      state: fc.constantFrom("present", "present", "present", "deleted"),
      refs: fc.array(fc.constantFrom(...REFS), { maxLength: 2 }),
      phiTag: fc.boolean(),
      recorded: fc.boolean(),
    })
    .map((b): ResourceSnapshot => {
      if (b.state === "deleted") return deleted(name);
      const s = bucket(name, b.refs, { tags: b.phiTag ? { phi: "true" } : {} });
      return b.recorded ? s : { ...s, supplementary: {} };
    });
const keyState = fc.record({
  keyState: fc.constantFrom("Enabled", "Disabled", "PendingDeletion"),
  rotation: fc.constantFrom(true, false, undefined),
});
const baseline = testBaseline({
  phiBuckets: [
    { name: "phi-recordings", holds: ["recordings"] },
    { prefix: "phi-transcripts-", holds: ["transcripts"] },
    { tag: { key: "phi", value: "true" }, holds: ["recordings"] },
  ],
  phiKeys: [keyArn(3)],
});

describe("kms-* affectedBy is sound", () => {
  it("re-evaluates every key whose kms-* verdict the bucket change moves", () => {
    const change = fc.constantFrom(...NAMES).chain((name) =>
      fc.record({
        others: fc.array(
          fc.constantFrom(...NAMES.filter((n) => n !== name)).chain((n) => bucketState(n)),
          { maxLength: 3 },
        ),
        previous: fc.option(bucketState(name), { nil: null }),
        next: bucketState(name),
        keys: fc.array(keyState, { minLength: 4, maxLength: 4 }),
      }),
    );
    let moves = 0;
    fc.assert(
      fc.property(change, ({ others, previous, next, keys }) => {
        const verdicts = (inventory: ResourceSnapshot[], i: number) =>
          KMS.map((c) => {
            const k = keys[i]!;
            const snap = key(i, { keyState: k.keyState, enabled: k.keyState === "Enabled" });
            const e = run(
              k.rotation === undefined ? snap : { ...snap, supplementary: { KeyRotationStatus: k.rotation } },
              c.id,
              testFacts({ inventory: { "AWS::S3::Bucket": inventory } }),
              baseline,
            );
            return JSON.stringify([e.status, e.summary, e.evidence]);
          });
        // The inventory lists present items only; the key's last verdict was decided without the bucket
        // on its first record.
        const present = (s: ResourceSnapshot[]) => s.filter((b) => b.state === "present");
        const before = present([...others, ...(previous ? [previous] : [])]);
        const after = present([...others, next]);
        for (let i = 0; i < 4; i++) {
          const a = verdicts(before, i);
          const b = verdicts(after, i);
          KMS.forEach((c, j) => {
            if (a[j] === b[j]) return;
            moves++;
            expect(c.affectedBy!(key(i), next, previous), `${c.id} on key ${i}`).toBe(true);
          });
        }
      }),
      { numRuns: 400, seed: 20261125 },
    );
    // Not vacuous: many generated changes move some key's verdict.
    expect(moves).toBeGreaterThan(200);
  });
});
