import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ResourceSnapshot } from "../../../../packages/core/src/resource/index.ts";
import {
  ACCT,
  facts,
  followUps,
  loadItem,
  phiBucket,
  requests,
  run,
  withSupplementary,
} from "../s3/support.ts";

const KEY_ID = "9975ba19-f8ff-444b-9c21-8d42cc6dc45b";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY_ID}`;

/**
 * The real customer-managed key from Custodian's recorded Config SelectResourceConfig (configuration
 * and supplementaryConfiguration verbatim), placed in the shape of the RDK KMS item.
 */
function customerKey(
  over: { configuration?: Record<string, unknown>; supplementary?: Record<string, unknown> } = {},
): ResourceSnapshot {
  const rec = JSON.parse(
    readFileSync("test/fixtures/api/custodian__config.SelectResourceConfig_KMSKey_CUSTOMER.json", "utf8"),
  );
  const frag = JSON.parse(rec.data.Results[0]);
  const base = loadItem("test/fixtures/config/rdk__AWS_KMS_Key.json", {
    awsAccountId: ACCT,
    resourceId: KEY_ID,
    arn: KEY_ARN,
    configuration: { ...frag.configuration, arn: KEY_ARN, ...over.configuration },
    supplementaryConfiguration: frag.supplementaryConfiguration,
  });
  return withSupplementary(base, over.supplementary ?? {});
}

/** A PHI bucket in the inventory encrypted with the key, making it a PHI key. */
const bucketWithKey = (ref: string) =>
  withSupplementary(phiBucket(), {
    ServerSideEncryptionConfiguration: {
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: ref },
          bucketKeyEnabled: true,
        },
      ],
    },
  });
const phiInventory = (ref = KEY_ARN) => facts({ inventory: { "AWS::S3::Bucket": [bucketWithKey(ref)] } });
const noBuckets = facts({ inventory: { "AWS::S3::Bucket": [] } });

describe("kms PHI-key scoping", () => {
  it("asks for the bucket inventory and re-evaluates when a bucket changes", () => {
    expect(requests(customerKey())).toContainEqual({
      kind: "inventory",
      resourceType: "AWS::S3::Bucket",
      accountId: ACCT,
    });
  });
  it("is not applicable to a key no PHI bucket uses", () => {
    expect(run(customerKey(), "kms-rotation", noBuckets).status).toBe("NOT_APPLICABLE");
  });
  it("treats a key as PHI by key id, by ARN, or through the baseline's phiKeys", () => {
    expect(run(customerKey(), "kms-key-usable", phiInventory(KEY_ID)).status).toBe("COMPLIANT");
    expect(
      run(customerKey(), "kms-key-usable", noBuckets, { phiKeys: [`arn:aws:kms:*:${ACCT}:key/*`] }).status,
    ).toBe("COMPLIANT");
  });
  it("records ERROR (never a pass) when the bucket inventory is unavailable", () => {
    expect(run(customerKey(), "kms-key-usable").status).toBe("ERROR");
  });
});

describe("control kms-rotation", () => {
  it("fails on the real customer key with KeyRotationStatus false", () => {
    const e = run(customerKey(), "kms-rotation", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.rotationEnabled).toBe(false);
  });
  it("passes when rotation is on", () => {
    expect(
      run(customerKey({ supplementary: { KeyRotationStatus: true } }), "kms-rotation", phiInventory()).status,
    ).toBe("COMPLIANT");
  });
  it("says cannot prove when rotation is not recorded and KMS gave no answer", () => {
    const e = run(
      customerKey({ supplementary: { KeyRotationStatus: undefined } }),
      "kms-rotation",
      phiInventory(),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
  it("uses the KMS fact for rotation and period, against the baseline's maximum", () => {
    const snap = customerKey({ supplementary: { KeyRotationStatus: undefined } });
    const f = (period: number) =>
      facts({
        inventory: { "AWS::S3::Bucket": [bucketWithKey(KEY_ARN)] },
        keys: {
          [KEY_ARN]: {
            arn: KEY_ARN,
            keyManager: "CUSTOMER",
            rotationEnabled: true,
            rotationPeriodInDays: period,
          },
        },
      });
    expect(run(snap, "kms-rotation", f(365), { kms: { maxRotationDays: 365 } }).status).toBe("COMPLIANT");
    expect(run(snap, "kms-rotation", f(730), { kms: { maxRotationDays: 365 } }).status).toBe("NON_COMPLIANT");
  });
  it("fails when KMS says rotation is off though the Config item still says on (the worse answer counts)", () => {
    const snap = customerKey({ supplementary: { KeyRotationStatus: true } });
    const f = facts({
      inventory: { "AWS::S3::Bucket": [bucketWithKey(KEY_ARN)] },
      keys: { [KEY_ARN]: { arn: KEY_ARN, keyManager: "CUSTOMER", rotationEnabled: false } },
    });
    const e = run(snap, "kms-rotation", f);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ rotationEnabled: false });
    expect(e.evidence.proof).toBeUndefined();
  });
  it("takes the longer of the recorded and the live rotation period", () => {
    const snap = customerKey({ supplementary: { KeyRotationStatus: true, RotationPeriodInDays: 365 } });
    const f = facts({
      inventory: { "AWS::S3::Bucket": [bucketWithKey(KEY_ARN)] },
      keys: {
        [KEY_ARN]: { arn: KEY_ARN, keyManager: "CUSTOMER", rotationEnabled: true, rotationPeriodInDays: 730 },
      },
    });
    const e = run(snap, "kms-rotation", f, { kms: { maxRotationDays: 365 } });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.rotationPeriodInDays).toBe(730);
  });
  // KMS cannot rotate these automatically (EnableKeyRotation, API reference): the verdict names the
  // origin and the way such a key is rotated, never "cannot prove" nor the remediation's EnableKeyRotation.
  it.each([
    ["EXTERNAL", /imported key material.*rotate-key-on-demand/],
    ["AWS_CLOUDHSM", /CloudHSM key store/],
    ["EXTERNAL_KEY_STORE", /external key store/],
  ])("fails a key of origin %s as rotatable by hand only, from the Config item", (origin, says) => {
    const e = run(
      customerKey({ configuration: { origin }, supplementary: { KeyRotationStatus: undefined } }),
      "kms-rotation",
      phiInventory(),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toMatch(says);
    expect(e.evidence).toMatchObject({ origin, rotation: "manual only", keyArn: KEY_ARN });
    expect(e.evidence.proof).toBeUndefined();
  });
  it("reads the origin from DescribeKey when the Config item has none", () => {
    const snap = customerKey({
      configuration: { origin: undefined },
      supplementary: { KeyRotationStatus: undefined },
    });
    const f = facts({
      inventory: { "AWS::S3::Bucket": [bucketWithKey(KEY_ARN)] },
      keys: { [KEY_ARN]: { arn: KEY_ARN, keyManager: "CUSTOMER", origin: "EXTERNAL" } },
    });
    const e = run(snap, "kms-rotation", f);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ origin: "EXTERNAL", rotation: "manual only" });
  });
  it("an origin it does not know (or AWS_KMS) is judged by the rotation status as before", () => {
    for (const origin of ["AWS_KMS", "SOMETHING_NEW", "toString"])
      expect(
        run(
          customerKey({ configuration: { origin }, supplementary: { KeyRotationStatus: true } }),
          "kms-rotation",
          phiInventory(),
        ).status,
      ).toBe("COMPLIANT");
  });
  it("is not applicable to the real AWS-managed key (AWS rotates it)", () => {
    const snap = loadItem("test/fixtures/config/rdk__AWS_KMS_Key.json");
    const e = run(snap, "kms-rotation", noBuckets, { phiKeys: ["arn:aws:kms:us-east-1:123456789012:key/*"] });
    expect(e.status).toBe("NOT_APPLICABLE");
  });
});

describe("control kms-key-usable", () => {
  it.each([
    ["Disabled", false],
    ["PendingDeletion", false],
  ])("fails on %s", (keyState, enabled) => {
    const e = run(customerKey({ configuration: { keyState, enabled } }), "kms-key-usable", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.keyState).toBe(keyState);
  });
  it("passes on the real Enabled key", () => {
    expect(run(customerKey(), "kms-key-usable", phiInventory()).status).toBe("COMPLIANT");
  });
  it("fails on a multi-Region replica still Creating (KMS refuses Decrypt until it is Enabled)", () => {
    const e = run(customerKey({ configuration: { keyState: "Creating" } }), "kms-key-usable", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
  });
  it.each(["enabled", "PendingRotation", ""])(
    "cannot prove, rather than pass, on key state %j",
    (keyState) => {
      const e = run(customerKey({ configuration: { keyState } }), "kms-key-usable", phiInventory());
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence).toMatchObject({ proof: "cannot prove" });
    },
  );
});

describe("control kms-separation-of-duties", () => {
  const policy = (...Statement: unknown[]) => ({
    supplementary: { Policy: JSON.stringify({ Version: "2012-10-17", Statement }) },
  });
  const ADMIN = `arn:aws:iam::${ACCT}:role/key-admin`;
  const APP = `arn:aws:iam::${ACCT}:role/recording-app`;

  it("fails on the real default key policy (account root holds kms:*)", () => {
    const e = run(customerKey(), "kms-separation-of-duties", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ why: "wildcard action", statement: "Enable IAM User Permissions" }),
    );
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:iam::644160558196:root`,
        why: "administers and uses the key",
      }),
    );
  });
  it("passes when administrators and users are different principals", () => {
    const snap = customerKey(
      policy(
        {
          Sid: "Admins",
          Effect: "Allow",
          Principal: { AWS: ADMIN },
          Action: ["kms:Put*", "kms:ScheduleKeyDeletion", "kms:Disable*", "kms:Describe*"],
          Resource: "*",
        },
        {
          Sid: "Use",
          Effect: "Allow",
          Principal: { AWS: APP },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
        },
      ),
    );
    expect(run(snap, "kms-separation-of-duties", phiInventory()).status).toBe("COMPLIANT");
  });
  it("fails when one role both administers (via a wildcard) and decrypts", () => {
    const snap = customerKey(
      policy(
        {
          Sid: "Admins",
          Effect: "Allow",
          Principal: { AWS: ADMIN },
          Action: ["kms:Disable*"],
          Resource: "*",
        },
        {
          Sid: "Use",
          Effect: "Allow",
          Principal: { AWS: [APP, ADMIN] },
          Action: "kms:Decrypt",
          Resource: "*",
        },
      ),
    );
    const e = run(snap, "kms-separation-of-duties", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        principal: ADMIN,
        admin: ["kms:DisableKey", "kms:DisableKeyRotation"],
        use: ["kms:Decrypt"],
      }),
    ]);
  });
  it("fails when use is granted to Principal * (through S3 in the account) and a role administers", () => {
    // Principal * reaches every principal, the key administrator included: it may decrypt through S3.
    const snap = customerKey(
      policy(
        {
          Sid: "Admins",
          Effect: "Allow",
          Principal: { AWS: ADMIN },
          Action: ["kms:Put*", "kms:ScheduleKeyDeletion", "kms:Disable*"],
          Resource: "*",
        },
        {
          Sid: "UseThroughS3",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: {
            StringEquals: { "kms:CallerAccount": ACCT, "kms:ViaService": "s3.us-east-1.amazonaws.com" },
          },
        },
      ),
    );
    const e = run(snap, "kms-separation-of-duties", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ principal: ADMIN, why: "administers and uses the key", conditional: true }),
    );
  });
  it("fails when a pattern of principals (Principal * narrowed by ArnLike aws:PrincipalArn) administers and a role it covers decrypts", () => {
    const snap = customerKey(
      policy(
        {
          Sid: "RolesAdminister",
          Effect: "Allow",
          Principal: "*",
          Action: ["kms:Disable*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/*` } },
        },
        { Sid: "Use", Effect: "Allow", Principal: { AWS: ADMIN }, Action: "kms:Decrypt", Resource: "*" },
      ),
    );
    const e = run(snap, "kms-separation-of-duties", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        principal: ADMIN,
        why: "administers and uses the key",
        admin: ["kms:DisableKey", "kms:DisableKeyRotation"],
        use: ["kms:Decrypt"],
        statements: ["Use", "RolesAdminister"],
      }),
    ]);
  });

  it("says cannot prove when two overlapping patterns of principals hold administration and use", () => {
    const snap = customerKey(
      policy(
        {
          Effect: "Allow",
          Principal: "*",
          Action: "kms:PutKeyPolicy",
          Resource: "*",
          Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/key-*` } },
        },
        {
          Effect: "Allow",
          Principal: "*",
          Action: "kms:Decrypt",
          Resource: "*",
          Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/*-app` } },
        },
      ),
    );
    const e = run(snap, "kms-separation-of-duties", phiInventory());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });

  describe("when the key policy allows the account, which lets IAM policies grant the rest", () => {
    // KMS developer guide, "Default key policy": a statement allowing the account (root) "allows access to
    // the AWS account and enables IAM policies": any identity of the account may hold what it lists.
    const ROOT = `arn:aws:iam::${ACCT}:root`;
    const adminsAndAccountUse = (...extra: unknown[]) =>
      customerKey(
        policy(
          {
            Sid: "EnableIamForUse",
            Effect: "Allow",
            Principal: { AWS: ROOT },
            Action: ["kms:Decrypt", "kms:DescribeKey"],
            Resource: "*",
          },
          {
            Sid: "Admins",
            Effect: "Allow",
            Principal: { AWS: ADMIN },
            Action: ["kms:Put*", "kms:ScheduleKeyDeletion", "kms:Disable*"],
            Resource: "*",
          },
          ...extra,
        ),
      );

    it("says cannot prove when a key administrator may also decrypt through an IAM policy", () => {
      const e = run(adminsAndAccountUse(), "kms-separation-of-duties", phiInventory());
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({
          principal: ADMIN,
          why: "administers the key, and may use it through IAM policies (the key policy allows its account)",
          use: ["kms:Decrypt"],
          statements: ["Admins", "EnableIamForUse"],
        }),
      ]);
    });

    it("says cannot prove when a key user may also administer through an IAM policy", () => {
      const snap = customerKey(
        policy(
          { Effect: "Allow", Principal: { AWS: ACCT }, Action: "kms:PutKeyPolicy", Resource: "*" },
          { Sid: "Use", Effect: "Allow", Principal: { AWS: APP }, Action: "kms:Decrypt", Resource: "*" },
        ),
      );
      const e = run(snap, "kms-separation-of-duties", phiInventory());
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ principal: APP, admin: ["kms:PutKeyPolicy"] }),
      ]);
    });

    it("passes when an explicit Deny keeps the administrator from decrypting", () => {
      const deny = {
        Effect: "Deny",
        Principal: { AWS: ADMIN },
        Action: "kms:Decrypt",
        Resource: "*",
      };
      expect(run(adminsAndAccountUse(deny), "kms-separation-of-duties", phiInventory()).status).toBe(
        "COMPLIANT",
      );
    });

    it("passes when the account and the principals are of different accounts", () => {
      const snap = customerKey(
        policy(
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::444455556666:root" },
            Action: "kms:Decrypt",
            Resource: "*",
          },
          { Effect: "Allow", Principal: { AWS: ADMIN }, Action: "kms:PutKeyPolicy", Resource: "*" },
        ),
      );
      expect(run(snap, "kms-separation-of-duties", phiInventory()).status).toBe("COMPLIANT");
    });
  });

  describe("kms:CreateGrant held by a key administrator", () => {
    // A grantee can be any principal (KMS developer guide, "Grants in AWS KMS"): whoever may call
    // CreateGrant directly can grant itself Decrypt. kms:GrantIsForAWSResource is true only when an
    // integrated AWS service calls CreateGrant on the caller's behalf ("Controlling access to grants").
    const admins = (...actions: string[]) => ({
      Sid: "Admins",
      Effect: "Allow",
      Principal: { AWS: ADMIN },
      Action: ["kms:Put*", "kms:ScheduleKeyDeletion", "kms:Disable*", ...actions],
      Resource: "*",
    });
    const users = {
      Sid: "Use",
      Effect: "Allow",
      Principal: { AWS: APP },
      Action: "kms:Decrypt",
      Resource: "*",
    };
    const grantTo = (principal: string, Condition?: unknown) => ({
      Sid: "Grants",
      Effect: "Allow",
      Principal: { AWS: principal },
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: "*",
      ...(Condition ? { Condition } : {}),
    });

    it("fails when an administrator may call CreateGrant without conditions (it can grant itself Decrypt)", () => {
      const e = run(
        customerKey(policy(admins(), users, grantTo(ADMIN))),
        "kms-separation-of-duties",
        phiInventory(),
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({
          principal: ADMIN,
          why: "administers the key and can grant itself use (kms:CreateGrant)",
          use: ["kms:CreateGrant"],
          statements: ["Admins", "Grants"],
        }),
      ]);
    });
    it("fails when CreateGrant comes with the administration wildcard kms:Create*", () => {
      const e = run(
        customerKey(policy(admins("kms:Create*"), users)),
        "kms-separation-of-duties",
        phiInventory(),
      );
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({ principal: ADMIN, use: ["kms:CreateGrant"], statements: ["Admins"] }),
      ]);
    });
    it("passes when the administrator's CreateGrant needs kms:GrantIsForAWSResource true", () => {
      const snap = customerKey(
        policy(admins(), users, grantTo(ADMIN, { Bool: { "kms:GrantIsForAWSResource": "true" } })),
      );
      expect(run(snap, "kms-separation-of-duties", phiInventory()).status).toBe("COMPLIANT");
    });
    it("passes when the administrator's CreateGrant is only through a service (kms:ViaService) or excludes Decrypt", () => {
      const via = grantTo(ADMIN, { StringEquals: { "kms:ViaService": "ec2.us-east-1.amazonaws.com" } });
      expect(
        run(customerKey(policy(admins(), users, via)), "kms-separation-of-duties", phiInventory()).status,
      ).toBe("COMPLIANT");
      const ops = grantTo(ADMIN, {
        "ForAllValues:StringEquals": { "kms:GrantOperations": ["Encrypt", "GenerateDataKey"] },
      });
      expect(
        run(customerKey(policy(admins(), users, ops)), "kms-separation-of-duties", phiInventory()).status,
      ).toBe("COMPLIANT");
    });
    it("says cannot prove when a condition on the administrator's CreateGrant cannot be decided", () => {
      const snap = customerKey(
        policy(admins(), users, grantTo(ADMIN, { StringEquals: { "kms:GranteePrincipal": APP } })),
      );
      const e = run(snap, "kms-separation-of-duties", phiInventory());
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.violations).toEqual([
        expect.objectContaining({
          principal: ADMIN,
          why: "administers the key and may grant itself use (kms:CreateGrant under conditions not decided)",
          use: ["kms:CreateGrant"],
          undecided: ["StringEquals kms:GranteePrincipal"],
        }),
      ]);
    });
    it("on the console's default key policy, flags the key administrators' kms:Create* once, and the root's kms:* as before", () => {
      // The policy the KMS console writes (Id key-consolepolicy-3: KMS developer guide, "Default key
      // policy"; a published copy: gist.github.com/bwhaley/050d342ffc1f7c67acd58357389f9dda).
      const ROOT = `arn:aws:iam::${ACCT}:root`;
      const snap = customerKey(
        policy(
          {
            Sid: "Enable IAM User Permissions",
            Effect: "Allow",
            Principal: { AWS: ROOT },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "Allow access for Key Administrators",
            Effect: "Allow",
            Principal: { AWS: ADMIN },
            Action: [
              "kms:Create*",
              "kms:Describe*",
              "kms:Enable*",
              "kms:List*",
              "kms:Put*",
              "kms:Update*",
              "kms:Revoke*",
              "kms:Disable*",
              "kms:Get*",
              "kms:Delete*",
              "kms:TagResource",
              "kms:UntagResource",
              "kms:ScheduleKeyDeletion",
              "kms:CancelKeyDeletion",
            ],
            Resource: "*",
          },
          {
            Sid: "Allow use of the key",
            Effect: "Allow",
            Principal: { AWS: APP },
            Action: [
              "kms:Encrypt",
              "kms:Decrypt",
              "kms:ReEncrypt*",
              "kms:GenerateDataKey*",
              "kms:DescribeKey",
            ],
            Resource: "*",
          },
          {
            Sid: "Allow attachment of persistent resources",
            Effect: "Allow",
            Principal: { AWS: APP },
            Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            Resource: "*",
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
          },
        ),
      );
      const e = run(snap, "kms-separation-of-duties", phiInventory());
      expect(e.status).toBe("NON_COMPLIANT");
      const v = e.evidence.violations as Array<Record<string, unknown>>;
      expect(v.filter((x) => x.principal === ROOT)).toEqual([
        expect.objectContaining({ why: "administers and uses the key", use: ["kms:Decrypt"] }),
      ]);
      expect(v.filter((x) => x.principal === ADMIN)).toEqual([
        expect.objectContaining({
          why: "administers the key and can grant itself use (kms:CreateGrant)",
          statements: ["Allow access for Key Administrators"],
        }),
      ]);
      // The key user may still administer through IAM (the root statement): cannot prove, as before.
      expect(v.filter((x) => x.principal === APP)).toEqual([
        expect.objectContaining({ throughAccount: ACCT, use: ["kms:Decrypt"] }),
      ]);
    });
  });

  it("fails on Principal * without conditions", () => {
    const snap = customerKey(
      policy({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
    );
    const e = run(snap, "kms-separation-of-duties", phiInventory());
    expect(e.evidence.violations).toContainEqual(
      expect.objectContaining({ why: "Principal * without conditions" }),
    );
  });
});

describe("kms controls in the AWS GovCloud (US) and China partitions", () => {
  const partitions = [
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ] as const;
  /** The real customer key as a key of `partition`: with its ARN, or (an API read) its region only. */
  const keyIn = (partition: string, region: string, withArn: boolean, supplementary = {}) => {
    const arn = `arn:${partition}:kms:${region}:${ACCT}:key/${KEY_ID}`;
    const k = customerKey({ configuration: { arn: withArn ? arn : undefined }, supplementary });
    const { arn: _dropped, ...rest } = k;
    return { ...rest, region, ...(withArn ? { arn } : {}) };
  };
  const bucketIn = (partition: string, region: string, ref: string) => ({
    ...bucketWithKey(ref),
    region,
    arn: `arn:${partition}:s3:::phi-recordings`,
  });

  it.each(partitions)("a key known by region only is a PHI key by the baseline's %s pattern", (p, region) => {
    const e = run(keyIn(p, region, false), "kms-key-usable", noBuckets, {
      phiKeys: [`arn:${p}:kms:*:${ACCT}:key/*`],
    });
    expect(e.status).toBe("COMPLIANT");
  });

  it.each(partitions)("a key a PHI bucket names by key id is a PHI key (%s)", (p, region) => {
    const f = facts({ inventory: { "AWS::S3::Bucket": [bucketIn(p, region, KEY_ID)] } });
    for (const withArn of [true, false])
      expect(run(keyIn(p, region, withArn), "kms-key-usable", f).status).toBe("COMPLIANT");
  });

  it.each(partitions)(
    "kms-separation-of-duties names the account root in the key's partition (%s)",
    (p, region) => {
      const root = `arn:${p}:iam::${ACCT}:root`;
      const policy = {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Root", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" },
          ],
        }),
      };
      const e = run(keyIn(p, region, true, policy), "kms-separation-of-duties", phiInventory(KEY_ID));
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.violations).toContainEqual(
        expect.objectContaining({ principal: root, why: "administers and uses the key" }),
      );
    },
  );
});

describe("kms-* on a key a PHI bucket names by alias", () => {
  const KMS = ["kms-key-usable", "kms-rotation", "kms-separation-of-duties"];
  const ALIAS = "alias/phi-recordings";
  const ALIAS_ARN = `arn:aws:kms:us-east-1:${ACCT}:alias/phi-recordings`;
  const OTHER_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/0000aaaa-0000-4000-8000-000000000000`;
  const pending = () => customerKey({ configuration: { keyState: "PendingDeletion", enabled: false } });
  const keyFacts = (arn: string) => ({ arn, keyManager: "CUSTOMER" as const, keyState: "Enabled" });
  /** The bucket inventory, and DescribeKey of the alias (as the bucket's account and region ask it). */
  const onAlias = (ref: string, behind?: string) =>
    facts({
      inventory: { "AWS::S3::Bucket": [bucketWithKey(ref)] },
      ...(behind ? { keys: { [ref]: keyFacts(behind) } } : {}),
    });

  it.each([ALIAS, ALIAS_ARN])("asks DescribeKey of %s once the bucket inventory names it", (ref) => {
    const inventory = onAlias(ref);
    for (const id of KMS)
      expect(followUps(customerKey(), id, inventory), id).toEqual([
        { kind: "kms-key", ref, accountId: ACCT, region: "us-east-1" },
      ]);
    // Nothing to ask before the inventory is known, nor for the AWS-managed key's alias.
    expect(followUps(customerKey(), "kms-key-usable", facts())).toEqual([]);
    expect(followUps(customerKey(), "kms-key-usable", onAlias("alias/aws/s3"))).toEqual([]);
  });

  it.each([ALIAS, ALIAS_ARN])(
    "a PendingDeletion key behind %s is a PHI key: fails, and says which bucket and alias",
    (ref) => {
      const e = run(pending(), "kms-key-usable", onAlias(ref, KEY_ARN));
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.summary).toBe("key state is PendingDeletion: PHI under it cannot be decrypted");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.phiBecause).toEqual([
        `default encryption of PHI bucket phi-recordings, through ${ref}`,
      ]);
      for (const id of KMS)
        expect(run(customerKey(), id, onAlias(ref, KEY_ARN)).status, id).not.toBe("NOT_APPLICABLE");
    },
  );

  it("a key the alias does not point at is not a PHI key", () => {
    for (const id of KMS) {
      const e = run(pending(), id, onAlias(ALIAS, OTHER_ARN));
      expect(e.status, id).toBe("NOT_APPLICABLE");
      expect(e.evidence, id).toEqual({});
    }
  });

  it.each([
    ["not resolved", facts({ inventory: { "AWS::S3::Bucket": [bucketWithKey(ALIAS)] } }), "not resolved"],
    [
      "DescribeKey denied",
      {
        ...onAlias(ALIAS),
        kmsKey: (ref: string) =>
          ref === ALIAS
            ? { ok: false as const, reason: "DescribeKey failed: AccessDeniedException" }
            : undefined,
      },
      "DescribeKey failed: AccessDeniedException",
    ],
  ])(
    "an alias %s: a failing key of its account and region cannot be proven to protect no PHI",
    (_, f, reason) => {
      const e = run(pending(), "kms-key-usable", f);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.summary).toMatch(/^cannot prove /);
      expect(e.summary).toContain("key state is PendingDeletion");
      expect(e.summary).not.toContain("protects no PHI bucket and");
      expect(e.evidence).toMatchObject({
        proof: "cannot prove",
        unresolvedAliases: [{ bucket: "phi-recordings", alias: ALIAS, reason }],
      });
      // The same key, usable: the control holds whether or not it is the key behind the alias.
      const ok = run(customerKey(), "kms-key-usable", f);
      expect(ok.status).toBe("COMPLIANT");
      expect(ok.evidence.phiBecause).toEqual([
        `may be the key behind ${ALIAS}, named by the default encryption of PHI bucket phi-recordings (alias not resolved: ${reason})`,
      ]);
    },
  );

  it("an unresolved alias does not reach keys of another region or account, nor AWS-managed keys", () => {
    const f = onAlias(ALIAS);
    const elsewhere = (region: string, account: string) => {
      const arn = `arn:aws:kms:${region}:${account}:key/${KEY_ID}`;
      return {
        ...pending(),
        region,
        accountId: account,
        arn,
        configuration: { ...pending().configuration, arn },
      };
    };
    expect(run(elsewhere("eu-west-1", ACCT), "kms-key-usable", f).status).toBe("NOT_APPLICABLE");
    // An alias ARN names its own region: a key of the bucket's region is not behind an alias of another.
    const euAlias = onAlias(`arn:aws:kms:eu-west-1:${ACCT}:alias/phi-recordings`);
    expect(run(pending(), "kms-key-usable", euAlias).status).toBe("NOT_APPLICABLE");
    expect(run(elsewhere("eu-west-1", ACCT), "kms-key-usable", euAlias).status).toBe("NON_COMPLIANT");
    const awsKey = customerKey({ configuration: { keyManager: "AWS", keyState: "PendingDeletion" } });
    expect(run(awsKey, "kms-key-usable", f).status).toBe("NOT_APPLICABLE");
  });
});
