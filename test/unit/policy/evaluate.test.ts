import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidEventError } from "../../../packages/core/src/errors.ts";
import {
  evaluateIdentity,
  evaluatePolicies,
  type NamedPolicy,
  parsePolicyDocument,
  principalGrants,
  type Question,
  type RequestPrincipal,
} from "../../../packages/core/src/policy/index.ts";

const ACCT = "111122223333";
const role = (name: string, acct = ACCT): RequestPrincipal => ({
  kind: "aws",
  arn: `arn:aws:iam::${acct}:role/${name}`,
});
const policy = (...Statement: unknown[]): NamedPolicy[] => [
  { name: "p", document: parsePolicyDocument({ Version: "2012-10-17", Statement }) },
];
const OBJ = "arn:aws:s3:::phi-recordings/*";
const q = (over: Partial<Question> = {}): Question => ({ action: "s3:GetObject", resource: OBJ, ...over });

describe("policy evaluation", () => {
  it("allows a matching Allow and denies by default", () => {
    const p = policy({ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::phi-*/*" });
    expect(evaluatePolicies(p, q()).effect).toBe("allow");
    expect(evaluatePolicies(p, q({ action: "s3:PutObject" })).effect).toBe("implicit-deny");
    expect(evaluatePolicies(p, q({ resource: "arn:aws:s3:::other/*" })).effect).toBe("implicit-deny");
  });

  it("explicit Deny wins over Allow", () => {
    const p = policy(
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Sid: "NoPhi", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::phi-recordings/*" },
    );
    const d = evaluatePolicies(p, q());
    expect(d.effect).toBe("deny");
    expect(d.deniedBy).toEqual([{ policy: "p", statement: "NoPhi" }]);
  });

  it("a Deny that covers only part of the set does not prove protection", () => {
    const p = policy(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
      { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/connect/*" },
    );
    expect(evaluatePolicies(p, q()).effect).toBe("allow");
    expect(
      evaluatePolicies(p, q({ resource: "arn:aws:s3:::phi-recordings/connect/*/CallRecordings/*" })).effect,
    ).toBe("deny");
  });

  it("handles NotAction and NotResource", () => {
    const p = policy(
      { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::public/*"] },
    );
    expect(evaluatePolicies(p, q()).effect).toBe("deny");
    expect(evaluatePolicies(p, q({ action: "iam:PassRole", resource: "*" })).effect).toBe("implicit-deny");
    expect(evaluatePolicies(p, q({ action: "kms:Decrypt", resource: "*" })).effect).toBe("allow");
  });

  it("decides aws:SecureTransport and leaves unknown keys conditional", () => {
    const p = policy(
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: OBJ },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::phi-recordings", OBJ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    );
    expect(
      evaluatePolicies(p, q({ principal: { kind: "everyone" }, context: { "aws:SecureTransport": "false" } }))
        .effect,
    ).toBe("deny");
    expect(
      evaluatePolicies(p, q({ principal: { kind: "everyone" }, context: { "aws:SecureTransport": "true" } }))
        .effect,
    ).toBe("allow");
    const d = evaluatePolicies(p, q({ principal: { kind: "everyone" } }));
    expect(d.effect).toBe("conditional");
    expect(d.conditionalDeny[0]?.undecided).toEqual(["Bool aws:SecureTransport"]);
  });

  it("matches principals: account, role, service, anonymous", () => {
    const p = policy({
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${ACCT}:role/qa`, "444455556666"], Service: "connect.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: OBJ,
    });
    expect(evaluatePolicies(p, q({ principal: role("qa") })).effect).toBe("allow");
    expect(evaluatePolicies(p, q({ principal: role("other") })).effect).toBe("implicit-deny");
    expect(evaluatePolicies(p, q({ principal: role("anything", "444455556666") })).effect).toBe("allow");
    expect(
      evaluatePolicies(p, q({ principal: { kind: "service", service: "connect.amazonaws.com" } })).effect,
    ).toBe("allow");
    expect(evaluatePolicies(p, q({ principal: { kind: "anonymous" } })).effect).toBe("implicit-deny");
  });

  it("decides aws:PrincipalArn conditions (StringNotLike, ArnNotEquals, IfExists)", () => {
    const p = policy(
      { Effect: "Allow", Principal: { AWS: ACCT }, Action: "s3:GetObject", Resource: OBJ },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: OBJ,
        Condition: { ArnNotLikeIfExists: { "aws:PrincipalArn": [`arn:aws:iam::${ACCT}:role/qa-*`] } },
      },
    );
    expect(evaluatePolicies(p, q({ principal: role("qa-lead") })).effect).toBe("allow");
    expect(evaluatePolicies(p, q({ principal: role("analytics") })).effect).toBe("deny");
    // A service has no PrincipalArn: IfExists makes the negated test true, so the Deny applies.
    expect(
      evaluatePolicies(p, q({ principal: { kind: "service", service: "connect.amazonaws.com" } })).effect,
    ).toBe("deny");
  });

  it("NotPrincipal exempts a user with its account for certain, a listed role possibly", () => {
    const p = policy(
      { Effect: "Allow", Principal: { AWS: ACCT }, Action: "s3:GetObject", Resource: OBJ },
      {
        Effect: "Deny",
        NotPrincipal: {
          AWS: [`arn:aws:iam::${ACCT}:user/ops`, `arn:aws:iam::${ACCT}:role/qa`, `arn:aws:iam::${ACCT}:root`],
        },
        Action: "s3:*",
        Resource: OBJ,
      },
    );
    expect(
      evaluatePolicies(p, q({ principal: { kind: "aws", arn: `arn:aws:iam::${ACCT}:user/ops` } })).effect,
    ).toBe("allow");
    // The role is listed with its account, as the docs recommend for exempting a role; they also say AWS
    // may check the session itself. Either way the Deny is not proven for the role's sessions.
    expect(evaluatePolicies(p, q({ principal: role("qa") })).effect).toBe("conditional");
    expect(evaluatePolicies(p, q({ principal: role("other") })).effect).toBe("deny");
    // The account's root user is exempted: the Deny does not reach every caller.
    expect(evaluatePolicies(p, q({ principal: { kind: "everyone" } })).effect).not.toBe("deny");
  });

  it("permissions boundary limits an identity policy", () => {
    const id = policy({ Effect: "Allow", Action: "s3:*", Resource: "*" });
    const boundary = policy({ Effect: "Allow", Action: "s3:List*", Resource: "*" })[0]!;
    expect(evaluateIdentity(id, q(), boundary).effect).toBe("implicit-deny");
    expect(evaluateIdentity(id, q({ action: "s3:ListBucket" }), boundary).effect).toBe("allow");
  });

  it("enumerates grants, narrowing Principal * by aws:PrincipalArn", () => {
    const doc = parsePolicyDocument({
      Statement: [
        {
          Sid: "Qa",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: OBJ,
          Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/qa-*` } },
        },
        {
          Sid: "Vpce",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:*",
          Resource: OBJ,
          Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } },
        },
      ],
    });
    const g = principalGrants(doc, ["s3:GetObject", "s3:DeleteObject"], OBJ);
    expect(g).toEqual([
      {
        statement: "Qa",
        principal: { kind: "arn", arn: `arn:aws:iam::${ACCT}:role/qa-*`, accountId: ACCT },
        actions: ["s3:GetObject"],
        undecided: [],
      },
      {
        statement: "Vpce",
        principal: { kind: "everyone" },
        actions: ["s3:GetObject", "s3:DeleteObject"],
        undecided: ["StringEquals aws:SourceVpce"],
      },
    ]);
  });

  describe("properties", () => {
    const action = fc.constantFrom("s3:GetObject", "s3:PutObject", "kms:Decrypt", "iam:PassRole");
    const actionPattern = fc.constantFrom("*", "s3:*", "s3:Get*", "kms:*", "s3:?etObject", "iam:Pass*");
    const resourcePattern = fc.constantFrom(
      "*",
      OBJ,
      "arn:aws:s3:::phi-*/*",
      "arn:aws:s3:::other/*",
      "arn:aws:kms:*",
    );
    const statement = fc.record({
      Effect: fc.constantFrom("Allow", "Deny"),
      Action: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      Resource: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
    });
    it("an unconditional Deny matching the question always wins", () => {
      fc.assert(
        fc.property(fc.array(statement, { maxLength: 6 }), action, (stmts, a) => {
          const p = policy(...stmts, { Effect: "Deny", Action: a, Resource: "*" });
          expect(evaluatePolicies(p, q({ action: a })).effect).toBe("deny");
        }),
      );
    });
    it("adding a Deny never turns a decision into allow", () => {
      fc.assert(
        fc.property(fc.array(statement, { maxLength: 6 }), statement, action, (stmts, extra, a) => {
          const before = evaluatePolicies(policy(...stmts), q({ action: a })).effect;
          const after = evaluatePolicies(
            policy(...stmts, { ...extra, Effect: "Deny" }),
            q({ action: a }),
          ).effect;
          if (before !== "allow") expect(after).not.toBe("allow");
        }),
      );
    });
  });
});

describe("policy documents", () => {
  const doc = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
  };
  it.each([
    ["an object", doc],
    ["a JSON string", JSON.stringify(doc)],
    ["URL-encoded JSON (Config IAM items)", encodeURIComponent(JSON.stringify(doc))],
    ["a one-element array (RDK samples)", [doc]],
    ["a JSON string inside a JSON string", JSON.stringify(JSON.stringify(doc))],
  ])("parses %s", (_n, input) => {
    expect(parsePolicyDocument(input).statements[0]).toMatchObject({
      effect: "Allow",
      action: ["s3:GetObject"],
    });
  });

  it.each([
    ["no Statement", {}, "policy"],
    ["a bad Effect", { Statement: [{ Effect: "allow", Action: "*" }] }, "policy.Statement[0].Effect"],
    ["no action", { Statement: [{ Effect: "Allow" }] }, "policy.Statement[0]"],
    ["bad JSON", "{nope", "policy"],
    ["too large", `{"Statement":[],"x":"${"a".repeat(70_000)}"}`, "policy"],
  ])("rejects %s naming the field", (_n, input, field) => {
    try {
      parsePolicyDocument(input);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidEventError);
      expect((e as InvalidEventError).field).toBe(field);
    }
  });

  it("throws only InvalidEventError on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (input) => {
        try {
          parsePolicyDocument(input);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidEventError);
        }
      }),
    );
  });
});

describe("policy evaluation over a set of resources", () => {
  it("a Deny covering everything an Allow reaches in the set cancels it", () => {
    const p = policy(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/connect/*" },
      { Sid: "NoConnect", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::phi-recordings/connect/*" },
    );
    const d = evaluatePolicies(p, q());
    // Nothing is allowed, but objects outside connect/ are refused by no statement: the implicit deny.
    expect(d.effect).toBe("implicit-deny");
    expect(d.deniedBy).toEqual([{ policy: "p", statement: "NoConnect" }]);
  });
  it("a Deny covering only part of what the Allow reaches does not", () => {
    const p = policy(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/*" },
      { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::phi-recordings/connect/*" },
    );
    expect(evaluatePolicies(p, q()).effect).toBe("allow");
  });
});
