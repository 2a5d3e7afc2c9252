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
