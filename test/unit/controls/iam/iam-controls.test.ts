import { describe, expect, it } from "vitest";
import type { ResourceSnapshot } from "../../../../packages/core/src/resource/index.ts";
import { ACCT, facts, loadItem, requests, run } from "../s3/support.ts";

const RDK_ACCT = "264683526309";
const ANALYTICS = `arn:aws:iam::${ACCT}:role/contact-analytics`;
const QA = `arn:aws:iam::${ACCT}:role/qa-supervisor`;
const OPS = `arn:aws:iam::${ACCT}:role/ops`;
const principals = { rawReaders: [QA], analytics: [ANALYTICS], operators: [OPS] };
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

/**
 * A role in the shape of the real RDK role item, with inline policies URL-encoded exactly as Config
 * records IAM documents.
 */
function role(arn: string, inline: unknown[], extra: Record<string, unknown> = {}): ResourceSnapshot {
  const name = arn.split("/").pop()!;
  const base = loadItem("test/fixtures/config/rdk__AWS_IAM_Role.json", {
    awsAccountId: ACCT,
    arn,
    resourceName: name,
  });
  return {
    ...base,
    configuration: {
      ...base.configuration,
      arn,
      roleName: name,
      attachedManagedPolicies: [],
      rolePolicyList: inline.map((d, i) => ({
        policyName: `p${i}`,
        policyDocument: encodeURIComponent(JSON.stringify(d)),
      })),
      ...extra,
    },
  };
}

const readPhiWildcard = doc({
  Sid: "ReadAll",
  Effect: "Allow",
  Action: "s3:Get*",
  Resource: "arn:aws:s3:::phi-*/*",
});
const readTranscripts = doc({
  Sid: "Transcripts",
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::phi-transcripts-*/*",
});

describe("control iam-analytics-no-raw-audio", () => {
  it("fails when s3:Get* on arn:aws:s3:::phi-*/* reaches raw recordings (URL-encoded inline policy)", () => {
    const e = run(role(ANALYTICS, [readPhiWildcard]), "iam-analytics-no-raw-audio", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.access).toContainEqual(
      expect.objectContaining({
        action: "s3:GetObject",
        resource: "arn:aws:s3:::phi-recordings/connect/*/CallRecordings/*",
        allowedBy: ["inline:p0:ReadAll"],
      }),
    );
  });

  it("passes when the role reads transcripts only", () => {
    expect(
      run(role(ANALYTICS, [readTranscripts]), "iam-analytics-no-raw-audio", facts(), { principals }).status,
    ).toBe("COMPLIANT");
  });

  it("passes when an explicit Deny covers the raw prefixes", () => {
    const deny = doc({
      Effect: "Deny",
      Action: "s3:GetObject*",
      Resource: "arn:aws:s3:::phi-recordings/connect/*",
    });
    expect(
      run(role(ANALYTICS, [readPhiWildcard, deny]), "iam-analytics-no-raw-audio", facts(), { principals })
        .status,
    ).toBe("COMPLIANT");
  });

  it("says cannot prove when the grant is conditional", () => {
    const cond = doc({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
    });
    const e = run(role(ANALYTICS, [cond]), "iam-analytics-no-raw-audio", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("is not applicable to a role the baseline does not mark analytics", () => {
    expect(
      run(role(QA, [readPhiWildcard]), "iam-analytics-no-raw-audio", facts(), { principals }).status,
    ).toBe("NOT_APPLICABLE");
  });
});

describe("control iam-raw-readers-designated", () => {
  it("fails on the real RDK user: AdministratorAccess reads every PHI object", () => {
    const user = loadItem("test/fixtures/config/rdk__AWS_IAM_User.json");
    const e = run(
      user,
      "iam-raw-readers-designated",
      facts({ inventory: { "AWS::IAM::Policy": [], "AWS::IAM::Group": [] } }),
      {
        principals,
      },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.access).toContainEqual(
      expect.objectContaining({
        resource: "arn:aws:s3:::phi-recordings/*",
        allowedBy: ["arn:aws:iam::aws:policy/AdministratorAccess#0"],
      }),
    );
    expect(e.evidence.missingPolicies).toEqual(
      expect.arrayContaining(["arn:aws:iam::264683526309:policy/ELB-policy", "group:MyTestGroup"]),
    );
  });

  it("says cannot prove on the real RDK role: two attached policies are not in the inventory", () => {
    const roleItem = loadItem("test/fixtures/config/rdk__AWS_IAM_Role.json");
    const elb = loadItem("test/fixtures/config/rdk__AWS_IAM_Policy.json");
    const e = run(
      roleItem,
      "iam-raw-readers-designated",
      facts({ inventory: { "AWS::IAM::Policy": [elb] } }),
      { principals },
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.policiesEvaluated).toEqual([`arn:aws:iam::${RDK_ACCT}:policy/ELB-policy`]);
    expect(e.evidence.missingPolicies).toEqual([
      `arn:aws:iam::${RDK_ACCT}:policy/service-role/config-role-ezcrc2-AWSConfigDeliveryPermissions-us-west-2`,
      "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
    ]);
  });

  it("asks for each attached managed policy as an inventory fact", () => {
    const roleItem = loadItem("test/fixtures/config/rdk__AWS_IAM_Role.json");
    expect(requests(roleItem)).toContainEqual({
      kind: "inventory",
      resourceType: "AWS::IAM::Policy",
      accountId: RDK_ACCT,
      ref: `arn:aws:iam::${RDK_ACCT}:policy/ELB-policy`,
    });
  });

  it("passes on a role whose policies reach no PHI bucket", () => {
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::public-assets/*" }),
    ]);
    expect(run(r, "iam-raw-readers-designated", facts(), { principals }).status).toBe("COMPLIANT");
  });

  it("respects a permissions boundary", () => {
    const boundaryArn = `arn:aws:iam::${ACCT}:policy/no-phi-boundary`;
    const boundary = {
      ...loadItem("test/fixtures/config/rdk__AWS_IAM_Policy.json", { awsAccountId: ACCT, arn: boundaryArn }),
      configuration: {
        arn: boundaryArn,
        policyVersionList: [
          {
            isDefaultVersion: true,
            versionId: "v1",
            document: encodeURIComponent(
              JSON.stringify(doc({ Effect: "Allow", Action: "ec2:*", Resource: "*" })),
            ),
          },
        ],
      },
    };
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [doc({ Effect: "Allow", Action: "*", Resource: "*" })], {
      permissionsBoundary: { permissionsBoundaryType: "Policy", permissionsBoundaryArn: boundaryArn },
    });
    expect(
      run(r, "iam-raw-readers-designated", facts({ inventory: { "AWS::IAM::Policy": [boundary] } }), {
        principals,
      }).status,
    ).toBe("COMPLIANT");
    expect(
      run(r, "iam-raw-readers-designated", facts({ inventory: { "AWS::IAM::Policy": [] } }), { principals })
        .status,
    ).toBe("NON_COMPLIANT");
  });

  describe("with a permissions boundary that is not available (an AWS-managed policy Config does not record)", () => {
    const boundary = {
      permissionsBoundary: {
        permissionsBoundaryType: "PermissionsBoundaryPolicy",
        permissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess",
      },
    };
    const describeOnly = doc({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" });
    const noPolicies = facts({ inventory: { "AWS::IAM::Policy": [] } });
    it.each(["iam-raw-readers-designated", "iam-no-phi-delete", "iam-no-wildcard-on-phi"])(
      "%s passes when the identity policies grant nothing on PHI (a boundary only takes access away)",
      (id) => {
        const r = role(`arn:aws:iam::${ACCT}:role/app`, [describeOnly], boundary);
        const e = run(r, id, noPolicies, { principals });
        expect(e.status).toBe("COMPLIANT");
        expect(e.evidence.proof).toBeUndefined();
      },
    );
    it("says cannot prove, not proven, when the identity policies grant access the boundary may cut", () => {
      const r = role(`arn:aws:iam::${ACCT}:role/app`, [readPhiWildcard], boundary);
      const e = run(r, "iam-raw-readers-designated", noPolicies, { principals });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.permissionsBoundaryUnavailable).toBe("arn:aws:iam::aws:policy/PowerUserAccess");
    });
  });

  it("is not applicable to a designated raw reader", () => {
    expect(
      run(role(QA, [readPhiWildcard]), "iam-raw-readers-designated", facts(), { principals }).status,
    ).toBe("NOT_APPLICABLE");
  });
});

describe("control iam-no-phi-delete", () => {
  const del = doc({
    Sid: "Cleanup",
    Effect: "Allow",
    Action: ["s3:DeleteObject*"],
    Resource: "arn:aws:s3:::phi-*/*",
  });
  it("fails when a non-operator can delete PHI object versions", () => {
    const e = run(role(`arn:aws:iam::${ACCT}:role/app`, [del]), "iam-no-phi-delete", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.access as Array<{ action: string }>).map((a) => a.action)).toContain(
      "s3:DeleteObjectVersion",
    );
  });
  it("fails when a non-operator can rewrite a PHI bucket policy", () => {
    const put = doc({
      Effect: "Allow",
      Action: "s3:PutBucketPolicy",
      Resource: "arn:aws:s3:::phi-recordings",
    });
    expect(
      run(role(`arn:aws:iam::${ACCT}:role/app`, [put]), "iam-no-phi-delete", facts(), { principals }).status,
    ).toBe("NON_COMPLIANT");
  });
  it("fails when a non-operator can put a lifecycle rule on a PHI bucket (expiration deletes every object and version)", () => {
    const lifecycle = doc({
      Sid: "Housekeeping",
      Effect: "Allow",
      Action: "s3:PutLifecycleConfiguration",
      Resource: "arn:aws:s3:::phi-recordings",
    });
    const e = run(role(`arn:aws:iam::${ACCT}:role/app`, [lifecycle]), "iam-no-phi-delete", facts(), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.access).toEqual([
      expect.objectContaining({
        action: "s3:PutLifecycleConfiguration",
        resource: "arn:aws:s3:::phi-recordings",
        allowedBy: ["inline:p0:Housekeeping"],
      }),
    ]);
  });
  it("passes a reader without delete rights", () => {
    expect(
      run(role(`arn:aws:iam::${ACCT}:role/app`, [readTranscripts]), "iam-no-phi-delete", facts(), {
        principals,
      }).status,
    ).toBe("COMPLIANT");
  });
  it("is not applicable to an operator", () => {
    expect(run(role(OPS, [del]), "iam-no-phi-delete", facts(), { principals }).status).toBe("NOT_APPLICABLE");
  });
});

describe("control iam-no-wildcard-on-phi", () => {
  it("passes on the real RDK policy (elasticloadbalancing:Describe* on *)", () => {
    expect(
      run(loadItem("test/fixtures/config/rdk__AWS_IAM_Policy.json"), "iam-no-wildcard-on-phi").status,
    ).toBe("COMPLIANT");
  });
  it("fails on the real RDK user (AdministratorAccess: * on *)", () => {
    const e = run(
      loadItem("test/fixtures/config/rdk__AWS_IAM_User.json"),
      "iam-no-wildcard-on-phi",
      facts({ inventory: { "AWS::IAM::Policy": [], "AWS::IAM::Group": [] } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ policy: "arn:aws:iam::aws:policy/AdministratorAccess", actions: ["*"] }),
    );
  });
  it.each([
    [
      "s3:* on a PHI prefix",
      { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::phi-transcripts-2024/*" },
    ],
    ["kms:* on every key", { Effect: "Allow", Action: "kms:*", Resource: "*" }],
    // A `*` that ends an ARN segment runs on across colons (IAM Resource element), so these name every key.
    ["kms:* on arn:aws:kms:*", { Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:*" }],
    [
      "kms:* on a key named by a principal tag",
      {
        Effect: "Allow",
        Action: "kms:*",
        Resource: `arn:aws:kms:us-east-1:${ACCT}:key/\${aws:PrincipalTag/key}`,
      },
    ],
    [
      "kms:* on arn:aws:kms:us-east-1:*",
      { Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:us-east-1:*" },
    ],
    ["NotAction", { Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
    // Spellings IAM reads as every S3 (or KMS) action: the evaluator grants them all, so must this control.
    [
      "s3:** (every S3 action)",
      { Effect: "Allow", Action: "s3:**", Resource: "arn:aws:s3:::phi-recordings/*" },
    ],
    [
      "s3:?* (every S3 action)",
      { Effect: "Allow", Action: "S3:?*", Resource: "arn:aws:s3:::phi-recordings/*" },
    ],
    ["s3* (every S3 action)", { Effect: "Allow", Action: "s3*", Resource: "arn:aws:s3:::phi-recordings" }],
    ["*:* (every action)", { Effect: "Allow", Action: "*:*", Resource: "arn:aws:s3:::phi-recordings/*" }],
    ["kms:** on every key", { Effect: "Allow", Action: "kms:**", Resource: "*" }],
    // No action name is that short, so IAM reads these as every action too: a pattern that names no
    // character of the action matches every action long enough.
    [
      "s3:??* (every S3 action: none has fewer than two characters)",
      { Effect: "Allow", Action: "s3:??*", Resource: "arn:aws:s3:::phi-recordings/*" },
    ],
    ["kms:*??? on every key (every KMS action)", { Effect: "Allow", Action: "kms:*???", Resource: "*" }],
    [
      "NotAction s3:GetObject excluding one S3 action (every other one allowed)",
      { Effect: "Allow", NotAction: ["s3:GetObject"], Resource: "arn:aws:s3:::phi-recordings/*" },
    ],
  ])("fails on %s", (_n, stmt) => {
    expect(
      run(role(`arn:aws:iam::${ACCT}:role/app`, [doc(stmt)]), "iam-no-wildcard-on-phi", facts()).status,
    ).toBe("NON_COMPLIANT");
  });
  describe("on the key that encrypts a PHI bucket (a PHI key without being listed in phiKeys)", () => {
    const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
    const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY_ID}`;
    const encryptedWith = (ref: string) => ({
      ...loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
        resourceId: "phi-recordings",
        resourceName: "phi-recordings",
        awsAccountId: ACCT,
        awsRegion: "us-east-1",
      }),
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: ref } }],
        },
      },
    });
    const keyAdmin = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc({ Sid: "OwnKey", Effect: "Allow", Action: "kms:*", Resource: KEY_ARN }),
    ]);
    it("asks for the bucket inventory", () => {
      expect(requests(keyAdmin)).toContainEqual({
        kind: "inventory",
        resourceType: "AWS::S3::Bucket",
        accountId: ACCT,
      });
    });
    it.each([
      ["key ARN", KEY_ARN],
      ["key id", KEY_ID],
    ])("fails kms:* on it when the bucket names it by %s", (_n, ref) => {
      const e = run(
        keyAdmin,
        "iam-no-wildcard-on-phi",
        facts({ inventory: { "AWS::S3::Bucket": [encryptedWith(ref)] } }),
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ statement: "OwnKey", actions: ["kms:*"], resources: [KEY_ARN] }),
      ]);
    });
    it("says cannot prove when the bucket names its key by an alias, or the inventory is not available", () => {
      for (const f of [
        facts({ inventory: { "AWS::S3::Bucket": [encryptedWith("alias/phi-recordings")] } }),
        facts(),
      ]) {
        const e = run(keyAdmin, "iam-no-wildcard-on-phi", f);
        expect(e.status).toBe("NON_COMPLIANT");
        expect(e.evidence.proof).toBe("cannot prove");
      }
    });
    it("passes kms:* on another key", () => {
      const other = role(`arn:aws:iam::${ACCT}:role/app`, [
        doc({ Effect: "Allow", Action: "kms:*", Resource: `arn:aws:kms:us-east-1:${ACCT}:key/other` }),
      ]);
      const e = run(
        other,
        "iam-no-wildcard-on-phi",
        facts({ inventory: { "AWS::S3::Bucket": [encryptedWith(KEY_ARN)] } }),
      );
      expect(e.status).toBe("COMPLIANT");
    });
  });
  it("never puts an object key named in a policy Resource into its evidence", () => {
    const key = "connect/northwind/CallRecordings/2026/03/jane-doe-dob-1984-02-11.wav";
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc(
        { Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::phi-recordings/${key}` },
        { Effect: "Allow", Action: "s3:*", NotResource: `arn:aws:s3:::phi-recordings/jane-doe-*` },
        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::phi-transcripts-2024/*" },
      ),
    ]);
    const e = run(r, "iam-no-wildcard-on-phi", facts());
    expect(e.status).toBe("NON_COMPLIANT");
    const text = JSON.stringify(e);
    expect(text).not.toContain("jane");
    expect(text).not.toContain("CallRecordings/2026");
    // The bucket, and whether one object or a pattern of objects, stay readable.
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({ statement: "#0", resources: ["arn:aws:s3:::phi-recordings/[object key]"] }),
      expect.objectContaining({
        statement: "#1",
        resources: { NotResource: ["arn:aws:s3:::phi-recordings/[object key pattern]"] },
      }),
      expect.objectContaining({ statement: "#2", resources: ["arn:aws:s3:::phi-transcripts-2024/*"] }),
    ]);
  });
  it("passes s3:* on a non-PHI bucket and named actions on PHI", () => {
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc(
        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::build-cache/*" },
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/*" },
      ),
    ]);
    expect(run(r, "iam-no-wildcard-on-phi", facts()).status).toBe("COMPLIANT");
  });
  it.each([
    ["s3:Get* and s3:*Object (partial wildcards name some actions, not all)", ["s3:Get*", "s3:*Object"]],
    ["s3:?????????", ["s3:?????????"]],
  ])("passes %s on PHI", (_n, Action) => {
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc({ Effect: "Allow", Action, Resource: "arn:aws:s3:::phi-recordings/*" }),
    ]);
    expect(run(r, "iam-no-wildcard-on-phi", facts()).status).toBe("COMPLIANT");
  });
  it("passes NotAction that excludes every S3 and KMS action however it is spelled", () => {
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc({ Effect: "Allow", NotAction: ["s3:**", "KMS*"], Resource: "*" }),
    ]);
    expect(run(r, "iam-no-wildcard-on-phi", facts()).status).toBe("COMPLIANT");
  });
});

describe("identity controls and policy variables in Resource", () => {
  // Under Version 2012-10-17 AWS substitutes `${…}` per request: the tag may name a PHI bucket.
  const abac = (Action: string) =>
    doc({ Effect: "Allow", Action, Resource: `arn:aws:s3:::\${aws:PrincipalTag/bucket}/*` });
  const app = `arn:aws:iam::${ACCT}:role/app`;

  it("iam-raw-readers-designated says cannot prove, not pass, for a tag-named bucket", () => {
    const e = run(role(app, [abac("s3:GetObject")]), "iam-raw-readers-designated", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("iam-analytics-no-raw-audio says cannot prove for a tag-named prefix of the recordings bucket", () => {
    const perUser = doc({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::phi-recordings/\${aws:PrincipalTag/team}/*`,
    });
    const e = run(role(ANALYTICS, [perUser]), "iam-analytics-no-raw-audio", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  it("iam-no-wildcard-on-phi fails s3:* on a tag-named bucket", () => {
    expect(run(role(app, [abac("s3:*")]), "iam-no-wildcard-on-phi", facts()).status).toBe("NON_COMPLIANT");
  });
});

describe("identity controls with PHI buckets matched by tag", () => {
  const tagged = { phiBuckets: [{ tag: { key: "phi", value: "true" }, holds: ["recordings"] }] } as never;
  it("ask for the bucket inventory, also for a managed policy item", () => {
    expect(requests(loadItem("test/fixtures/config/rdk__AWS_IAM_Policy.json"), tagged)).toEqual([
      { kind: "inventory", resourceType: "AWS::S3::Bucket", accountId: RDK_ACCT },
    ]);
  });
  it("say cannot prove without the inventory, and resolve tagged buckets with it", () => {
    const r = role(`arn:aws:iam::${ACCT}:role/app`, [
      doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::rec-*/*" }),
    ]);
    const without = run(r, "iam-raw-readers-designated", facts(), tagged);
    expect(without.status).toBe("NON_COMPLIANT");
    expect(without.evidence.proof).toBe("cannot prove");
    const bucket = {
      ...loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json"),
      resourceId: "rec-1",
      resourceName: "rec-1",
      tags: { phi: "true" },
    };
    const e = run(
      r,
      "iam-raw-readers-designated",
      facts({ inventory: { "AWS::S3::Bucket": [bucket] } }),
      tagged,
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.access).toContainEqual(expect.objectContaining({ resource: "arn:aws:s3:::rec-1/*" }));
  });
});

describe("service-linked roles of the baseline's pipeline services (principals.services)", () => {
  // Amazon Connect reads recordings with its service-linked role when a supervisor plays one; its
  // permissions are AWS's, not editable by the customer.
  const CONNECT_SLR = `arn:aws:iam::${ACCT}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_abc123`;
  const connectAccess = doc({
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    Resource: "arn:aws:s3:::phi-*/*",
  });
  const withServices = (services: string[]) => ({ principals: { ...principals, services } });

  it("are not applicable to iam-raw-readers-designated and iam-no-phi-delete", () => {
    for (const id of ["iam-raw-readers-designated", "iam-no-phi-delete"]) {
      const e = run(role(CONNECT_SLR, [connectAccess]), id, facts(), withServices(["connect.amazonaws.com"]));
      expect([id, e.status, e.summary]).toEqual([
        id,
        "NOT_APPLICABLE",
        "the service-linked role of connect.amazonaws.com, a pipeline service (principals.services)",
      ]);
    }
  });

  it("are still evaluated when the service is not listed", () => {
    const e = run(
      role(CONNECT_SLR, [connectAccess]),
      "iam-raw-readers-designated",
      facts(),
      withServices(["transcribe.amazonaws.com"]),
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });

  it("exempt only the reserved path, not a role merely named after a service", () => {
    const lookalike = `arn:aws:iam::${ACCT}:role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_abc123`;
    const e = run(
      role(lookalike, [connectAccess]),
      "iam-raw-readers-designated",
      facts(),
      withServices(["connect.amazonaws.com"]),
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });
});

describe("identity controls in the AWS GovCloud (US) and China partitions", () => {
  // Every ARN in those partitions starts arn:aws-us-gov: / arn:aws-cn:, S3 objects included
  // (arn:aws-us-gov:s3:::bucket/key): a policy there never names arn:aws:s3:::…
  const partitions = [
    ["aws-us-gov", "GovCloud (US)"],
    ["aws-cn", "China"],
  ] as const;
  const grant = (partition: string, Action: string[], Resource: string) =>
    doc({ Sid: "Grant", Effect: "Allow", Action, Resource: `arn:${partition}:s3:::${Resource}` });

  it.each(partitions)("iam-raw-readers-designated fails a read of PHI objects in %s (%s)", (partition) => {
    const r = role(`arn:${partition}:iam::${ACCT}:role/app`, [
      grant(partition, ["s3:GetObject"], "phi-recordings/*"),
    ]);
    const e = run(r, "iam-raw-readers-designated", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.access).toContainEqual(
      expect.objectContaining({ action: "s3:GetObject", resource: `arn:${partition}:s3:::phi-recordings/*` }),
    );
  });

  it.each(partitions)("iam-analytics-no-raw-audio fails a read of raw recordings in %s (%s)", (partition) => {
    const analytics = `arn:${partition}:iam::${ACCT}:role/contact-analytics`;
    const r = role(analytics, [grant(partition, ["s3:Get*"], "phi-*/*")]);
    const e = run(r, "iam-analytics-no-raw-audio", facts(), { principals: { analytics: [analytics] } });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.access).toContainEqual(
      expect.objectContaining({
        resource: `arn:${partition}:s3:::phi-recordings/connect/*/CallRecordings/*`,
      }),
    );
  });

  it.each(partitions)("iam-no-phi-delete fails delete and bucket-policy rights in %s (%s)", (partition) => {
    const r = role(`arn:${partition}:iam::${ACCT}:role/app`, [
      grant(partition, ["s3:DeleteObject"], "phi-recordings/*"),
      grant(partition, ["s3:PutBucketPolicy"], "phi-recordings"),
    ]);
    const e = run(r, "iam-no-phi-delete", facts(), { principals });
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.access as Array<{ resource: string }>).map((a) => a.resource)).toEqual([
      `arn:${partition}:s3:::phi-recordings/*`,
      `arn:${partition}:s3:::phi-recordings`,
    ]);
  });

  it("reads a GovCloud role's AWS-managed AdministratorAccess as the known document, not a missing policy", () => {
    const r = role(`arn:aws-us-gov:iam::${ACCT}:role/admin`, [], {
      attachedManagedPolicies: [
        {
          policyName: "AdministratorAccess",
          policyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        },
      ],
    });
    const e = run(r, "iam-raw-readers-designated", facts({ inventory: { "AWS::IAM::Policy": [] } }), {
      principals,
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.missingPolicies).toBeUndefined();
    expect(e.evidence.policiesEvaluated).toEqual(["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"]);
  });

  describe("iam-no-wildcard-on-phi on PHI keys of the partition", () => {
    const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
    const regionOf = { "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1" } as const;
    /** A PHI bucket of the partition (its item's ARN and region) encrypting with `ref`. */
    const bucketOn = (partition: keyof typeof regionOf, ref: string) => ({
      ...loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
        resourceId: "phi-recordings",
        resourceName: "phi-recordings",
        awsAccountId: ACCT,
        awsRegion: regionOf[partition],
        ARN: `arn:${partition}:s3:::phi-recordings`,
      }),
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: ref } }],
        },
      },
    });
    const kmsAll = (partition: string, Resource: string | string[]) =>
      role(`arn:${partition}:iam::${ACCT}:role/app`, [
        doc({ Sid: "KeyAdmin", Effect: "Allow", Action: "kms:*", Resource }),
      ]);
    it.each(partitions)("fails kms:* on the key a PHI bucket names by key id (%s)", (partition) => {
      const region = regionOf[partition];
      const keyArn = `arn:${partition}:kms:${region}:${ACCT}:key/${KEY_ID}`;
      const e = run(
        kmsAll(partition, keyArn),
        "iam-no-wildcard-on-phi",
        facts({ inventory: { "AWS::S3::Bucket": [bucketOn(partition, KEY_ID)] } }),
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ statement: "KeyAdmin", actions: ["kms:*"], resources: [keyArn] }),
      ]);
    });
    it.each(partitions)("fails kms:* on every key of a PHI region (%s)", (partition) => {
      const region = regionOf[partition];
      const e = run(
        kmsAll(partition, `arn:${partition}:kms:${region}:*`),
        "iam-no-wildcard-on-phi",
        facts({ inventory: { "AWS::S3::Bucket": [] } }),
        { allowedRegions: [region] },
      );
      expect(e.status).toBe("NON_COMPLIANT");
    });
    it("passes kms:* in a GovCloud policy on commercial-partition key ARNs (they name no GovCloud key)", () => {
      const region = regionOf["aws-us-gov"];
      const e = run(
        kmsAll("aws-us-gov", [
          `arn:aws:kms:${region}:${ACCT}:key/${KEY_ID}`,
          `arn:aws:kms:${region}:*`,
          `arn:aws:kms:*:*:key/*`,
        ]),
        "iam-no-wildcard-on-phi",
        facts({ inventory: { "AWS::S3::Bucket": [bucketOn("aws-us-gov", KEY_ID)] } }),
        { allowedRegions: [region] },
      );
      expect(e.status).toBe("COMPLIANT");
    });
  });

  it.each([
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ])(
    "iam-no-wildcard-on-phi fails kms:* on every key of %s (arn:PARTITION:kms:*, …:REGION:*)",
    (partition, region) => {
      for (const Resource of [`arn:${partition}:kms:*`, `arn:${partition}:kms:${region}:*`]) {
        const r = role(`arn:${partition}:iam::${ACCT}:role/app`, [
          doc({ Effect: "Allow", Action: "kms:*", Resource }),
        ]);
        const e = run(r, "iam-no-wildcard-on-phi", facts({ inventory: { "AWS::S3::Bucket": [] } }), {
          allowedRegions: [region],
        });
        expect(e.status, Resource).toBe("NON_COMPLIANT");
        expect(e.evidence.proof, Resource).toBeUndefined();
      }
    },
  );

  it("iam-no-wildcard-on-phi fails kms:* on the key a GovCloud PHI bucket names by key id", () => {
    const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
    const bucket = {
      ...loadItem("test/fixtures/config/rdk__AWS_S3_Bucket.json", {
        resourceId: "phi-recordings",
        resourceName: "phi-recordings",
        awsAccountId: ACCT,
        ARN: "arn:aws-us-gov:s3:::phi-recordings",
        awsRegion: "us-gov-west-1",
      }),
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: KEY_ID } },
          ],
        },
      },
    };
    const keyArn = `arn:aws-us-gov:kms:us-gov-west-1:${ACCT}:key/${KEY_ID}`;
    const r = role(`arn:aws-us-gov:iam::${ACCT}:role/app`, [
      doc({ Sid: "OwnKey", Effect: "Allow", Action: "kms:*", Resource: keyArn }),
    ]);
    const e = run(r, "iam-no-wildcard-on-phi", facts({ inventory: { "AWS::S3::Bucket": [bucket] } }), {
      allowedRegions: ["us-gov-west-1"],
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({ statement: "OwnKey", actions: ["kms:*"] }),
    ]);
  });

  it("does not take a commercial-partition ARN in a GovCloud policy for a grant (it names no GovCloud object)", () => {
    const r = role(`arn:aws-us-gov:iam::${ACCT}:role/app`, [
      doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/*" }),
    ]);
    expect(run(r, "iam-raw-readers-designated", facts(), { principals }).status).toBe("COMPLIANT");
  });
});
