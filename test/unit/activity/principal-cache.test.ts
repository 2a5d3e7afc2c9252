import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalisePrincipal, principalOf } from "../../../packages/core/src/activity/principal.ts";

// principalOf caches per identity; identities drawn from small pools collide on ARN, issuer,
// account and recipient in every combination, and each answer must be the uncached one.
const pick = <T>(...xs: T[]) => fc.option(fc.constantFrom(...xs), { nil: undefined });
const identity = fc.record(
  {
    type: fc.constantFrom(
      "AssumedRole",
      "IAMUser",
      "AWSService",
      "AWSAccount",
      "Root",
      "SAMLUser",
      "FederatedUser",
      "X",
    ),
    arn: pick(
      "arn:aws:sts::111122223333:assumed-role/etl/i-1",
      "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_QA_1/dana@example.com",
      "arn:aws:iam::111122223333:user/u",
    ),
    accountId: pick("111122223333", "444455556666", ""),
    principalId: pick("AIDA1", "AROA1:s"),
    userName: pick("dana", "lee"),
    invokedBy: pick("transcribe.amazonaws.com", "connect.amazonaws.com"),
    identityProvider: pick("okta", "cognito"),
    sessionContext: fc.option(
      fc.record({
        sessionIssuer: fc.record({
          arn: pick(
            "arn:aws:iam::111122223333:role/etl",
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_QA_1",
          ),
        }),
      }),
      { nil: undefined },
    ),
  },
  { requiredKeys: ["type"] },
);

function outcome(f: () => unknown) {
  try {
    return { ok: f() };
  } catch (error) {
    return {
      error: `${(error as Error).name} ${(error as { field?: string }).field} ${(error as Error).message}`,
    };
  }
}

describe("principalOf cache", () => {
  it("always answers what the uncached normalisation answers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(identity, fc.constantFrom("", "111122223333", "999988887777")), { maxLength: 30 }),
        (calls) => {
          for (const [u, recipient] of calls)
            expect(outcome(() => principalOf(u, recipient))).toEqual(
              outcome(() => normalisePrincipal(u, recipient)),
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands out frozen principals, so one event cannot change another's", () => {
    const p = principalOf({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/u" }, "111122223333");
    expect(Object.isFrozen(p) && Object.isFrozen(p.names)).toBe(true);
    expect(principalOf({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/u" }, "111122223333")).toBe(p);
  });
});
