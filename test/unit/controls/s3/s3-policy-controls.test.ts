import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACCT, loadItem, phiBucket, policyText, run, withSupplementary } from "./support.ts";

const BUCKET = "arn:aws:s3:::phi-recordings";
const OBJECTS = `${BUCKET}/*`;
const TLS_DENY = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [BUCKET, OBJECTS],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const QA = `arn:aws:iam::${ACCT}:role/qa-supervisor`;
const ANALYTICS = `arn:aws:iam::${ACCT}:role/analytics`;
const principals = { rawReaders: [QA], analytics: [ANALYTICS], operators: [`arn:aws:iam::${ACCT}:role/ops`] };

describe("control s3-tls-only", () => {
  it("fails on the real RDK item: its Deny covers the bucket but not the objects", () => {
    const snap = loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json");
    const e = run(snap, "s3-tls-only", undefined, {
      phiBuckets: [{ name: "mborch-test-bucket-config-item" }],
    });
    expect(e.status).toBe("NON_COMPLIANT");
    const gaps = e.evidence.notDenied as Array<{ action: string; resource: string }>;
    expect(gaps.map((g) => g.action)).toEqual([
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
    ]);
    expect(e.evidence.deniedBy).toEqual(["Stmt1478389920384"]);
  });

  it("fails on the real Custodian policy that denies GetObject when SecureTransport is *true*", () => {
    const policy = JSON.parse(
      readFileSync("test/fixtures/api/custodian__s3.GetBucketPolicy_SecureTransport.json", "utf8"),
    ).data.Policy as string;
    const snap = withSupplementary(phiBucket("custodian-test-data"), {
      BucketPolicy: { policyText: policy },
    });
    const e = run(snap, "s3-tls-only", undefined, { phiBuckets: [{ name: "custodian-test-data" }] });
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("passes when a Deny on aws:SecureTransport=false covers bucket and objects", () => {
    expect(run(withSupplementary(phiBucket(), policyText(TLS_DENY)), "s3-tls-only").status).toBe("COMPLIANT");
  });

  it.each([
    ["no policy", { BucketPolicy: { policyText: null } }],
    ["a Deny limited to one principal", policyText({ ...TLS_DENY, Principal: { AWS: QA } })],
    ["a Deny on s3:GetObject only", policyText({ ...TLS_DENY, Action: "s3:GetObject" })],
  ])("fails with %s", (_n, supp) => {
    expect(run(withSupplementary(phiBucket(), supp), "s3-tls-only").status).toBe("NON_COMPLIANT");
  });

  it("says cannot prove when the Deny also depends on an undecidable condition", () => {
    const deny = {
      ...TLS_DENY,
      Condition: { ...TLS_DENY.Condition, StringNotEquals: { "aws:SourceVpce": "vpce-1a2b" } },
    };
    const e = run(withSupplementary(phiBucket(), policyText(deny)), "s3-tls-only");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("passes on the Bool forms AWS documents: IfExists, a set qualifier, a JSON false", () => {
    for (const Condition of [
      { BoolIfExists: { "aws:SecureTransport": "false" } },
      { "ForAnyValue:Bool": { "aws:SecureTransport": "false" } },
      { Bool: { "aws:SecureTransport": false } },
      { Bool: { "AWS:securetransport": "false" } },
    ])
      expect(
        run(withSupplementary(phiBucket(), policyText({ ...TLS_DENY, Condition })), "s3-tls-only").status,
      ).toBe("COMPLIANT");
  });

  it.each([
    ["StringEquals", { StringEquals: { "aws:SecureTransport": "false" } }],
    ["StringLike", { StringLike: { "aws:SecureTransport": "f*" } }],
    ["StringNotEquals", { StringNotEquals: { "aws:SecureTransport": "true" } }],
    ["Bool with a capitalised value", { Bool: { "aws:SecureTransport": "False" } }],
  ])("says cannot prove when the Deny tests the Boolean key with %s (undocumented)", (_n, Condition) => {
    // IAM User Guide, "Condition operators": aws:SecureTransport is a Boolean key, compared with Bool and
    // the values true/false; how a string operator or another spelling compares it is not documented.
    const e = run(withSupplementary(phiBucket(), policyText({ ...TLS_DENY, Condition })), "s3-tls-only");
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("is not applicable outside the baseline", () => {
    expect(run(phiBucket("marketing-assets"), "s3-tls-only").status).toBe("NOT_APPLICABLE");
  });
  it("fails when the Deny uses NotPrincipal: the exempted account and user may use plain HTTP", () => {
    const { Principal: _, ...rest } = TLS_DENY;
    const deny = {
      ...rest,
      NotPrincipal: { AWS: [`arn:aws:iam::${ACCT}:root`, `arn:aws:iam::${ACCT}:user/ops`] },
    };
    expect(run(withSupplementary(phiBucket(), policyText(deny)), "s3-tls-only").status).toBe("NON_COMPLIANT");
  });

  it("fails when the TLS Deny covers only the prefix an Allow reaches (other objects are not refused)", () => {
    // Found by the differential test: the Deny cancelled the Allow and was taken for a Deny of every object.
    const connect = `${BUCKET}/connect/*`;
    const allow = { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: connect };
    const e = run(
      withSupplementary(phiBucket(), policyText(allow, { ...TLS_DENY, Resource: [BUCKET, connect] })),
      "s3-tls-only",
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.notDenied as Array<{ effect: string }>)[0]?.effect).toBe("implicit-deny");
  });
});

describe("control s3-policy-least-privilege", () => {
  const readFor = (Principal: unknown, extra: Record<string, unknown> = {}) => ({
    Sid: "Read",
    Effect: "Allow",
    Principal,
    Action: "s3:GetObject",
    Resource: OBJECTS,
    ...extra,
  });

  it.each([
    [
      "another account may change the default encryption",
      { AWS: "444455556666" },
      "s3:PutEncryptionConfiguration",
      BUCKET,
    ],
    ["anyone may turn Block Public Access off", "*", "s3:PutBucketPublicAccessBlock", BUCKET],
    ["anyone may read object ACLs", "*", "s3:GetObjectAcl", OBJECTS],
    [
      "another account may bypass Object Lock governance",
      { AWS: "444455556666" },
      "s3:BypassGovernanceRetention",
      OBJECTS,
    ],
    ["anyone may delete the bucket", { AWS: "*" }, "s3:DeleteBucket", BUCKET],
    ["another account may tag the bucket (a wildcard)", { AWS: "444455556666" }, "s3:PutBucketT*", BUCKET],
  ])(
    "fails when %s: a grant of any action counts, not only of the actions it lists",
    (_n, Principal, Action, Resource) => {
      const e = run(
        withSupplementary(phiBucket(), policyText(readFor(Principal, { Sid: "Other", Action, Resource }))),
        "s3-policy-least-privilege",
        undefined,
        { principals },
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ statement: "Other", actions: [Action] }),
      ]);
    },
  );

  it("fails when a Deny cancels a grant's listed actions but not the others it grants", () => {
    const grant = readFor("*", { Action: ["s3:GetObject", "s3:GetObjectTagging"] });
    const deny = { Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: OBJECTS };
    const e = run(
      withSupplementary(phiBucket(), policyText(grant, deny)),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({ statement: "Read", actions: ["s3:GetObjectTagging"] }),
    ]);
  });

  it("still lets a Deny of s3:* cancel a grant of s3:* to another account", () => {
    const vendor = { AWS: "444455556666" };
    const grant = readFor(vendor, { Action: "s3:*", Resource: [BUCKET, OBJECTS] });
    const deny = { Effect: "Deny", Principal: vendor, Action: "s3:*", Resource: [BUCKET, OBJECTS] };
    const e = run(
      withSupplementary(phiBucket(), policyText(grant, deny)),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(e.status).toBe("COMPLIANT");
  });

  it("cannot prove least privilege when the bucket delegates access control to access points", () => {
    // AWS's delegation statement: who reads is then decided by access point and identity policies,
    // which phiwatch does not record; never a pass.
    const e = run(
      withSupplementary(
        phiBucket(),
        policyText({
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: [BUCKET, OBJECTS],
          Condition: { StringEquals: { "s3:DataAccessPointAccount": ACCT } },
        }),
      ),
      "s3-policy-least-privilege",
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ principal: "*", undecided: ["StringEquals s3:DataAccessPointAccount"] }),
    );
  });

  it("passes on the real RDK item (its only statement is a Deny)", () => {
    const e = run(
      loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json"),
      "s3-policy-least-privilege",
      undefined,
      {
        phiBuckets: [{ name: "mborch-test-bucket-config-item" }],
      },
    );
    expect(e.status).toBe("COMPLIANT");
  });

  it("fails on the real Custodian Config item granting s3:* to a role outside the baseline", () => {
    const rec = JSON.parse(
      readFileSync("test/fixtures/api/custodian__config.SelectResourceConfig_S3Bucket.json", "utf8"),
    );
    const frag = JSON.parse(rec.data.Results[0]);
    const snap = withSupplementary(phiBucket("c7n-ssm-build"), frag.supplementaryConfiguration);
    const e = run({ ...snap, accountId: "644160558196" }, "s3-policy-least-privilege", undefined, {
      phiBuckets: [{ name: "c7n-ssm-build" }],
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({
        principal: "arn:aws:iam::644160558196:role/service-role/codebuild-test-service-role",
        why: "principal not in the baseline",
      }),
    );
  });

  it.each([
    ["Principal *", "*", "any principal"],
    ["another account", { AWS: "arn:aws:iam::444455556666:root" }, "another account"],
    [
      "a role not in the baseline",
      { AWS: `arn:aws:iam::${ACCT}:role/intern` },
      "principal not in the baseline",
    ],
    ["a service not in the baseline", { Service: "logging.s3.amazonaws.com" }, "service not in the baseline"],
  ])("fails on %s", (_n, principal, why) => {
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor(principal))),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.violations as Array<{ why: string }>)[0]?.why).toBe(why);
  });

  it("passes when every grant names a baseline principal, the account or a pipeline service", () => {
    const snap = withSupplementary(
      phiBucket(),
      policyText(readFor({ AWS: [QA, ACCT], Service: "connect.amazonaws.com" }), TLS_DENY),
    );
    expect(run(snap, "s3-policy-least-privilege", undefined, { principals }).status).toBe("COMPLIANT");
  });

  it("reads Principal * narrowed by aws:PrincipalArn as those principals", () => {
    const narrowed = readFor("*", { Condition: { ArnLike: { "aws:PrincipalArn": QA } } });
    const wide = readFor("*", {
      Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/*` } },
    });
    expect(
      run(withSupplementary(phiBucket(), policyText(narrowed)), "s3-policy-least-privilege", undefined, {
        principals,
      }).status,
    ).toBe("COMPLIANT");
    expect(
      run(withSupplementary(phiBucket(), policyText(wide)), "s3-policy-least-privilege", undefined, {
        principals,
      }).status,
    ).toBe("NON_COMPLIANT");
  });

  it("says cannot prove for Principal * restricted only by an undecidable condition", () => {
    const grant = readFor("*", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } });
    const e = run(withSupplementary(phiBucket(), policyText(grant)), "s3-policy-least-privilege", undefined, {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("does not let a NotPrincipal Deny cancel a grant to everyone (the exempted account can still read)", () => {
    const deny = {
      Effect: "Deny",
      NotPrincipal: { AWS: "arn:aws:iam::444455556666:root" },
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
    };
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor("*"), deny)),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("does not let a Deny for another account's root user cancel a grant to the whole account", () => {
    // Principal {"AWS": account} reaches every identity of the account; this Deny reaches only its root user.
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
      Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::444455556666:root" } },
    };
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor({ AWS: "444455556666" }), deny)),
      "s3-policy-least-privilege",
      undefined,
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("still lets a Deny for a whole other account cancel a grant to it", () => {
    const deny = {
      Effect: "Deny",
      Principal: { AWS: "444455556666" },
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
    };
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor({ AWS: "444455556666" }), deny)),
      "s3-policy-least-privilege",
      undefined,
      { principals },
    );
    expect(e.status).toBe("COMPLIANT");
  });

  it("fails when an analytics role is granted raw recordings", () => {
    const grant = readFor({ AWS: ANALYTICS });
    const e = run(withSupplementary(phiBucket(), policyText(grant)), "s3-policy-least-privilege", undefined, {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ why: "analytics principal can read raw audio" }),
    );
  });

  it("fails when an analytics role is granted a prefix named by its tag, which may be the raw-recording prefix", () => {
    const grant = { ...readFor({ AWS: ANALYTICS }), Resource: `${BUCKET}/\${aws:PrincipalTag/prefix}*` };
    const e = run(withSupplementary(phiBucket(), policyText(grant)), "s3-policy-least-privilege", undefined, {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("fails when an operator is granted object reads: managing the bucket is not reading PHI (as iam-raw-readers-designated asks of identity policies)", () => {
    const OPS = `arn:aws:iam::${ACCT}:role/ops`;
    const manage = {
      Sid: "Manage",
      Effect: "Allow",
      Principal: { AWS: OPS },
      Action: ["s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"],
      Resource: BUCKET,
    };
    const ok = run(
      withSupplementary(phiBucket(), policyText(manage)),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(ok.status).toBe("COMPLIANT");
    const e = run(
      withSupplementary(phiBucket(), policyText(manage, readFor({ AWS: OPS }))),
      "s3-policy-least-privilege",
      undefined,
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      {
        statement: "Read",
        principal: OPS,
        why: "can read PHI objects but is not a designated raw reader",
        actions: ["s3:GetObject"],
      },
    ]);
    // A raw reader and an analytics role may read objects (analytics: not the raw prefixes).
    for (const who of [QA, ANALYTICS]) {
      const grant = { ...readFor({ AWS: who }), Resource: `${BUCKET}/transcripts/*` };
      expect(
        run(withSupplementary(phiBucket(), policyText(grant)), "s3-policy-least-privilege", undefined, {
          principals,
        }).status,
      ).toBe("COMPLIANT");
    }
  });

  it("requires the explicit Deny for outsiders when the baseline asks for it", () => {
    const s3 = { denyOutsiders: true };
    const without = withSupplementary(phiBucket(), policyText(readFor({ AWS: QA })));
    expect(run(without, "s3-policy-least-privilege", undefined, { principals, s3 }).status).toBe(
      "NON_COMPLIANT",
    );
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
      Condition: { ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS, `arn:aws:iam::${ACCT}:role/ops`] } },
    };
    const withDeny = withSupplementary(phiBucket(), policyText(readFor({ AWS: QA }), deny));
    expect(run(withDeny, "s3-policy-least-privilege", undefined, { principals, s3 }).status).toBe(
      "COMPLIANT",
    );
  });

  it.each([
    [
      "an outside role it names",
      { ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS, "arn:aws:iam::444455556666:role/vendor"] } },
    ],
    [
      "a pattern of outside roles",
      { ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS, "arn:aws:iam::*:role/vendor-*"] } },
    ],
    [
      "another whole account",
      {
        ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS] },
        StringNotEquals: { "aws:PrincipalAccount": "444455556666" },
      },
    ],
    [
      "anonymous callers (no aws:PrincipalArn)",
      { ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS] }, Null: { "aws:PrincipalArn": "false" } },
    ],
  ])("fails denyOutsiders when the Deny spares %s", (_n, Condition) => {
    // Found by the differential test: only two synthetic roles were probed, so a Deny whose exemptions
    // named an outsider passed. Outsiders the policy names, and an anonymous caller, are probed too.
    const deny = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, OBJECTS], Condition };
    const snap = withSupplementary(phiBucket(), policyText(readFor({ AWS: QA }), deny));
    const e = run(snap, "s3-policy-least-privilege", undefined, { principals, s3: { denyOutsiders: true } });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.outsidersNotDenied).toBeDefined();
  });

  it("cannot prove the Deny for outsiders when its ArnNotLike pattern is not a six-part ARN", () => {
    // `arn:aws:iam::111122223333*` (a colon lost before the star) has five parts: AWS documents
    // ArnLike per six components only, so whether the Deny reaches an outsider is not provable.
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
      Condition: { ArnNotLike: { "aws:PrincipalArn": [QA, ANALYTICS, `arn:aws:iam::${ACCT}*`] } },
    };
    const snap = withSupplementary(phiBucket(), policyText(readFor({ AWS: QA }), deny));
    const e = run(snap, "s3-policy-least-privilege", undefined, { principals, s3: { denyOutsiders: true } });
    expect(e.status).toBe("NON_COMPLIANT");
  });
  it("fails when a NotPrincipal Deny lists the outside grantee with its account: it may exempt the role", () => {
    // IAM User Guide, NotPrincipal: listing "both the ARN for a role and the ARN for the account" is how
    // the docs exempt a role, so the Deny does not prove the grant cancelled.
    const outsider = "arn:aws:iam::444455556666:role/vendor";
    const deny = {
      Effect: "Deny",
      NotPrincipal: { AWS: [outsider, "arn:aws:iam::444455556666:root"] },
      Action: "s3:*",
      Resource: [BUCKET, OBJECTS],
    };
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor({ AWS: outsider }), deny)),
      "s3-policy-least-privilege",
      undefined,
      {
        principals,
      },
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("still lets a Deny covering exactly what a grant reaches cancel it", () => {
    const connect = `${BUCKET}/connect/*`;
    const vendor = { AWS: "444455556666" };
    const deny = { Effect: "Deny", Principal: vendor, Action: "s3:*", Resource: connect };
    const e = run(
      withSupplementary(phiBucket(), policyText(readFor(vendor, { Resource: connect }), deny)),
      "s3-policy-least-privilege",
      undefined,
      { principals },
    );
    expect(e.status).toBe("COMPLIANT");
  });
});

describe("control s3-acls-disabled", () => {
  it("fails on the real Custodian item whose ACL grants AllUsers Read (double-encoded ACL)", () => {
    const snap = loadItem("test/fixtures/config/custodian__CI_S3Bucket_lifecycle.json");
    const e = run(snap, "s3-acls-disabled", undefined, { phiBuckets: [{ name: "testing-99" }] });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.foreignGrants).toEqual([{ grantee: "AllUsers", permission: "Read" }]);
  });

  it("says cannot prove on the real RDK item: owner-only ACL but Object Ownership not recorded", () => {
    const e = run(loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json"), "s3-acls-disabled", undefined, {
      phiBuckets: [{ name: "mborch-test-bucket-config-item" }],
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("passes with BucketOwnerEnforced", () => {
    const snap = withSupplementary(phiBucket(), {
      BucketOwnershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
    });
    expect(run(snap, "s3-acls-disabled").status).toBe("COMPLIANT");
  });

  it("fails with BucketOwnerPreferred", () => {
    const snap = withSupplementary(phiBucket(), {
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
    });
    expect(run(snap, "s3-acls-disabled").status).toBe("NON_COMPLIANT");
  });
});

describe("bucket-policy controls in the AWS GovCloud (US) and China partitions", () => {
  // A bucket there is arn:aws-us-gov:s3:::NAME (arn:aws-cn:s3:::NAME) and its policy names it so: a
  // Resource arn:aws:s3:::NAME in a GovCloud bucket's policy names no object of it.
  const partitions = [
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ] as const;
  /** The rdk item as a PHI bucket of `partition`: with its ARN, or (an old item) its region only. */
  const bucketIn = (partition: string, region: string, withArn = true) =>
    loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
      resourceId: "phi-recordings",
      resourceName: "phi-recordings",
      awsAccountId: ACCT,
      awsRegion: region,
      ARN: withArn ? `arn:${partition}:s3:::phi-recordings` : undefined,
    });
  const tlsDeny = (partition: string) => ({
    ...TLS_DENY,
    Resource: [`arn:${partition}:s3:::phi-recordings`, `arn:${partition}:s3:::phi-recordings/*`],
  });
  const publicRead = (partition: string) => ({
    Sid: "PublicRead",
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: `arn:${partition}:s3:::phi-recordings/*`,
  });

  it.each(partitions)(
    "s3-tls-only passes the TLS Deny written in the bucket's partition (%s)",
    (p, region) => {
      for (const b of [bucketIn(p, region), bucketIn(p, region, false)]) {
        const e = run(withSupplementary(b, policyText(tlsDeny(p))), "s3-tls-only");
        expect(e.status).toBe("COMPLIANT");
        expect(e.evidence.deniedBy).toEqual(["DenyInsecureTransport"]);
      }
    },
  );

  it("s3-tls-only fails a GovCloud bucket whose TLS Deny names the commercial ARNs (it denies nothing there)", () => {
    const e = run(
      withSupplementary(bucketIn("aws-us-gov", "us-gov-west-1"), policyText(tlsDeny("aws"))),
      "s3-tls-only",
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.notDenied as Array<{ resource: string }>)[0]!.resource).toBe(
      "arn:aws-us-gov:s3:::phi-recordings/*",
    );
  });

  it.each(partitions)("s3-policy-least-privilege fails Principal * reading PHI objects (%s)", (p, region) => {
    for (const b of [bucketIn(p, region), bucketIn(p, region, false)]) {
      const e = run(withSupplementary(b, policyText(publicRead(p))), "s3-policy-least-privilege", undefined, {
        principals,
      });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ statement: "PublicRead", principal: "*", why: "any principal" }),
      ]);
    }
  });

  it("s3-policy-least-privilege does not take a commercial-partition Resource in a GovCloud policy for a grant", () => {
    const e = run(
      withSupplementary(bucketIn("aws-us-gov", "us-gov-west-1"), policyText(publicRead("aws"))),
      "s3-policy-least-privilege",
      undefined,
      { principals },
    );
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.grants).toBe(0);
  });

  it.each(partitions)(
    "s3-policy-least-privilege fails an analytics role reading raw audio (%s)",
    (p, region) => {
      const analytics = `arn:${p}:iam::${ACCT}:role/analytics`;
      const stmt = {
        Sid: "AnalyticsRaw",
        Effect: "Allow",
        Principal: { AWS: analytics },
        Action: "s3:GetObject",
        Resource: `arn:${p}:s3:::phi-recordings/connect/*`,
      };
      const e = run(
        withSupplementary(bucketIn(p, region), policyText(stmt)),
        "s3-policy-least-privilege",
        undefined,
        {
          principals: { analytics: [analytics] },
        },
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toContainEqual(
        expect.objectContaining({ principal: analytics, why: "analytics principal can read raw audio" }),
      );
    },
  );

  describe("denyOutsiders probes principals of the bucket's partition", () => {
    const s3 = { denyOutsiders: true };
    const reader = (p: string) => `arn:${p}:iam::${ACCT}:role/qa-supervisor`;
    const deny = (p: string, Condition: Record<string, unknown>) => ({
      Sid: "DenyOutsiders",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:${p}:s3:::phi-recordings`, `arn:${p}:s3:::phi-recordings/*`],
      Condition,
    });
    it.each(partitions)("passes a Deny that spares only the baseline's principals (%s)", (p, region) => {
      const snap = withSupplementary(
        bucketIn(p, region),
        policyText(deny(p, { ArnNotLike: { "aws:PrincipalArn": [reader(p)] } })),
      );
      const e = run(snap, "s3-policy-least-privilege", undefined, {
        principals: { rawReaders: [reader(p)] },
        s3,
      });
      expect(e.status).toBe("COMPLIANT");
    });
    it.each(partitions)(
      "fails a Deny that also spares a role the baseline does not list (%s)",
      (p, region) => {
        const contractor = `arn:${p}:iam::${ACCT}:role/contractor`;
        const snap = withSupplementary(
          bucketIn(p, region),
          policyText(deny(p, { ArnNotLike: { "aws:PrincipalArn": [reader(p), contractor] } })),
        );
        const e = run(snap, "s3-policy-least-privilege", undefined, {
          principals: { rawReaders: [reader(p)] },
          s3,
        });
        expect(e.status).toBe("NON_COMPLIANT");
        expect(e.evidence.outsidersNotDenied).toContainEqual({ arn: contractor, effect: "implicit-deny" });
      },
    );
    it.each(partitions)("fails a Deny that refuses other accounts only (%s)", (p, region) => {
      const snap = withSupplementary(
        bucketIn(p, region),
        policyText(deny(p, { ArnNotLike: { "aws:PrincipalArn": `arn:${p}:iam::${ACCT}:*` } })),
      );
      const e = run(snap, "s3-policy-least-privilege", undefined, {
        principals: { rawReaders: [reader(p)] },
        s3,
      });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.outsidersNotDenied).toContainEqual({
        arn: `arn:${p}:iam::${ACCT}:role/phiwatch-outsider-probe`,
        effect: "implicit-deny",
      });
    });
  });
});

describe("bucket-policy controls in the AWS GovCloud (US) and China partitions (second, independent review)", () => {
  // A bucket policy names its bucket in the bucket's own partition (arn:aws-us-gov:s3:::bucket/*): the
  // controls must ask about those ARNs, as the identity controls do (docs/operations.md).
  const partitions = [
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ] as const;
  const bucketIn = (partition: string, region: string) =>
    loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
      resourceId: "phi-recordings",
      resourceName: "phi-recordings",
      awsAccountId: ACCT,
      ARN: `arn:${partition}:s3:::phi-recordings`,
      awsRegion: region,
    });

  it.each(partitions)(
    "s3-policy-least-privilege fails a public read of PHI objects in %s",
    (partition, region) => {
      const objects = `arn:${partition}:s3:::phi-recordings/*`;
      const snap = withSupplementary(
        bucketIn(partition, region),
        policyText({
          Sid: "Public",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: objects,
        }),
      );
      const e = run(snap, "s3-policy-least-privilege", undefined, { principals });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toContainEqual(expect.objectContaining({ statement: "Public" }));
    },
  );

  it.each(partitions)(
    "s3-policy-least-privilege fails an analytics role granted raw recordings in %s",
    (partition, region) => {
      const analytics = `arn:${partition}:iam::${ACCT}:role/analytics`;
      const snap = withSupplementary(
        bucketIn(partition, region),
        policyText({
          Sid: "Analytics",
          Effect: "Allow",
          Principal: { AWS: analytics },
          Action: "s3:GetObject",
          Resource: `arn:${partition}:s3:::phi-recordings/*`,
        }),
      );
      const e = run(snap, "s3-policy-least-privilege", undefined, {
        principals: {
          rawReaders: [`arn:${partition}:iam::${ACCT}:role/qa-supervisor`],
          analytics: [analytics],
        },
      });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toContainEqual(
        expect.objectContaining({ statement: "Analytics", why: "analytics principal can read raw audio" }),
      );
    },
  );

  it.each(partitions)(
    "s3-tls-only passes the Deny on aws:SecureTransport=false in %s",
    (partition, region) => {
      const bucket = `arn:${partition}:s3:::phi-recordings`;
      const snap = withSupplementary(
        bucketIn(partition, region),
        policyText({ ...TLS_DENY, Resource: [bucket, `${bucket}/*`] }),
      );
      expect(run(snap, "s3-tls-only").status).toBe("COMPLIANT");
    },
  );
});
