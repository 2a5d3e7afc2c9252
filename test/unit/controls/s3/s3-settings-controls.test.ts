import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACCT, facts, loadItem, phiBucket, requests, run, withSupplementary } from "./support.ts";

const asPhi = (name: string, holds: string[] = ["recordings"]) =>
  ({ phiBuckets: [{ name, holds }] }) as never;

describe("control s3-versioning-mfa-delete", () => {
  it("fails on the real hanegraaff item (versioning Suspended)", () => {
    const snap = loadItem(
      "test/fixtures/config/hanegraaff__invokingEvent_S3Bucket_VersioningSuspended_with_SSE.json",
    );
    const e = run(snap, "s3-versioning-mfa-delete", undefined, asPhi("cf-templates-1xatrtwowvbwh-us-east-1"));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.status).toBe("Suspended");
  });

  it("fails on the real Custodian item (versioning Off, JSON-string supplementary values)", () => {
    const e = run(
      loadItem("test/fixtures/config/custodian__CI_S3Bucket_basic.json"),
      "s3-versioning-mfa-delete",
      undefined,
      asPhi("config-rule-sanity"),
    );
    expect(e.evidence.status).toBe("Off");
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("passes on the real RDK item (Enabled) and fails it when the baseline requires MFA delete", () => {
    const snap = loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json");
    const b = asPhi("mborch-test-bucket-config-item");
    expect(run(snap, "s3-versioning-mfa-delete", undefined, b).status).toBe("COMPLIANT");
    const strict = { ...(b as object), s3: { requireMfaDelete: true } } as never;
    const e = run(snap, "s3-versioning-mfa-delete", undefined, strict);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.isMfaDeleteEnabled).toBeNull();
    const mfa = withSupplementary(snap, {
      BucketVersioningConfiguration: { status: "Enabled", isMfaDeleteEnabled: true },
    });
    expect(run(mfa, "s3-versioning-mfa-delete", undefined, strict).status).toBe("COMPLIANT");
  });
});

describe("control s3-object-lock", () => {
  const lock = (mode: string, days: number) => ({
    ObjectLockConfiguration: {
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode, days, years: null } },
    },
  });

  it("is not applicable to a recordings bucket unless the baseline requires Object Lock everywhere", () => {
    expect(run(phiBucket(), "s3-object-lock").status).toBe("NOT_APPLICABLE");
  });

  it("fails on an evidence bucket without Object Lock (real RDK item)", () => {
    const e = run(
      loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json"),
      "s3-object-lock",
      undefined,
      asPhi("mborch-test-bucket-config-item", ["evidence"]),
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("checks the real Custodian GOVERNANCE/7-day configuration against the baseline (API shape)", () => {
    const api = JSON.parse(
      readFileSync("test/fixtures/api/custodian__s3.GetObjectLockConfiguration_GOVERNANCE_7d.json", "utf8"),
    ).data;
    const snap = withSupplementary(phiBucket(), { ObjectLockConfiguration: api.ObjectLockConfiguration });
    const required = (objectLock: object) =>
      ({ s3: { objectLock: { required: true, ...objectLock } } }) as never;
    expect(run(snap, "s3-object-lock", undefined, required({})).status).toBe("COMPLIANT");
    expect(run(snap, "s3-object-lock", undefined, required({ minDays: 30 })).status).toBe("NON_COMPLIANT");
    expect(run(snap, "s3-object-lock", undefined, required({ mode: "COMPLIANCE" })).status).toBe(
      "NON_COMPLIANT",
    );
  });

  it("passes COMPLIANCE mode for a GOVERNANCE requirement with enough days (Config shape)", () => {
    const b = { s3: { objectLock: { required: true, mode: "GOVERNANCE", minDays: 2555 } } } as never;
    expect(
      run(withSupplementary(phiBucket(), lock("COMPLIANCE", 2555)), "s3-object-lock", undefined, b).status,
    ).toBe("COMPLIANT");
    expect(
      run(withSupplementary(phiBucket(), lock("COMPLIANCE", 365)), "s3-object-lock", undefined, b).status,
    ).toBe("NON_COMPLIANT");
  });
  // DefaultRetention is "the default Object Lock retention settings for new objects placed in the
  // specified bucket" and needs both a mode and a period (S3 API DefaultRetention; Config records it
  // as ObjectLockConfiguration.rule.defaultRetention, aws-config-resource-schema). With Object Lock on
  // and no default retention (Config: rule null), only uploads that set their own retention are locked:
  // Connect sets none, and Config records no per-object retention, so "locked" cannot be proven.
  it("says cannot prove when Object Lock is on without a default retention", () => {
    const snap = withSupplementary(phiBucket(), {
      ObjectLockConfiguration: { objectLockEnabled: "Enabled", rule: null },
    });
    const e = run(snap, "s3-object-lock", undefined, { s3: { objectLock: { required: true } } } as never);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(String(e.evidence.proof)).toMatch(/^cannot prove/);
    expect(e.summary).toMatch(/no default retention/);
    // Still passes with a default retention when the baseline names no mode or minimum.
    expect(
      run(withSupplementary(phiBucket(), lock("GOVERNANCE", 1)), "s3-object-lock", undefined, {
        s3: { objectLock: { required: true } },
      } as never).status,
    ).toBe("COMPLIANT");
  });
});

describe("control s3-retention-lifecycle", () => {
  const rule = (over: Record<string, unknown>) => ({
    BucketLifecycleConfiguration: {
      rules: [
        {
          id: "phi",
          status: "Enabled",
          prefix: null,
          filter: null,
          expirationInDays: -1,
          noncurrentVersionExpirationInDays: -1,
          ...over,
        },
      ],
    },
  });

  it("fails on the real Custodian lifecycle item (noncurrent versions expire after 545 days)", () => {
    const e = run(
      loadItem("test/fixtures/config/custodian__CI_S3Bucket_lifecycle.json"),
      "s3-retention-lifecycle",
      undefined,
      asPhi("testing-99"),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.expiresSooner).toEqual([{ rule: "Docs", noncurrentVersionExpirationInDays: 545 }]);
  });

  it("fails on the real RDK item with no lifecycle at all", () => {
    const e = run(
      loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json"),
      "s3-retention-lifecycle",
      undefined,
      asPhi("mborch-test-bucket-config-item"),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.lifecycle).toBe("none recorded");
  });

  it("passes a whole-bucket expiration at the retention period", () => {
    // The RDK item is versioned: its noncurrent versions must expire too (see below).
    expect(
      run(
        withSupplementary(
          phiBucket(),
          rule({ expirationInDays: 2555, noncurrentVersionExpirationInDays: 2555 }),
        ),
        "s3-retention-lifecycle",
      ).status,
    ).toBe("COMPLIANT");
  });

  // S3 User Guide, lifecycle actions: in a versioning-enabled (or suspended) bucket, Expiration only
  // adds a delete marker and the data stays as a noncurrent version; only NoncurrentVersionExpiration
  // deletes it (API_NoncurrentVersionExpiration: "Upon expiration, Amazon S3 permanently deletes").
  it("fails a versioned bucket whose whole-bucket rule expires only current versions", () => {
    const e = run(withSupplementary(phiBucket(), rule({ expirationInDays: 2555 })), "s3-retention-lifecycle");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.lifecycle).toBe("no whole-bucket rule expires noncurrent versions");
  });

  it("counts current-version expiration alone as disposal on an unversioned bucket", () => {
    const snap = withSupplementary(phiBucket(), {
      ...rule({ expirationInDays: 2555 }),
      BucketVersioningConfiguration: { status: "Off", isMfaDeleteEnabled: null },
    });
    expect(run(snap, "s3-retention-lifecycle").status).toBe("COMPLIANT");
  });

  it.each([
    ["expires sooner", { expirationInDays: 30 }],
    ["expires on a fixed date", { expirationDate: "2027-01-01T00:00:00.000Z" }],
    [
      "expires only one prefix",
      { expirationInDays: 2555, filter: { predicate: { type: "LifecyclePrefixPredicate", prefix: "x/" } } },
    ],
  ])("fails when a rule %s", (_n, over) => {
    expect(run(withSupplementary(phiBucket(), rule(over)), "s3-retention-lifecycle").status).toBe(
      "NON_COMPLIANT",
    );
  });

  it("ignores disabled rules", () => {
    const snap = withSupplementary(phiBucket(), rule({ status: "Disabled", expirationInDays: 1 }));
    expect(
      run(snap, "s3-retention-lifecycle", undefined, { s3: { requireLifecycleExpiration: false } } as never)
        .status,
    ).toBe("COMPLIANT");
  });
});

describe("control s3-replication-residency", () => {
  const real = loadItem(
    "test/fixtures/config/custodian__CI_S3Bucket_replication_lifecycle_notification.json",
  );
  const dest = (region: string, account = "000111222333") => ({
    ...phiBucket("testing-west"),
    accountId: account,
    region,
  });

  it("fails on the real Custodian item: it replicates to an account outside the baseline", () => {
    const e = run(real, "s3-replication-residency", undefined, asPhi("testing-99"));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        destinationBucket: "testing-west",
        destinationAccount: "000111222333",
        why: "account not in the baseline",
      }),
    ]);
  });

  it("asks for the destination bucket in the destination account", () => {
    expect(requests(real, asPhi("testing-99"))).toContainEqual({
      kind: "inventory",
      resourceType: "AWS::S3::Bucket",
      accountId: "000111222333",
      ref: "testing-west",
    });
  });

  it("passes when the destination is an allowed account and region, fails on a disallowed region", () => {
    const b = {
      ...(asPhi("testing-99") as object),
      accounts: [ACCT, "000111222333"],
      allowedRegions: ["us-east-1", "us-west-2"],
    } as never;
    const ok = facts({ inventory: { "AWS::S3::Bucket": [dest("us-west-2")] } });
    expect(run(real, "s3-replication-residency", ok, b).status).toBe("COMPLIANT");
    const eu = facts({ inventory: { "AWS::S3::Bucket": [dest("eu-west-1")] } });
    expect(run(real, "s3-replication-residency", eu, b).status).toBe("NON_COMPLIANT");
  });

  it("says cannot prove when the destination bucket is not in the inventory", () => {
    const b = { ...(asPhi("testing-99") as object), accounts: [ACCT, "000111222333"] } as never;
    const e = run(real, "s3-replication-residency", facts({ inventory: { "AWS::S3::Bucket": [] } }), b);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("reads the API shape (real Custodian GetBucketReplication) and passes a same-account destination", () => {
    const api = JSON.parse(
      readFileSync("test/fixtures/api/custodian__s3.GetBucketReplication_enabled.json", "utf8"),
    ).data;
    const snap = withSupplementary(phiBucket(), {
      BucketReplicationConfiguration: api.ReplicationConfiguration,
    });
    const f = facts({
      inventory: { "AWS::S3::Bucket": [{ ...phiBucket("custodian-replication-west"), region: "us-east-1" }] },
    });
    expect(run(snap, "s3-replication-residency", f).status).toBe("COMPLIANT");
  });

  // Destination.Account is optional: S3 needs it only with AccessControlTranslation (owner override),
  // so a cross-account rule may leave it out ("Currently, Amazon S3 verifies this value only if Access
  // Control Translation is enabled", S3 API Destination). Without it the destination is the account
  // whose inventory holds the bucket (names are global), not necessarily the source account.
  describe("a destination whose account is not recorded", () => {
    const DR = "444455556666";
    const noAccount = withSupplementary(phiBucket(), {
      BucketReplicationConfiguration: {
        roleARN: `arn:aws:iam::${ACCT}:role/replication`,
        rules: {
          dr: {
            prefix: "",
            status: "Enabled",
            destinationConfig: { bucketARN: "arn:aws:s3:::phi-dr", storageClass: null },
          },
        },
      },
    });
    const b = { accounts: [ACCT, DR], allowedRegions: ["us-east-1", "us-west-2"] } as never;
    const inAccount = (account: string, region: string) =>
      ({
        kmsKey: () => undefined,
        accountPublicAccessBlock: () => undefined,
        inventory: (type, acct, id) =>
          type === "AWS::S3::Bucket" && acct === account && (id === undefined || id === "phi-dr")
            ? [{ ...phiBucket("phi-dr"), accountId: account, region }]
            : [],
      }) satisfies import("../../../../packages/core/src/control/index.ts").FactLookup;

    it("asks for the bucket in every baseline account", () => {
      const asked = requests(noAccount, b).filter((r) => r.kind === "inventory" && r.ref === "phi-dr");
      expect(asked.map((r) => r.accountId).sort()).toEqual([ACCT, DR].sort());
    });

    it("passes when another baseline account holds it in an allowed region", () => {
      const e = run(noAccount, "s3-replication-residency", inAccount(DR, "us-west-2"), b);
      expect(e.status).toBe("COMPLIANT");
      expect(e.evidence.destinations).toEqual([
        expect.objectContaining({ destinationAccount: DR, region: "us-west-2" }),
      ]);
    });

    it("fails on a disallowed region there, and says cannot prove when no baseline account holds it", () => {
      expect(run(noAccount, "s3-replication-residency", inAccount(DR, "eu-west-1"), b).status).toBe(
        "NON_COMPLIANT",
      );
      const e = run(noAccount, "s3-replication-residency", inAccount("000000000000", "us-east-1"), b);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ destinationAccount: "not recorded" }),
      ]);
    });
  });

  it("passes with no replication", () => {
    expect(run(phiBucket(), "s3-replication-residency").status).toBe("COMPLIANT");
  });
});

describe("control s3-retention-lifecycle: minimal counterexamples of the lifecycle model", () => {
  const api = (...Rules: object[]) => ({ BucketLifecycleConfiguration: { Rules } });
  const keep = { Expiration: { Days: 2555 }, NoncurrentVersionExpiration: { NoncurrentDays: 2555 } };

  // S3 User Guide (lifecycle actions): "For the deletion to occur, both the NoncurrentDays and the
  // NewerNoncurrentVersions values must be exceeded": the newest N noncurrent versions stay for ever.
  it("fails a versioned bucket whose only noncurrent expiration keeps the newest versions", () => {
    const snap = withSupplementary(
      phiBucket(),
      api({
        ID: "keep-3",
        Status: "Enabled",
        Filter: {},
        ...keep,
        NoncurrentVersionExpiration: { NoncurrentDays: 2555, NewerNoncurrentVersions: 3 },
      }),
    );
    const e = run(snap, "s3-retention-lifecycle");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toMatch(/noncurrent versions/);
  });

  // Objects under 128 KB never transition, so retention is often split by size: together the two
  // rules expire every object.
  it("passes rules that together cover every object size", () => {
    const snap = withSupplementary(
      phiBucket(),
      api(
        { ID: "small", Status: "Enabled", Filter: { ObjectSizeLessThan: 131072 }, ...keep },
        { ID: "large", Status: "Enabled", Filter: { ObjectSizeGreaterThan: 131071 }, ...keep },
      ),
    );
    expect(run(snap, "s3-retention-lifecycle").status).toBe("COMPLIANT");
    const gap = withSupplementary(
      phiBucket(),
      api(
        { ID: "small", Status: "Enabled", Filter: { ObjectSizeLessThan: 131072 }, ...keep },
        { ID: "large", Status: "Enabled", Filter: { ObjectSizeGreaterThan: 131072 }, ...keep },
      ),
    );
    expect(run(gap, "s3-retention-lifecycle").status).toBe("NON_COMPLIANT");
  });

  // A Date applies to every object that qualifies, also after the date ("not a one-time action"),
  // whatever form the recorded date takes (the SDK gives a Date, a JSON encoder may give epoch ms).
  it.each([
    ["an epoch number", Date.parse("2030-01-01T00:00:00Z")],
    ["a Date", new Date("2030-01-01T00:00:00Z")],
  ])("fails a Date expiration recorded as %s", (_n, date) => {
    const snap = withSupplementary(
      phiBucket(),
      api(
        { ID: "all", Status: "Enabled", Filter: {}, ...keep },
        {
          ID: "on-a-date",
          Status: "Enabled",
          Filter: { Prefix: "x/" },
          Expiration: { Date: date },
        },
      ),
    );
    const e = run(snap, "s3-retention-lifecycle");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.expiresSooner).toEqual([expect.objectContaining({ rule: "on-a-date" })]);
  });

  it.each([
    ["a configuration that does not parse", "{not json"],
    ["rules that are not a list", { rules: { a: 1 } }],
    ["a rule that is not an object", { Rules: [{ ID: "all", Status: "Enabled", Filter: {}, ...keep }, "x"] }],
    [
      "a rule without a status",
      {
        Rules: [
          { ID: "all", Status: "Enabled", Filter: {}, ...keep },
          { ID: "r", Expiration: { Days: 1 } },
        ],
      },
    ],
    [
      "an expiration that is not a number",
      { Rules: [{ ID: "all", Status: "Enabled", Filter: {}, ...keep, Expiration: { Days: "soon" } }] },
    ],
  ])("says cannot prove on %s, never passes", (_n, value) => {
    const snap = withSupplementary(phiBucket(), { BucketLifecycleConfiguration: value });
    for (const requireLifecycleExpiration of [true, false]) {
      const e = run(snap, "s3-retention-lifecycle", undefined, {
        s3: { requireLifecycleExpiration },
      } as never);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
    }
  });

  it("says cannot prove disposal when the versioning status is not recorded", () => {
    const snap = withSupplementary(phiBucket(), {
      ...api({ ID: "all", Status: "Enabled", Filter: {}, Expiration: { Days: 2555 } }),
      BucketVersioningConfiguration: undefined,
    });
    const e = run(snap, "s3-retention-lifecycle");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
});

describe("control s3-replication-residency: unreadable replication never passes", () => {
  it.each([
    ["a configuration that does not parse", "{not json"],
    ["rules that are neither a list nor a map", { rules: "x" }],
    [
      "an enabled rule with no readable destination",
      { Rules: [{ ID: "r", Status: "Enabled", Destination: {} }] },
    ],
    ["a rule without a status", { Rules: [{ ID: "r", Destination: { Bucket: "arn:aws:s3:::elsewhere" } }] }],
    ["a rule that is not an object", { Rules: ["x"] }],
  ])("says cannot prove on %s", (_n, value) => {
    const snap = withSupplementary(phiBucket(), { BucketReplicationConfiguration: value });
    const e = run(snap, "s3-replication-residency", facts({ inventory: { "AWS::S3::Bucket": [] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("still passes a disabled rule and no replication at all", () => {
    const off = withSupplementary(phiBucket(), {
      BucketReplicationConfiguration: {
        Rules: [{ ID: "r", Status: "Disabled", Destination: { Bucket: "arn:aws:s3:::elsewhere" } }],
      },
    });
    expect(run(off, "s3-replication-residency").status).toBe("COMPLIANT");
  });
});

describe("control s3-acls-disabled", () => {
  it("fails outright, not 'cannot prove', when the ACL is unreadable but ownership leaves ACLs on", () => {
    const snap = withSupplementary(phiBucket(), {
      AccessControlList: '{"grantList":[{"grantee"',
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
    });
    const e = run(snap, "s3-acls-disabled", facts());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toEqual({ objectOwnership: "BucketOwnerPreferred", accessControlList: "unreadable" });
  });
});

describe("control s3-acls-disabled: no Object Ownership setting", () => {
  // The sweep and the event path read Object Ownership with GetBucketOwnershipControls (Config does not
  // record it: aws-config-resource-schema AWS::S3::Bucket has no ownership field); a bucket with none
  // answers OwnershipControlsNotFoundError, recorded as { Rules: [] } (enrich.ts): ACLs are on, the
  // behaviour of buckets created before April 2023. That is a reading, not a missing fact.
  it("fails outright, not 'cannot prove', when the read found no ownership controls", () => {
    const snap = withSupplementary(phiBucket(), { OwnershipControls: { Rules: [] } });
    const e = run(snap, "s3-acls-disabled", facts());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.objectOwnership).toBe("none");
    expect(e.summary).toMatch(/no Object Ownership setting/);
  });
});
