// Regressions from the policy-semantics audit: each case is a documented AWS evaluation rule that
// the evaluator once got wrong in the direction of a pass.
import { describe, expect, it } from "vitest";
import {
  evaluateConditions,
  evaluatePolicies,
  type NamedPolicy,
  parsePolicyDocument,
  type Question,
} from "../../../packages/core/src/policy/index.ts";

const ACCT = "111122223333";
const OBJ = "arn:aws:s3:::phi-recordings/*";
const policy = (...Statement: unknown[]): NamedPolicy[] => [
  { name: "p", document: parsePolicyDocument({ Version: "2012-10-17", Statement }) },
];
const q = (over: Partial<Question> = {}): Question => ({ action: "s3:GetObject", resource: OBJ, ...over });

describe("NotPrincipal with Deny, asked for every caller", () => {
  // IAM User Guide, "AWS JSON policy elements: NotPrincipal": a Deny with NotPrincipal denies all
  // principals *except* those listed (with the account ARN listed too). It does not apply to all callers.
  it("does not apply to every caller when it exempts an account (and a user of it)", () => {
    const p = policy({
      Effect: "Deny",
      NotPrincipal: { AWS: [`arn:aws:iam::${ACCT}:root`, `arn:aws:iam::${ACCT}:user/ops`] },
      Action: "s3:*",
      Resource: OBJ,
    });
    expect(evaluatePolicies(p, q({ principal: { kind: "everyone" } })).effect).not.toBe("deny");
  });

  it("does not apply to every caller when it exempts a service principal", () => {
    const p = policy({
      Effect: "Deny",
      NotPrincipal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:*",
      Resource: OBJ,
    });
    expect(evaluatePolicies(p, q({ principal: { kind: "everyone" } })).effect).not.toBe("deny");
  });

  it("is not proven for every caller when it lists a role ARN or a user without its account", () => {
    // The docs say such a list "might" deny the whole account: it might also exempt the role's sessions
    // or the user (see the NotPrincipal regressions below), so the Deny is undecided, not proven.
    const p = policy({
      Effect: "Deny",
      NotPrincipal: { AWS: [`arn:aws:iam::${ACCT}:role/qa`, `arn:aws:iam::${ACCT}:user/ops`] },
      Action: "s3:*",
      Resource: OBJ,
    });
    const d = evaluatePolicies(p, q({ principal: { kind: "everyone" } }));
    expect(d.effect).toBe("implicit-deny");
    expect(d.conditionalDeny[0]?.undecided).toEqual(["NotPrincipal"]);
  });
});

describe("policy variables in Resource and NotResource", () => {
  // IAM User Guide, "IAM JSON policy elements: Version" and "Policy variables": under Version
  // 2012-10-17 `${…}` in Resource is replaced by the request's value; under 2008-10-17 (or no Version)
  // it is a literal string.
  const RAW = "arn:aws:s3:::phi-recordings/connect/*/CallRecordings/*";
  const abac = {
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::\${aws:PrincipalTag/bucket}/*`,
  };

  it("an Allow whose Resource takes a principal tag may reach a PHI bucket: not an implicit deny", () => {
    const d = evaluatePolicies(policy(abac), q());
    expect(d.effect).toBe("conditional");
    expect(d.conditionalAllow[0]?.undecided).toEqual([`Resource arn:aws:s3:::\${aws:PrincipalTag/bucket}/*`]);
  });

  it("an Allow on a per-user prefix may reach the raw-recording prefixes", () => {
    const p = policy({ ...abac, Resource: `arn:aws:s3:::phi-recordings/\${aws:username}/*` });
    expect(evaluatePolicies(p, q({ resource: RAW })).effect).toBe("conditional");
    expect(evaluatePolicies(p, q({ resource: "arn:aws:s3:::phi-recordings/bob/a.wav" })).effect).toBe(
      "conditional",
    );
    expect(evaluatePolicies(p, q({ resource: "arn:aws:s3:::other/bob/a.wav" })).effect).toBe("implicit-deny");
  });

  it("reads policy variables literally under Version 2008-10-17", () => {
    const p: NamedPolicy[] = [
      { name: "p", document: parsePolicyDocument({ Version: "2008-10-17", Statement: [abac] }) },
    ];
    expect(evaluatePolicies(p, q()).effect).toBe("implicit-deny");
  });

  it("a Deny whose NotResource takes a principal tag is not proven to cover the bucket", () => {
    const p = policy(
      { Effect: "Allow", Action: "s3:*", Resource: "*" },
      { Effect: "Deny", Action: "s3:*", NotResource: `arn:aws:s3:::\${aws:PrincipalTag/bucket}/*` },
    );
    expect(evaluatePolicies(p, q()).effect).toBe("conditional");
  });
});

describe("policy variables and a Deny over part of the set", () => {
  it("a Deny on one prefix does not cancel an Allow whose other Resource takes a principal tag", () => {
    const p = policy(
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: ["arn:aws:s3:::phi-recordings/connect/*", `arn:aws:s3:::\${aws:PrincipalTag/bucket}/*`],
      },
      { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::phi-recordings/connect/*" },
    );
    expect(evaluatePolicies(p, q()).effect).not.toBe("deny");
  });
});

describe("ARN condition operators with a pattern that is not a six-part ARN", () => {
  // IAM User Guide, "Condition operators › Amazon Resource Name (ARN)": ArnLike/ArnEquals check each of
  // the six colon-delimited components separately. How AWS reads a pattern with fewer components
  // (`arn:aws:iam::*`, a forgotten colon in `arn:aws:iam::111122223333*`, a bare `*`) is not
  // documented — and for the Resource element a `*` that ends a segment runs on across colons, which
  // would make such a pattern match every IAM ARN. Either answer is a guess, so it stays undecided.
  const ROLE = "arn:aws:iam::999988887777:role/outsider";
  const ctx = { "aws:PrincipalArn": ROLE };
  const cond = (operator: string, values: string[]) =>
    evaluateConditions([{ operator, key: "aws:PrincipalArn", values }], ctx);

  it.each([["arn:aws:iam::*"], [`arn:aws:iam::${ACCT}*`], ["*"], ["arn:aws:iam"]])(
    "leaves ArnLike and ArnNotLike undecided for %s",
    (pattern) => {
      for (const op of ["ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals", "ForAnyValue:ArnLike"])
        expect(cond(op, [pattern]).result).toBe("maybe");
    },
  );

  it("still decides six-part patterns, and a value another pattern of the list settles", () => {
    expect(cond("ArnLike", [`arn:aws:iam::${ACCT}:*`]).result).toBe(false);
    expect(cond("ArnNotLike", [`arn:aws:iam::${ACCT}:*`]).result).toBe(true);
    expect(cond("ArnLike", ["arn:aws:iam::*:role/*"]).result).toBe(true);
    // One six-part pattern matches: ArnLike is true and ArnNotLike false whatever the short one means.
    expect(cond("ArnLike", ["arn:aws:iam::*", "arn:aws:iam::*:role/outsider"]).result).toBe(true);
    expect(cond("ArnNotLike", ["arn:aws:iam::*", "arn:aws:iam::*:role/outsider"]).result).toBe(false);
    // A short pattern identical to the value is the one reading every interpretation shares.
    expect(evaluateConditions([{ operator: "ArnEquals", key: "k", values: ["x"] }], { k: "x" }).result).toBe(
      true,
    );
  });

  it("does not prove a Deny for outsiders whose ArnNotLike pattern lost a colon", () => {
    const p = policy({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: OBJ,
      Condition: { ArnNotLike: { "aws:PrincipalArn": [`arn:aws:iam::${ACCT}*`] } },
    });
    const outsider = { kind: "aws" as const, arn: `arn:aws:iam::${ACCT}:role/outsider` };
    const d = evaluatePolicies(p, q({ principal: outsider }));
    expect(d.effect).not.toBe("deny");
    expect(d.conditionalDeny[0]?.undecided).toEqual(["ArnNotLike aws:PrincipalArn"]);
  });
});

describe("regressions found by the differential test (differential.test.ts)", () => {
  const ROLE_QA = `arn:aws:iam::${ACCT}:role/qa`;
  const read = (principal: Record<string, unknown>) => ({
    Effect: "Allow",
    ...principal,
    Action: "s3:GetObject",
    Resource: OBJ,
  });

  it("an Allow that names someone lets some caller in: not an implicit deny asked for every caller", () => {
    // "May any caller read?" — the Allow reaches some of the callers the question stands for.
    expect(
      evaluatePolicies(policy(read({ Principal: { AWS: ROLE_QA } })), q({ principal: { kind: "everyone" } }))
        .effect,
    ).toBe("allow");
    expect(
      evaluatePolicies(
        policy(read({ NotPrincipal: { Service: "logging.s3.amazonaws.com" } })),
        q({ principal: { kind: "everyone" } }),
      ).effect,
    ).toBe("allow");
    expect(
      evaluatePolicies(
        policy(read({ Principal: { AWS: ROLE_QA } })),
        q({ principal: { kind: "account", accountId: ACCT } }),
      ).effect,
    ).toBe("allow");
  });

  // IAM User Guide, "AWS JSON policy elements: NotPrincipal": "AWS might validate the account first,
  // then the role, and then the assumed-role user … we strongly recommend that you explicitly include
  // the ARN for a user's account, or include both the ARN for a role and the ARN for the account", and a
  // list naming the user alone "might" deny the account. Which exemptions hold is left open: the Deny
  // is not proven for a principal the list may exempt.
  const denyAllBut = (...AWS: string[]) => ({
    Effect: "Deny",
    NotPrincipal: { AWS },
    Action: "s3:*",
    Resource: OBJ,
  });
  it("a NotPrincipal Deny listing a role and its account is not proven to reach the role", () => {
    const d = evaluatePolicies(
      policy(denyAllBut(ROLE_QA, `arn:aws:iam::${ACCT}:root`)),
      q({ principal: { kind: "aws", arn: ROLE_QA } }),
    );
    expect(d.effect).toBe("implicit-deny");
    expect(d.conditionalDeny[0]?.undecided).toEqual(["NotPrincipal"]);
  });
  it("a NotPrincipal Deny listing a user or a role without its account is not proven to reach every caller", () => {
    for (const listed of [`arn:aws:iam::${ACCT}:user/ops`, ROLE_QA]) {
      const p = policy(denyAllBut(listed));
      expect(evaluatePolicies(p, q({ principal: { kind: "everyone" } })).effect).not.toBe("deny");
      expect(evaluatePolicies(p, q({ principal: { kind: "account", accountId: ACCT } })).effect).not.toBe(
        "deny",
      );
    }
    const user = { kind: "aws" as const, arn: `arn:aws:iam::${ACCT}:user/ops` };
    expect(evaluatePolicies(policy(denyAllBut(user.arn)), q({ principal: user })).effect).not.toBe("deny");
    // Listed with its account, the user is exempted for certain; an unlisted role is denied for certain.
    expect(evaluatePolicies(policy(denyAllBut(user.arn, ACCT)), q({ principal: user })).effect).toBe(
      "implicit-deny",
    );
    expect(
      evaluatePolicies(policy(denyAllBut(user.arn, ACCT)), q({ principal: { kind: "aws", arn: ROLE_QA } }))
        .effect,
    ).toBe("deny");
  });

  it("a Deny covering only what an Allow reaches in the set is no explicit Deny of the whole set", () => {
    // Objects outside connect/ are refused by no statement: an identity policy of the account may allow them.
    const p = policy(
      {
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::phi-recordings/connect/*",
      },
      {
        Sid: "NoConnect",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: "arn:aws:s3:::phi-recordings/connect/*",
      },
    );
    const d = evaluatePolicies(p, q({ principal: { kind: "everyone" } }));
    expect(d.effect).toBe("implicit-deny");
    expect(d.deniedBy).toEqual([{ policy: "p", statement: "NoConnect" }]);
  });

  it("an anonymous request carries no aws:PrincipalIsAWSService (signed requests only)", () => {
    const p = policy({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: OBJ,
      Condition: { Bool: { "aws:PrincipalIsAWSService": "false" } },
    });
    expect(evaluatePolicies(p, q({ principal: { kind: "anonymous" } })).effect).toBe("implicit-deny");
  });
});

describe("a Boolean condition key under another operator, or with another spelling", () => {
  // IAM User Guide, "Condition operators › Boolean" and "AWS global condition context keys": Boolean keys
  // (aws:SecureTransport, aws:PrincipalIsAWSService, …) are compared by Bool with the values true and
  // false. What a string operator or a value like "False" does with them is not documented: undecided.
  const ctx = { "aws:SecureTransport": "false" };
  const cond = (operator: string, values: string[], key = "aws:SecureTransport") =>
    evaluateConditions([{ operator, key, values }], ctx).result;

  it("leaves string and ARN operators on a Boolean key undecided", () => {
    for (const op of ["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIgnoreCase", "ArnLike"])
      expect(cond(op, ["false"])).toBe("maybe");
  });

  it("decides Bool with true/false, and leaves another spelling undecided unless a value settles it", () => {
    expect(cond("Bool", ["false"])).toBe(true);
    expect(cond("Bool", ["true"])).toBe(false);
    expect(cond("BoolIfExists", ["false"])).toBe(true);
    expect(cond("Bool", ["False"])).toBe("maybe");
    expect(cond("Bool", ["False", "false"])).toBe(true);
    expect(cond("Null", ["false"])).toBe(true);
    // Other keys keep their string semantics.
    expect(
      evaluateConditions([{ operator: "StringEquals", key: "k", values: ["false"] }], { k: "false" }).result,
    ).toBe(true);
  });
});
