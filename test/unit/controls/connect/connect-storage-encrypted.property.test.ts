import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import control from "../../../../packages/core/src/controls/connect/connect-storage-encrypted.ts";
import type { ResourceSnapshot } from "../../../../packages/core/src/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";
import { apiSnapshot, recorded, testFacts } from "../../../helpers/facts.ts";
import { hunt } from "../hunt.ts";

/**
 * Reference, from the Amazon Connect API reference (ListInstanceStorageConfigs, InstanceStorageConfig,
 * EncryptionConfig) and the catalog (connect-storage-encrypted): recordings, transcripts, reports and
 * screen recordings go to S3 (`StorageType: S3`, `S3Config.BucketName`), media streams to Kinesis Video
 * Streams (`KinesisVideoStreamConfig.EncryptionConfig`). An instance is compliant when every such
 * association writes to a PHI bucket under a KMS key KMS reports as customer-managed (media streams: under
 * such a key). Three-valued: a definite problem fails; otherwise anything unknown — a type the sweep reads
 * missing from the snapshot, an entry or list that cannot be read, an S3 association without a bucket, a
 * media stream without its configuration, a key KMS could not describe — cannot be proven; else pass.
 * A type of a feature the instance may not have (attachments, evaluations, e-mail) that the sweep did not
 * read counts as read and empty when the snapshot records Connect's refusal of it as InvalidRequest,
 * InvalidParameter or ResourceNotFound (docs/scan.md); any other recorded refusal changes nothing.
 */
type Verdict = "pass" | "fail" | "cannot-prove";
const SWEEP_TYPES = [
  "CALL_RECORDINGS",
  "CHAT_TRANSCRIPTS",
  "SCHEDULED_REPORTS",
  "SCREEN_RECORDINGS",
  "CONTACT_TRACE_RECORDS",
  "MEDIA_STREAMS",
  "CONTACT_EVALUATIONS",
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
];
const OPTIONAL = ["CONTACT_EVALUATIONS", "ATTACHMENTS", "EMAIL_MESSAGES"];
const REFUSALS = ["InvalidRequestException", "InvalidParameterException", "ResourceNotFoundException"];
const S3_TYPES = [
  "CALL_RECORDINGS",
  "CHAT_TRANSCRIPTS",
  "SCHEDULED_REPORTS",
  "SCREEN_RECORDINGS",
  "CONTACT_EVALUATIONS",
  "ATTACHMENTS",
  "EMAIL_MESSAGES",
];
const ACCT = "111122223333";
const CMK = `arn:aws:kms:us-east-1:${ACCT}:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d`;
const AWS_KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1f7d82e6-f34c-4fe4-8e47-2672acc1b13e`;
const UNKNOWN_KEY = `arn:aws:kms:us-east-1:${ACCT}:key/2a8e93f7-045d-4a05-9f58-3783bdd2c24f`;
const KEYS = { [CMK]: "CUSTOMER", [AWS_KEY]: "AWS" } as Record<string, "CUSTOMER" | "AWS">;

type Entry = unknown;
type Outcome = "ok" | "problem" | "unknown";

function keyOutcome(key: unknown): Outcome {
  if (typeof key !== "string" || key === "") return "problem";
  if (/(^|:)alias\/aws\//.test(key)) return "problem";
  const manager = KEYS[key];
  return manager === undefined ? "unknown" : manager === "CUSTOMER" ? "ok" : "problem";
}
const o = (v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function entryOutcome(type: string, e: Entry): Outcome[] {
  const c = o(e);
  if (!c) return ["unknown"];
  if (S3_TYPES.includes(type)) {
    const s3 = o(c.S3Config);
    const bucket = s3?.BucketName;
    if (typeof bucket !== "string" || bucket === "")
      return [c.StorageType === "S3" || c.StorageType === undefined ? "unknown" : "problem"];
    const phi = bucket === "phi-recordings" || bucket.startsWith("phi-transcripts-");
    const enc = o(s3!.EncryptionConfig);
    const kms = enc?.EncryptionType === "KMS" && typeof enc.KeyId === "string" && enc.KeyId !== "";
    return [phi ? "ok" : "problem", kms ? keyOutcome(enc!.KeyId) : "problem"];
  }
  if (type === "MEDIA_STREAMS") {
    const kvs = o(c.KinesisVideoStreamConfig);
    if (!kvs) return ["unknown"];
    const key = o(kvs.EncryptionConfig)?.KeyId;
    return [typeof key === "string" && key !== "" ? keyOutcome(key) : "problem"];
  }
  return ["ok"];
}

function reference(
  storage: Record<string, unknown> | undefined,
  refused: Record<string, unknown> | undefined,
): Verdict {
  if (!storage) return "cannot-prove";
  const notApplicable = (t: string) => OPTIONAL.includes(t) && REFUSALS.includes(refused?.[t] as string);
  const outcomes: Outcome[] = SWEEP_TYPES.filter(
    (t) => (S3_TYPES.includes(t) || t === "MEDIA_STREAMS") && !(t in storage) && !notApplicable(t),
  ).map(() => "unknown");
  for (const [type, list] of Object.entries(storage)) {
    if (!S3_TYPES.includes(type) && type !== "MEDIA_STREAMS") continue;
    const entries = Array.isArray(list) ? list : o(list) ? [list] : [undefined];
    for (const e of entries) outcomes.push(...entryOutcome(type, e));
  }
  if (outcomes.includes("problem")) return "fail";
  return outcomes.includes("unknown") ? "cannot-prove" : "pass";
}

const key = fc.constantFrom<unknown>(CMK, AWS_KEY, UNKNOWN_KEY, "alias/aws/connect", "", undefined);
const encryption = fc.oneof(
  fc.record({ EncryptionType: fc.constantFrom<unknown>("KMS", "KMS", undefined), KeyId: key }),
  fc.constant(undefined),
);
const s3Entry = fc.record({
  AssociationId: fc.constant("a1"),
  StorageType: fc.constantFrom<unknown>("S3", "S3", "S3", "KINESIS_STREAM", undefined),
  S3Config: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        BucketName: fc.constantFrom<unknown>(
          "phi-recordings",
          "phi-transcripts-chat",
          "misc-exports",
          undefined,
        ),
        BucketPrefix: fc.constant("connect/c7ntest/CallRecordings"),
        EncryptionConfig: encryption,
      }),
    },
    fc.constant(undefined),
  ),
});
const kvsEntry = fc.record({
  AssociationId: fc.constant("m1"),
  StorageType: fc.constant("KINESIS_VIDEO_STREAM"),
  KinesisVideoStreamConfig: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        Prefix: fc.constant("c7n"),
        RetentionPeriodHours: fc.constant(24),
        EncryptionConfig: encryption,
      }),
    },
    fc.constant(undefined),
  ),
});
/** One type's value: mostly a list as the sweep records it; sometimes absent (not read) or unreadable. */
const value = (entry: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: entry }, fc.constant("S3")), { maxLength: 2 }),
    },
    { weight: 2, arbitrary: entry },
    fc.constantFrom(undefined, null, "[]"),
  );
/** A read that should pass, to keep passes common: [] or one association to a PHI bucket under the CMK. */
const good = (type: string) =>
  fc.constantFrom(
    [],
    [
      type === "MEDIA_STREAMS"
        ? {
            StorageType: "KINESIS_VIDEO_STREAM",
            KinesisVideoStreamConfig: {
              Prefix: "c7n",
              EncryptionConfig: { EncryptionType: "KMS", KeyId: CMK },
            },
          }
        : {
            StorageType: "S3",
            S3Config: {
              BucketName: "phi-recordings",
              EncryptionConfig: { EncryptionType: "KMS", KeyId: CMK },
            },
          },
    ],
  );
const storage = fc.oneof(
  {
    weight: 5,
    // An optional type left out: whether it passes turns on the refusal recorded for it.
    arbitrary: fc.record(
      Object.fromEntries(
        SWEEP_TYPES.map((t) => [
          t,
          OPTIONAL.includes(t) ? fc.oneof(good(t), fc.constant(undefined)) : good(t),
        ]),
      ),
    ),
  },
  {
    weight: 20,
    arbitrary: fc.record({
      CALL_RECORDINGS: value(s3Entry),
      CHAT_TRANSCRIPTS: value(s3Entry),
      SCHEDULED_REPORTS: value(s3Entry),
      SCREEN_RECORDINGS: value(s3Entry),
      CONTACT_TRACE_RECORDS: value(
        fc.constant({
          StorageType: "KINESIS_STREAM",
          KinesisStreamConfig: { StreamArn: "arn:aws:kinesis:us-east-1:111122223333:stream/ctr" },
        }),
      ),
      MEDIA_STREAMS: value(kvsEntry),
      CONTACT_EVALUATIONS: fc.oneof(fc.constant(undefined), value(s3Entry)),
      ATTACHMENTS: fc.oneof(fc.constant(undefined), value(s3Entry)),
      EMAIL_MESSAGES: fc.oneof(fc.constant(undefined), value(s3Entry)),
    }),
  },
  fc.constant(undefined),
);
/** What the sweep records of Connect refusing a type's read: mostly nothing, else answers good and bad. */
const refusals = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(
    fc.oneof(fc.constantFrom(...OPTIONAL), fc.constantFrom(...SWEEP_TYPES, "AGENT_EVENTS")),
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<unknown>(...REFUSALS) },
      fc.constantFrom<unknown>("ThrottlingException", "AccessDeniedException", "", 400, null),
    ),
    { minKeys: 1, maxKeys: 4 },
  ),
);

/** The real ListInstances entry, with the sweep's supplementary StorageConfigs. */
function instance(
  raw: Record<string, unknown> | undefined,
  refused: Record<string, unknown> | undefined,
): ResourceSnapshot {
  const summary = recorded(readFileSync("test/fixtures/api/custodian__connect.ListInstances.json", "utf8"))
    .InstanceSummaryList[0];
  // A type whose value is undefined was not read: leave the key out, as the sweep does.
  const StorageConfigs = raw && Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  return apiSnapshot("AWS::Connect::Instance", summary.Id, summary, {
    accountId: ACCT,
    arn: summary.Arn,
    supplementary: {
      ...(StorageConfigs ? { StorageConfigs } : {}),
      ...(refused ? { StorageConfigsRefused: refused } : {}),
    },
  });
}

const facts = testFacts({
  keys: Object.fromEntries(Object.entries(KEYS).map(([arn, keyManager]) => [arn, { arn, keyManager }])),
});
const { params, timeout } = hunt(2000);

describe("control connect-storage-encrypted against a reference (property)", () => {
  it(
    "gives the reference's verdict on the sweep's ListInstanceStorageConfigs shapes",
    () => {
      const seen: Record<Verdict, number> = { pass: 0, fail: 0, "cannot-prove": 0 };
      let passedOnRefusal = 0;
      fc.assert(
        fc.property(storage, refusals, (raw, refused) => {
          const s = instance(raw, refused);
          const stored = s.supplementary.StorageConfigs as Record<string, unknown> | undefined;
          const want = reference(stored, refused);
          seen[want]++;
          if (want === "pass" && OPTIONAL.some((t) => stored && !(t in stored))) passedOnRefusal++;
          const v = control.evaluate(s, { baseline: testBaseline(), facts, params: {}, now: new Date() });
          const got =
            v.status === "COMPLIANT" ? "pass" : v.evidence.proof === "cannot prove" ? "cannot-prove" : "fail";
          expect(v.status).not.toBe("NOT_APPLICABLE");
          expect(got).toBe(want);
        }),
        params,
      );
      for (const n of Object.values(seen)) expect(n).toBeGreaterThan(params.numRuns / 50);
      expect(passedOnRefusal).toBeGreaterThan(0);
    },
    timeout,
  );
});
