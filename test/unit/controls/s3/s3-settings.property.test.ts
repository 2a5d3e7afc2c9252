import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BaselineInput } from "../../../../packages/core/src/baseline/index.ts";
import type { FactLookup } from "../../../../packages/core/src/control/index.ts";
import { accountPublicAccessBlock } from "../../../../packages/core/src/resource/index.ts";
import { hunt } from "../hunt.ts";
import { ACCT, facts, loadItem, phiBucket, run, withSupplementary } from "./support.ts";

/**
 * References for the bucket settings controls, from the S3 user guide ("Blocking public access",
 * "Controlling ownership of objects and disabling ACLs", "Using S3 Object Lock", "Using versioning",
 * "Configuring MFA delete") and the catalog. Each returns the verdicts it accepts: a pass must match
 * exactly (soundness); where the item leaves a setting unrecorded, "fail" and "cannot-prove" are both
 * sound and either is accepted unless the reference pins one.
 */
type Verdict = "pass" | "fail" | "cannot-prove" | "n/a";
const NOT_PASS: Verdict[] = ["fail", "cannot-prove"];
const FLAGS = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"] as const;
const on = (v: unknown) => v === true || v === "true";
const OWNER = "8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12";
const OTHER = "e7c8bb65a5fc49cf906715eae09de9e4bb7861a96361ba79b833aa45f6833b15";

const verdictOf = (e: { status: string; evidence: Record<string, unknown> }): Verdict =>
  e.status === "COMPLIANT"
    ? "pass"
    : e.status === "NOT_APPLICABLE"
      ? "n/a"
      : String(e.evidence.proof ?? "").startsWith("cannot prove")
        ? "cannot-prove"
        : "fail";

/** A flag as Config may record it: boolean, string, null, or absent. */
const flag = fc.constantFrom<unknown>(true, true, true, false, "true", "false", null, undefined);
const flags = fc.record(Object.fromEntries(FLAGS.map((f) => [f, flag])) as Record<string, typeof flag>);

/** The account's setting as an AWS::S3::AccountPublicAccessBlock item (Config camelCase or the sweep's PascalCase). */
function accountItem(values: Record<string, unknown>, pascal: boolean) {
  const configuration = Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [pascal ? k[0]!.toUpperCase() + k.slice(1) : k, v]),
  );
  return loadItem("test/fixtures/config/rdk__AWS_S3_AccountPublicAccessBlock.json", {
    awsAccountId: ACCT,
    resourceId: ACCT,
    configuration,
  });
}

const grantee = fc.constantFrom<unknown>(
  { id: OWNER, displayName: null },
  { id: OTHER, displayName: null },
  "AllUsers",
  "AuthenticatedUsers",
  "LogDelivery",
  { uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
  { typeIdentifier: "id", identifier: OTHER },
  { typeIdentifier: "uri", identifier: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" },
  { typeIdentifier: "uri", identifier: "http://acs.amazonaws.com/groups/s3/LogDelivery" },
  { typeIdentifier: "emailAddress", identifier: "someone@example.org" },
);
const FOREIGN = (g: unknown): boolean => {
  if (typeof g === "string") return g === "AllUsers" || g === "AuthenticatedUsers";
  const o = g as Record<string, string>;
  if (o.id) return o.id !== OWNER;
  if (o.uri) return !o.uri.endsWith("/LogDelivery");
  if (o.typeIdentifier === "id") return o.identifier !== OWNER;
  if (o.typeIdentifier === "uri") return !o.identifier!.endsWith("/LogDelivery");
  return o.typeIdentifier === "emailAddress";
};

describe("bucket settings controls against references (property)", () => {
  const { params, timeout } = hunt(800);

  it(
    "s3-block-public-access: a flag is in force when the bucket or the account sets it",
    () => {
      fc.assert(
        fc.property(
          fc.option(flags),
          fc.oneof(fc.constant("unknown" as const), fc.record({ values: flags, pascal: fc.boolean() })),
          (bucket, account) => {
            const snap = bucket
              ? withSupplementary(phiBucket(), {
                  PublicAccessBlockConfiguration: Object.fromEntries(
                    Object.entries(bucket).filter(([, v]) => v !== undefined),
                  ),
                })
              : phiBucket();
            const lookup: FactLookup = {
              ...facts(),
              accountPublicAccessBlock: () =>
                account === "unknown"
                  ? { ok: false, reason: "no AWS::S3::AccountPublicAccessBlock item recorded" }
                  : {
                      ok: true,
                      value: accountPublicAccessBlock(accountItem(account.values, account.pascal)),
                    },
            };
            const inForce = FLAGS.every(
              (f) => on(bucket?.[f]) || (account !== "unknown" && on(account.values[f])),
            );
            const want: Verdict[] = inForce ? ["pass"] : account === "unknown" ? ["cannot-prove"] : ["fail"];
            expect(want).toContain(verdictOf(run(snap, "s3-block-public-access", lookup)));
          },
        ),
        params,
      );
    },
    timeout,
  );

  it(
    "s3-acls-disabled: BucketOwnerEnforced and no grant to the public, all AWS users, another account or an e-mail",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            {
              weight: 8,
              arbitrary: fc.array(
                fc.record({ grantee, permission: fc.constantFrom("FullControl", "Read", "Write") }),
                { maxLength: 3 },
              ),
            },
            fc.constantFrom("unreadable" as const, "absent" as const),
          ),
          fc.constantFrom<unknown>(
            "BucketOwnerEnforced",
            "BucketOwnerPreferred",
            "ObjectWriter",
            undefined,
            "none",
          ),
          fc.boolean(),
          (grants, ownership, api) => {
            const acl =
              grants === "absent"
                ? undefined
                : grants === "unreadable"
                  ? '{"grantList":[{"grantee"'
                  : JSON.stringify({
                      grantSet: null,
                      grantList: grants,
                      owner: { displayName: null, id: OWNER },
                    });
            const controls =
              ownership === undefined
                ? {}
                : ownership === "none"
                  ? api
                    ? { OwnershipControls: { Rules: [] } }
                    : {}
                  : api
                    ? { OwnershipControls: { Rules: [{ ObjectOwnership: ownership }] } }
                    : {
                        BucketOwnershipControls: {
                          ownershipControls: { rules: [{ objectOwnership: ownership }] },
                        },
                      };
            const base = phiBucket();
            const snap = {
              ...base,
              supplementary: {
                ...Object.fromEntries(
                  Object.entries(base.supplementary).filter(([k]) => k !== "AccessControlList"),
                ),
                ...(acl === undefined ? {} : { AccessControlList: acl }),
                ...controls,
              },
            };
            const foreign = Array.isArray(grants) && grants.some((g) => FOREIGN(g.grantee));
            // "none" read from S3 (GetBucketOwnershipControls: OwnershipControlsNotFoundError, recorded
            // as no rules) is an answer — ACLs apply; absent from the item, it is unknown.
            const known = typeof ownership === "string" && (ownership !== "none" || api);
            const want: Verdict[] = foreign
              ? ["fail"]
              : known && ownership !== "BucketOwnerEnforced"
                ? ["fail"]
                : grants === "unreadable" || !known
                  ? ["cannot-prove"]
                  : ["pass"];
            expect(want).toContain(verdictOf(run(snap, "s3-acls-disabled", facts())));
          },
        ),
        params,
      );
    },
    timeout,
  );

  it(
    "s3-object-lock: enabled, the required mode (COMPLIANCE also meets GOVERNANCE), at least minDays, and a default retention",
    () => {
      fc.assert(
        fc.property(
          fc.option(
            fc.record({
              enabled: fc.constantFrom<unknown>("Enabled", "Enabled", "Disabled", null, undefined),
              mode: fc.constantFrom<unknown>("COMPLIANCE", "GOVERNANCE", null, undefined),
              days: fc.constantFrom<unknown>(1, 30, 2555, 3000, 0, null, undefined, "2555"),
              years: fc.constantFrom<unknown>(7, 10, null, undefined),
              rule: fc.boolean(),
            }),
          ),
          fc.boolean(),
          fc.record({
            required: fc.constant(true),
            mode: fc.constantFrom<"COMPLIANCE" | "GOVERNANCE" | undefined>(
              "COMPLIANCE",
              "GOVERNANCE",
              undefined,
            ),
            minDays: fc.constantFrom<number | undefined>(undefined, 30, 2555),
          }),
          (lock, api, want) => {
            const days = lock?.days;
            const retention = { mode: lock?.mode, days, years: lock?.years };
            const config = !lock
              ? undefined
              : api
                ? {
                    ObjectLockEnabled: lock.enabled,
                    ...(lock.rule
                      ? {
                          Rule: {
                            DefaultRetention: {
                              Mode: retention.mode,
                              Days: retention.days,
                              Years: retention.years,
                            },
                          },
                        }
                      : {}),
                  }
                : {
                    objectLockEnabled: lock.enabled,
                    rule: lock.rule ? { defaultRetention: retention } : null,
                  };
            const snap = config
              ? withSupplementary(phiBucket(), {
                  ObjectLockConfiguration: JSON.parse(JSON.stringify(config)),
                })
              : phiBucket();
            const mode = lock?.rule ? lock.mode : undefined;
            const n = (v: unknown) =>
              typeof v === "number" && v > 0
                ? v
                : typeof v === "string" && Number(v) > 0
                  ? Number(v)
                  : undefined;
            const retentionDays = lock?.rule
              ? (n(lock.days) ?? (n(lock.years) ? n(lock.years)! * 365 : undefined))
              : undefined;
            // A default retention (a mode and a period) is what locks uploads that set none of their own.
            const ok =
              lock?.enabled === "Enabled" &&
              (mode === "COMPLIANCE" || mode === "GOVERNANCE") &&
              retentionDays !== undefined &&
              (want.mode !== "COMPLIANCE" || mode === "COMPLIANCE") &&
              (want.mode !== "GOVERNANCE" || mode === "COMPLIANCE" || mode === "GOVERNANCE") &&
              (want.minDays === undefined || (retentionDays ?? 0) >= want.minDays);
            const got = verdictOf(
              run(snap, "s3-object-lock", facts(), { s3: { objectLock: want } } as Partial<BaselineInput>),
            );
            expect(ok ? ["pass"] : NOT_PASS).toContain(got);
          },
        ),
        params,
      );
    },
    timeout,
  );

  it(
    "s3-versioning-mfa-delete: versioning Enabled, and MFA delete on where the baseline requires it",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom<unknown>("Enabled", "Suspended", "Off", null, undefined, "enabled"),
          fc.constantFrom<unknown>(true, false, null, undefined, "Enabled", "Disabled", "true"),
          fc.boolean(),
          fc.boolean(),
          (status, mfa, api, requireMfaDelete) => {
            const v = api ? { Status: status, MFADelete: mfa } : { status, isMfaDeleteEnabled: mfa };
            const snap = withSupplementary(phiBucket(), {
              BucketVersioningConfiguration: JSON.parse(JSON.stringify(v)),
            });
            const mfaOn = mfa === true || mfa === "true" || mfa === "Enabled";
            const ok = status === "Enabled" && (!requireMfaDelete || mfaOn);
            const got = verdictOf(
              run(snap, "s3-versioning-mfa-delete", facts(), {
                s3: { requireMfaDelete },
              } as Partial<BaselineInput>),
            );
            expect(ok ? ["pass"] : NOT_PASS).toContain(got);
          },
        ),
        params,
      );
    },
    timeout,
  );

  it(
    "region-allow-list: a PHI bucket outside the allowed regions fails, inside passes, others are not applicable",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom("us-east-1", "us-west-2", "eu-west-1", "global"),
          fc.constantFrom("phi-recordings", "phi-transcripts-chat", "marketing-site"),
          fc.constantFrom<string[]>(["us-east-1"], ["us-east-1", "us-west-2"]),
          (region, name, allowedRegions) => {
            const snap = { ...phiBucket(name), region };
            const phi = name.startsWith("phi-");
            const want: Verdict =
              region === "global" || !phi ? "n/a" : allowedRegions.includes(region) ? "pass" : "fail";
            expect(verdictOf(run(snap, "region-allow-list", facts(), { allowedRegions }))).toBe(want);
          },
        ),
        { ...params, numRuns: Math.min(params.numRuns, 200) },
      );
    },
    timeout,
  );
});
