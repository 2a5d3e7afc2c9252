// The drift-evaluation optimisations (docs/performance.md) must not change any answer: each fast path
// is checked here against the straightforward algorithm it replaced, on generated inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Baseline } from "../../../packages/core/src/baseline/schema.ts";
import {
  mayMatchPhiValueShape,
  PHI_VALUE_PATTERNS,
  phiValueShapes,
} from "../../../packages/core/src/connect/sensitive.ts";
import { ControlSet, factRequests } from "../../../packages/core/src/control/engine.ts";
import type { Control, FactRequest } from "../../../packages/core/src/control/types.ts";
import { v4Number } from "../../../packages/core/src/controls/ec2/sg-no-open-admin.ts";
import {
  fromConfigurationItem,
  InputTooLargeError,
  InvalidEventError,
} from "../../../packages/core/src/index.ts";
import {
  accessPointQuestion,
  accessPointQuestions,
} from "../../../packages/core/src/policy/access-points.ts";
import { evaluateConditions } from "../../../packages/core/src/policy/condition.ts";
import {
  parsePolicyDocument,
  type Statement,
  statementLabel,
} from "../../../packages/core/src/policy/document.ts";
import {
  type Decision,
  evaluatePolicies,
  mentionsAction,
  type NamedPolicy,
  type Question,
  type StatementRef,
  statementApplies,
} from "../../../packages/core/src/policy/evaluate.ts";
import {
  actionMatches,
  arnMatches,
  globsIntersect,
  hasWildcard,
} from "../../../packages/core/src/policy/wildcard.ts";
import { memoOn } from "../../../packages/core/src/resource/memo.ts";
import { referenceParsePolicyDocument } from "./reference-policy-document.ts";

/** The quadratic search globsIntersect always did (before its literal-head/tail and literal-side shortcuts). */
function referenceGlobsIntersect(a: string, b: string, ignoreCase = false): boolean {
  if (a === "*" || b === "*") return true;
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  const A = x.length;
  const B = y.length;
  const memo = new Uint8Array((A + 1) * (B + 1));
  const go = (i: number, j: number): boolean => {
    const k = i * (B + 1) + j;
    if (memo[k]) return memo[k] === 1;
    let r: boolean;
    if (i === A && j === B) r = true;
    else if (i < A && x[i] === "*") r = go(i + 1, j) || (j < B && go(i, j + 1));
    else if (j < B && y[j] === "*") r = go(i, j + 1) || (i < A && go(i + 1, j));
    else if (i === A || j === B) r = false;
    else r = (x[i] === "?" || y[j] === "?" || x[i] === y[j]) && go(i + 1, j + 1);
    memo[k] = r ? 1 : 2;
    return r;
  };
  return go(0, 0);
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
/** The regexes actionMatches and arnMatches always compiled. */
function referenceAction(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  let src = "";
  for (const c of pattern) src += c === "*" ? ".*" : c === "?" ? "." : escapeRe(c);
  return new RegExp(`^${src}$`, "is").test(action);
}
function referenceArn(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") src += pattern[i + 1] === undefined || pattern[i + 1] === ":" ? ".*" : "[^:]*";
    else if (c === "?") src += "[^:]";
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`, "s").test(arn);
}

const glob = fc.string({
  unit: fc.constantFrom("a", "b", "A", ":", "/", "*", "?", "K", "\u212a", "."),
  maxLength: 12,
});
const text = fc.string({
  unit: fc.constantFrom("a", "b", "A", ":", "/", "K", "k", "\u212a", "\u017f", "s", "."),
  maxLength: 12,
});

describe("optimised matchers give the answers of the algorithms they replaced", () => {
  it("globsIntersect", () => {
    fc.assert(
      fc.property(glob, glob, fc.boolean(), (a, b, ic) => {
        expect(globsIntersect(a, b, ic)).toBe(referenceGlobsIntersect(a, b, ic));
      }),
      { numRuns: 5000 },
    );
  });

  it("globsIntersect when one side is a literal head and one final star, or both sides are the same pattern", () => {
    const literal = fc.string({ unit: fc.constantFrom("a", "b", "A", ":", "/", "K", "."), maxLength: 10 });
    fc.assert(
      fc.property(literal, glob, fc.boolean(), fc.boolean(), (head, other, ic, swap) => {
        const a = `${head}*`;
        const [x, y] = swap ? [other, a] : [a, other];
        expect(globsIntersect(x, y, ic)).toBe(referenceGlobsIntersect(x, y, ic));
        expect(globsIntersect(other, other, ic)).toBe(referenceGlobsIntersect(other, other, ic));
      }),
      { numRuns: 5000 },
    );
  });
  it("actionMatches, including non-ASCII case folding", () => {
    fc.assert(
      fc.property(glob, text, (p, a) => {
        expect(actionMatches(p, a)).toBe(referenceAction(p, a));
      }),
      { numRuns: 5000 },
    );
    expect(actionMatches("s3:GetObject", "S3:GETOBJECT")).toBe(true);
    expect(actionMatches("s3:getobjectk", "s3:GetObject\u212a")).toBe(false); // Kelvin sign is not k
  });

  it("arnMatches", () => {
    fc.assert(
      fc.property(glob, text, (p, a) => {
        expect(arnMatches(p, a)).toBe(referenceArn(p, a));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("policy size limit without serialising", () => {
  const doc = (text: string) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::b/${text}` }],
  });

  it("still refuses an object document whose JSON exceeds the limit", () => {
    expect(() => parsePolicyDocument(doc("x".repeat(70_000)), "p")).toThrowError(InputTooLargeError);
  });

  it("accepts one just under it (the quick bound is not enough, the exact measure decides)", () => {
    expect(parsePolicyDocument(doc("x".repeat(65_000)), "p").statements).toHaveLength(1);
  });

  it("measures escapes as JSON does", () => {
    // 33 000 quotes are 66 000 characters of JSON: over the limit only with the escapes counted.
    expect(() => parsePolicyDocument(doc(`${'"'.repeat(33_000)}`), "p")).toThrowError(InputTooLargeError);
  });
});

describe("memoOn", () => {
  it("computes once per owner, key and dependencies", () => {
    const owner = {};
    const a = {};
    const b = {};
    let calls = 0;
    const f = () => ++calls;
    expect(memoOn(owner, "k", [a], f)).toBe(1);
    expect(memoOn(owner, "k", [a], f)).toBe(1);
    expect(memoOn(owner, "k", [b], f)).toBe(2);
    expect(memoOn(owner, "other", [b], f)).toBe(3);
    expect(memoOn({}, "k", [b], f)).toBe(4);
  });

  it("does not remember a failure", () => {
    const owner = {};
    let n = 0;
    const f = () => {
      n++;
      if (n === 1) throw new Error("first");
      return n;
    };
    expect(() => memoOn(owner, "k", [], f)).toThrow("first");
    expect(memoOn(owner, "k", [], f)).toBe(2);
  });

  it("leaves the owner's JSON, keys and equality as they were", () => {
    const owner = { resourceId: "r", configuration: { a: 1 } };
    memoOn(owner, "k", [], () => 1);
    expect(JSON.stringify(owner)).toBe('{"resourceId":"r","configuration":{"a":1}}');
    expect(Object.keys(owner)).toEqual(["resourceId", "configuration"]);
    expect({ ...owner }).toStrictEqual({ resourceId: "r", configuration: { a: 1 } });
    expect(owner).toStrictEqual({ resourceId: "r", configuration: { a: 1 } });
  });

  it("remembers for frozen owners too", () => {
    const owner = Object.freeze({ resourceId: "r" });
    let calls = 0;
    expect(memoOn(owner, "k", [], () => ++calls)).toBe(1);
    expect(memoOn(owner, "k", [], () => ++calls)).toBe(1);
  });

  it("keeps what a compute memoised on the same owner", () => {
    const owner = {};
    const outer = memoOn(owner, "outer", [], () => memoOn(owner, "inner", [], () => 1) + 1);
    expect(outer).toBe(2);
    expect(memoOn(owner, "inner", [], () => 99)).toBe(1);
    expect(memoOn(owner, "outer", [], () => 99)).toBe(2);
  });

  it("does not answer an object from its prototype's memo", () => {
    const parent = {};
    memoOn(parent, "k", [], () => "parent");
    const child = Object.create(parent) as object;
    expect(memoOn(child, "k", [], () => "child")).toBe("child");
    expect(memoOn(parent, "k", [], () => "again")).toBe("parent");
  });
});

describe("capture time fast path", () => {
  const d = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((x) => String(x).padStart(n, "0"));
  const canonicalShaped = fc
    .tuple(d(4), d(2), d(2), d(2), d(2), d(2), d(3))
    .map(([y, mo, da, h, mi, s, ms]) => `${y}-${mo}-${da}T${h}:${mi}:${s}.${ms}Z`);

  it("gives what Date.parse → toISOString gives for every canonical-shaped string, or refuses it", () => {
    fc.assert(
      fc.property(canonicalShaped, (v) => {
        const ms = Date.parse(v);
        const item = {
          configurationItemCaptureTime: v,
          configurationItemStatus: "OK",
          awsAccountId: "111122223333",
          awsRegion: "us-east-1",
          resourceType: "AWS::S3::Bucket",
          resourceId: "b",
        };
        if (Number.isNaN(ms)) expect(() => fromConfigurationItem(item)).toThrowError(InvalidEventError);
        else expect(fromConfigurationItem(item).capturedAt).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 3000 },
    );
  });
});

describe("lazy embedded documents", () => {
  const POLICY = [
    "policyText",
    "policyDocument",
    "PolicyDocument",
    "assumeRolePolicyDocument",
    "AccessControlList",
  ];
  const ws = (s: string) => {
    let i = 0;
    while (i < s.length && " \t\n\r".includes(s[i]!)) i++;
    return s.slice(i);
  };
  const tryParse = (s: string): { ok: true; v: unknown } | { ok: false } => {
    try {
      return { ok: true, v: JSON.parse(s) };
    } catch {
      return { ok: false };
    }
  };
  /** The eager algorithm the normaliser always ran (before lazy documents), written plainly. */
  function refString(s: string, key: string, depth: number): unknown {
    let v: unknown = s;
    for (let layer = 0; layer < 3 && typeof v === "string"; layer++) {
      const t = ws(v);
      const policy = POLICY.includes(key);
      const doc = t.startsWith("{") || t.startsWith("[");
      const url = policy && (t.startsWith("%7B") || t.startsWith("%7b"));
      if (!doc && !url) break;
      let text = v;
      if (url && !doc) {
        try {
          text = decodeURIComponent(v);
        } catch {
          break;
        }
      }
      const r = tryParse(text);
      if (!r.ok) break;
      v = r.v;
    }
    return v === s || depth >= 12 ? v : refWalk(v, undefined, depth + 1);
  }
  function refWalk(v: unknown, key: string | undefined, depth: number): unknown {
    if (typeof v === "string") return key === undefined ? v : refString(v, key, depth);
    if (v === null || typeof v !== "object" || depth >= 12) return v;
    if (Array.isArray(v))
      return v.map((x) =>
        (x !== null && typeof x === "object") || typeof x === "string" ? refWalk(x, key, depth + 1) : x,
      );
    const out: Record<string, unknown> = {};
    // As JSON.parse does: `__proto__` is an own key like any other (assignment would set the prototype).
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, {
        value: refWalk(x, k, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  function refTop(v: unknown): unknown {
    let x = v;
    for (let layer = 0; layer < 3 && typeof x === "string"; layer++) {
      const t = ws(x);
      if (t === "") break;
      const url = t.startsWith("%7B") || t.startsWith("%7b");
      let text = x;
      if (url) {
        try {
          text = decodeURIComponent(x);
        } catch {
          break;
        }
      }
      const r = tryParse(text);
      if (!r.ok || (!url && !/^[{["\-0-9]/.test(t) && !["true", "false", "null"].includes(x))) break;
      x = r.v;
    }
    return refWalk(x, undefined, 0);
  }

  const doc = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((j) => JSON.stringify(j)),
    fc.jsonValue({ maxDepth: 2 }).map((j) => encodeURIComponent(JSON.stringify({ Statement: j }))),
    fc.jsonValue({ maxDepth: 2 }).map((j) => ` ${JSON.stringify(JSON.stringify([j]))}`),
    fc.constantFrom("{not json", "[1,", "%7Bbroken", "%E0%A4%A", "plain", "false", "7", ""),
  );
  const key = fc.constantFrom(...POLICY, "description", "Policy", "configuration", "x");
  const nested: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      doc,
      fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      fc.array(tie("node"), { maxLength: 3 }),
      fc.integer(),
    ),
  })).node;

  it("keeps a `__proto__` key of an embedded document as an own key, as JSON.parse does (fast-check counterexample, seed -1425505171)", () => {
    const item = {
      configurationItemCaptureTime: "2026-03-01T10:00:00.000Z",
      configurationItemStatus: "OK",
      awsAccountId: "111122223333",
      awsRegion: "us-east-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "b",
      configuration: {},
      supplementaryConfiguration: {
        policyText: encodeURIComponent('{"Statement":{"__proto__":{"Effect":"Allow"}}}'),
      },
    };
    const doc = fromConfigurationItem(item).supplementary.policyText as { Statement: object };
    expect(Object.getPrototypeOf(doc.Statement)).toBe(Object.prototype);
    expect(Object.hasOwn(doc.Statement, "__proto__")).toBe(true);
    expect((doc.Statement as { Effect?: unknown }).Effect).toBeUndefined();
    expect(JSON.stringify(doc)).toBe('{"Statement":{"__proto__":{"Effect":"Allow"}}}');
  });

  it("every value read, and the snapshot's JSON, equal the eager parse", () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, nested, { maxKeys: 5 }),
        fc.dictionary(key, nested, { maxKeys: 4 }),
        (configuration, sup) => {
          const item = {
            configurationItemCaptureTime: "2026-03-01T10:00:00.000Z",
            configurationItemStatus: "OK",
            awsAccountId: "111122223333",
            awsRegion: "us-east-1",
            resourceType: "AWS::S3::Bucket",
            resourceId: "b",
            configuration,
            supplementaryConfiguration: sup,
          };
          const expectedConfiguration = refWalk(configuration, undefined, 0);
          const expectedSup: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(sup)) expectedSup[k] = refTop(v);
          // Read through the getters (deep equality reads every property) …
          const s = fromConfigurationItem(item);
          expect(s.configuration).toEqual(expectedConfiguration);
          expect(s.supplementary).toEqual(expectedSup);
          // … and serialised without any read before (a stored snapshot), in the same key order.
          const t = fromConfigurationItem(item);
          expect(JSON.stringify(t.configuration)).toBe(JSON.stringify(expectedConfiguration));
          expect(JSON.stringify(t.supplementary)).toBe(JSON.stringify(expectedSup));
          expect(Object.keys(t.supplementary)).toEqual(Object.keys(expectedSup));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("parses once: every read returns the same object; assignment replaces it; the input is not changed", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    };
    const input = {
      configurationItemCaptureTime: "2026-03-01T10:00:00.000Z",
      configurationItemStatus: "OK",
      awsAccountId: "111122223333",
      awsRegion: "us-east-1",
      resourceType: "AWS::IAM::Role",
      resourceId: "r",
      configuration: {
        rolePolicyList: [{ policyName: "p", policyDocument: encodeURIComponent(JSON.stringify(policy)) }],
      },
      supplementaryConfiguration: { BucketPolicy: JSON.stringify({ policyText: JSON.stringify(policy) }) },
    };
    const before = JSON.stringify(input);
    const s = fromConfigurationItem(input);
    const inline = (s.configuration.rolePolicyList as Array<Record<string, unknown>>)[0]!;
    expect(inline.policyDocument).toEqual(policy);
    expect(inline.policyDocument).toBe(inline.policyDocument);
    expect(s.supplementary.BucketPolicy).toEqual({ policyText: policy });
    expect(s.supplementary.BucketPolicy).toBe(s.supplementary.BucketPolicy);
    expect({ ...s.supplementary }).toEqual({ BucketPolicy: { policyText: policy } });
    inline.policyDocument = "replaced";
    expect(inline.policyDocument).toBe("replaced");
    expect(JSON.stringify(input)).toBe(before);
  });

  it("still refuses an oversized embedded document when normalising, naming the field", () => {
    const big = `{"a":"${"x".repeat(1024 * 1024)}"}`;
    const item = {
      configurationItemCaptureTime: "2026-03-01T10:00:00.000Z",
      configurationItemStatus: "OK",
      awsAccountId: "111122223333",
      awsRegion: "us-east-1",
      resourceType: "AWS::IAM::Role",
      resourceId: "r",
      configuration: { rolePolicyList: [{ policyName: "p", policyDocument: big }] },
      supplementaryConfiguration: { Policy: big },
    };
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputTooLargeError);
        return (e as InputTooLargeError & { field?: string }).field;
      }
      return undefined;
    };
    expect(field(() => fromConfigurationItem(item, "ci"))).toBe(
      "ci.configuration.rolePolicyList.policyDocument",
    );
    expect(field(() => fromConfigurationItem({ ...item, configuration: {} }, "ci"))).toBe(
      "ci.supplementaryConfiguration.Policy",
    );
  });
});

/** The evaluator as it was before decision lists became lazy and the Deny scan moved into `cancelling`. */
function referenceEvaluatePolicies(policies: readonly NamedPolicy[], q: Question): Decision {
  const d: Decision = {
    effect: "implicit-deny",
    allowedBy: [],
    deniedBy: [],
    conditionalAllow: [],
    conditionalDeny: [],
  };
  const allows: Array<{ s: Statement; ref: StatementRef; definite: boolean }> = [];
  const denies: Array<{ s: Statement; policy: string }> = [];
  for (const { name, document } of policies) {
    for (const s of document.statements) {
      if (s.effect === "Deny") denies.push({ s, policy: name });
      const r = statementApplies(s, q);
      if (r.applies === false) continue;
      const ref: StatementRef = { policy: name, statement: statementLabel(s) };
      if (r.applies === "maybe") ref.undecided = r.undecided;
      if (s.effect === "Deny") (r.applies === true ? d.deniedBy : d.conditionalDeny).push(ref);
      else allows.push({ s, ref, definite: r.applies === true });
    }
  }
  if (d.deniedBy.length > 0) return { ...d, effect: "deny" };
  for (const a of allows) {
    let cancelledBy: StatementRef[] | undefined;
    if (hasWildcard(q.resource) && a.s.resource) {
      const reached = a.s.resource.filter((p) => globsIntersect(p, q.resource));
      const used = new Map<Statement, StatementRef>();
      cancelledBy = reached.length > 0 ? [] : undefined;
      for (const p of reached) {
        const by = denies.find((x) => statementApplies(x.s, { ...q, resource: p }).applies === true);
        if (!by) {
          cancelledBy = undefined;
          break;
        }
        used.set(by.s, { policy: by.policy, statement: statementLabel(by.s) });
      }
      if (cancelledBy) cancelledBy = [...used.values()];
    }
    if (cancelledBy) d.deniedBy.push(...cancelledBy);
    else (a.definite ? d.allowedBy : d.conditionalAllow).push(a.ref);
  }
  if (d.allowedBy.length > 0) d.effect = d.conditionalDeny.length > 0 ? "conditional" : "allow";
  else if (d.conditionalAllow.length > 0) d.effect = "conditional";
  // Allows cancelled by Denies over part of the set stay the implicit deny (no explicit Deny of it all).
  return d;
}

const ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:DeleteObject",
  "s3:PutBucketPolicy",
  "kms:Decrypt",
];
const actionPattern = fc.constantFrom(
  "*",
  "s3:*",
  "s3:Get*",
  "s3:GetObject",
  "S3:getobject",
  "s3:Delete?bject",
  "kms:*",
  "dynamodb:*",
);
const resourcePattern = fc.constantFrom(
  "*",
  "arn:aws:s3:::phi-recordings/*",
  "arn:aws:s3:::phi-recordings/connect/*",
  "arn:aws:s3:::phi-*",
  "arn:aws:s3:::phi-recordings",
  "arn:aws:s3:::other/*",
);
const statement = fc
  .record(
    {
      Effect: fc.constantFrom("Allow", "Deny"),
      Action: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      NotAction: fc.array(actionPattern, { minLength: 1, maxLength: 2 }),
      Resource: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
      Condition: fc.constant({ Bool: { "aws:MultiFactorAuthPresent": "true" } }),
    },
    { requiredKeys: ["Effect", "Resource"] },
  )
  .map((s) => {
    const { Action, NotAction, ...rest } = s;
    return NotAction && !Action ? { ...rest, NotAction } : { ...rest, Action: Action ?? ["s3:*"] };
  });
const policies = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }), {
  minLength: 1,
  maxLength: 3,
});
const questions = fc.array(
  fc.record({
    action: fc.constantFrom(...ACTIONS),
    resource: fc.constantFrom(
      "arn:aws:s3:::phi-recordings/*",
      "arn:aws:s3:::phi-recordings",
      "arn:aws:s3:::phi-recordings/connect/a.wav",
      "arn:aws:s3:::other/*",
    ),
  }),
  { minLength: 1, maxLength: 8 },
);
const parsed = (docs: unknown[][]): NamedPolicy[] =>
  docs.map((Statement, i) => ({ name: `p${i}`, document: parsePolicyDocument({ Statement }) }));

describe("policy evaluator fast paths", () => {
  it("answers every question as the previous evaluator did, with the per-statement action memory warm, cold or unavailable", () => {
    fc.assert(
      fc.property(policies, questions, (docs, qs) => {
        const shared = parsed(docs); // asked every question in turn: its statements remember actions
        const frozen = parsed(docs).map((p) => ({
          name: p.name,
          document: { ...p.document, statements: p.document.statements.map((s) => Object.freeze(s)) },
        }));
        for (const q of qs) {
          const expected = referenceEvaluatePolicies(parsed(docs), q);
          expect(evaluatePolicies(shared, q)).toEqual(expected);
          expect(evaluatePolicies(parsed(docs), q)).toEqual(expected);
          expect(evaluatePolicies(frozen, q)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("numbered per-statement action memory", () => {
  // The first 30 actions asked in a process are remembered as bits, later ones by name: asking more
  // than 30 distinct actions here exercises both (the numbering is shared by every test of the file).
  const many = [
    ...ACTIONS,
    ...Array.from({ length: 40 }, (_, i) => `s3:Get${i % 2 ? "Object" : "Bucket"}${i}`),
  ];
  const patterns = fc.constantFrom(
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "S3:getobject1?",
    "s3:GetBucket2*",
    "kms:*",
  );
  it("answers each action as the statement's Action/NotAction patterns do, warm, cold or past the numbered actions", () => {
    fc.assert(
      fc.property(
        fc.array(patterns, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.shuffledSubarray(many, { minLength: 1 }),
        (list, not, asked) => {
          const document = parsePolicyDocument({
            Statement: [{ Effect: "Allow", [not ? "NotAction" : "Action"]: list, Resource: "*" }],
          });
          const policies = [{ name: "p", document }];
          for (const round of [1, 2])
            for (const action of asked) {
              const expected = list.some((p) => referenceAction(p, action)) !== not;
              expect([round, action, mentionsAction(policies, action)]).toEqual([round, action, expected]);
            }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("per-statement and per-context memories", () => {
  const doc = (resource: unknown) =>
    parsePolicyDocument({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: resource }],
    });
  it("gives the same access-point questions for fresh, warm and frozen statements", () => {
    const resources = [
      "*",
      "arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*",
      ["arn:aws:s3:::b/*", "arn:aws:s3:*:*:accesspoint/*"],
    ];
    for (const r of resources) {
      const fresh = accessPointQuestions([{ name: "p", document: doc(r) }], "*");
      const warm = [{ name: "p", document: doc(r) }];
      accessPointQuestions(warm, "*");
      const d = doc(r);
      const frozen = [
        { name: "p", document: { ...d, statements: d.statements.map((s) => Object.freeze(s)) } },
      ];
      expect(fresh.length).toBeGreaterThan(0);
      expect(accessPointQuestions(warm, "*")).toEqual(fresh);
      expect(accessPointQuestions(frozen, "*")).toEqual(fresh);
      expect(accessPointQuestions(frozen, "*")).toEqual(fresh);
    }
  });

  it("reads a context's keys case-insensitively whether or not it can hold its lowered keys", () => {
    const entries = [{ operator: "Bool", key: "aws:SecureTransport", values: ["false"] }];
    for (const context of [
      { "AWS:securetransport": "false" },
      Object.freeze({ "AWS:securetransport": "false" }),
    ]) {
      expect(evaluateConditions(entries, context).result).toBe(true);
      expect(evaluateConditions(entries, context).result).toBe(true);
      expect(Object.keys(context)).toEqual(["AWS:securetransport"]);
    }
    // A context made from another (prototype) does not read the other's keys.
    const parent = { "aws:SecureTransport": "false" };
    evaluateConditions(entries, parent);
    expect(evaluateConditions(entries, Object.create(parent)).result).toBe("maybe");
  });
});

describe("factRequests without string keys", () => {
  /** The deduplication factRequests always did: one string key per request, the last object in the first position. */
  function referenceDedupe(lists: ReadonlyArray<readonly FactRequest[]>): FactRequest[] {
    const seen = new Map<string, FactRequest>();
    const done = new Set<readonly FactRequest[]>();
    for (const requests of lists) {
      if (done.has(requests)) continue;
      done.add(requests);
      for (const r of requests) {
        const type = r.kind === "inventory" ? r.resourceType : "";
        seen.set(`${r.kind}|${type}|${r.accountId}|${r.region ?? ""}|${r.ref ?? ""}`, r);
      }
    }
    return [...seen.values()];
  }
  const word = fc.constantFrom("a", "b", "");
  const request: fc.Arbitrary<FactRequest> = fc.oneof(
    fc.record({ kind: fc.constant("kms-key" as const), ref: word, accountId: word, region: word }),
    fc.record({ kind: fc.constant("aws-prefix-list" as const), ref: word, accountId: word, region: word }),
    fc.record(
      {
        kind: fc.constant("inventory" as const),
        resourceType: word,
        accountId: word,
        region: word,
        ref: word,
      },
      { requiredKeys: ["kind", "resourceType", "accountId"] },
    ),
    fc.record(
      { kind: fc.constant("s3-account-public-access-block" as const), accountId: word, region: word },
      { requiredKeys: ["kind", "accountId", "region"] },
    ),
  );

  it("asks what the string-keyed deduplication asked, in its order, with its objects", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(request, { maxLength: 6 }), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (lists, repeats) => {
          // Some controls return a list another already returned (the identity controls share one).
          const returned = [
            ...lists,
            ...repeats.flatMap((i) => (lists.length ? [lists[i % lists.length]!] : [])),
          ];
          const controls = returned.map(
            (list, i) =>
              ({
                kind: "control",
                id: `fake-control-${i}`,
                resourceTypes: ["AWS::S3::Bucket"],
                facts: () => list,
                evaluate: () => ({ status: "COMPLIANT", summary: "", evidence: {} }),
              }) as unknown as Control,
          );
          const snapshot = fromConfigurationItem({
            configurationItemCaptureTime: "2026-03-10T00:00:00.000Z",
            configurationItemStatus: "OK",
            awsAccountId: "111122223333",
            awsRegion: "us-east-1",
            resourceType: "AWS::S3::Bucket",
            resourceId: "b",
            configuration: {},
          });
          const got = factRequests(new ControlSet(controls), snapshot, {} as Baseline);
          const expected = referenceDedupe(returned);
          expect(got).toEqual(expected);
          for (let i = 0; i < got.length; i++) expect(got[i]).toBe(expected[i]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("access-point questions without splitting refused entries", () => {
  /** accessPointQuestion as it was before its allocation-free refusals. */
  function referenceQuestion(resource: string, keyPattern: string): string | undefined {
    const ANY = "\u0001";
    const concrete = (segment: string) => segment.replace(/\*/g, ANY).replace(/\?/g, "\u0002");
    const p = resource.replace(/\$\{[^}]*\}/g, "*");
    const parts = p.split(":");
    if (parts.length >= 3 && parts[0] === "arn" && parts[2] !== "s3" && !/[*?]/.test(parts[2]!))
      return undefined;
    if (parts.length >= 6 && parts[3] === "" && parts[4] === "") return undefined;
    const seg = (i: number) => (i < parts.length ? parts[i]! : ANY);
    const res = parts.length >= 6 ? parts.slice(5).join(":") : "";
    const partition = parts.length >= 2 && !/[*?]/.test(seg(1)) ? seg(1) : "aws";
    const named = /^accesspoint\/([^/]*)/.exec(res);
    const name = named ? concrete(named[1]!) : ANY;
    const q = `arn:${partition}:s3:${concrete(seg(3))}:${concrete(seg(4))}:accesspoint/${name}/object/${keyPattern}`;
    return globsIntersect(p, q) ? q : undefined;
  }
  const token = fc.constantFrom(
    "arn",
    "arn*",
    ":",
    ":",
    "aws",
    "s3",
    "s",
    "kms",
    "*",
    "?",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
    "${aws:username}",
    "${x",
    "us-east-1",
    "111122223333",
    "accesspoint/",
    "qa",
    "/object/",
    "/",
    "connect",
    "a",
  );
  const resource = fc.oneof(
    fc.array(token, { maxLength: 14 }).map((t) => t.join("")),
    fc.array(token, { maxLength: 10 }).map((t) => `arn:aws:${t.join("")}`),
    fc.array(token, { maxLength: 10 }).map((t) => `arn:aws:s3:${t.join("")}`),
    fc.array(token, { maxLength: 10 }).map((t) => `arn*:aws:kms:${t.join("")}`),
  );
  it("gives the question the split-based reading gave, for any entry and key", () => {
    fc.assert(
      fc.property(resource, fc.constantFrom("*", "connect/*/CallRecordings/*", "a?"), (r, key) => {
        expect(accessPointQuestion(r, key)).toBe(referenceQuestion(r, key));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("policy documents parsed without spelling every field path", () => {
  /** What a parse gives: the document, or the error's class, field and message. */
  const outcome = (parse: (input: unknown, field: string) => unknown, input: unknown) => {
    try {
      return { ok: parse(input, "configuration.rolePolicyList.policyDocument") };
    } catch (e) {
      const err = e as Error & { field?: string };
      return { error: err.constructor.name, field: err.field, message: err.message };
    }
  };
  const scalar = fc.oneof(
    fc.constantFrom("s3:GetObject", "*", `arn:aws:s3:::b/\${aws:username}/*`, "", "Allow", "Deny"),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const values = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string(), scalar));
  const operator = fc.oneof(
    fc.constantFrom("StringEquals", "ForAnyValue:StringLikeIfExists", "Bool", "Null", "IpAddress"),
    fc.string({ maxLength: 8 }),
  );
  const conditionKey = fc.oneof(
    fc.constantFrom("aws:SecureTransport", "aws:ResourceTag/patient", "s3:prefix", "kms:ViaService"),
    fc.string({ maxLength: 8 }),
  );
  const condition = fc.oneof(
    fc.dictionary(operator, fc.oneof(fc.dictionary(conditionKey, values, { maxKeys: 3 }), scalar), {
      maxKeys: 3,
    }),
    scalar,
  );
  const principal = fc.oneof(
    fc.constant("*"),
    fc.dictionary(fc.constantFrom("AWS", "Service", "Federated", "CanonicalUser", "Other"), values, {
      maxKeys: 3,
    }),
    scalar,
  );
  const statement = fc.oneof(
    fc.record(
      {
        Sid: fc.oneof(fc.string({ maxLength: 4 }), scalar),
        Effect: fc.oneof(fc.constantFrom("Allow", "Deny"), scalar),
        Action: values,
        NotAction: values,
        Resource: values,
        NotResource: values,
        Principal: principal,
        NotPrincipal: principal,
        Condition: condition,
      },
      { requiredKeys: [] },
    ),
    scalar,
  );
  const document = fc.record(
    {
      Version: fc.constantFrom("2012-10-17", "2008-10-17", 1),
      Id: fc.oneof(fc.string({ maxLength: 4 }), scalar),
      Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 })),
    },
    { requiredKeys: [] },
  );
  /** Mostly readable statements, so that refusals come late in the document as well as early. */
  const patterns = fc.constantFrom("*", [`arn:aws:s3:::b/\${aws:username}/*`, "arn:aws:s3:::b"]);
  const readable = fc
    .record({
      Effect: fc.constantFrom("Allow", "Deny"),
      Action: fc.constantFrom("s3:*", ["s3:GetObject", "kms:Decrypt"]),
      Resource: patterns,
      Condition: fc.constant({ Bool: { "aws:SecureTransport": false } }),
      not: fc.boolean(),
    })
    .map(({ not, Resource, ...s }) => (not ? { ...s, NotResource: Resource } : { ...s, Resource }));
  const mixed = fc
    .tuple(fc.array(readable, { maxLength: 3 }), statement, fc.array(readable, { maxLength: 2 }))
    .map(([a, b, c]) => ({ Version: "2012-10-17", Statement: [...a, b, ...c] }));

  it("gives the document, or the error (class, field, message), that the previous parser gave", () => {
    fc.assert(
      fc.property(fc.oneof(document, mixed), fc.nat(3), (doc, form) => {
        const text = JSON.stringify(doc);
        const input = [doc, text, encodeURIComponent(text), [text]][form];
        expect(outcome(parsePolicyDocument, input)).toEqual(outcome(referenceParsePolicyDocument, input));
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses too many values, statements and conditions with the same errors", () => {
    const many = Array.from({ length: 1001 }, (_, i) => `s3:A${i}`);
    const manyConditions = Object.fromEntries(many.map((k) => [k, "x"]));
    for (const doc of [
      { Statement: [{ Effect: "Allow", Action: many }] },
      { Statement: [{ Effect: "Allow", Action: "s3:*", Principal: { AWS: many } }] },
      { Statement: [{ Effect: "Allow", Action: "s3:*", Condition: { StringEquals: { "aws:x": many } } }] },
      { Statement: [{ Effect: "Allow", Action: "s3:*", Condition: { StringEquals: manyConditions } }] },
      { Statement: Array.from({ length: 1001 }, () => ({ Effect: "Allow", Action: "s3:*" })) },
    ]) {
      const expected = outcome(referenceParsePolicyDocument, doc);
      expect(expected.error).toBe("InputTooLargeError");
      expect(outcome(parsePolicyDocument, doc)).toEqual(expected);
    }
  });

  it("skips the size walk only for texts whose value cannot serialise past the limit", () => {
    // The shortcut's premise: a value parsed from a JSON text serialises to at most 6 characters per
    // character of the text (raw lone surrogates, escapes, numbers such as 1e21 included).
    const piece = fc.oneof(
      fc
        .string({ unit: "binary", maxLength: 8 })
        // A JSON string literal with its characters raw, lone surrogates included.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot be raw in JSON
        .map((x) => `"${x.replace(/["\\\u0000-\u001f]/g, "")}"`),
      fc.constantFrom(
        '"\\ud800"',
        '"\\u0000"',
        '"\\/"',
        "1e21",
        "9e20",
        "-0",
        "5e-324",
        "1E2",
        "true",
        "null",
      ),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = `[${pieces.join(" , ")}]`;
        expect(JSON.stringify(JSON.parse(text)).length).toBeLessThanOrEqual(6 * text.length);
      }),
      { numRuns: 2000 },
    );
    // At the edge: raw lone surrogates (6 characters each once serialised) in texts at the shortcut's
    // length and past it (11,000 of them serialise to more than the limit): as the reference parses them.
    const prefix = '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"';
    for (const n of [10_922, 10_923, 11_000]) {
      const doc = `${prefix}${"\ud800".repeat(n - prefix.length - 3)}"}}`;
      expect(doc.length).toBe(n);
      expect(outcome(parsePolicyDocument, doc)).toEqual(outcome(referenceParsePolicyDocument, doc));
    }
    expect(outcome(parsePolicyDocument, `${prefix}${"\ud800".repeat(11_000)}"}}`).error).toBe(
      "InputTooLargeError",
    );
  });
});

describe("value-shape prefilter of no-phi-in-metadata", () => {
  const token = fc.constantFrom(
    ..."0123456789".split(""),
    "123",
    "4567",
    "2024",
    "-",
    ".",
    " ",
    "/",
    "+",
    "(",
    ")",
    "@",
    ":",
    "#",
    "=",
    "_",
    "\t",
    "a",
    "Z",
    "x.com",
    "MRN",
    "mRn",
    "dob",
    "DOB",
    "birth date",
    "date of birth",
    "sg-",
    "arn:aws:iam::",
    "\u0130",
    "\u017f",
    "\u212a",
  );
  const text = fc.oneof(
    fc.array(token, { maxLength: 16 }).map((t) => t.join("")),
    fc.string({ maxLength: 24 }),
    fc.string({ unit: fc.constantFrom(..."0123456789-. /+()@mrnMRN".split("")), maxLength: 24 }),
  );

  it("is active for today's shapes", () => {
    expect(mayMatchPhiValueShape("sg-0a1b2c3d4e5f67890")).toBe(false);
    expect(PHI_VALUE_PATTERNS.length).toBe(5);
  });

  it("lets through every string some shape matches (it only skips strings no shape can match)", () => {
    fc.assert(
      fc.property(text, (s) => {
        if (!mayMatchPhiValueShape(s)) expect(phiValueShapes(s)).toEqual([]);
      }),
      { numRuns: 20_000 },
    );
    for (const s of [
      "123-45-6789",
      "pat@x.io",
      "(555) 123-4567",
      "555.123.4567",
      "+15551234567",
      "PatientMRN=12345",
      "pt_mrn:0001",
      "dob 1/2/1990",
      "birthdate=1990.01.02",
      `${"x".repeat(9_980)} 555-123-4567`,
    ]) {
      expect(phiValueShapes(s).length).toBeGreaterThan(0);
      expect(mayMatchPhiValueShape(s)).toBe(true);
    }
  });
});

describe("sg-no-open-admin's IPv4 reading without split and regexes", () => {
  /** The split-and-regex reading it replaced. */
  function referenceV4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let n = 0;
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
      n = n * 256 + Number(p);
    }
    return BigInt(n);
  }
  const octet = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.constantFrom("", "007", "0000", "1a", " 1", "1\n", "\u0661", "+1", "-1", "1e2"),
  );
  it("reads every string as the split-based reading did", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(octet, { minLength: 1, maxLength: 6 }).map((o) => o.join(".")),
          fc.string({ unit: fc.constantFrom(..."0123456789.:/ a"), maxLength: 18 }),
          fc.string({ maxLength: 18 }),
        ),
        (s) => {
          expect(v4Number(s)).toBe(referenceV4(s));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
