import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyFacts } from "../../../../packages/core/src/control/index.ts";
import { hunt } from "../hunt.ts";
import { ACCT, facts, loadItem, phiBucket, run, withSupplementary } from "../s3/support.ts";

/**
 * References, from the KMS developer guide ("Key states of AWS KMS keys", "Rotating AWS KMS keys") and
 * the KMS API reference (DescribeKey KeyMetadata, GetKeyRotationStatus):
 *
 * kms-key-usable — a PHI key must decrypt: `Enabled` (or `Updating`, a multi-Region key changing its
 * primary) passes; `Disabled`, `PendingDeletion`, `PendingReplicaDeletion`, `PendingImport`,
 * `Unavailable` and `Creating`, or `enabled: false`, fail; a state that is missing or not a KMS key
 * state cannot be proven.
 *
 * kms-rotation — AWS-managed keys rotate yearly on their own (not applicable). A customer-managed key
 * passes when rotation is on and, if the baseline caps it, the period is within the cap. The Config item
 * (`supplementaryConfiguration.KeyRotationStatus`, boolean or string) and KMS (GetKeyRotationStatus) may
 * both answer; when they disagree the worse answer holds (off; the longer period). No answer, or no
 * period under a cap, cannot be proven.
 */
type Verdict = "pass" | "fail" | "cannot-prove" | "n/a";
const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY_ID}`;
const UNUSABLE = [
  "Disabled",
  "PendingDeletion",
  "PendingReplicaDeletion",
  "PendingImport",
  "Unavailable",
  "Creating",
];

function usableRef(state: unknown, enabled: unknown): Verdict {
  if (typeof state === "string" && UNUSABLE.includes(state)) return "fail";
  if (enabled === false || enabled === "false") return "fail";
  return state === "Enabled" || state === "Updating" ? "pass" : "cannot-prove";
}

const bool = (v: unknown) =>
  v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;
function rotationRef(
  manager: "CUSTOMER" | "AWS" | undefined,
  recorded: unknown,
  recordedPeriod: unknown,
  kms: KeyFacts | undefined,
  max: number | undefined,
): Verdict {
  if ((manager ?? kms?.keyManager) === "AWS") return "n/a";
  const answers = [bool(recorded), kms?.rotationEnabled].filter((a) => a !== undefined);
  if (answers.length === 0) return "cannot-prove";
  if (answers.includes(false)) return "fail";
  if (max === undefined) return "pass";
  // Config's JSON-string values are parsed by the normaliser: "365" arrives as 365.
  const recordedDays =
    typeof recordedPeriod === "number" || (typeof recordedPeriod === "string" && /^\d+$/.test(recordedPeriod))
      ? Number(recordedPeriod)
      : undefined;
  const periods = [recordedDays, kms?.rotationPeriodInDays];
  const known = periods.filter((p): p is number => p !== undefined);
  if (known.length === 0) return "cannot-prove";
  return Math.max(...known) > max ? "fail" : "pass";
}

/** The real customer-managed key (Custodian's recorded SelectResourceConfig) in the RDK item's shape. */
function key(configuration: Record<string, unknown>, supplementary: Record<string, unknown>) {
  const rec = JSON.parse(
    readFileSync("test/fixtures/api/custodian__config.SelectResourceConfig_KMSKey_CUSTOMER.json", "utf8"),
  );
  const frag = JSON.parse(rec.data.Results[0]);
  const c: Record<string, unknown> = { ...frag.configuration, arn: KEY_ARN };
  for (const [k, v] of Object.entries(configuration)) {
    if (v === undefined) delete c[k];
    else c[k] = v;
  }
  const s: Record<string, unknown> = { ...frag.supplementaryConfiguration };
  for (const [k, v] of Object.entries(supplementary)) {
    if (v === undefined) delete s[k];
    else s[k] = v;
  }
  return loadItem("test/fixtures/config/rdk__AWS_KMS_Key.json", {
    awsAccountId: ACCT,
    resourceId: KEY_ID,
    arn: KEY_ARN,
    configuration: c,
    supplementaryConfiguration: s,
  });
}
const inventory = {
  "AWS::S3::Bucket": [
    withSupplementary(phiBucket(), {
      ServerSideEncryptionConfiguration: {
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: KEY_ARN } }],
      },
    }),
  ],
};
const verdict = (e: { status: string; evidence: Record<string, unknown> }): Verdict =>
  e.status === "COMPLIANT"
    ? "pass"
    : e.status === "NOT_APPLICABLE"
      ? "n/a"
      : e.evidence.proof === "cannot prove"
        ? "cannot-prove"
        : "fail";

const { params, timeout } = hunt(1500);

describe("kms controls against references (property)", () => {
  it(
    "kms-key-usable gives the reference's verdict on every key state and enabled flag",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom<unknown>(
            "Enabled",
            "Updating",
            ...UNUSABLE,
            "enabled",
            "ENABLED",
            "PendingRotation",
            "",
            undefined,
            7,
          ),
          fc.constantFrom<unknown>(true, false, "true", "false", undefined),
          (keyState, enabled) => {
            const e = run(key({ keyState, enabled }, {}), "kms-key-usable", facts({ inventory }));
            expect(verdict(e)).toBe(usableRef(keyState, enabled));
          },
        ),
        { ...params, numRuns: Math.min(params.numRuns, 300) },
      );
    },
    timeout,
  );
  it(
    "kms-rotation gives the reference's verdict on Config and KMS answers, alone or disagreeing",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom<"CUSTOMER" | "AWS" | undefined>("CUSTOMER", "CUSTOMER", "AWS", undefined),
          fc.constantFrom<unknown>(true, false, "true", "false", undefined),
          fc.constantFrom<unknown>(365, 730, 90, undefined, "365"),
          fc.option(
            fc.record(
              {
                rotationEnabled: fc.boolean(),
                rotationPeriodInDays: fc.constantFrom(90, 365, 730, 2560),
              },
              { requiredKeys: [] },
            ),
          ),
          fc.constantFrom<number | undefined>(undefined, 365),
          (manager, recorded, recordedPeriod, live, max) => {
            // KMS describes the same key: its manager is the item's (or CUSTOMER when the item lacks one).
            const kms: KeyFacts | undefined = live
              ? { arn: KEY_ARN, keyManager: manager ?? "CUSTOMER", ...live }
              : undefined;
            const snap = key(
              { keyManager: manager },
              { KeyRotationStatus: recorded, RotationPeriodInDays: recordedPeriod },
            );
            const e = run(
              snap,
              "kms-rotation",
              facts({ inventory, ...(kms ? { keys: { [KEY_ARN]: kms } } : {}) }),
              max === undefined ? {} : { kms: { maxRotationDays: max } },
            );
            expect(verdict(e)).toBe(rotationRef(manager, recorded, recordedPeriod, kms, max));
          },
        ),
        params,
      );
    },
    timeout,
  );
});
