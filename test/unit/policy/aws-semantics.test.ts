// Regressions from the policy-semantics audit: each case is a documented AWS evaluation rule that
// the evaluator once got wrong in the direction of a pass.
import { describe, expect, it } from "vitest";
import {
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

  it("still applies to every caller when nothing it lists can be exempted (a role ARN, a user without its account)", () => {
    const p = policy({
      Effect: "Deny",
      NotPrincipal: { AWS: [`arn:aws:iam::${ACCT}:role/qa`, `arn:aws:iam::${ACCT}:user/ops`] },
      Action: "s3:*",
      Resource: OBJ,
    });
    expect(evaluatePolicies(p, q({ principal: { kind: "everyone" } })).effect).toBe("deny");
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
