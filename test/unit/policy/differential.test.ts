// Differential test of phiwatch's SYMBOLIC policy evaluator against the CONCRETE reference in
// reference.ts. Policies are generated at random over a finite universe (principals, actions, ARNs,
// condition keys and values); each symbolic question phiwatch answers stands for a finite set of
// concrete requests of that universe, and the answer is checked against the reference on all of them:
//
// - SOUNDNESS (the direction that matters for a compliance monitor): when phiwatch says "deny"
//   (explicitly denied), every concrete request of the question is surely denied; when it says
//   "implicit-deny" / "deny" / "no grant", none is possibly allowed.
// - PRECISION: when phiwatch says a definite "allow", some concrete request is surely allowed.
//
// The questions are those the controls ask (s3-tls-only, s3-policy-least-privilege, the iam-* controls,
// kms-separation-of-duties through principalGrants on a key ARN), and s3-tls-only and
// s3-policy-least-privilege are also run end to end on generated bucket snapshots.
//
// Hunting: DIFF_RUNS=20000 DIFF_SEED=<n> [DIFF_REPORT=1] npx vitest run test/unit/policy/differential.test.ts
// (DIFF_REPORT prints the precision misses). Before the fixes of this commit's parent commits it failed
// within a few hundred runs; after them, 3 000 runs with seeds 1–4 and 20 000 runs with seeds 11 and 12
// passed. Precision misses at 20 000 runs: about 60 definite "allow"s for resource policies and about 60
// for identity policies with no concretely certain allowed request (not classified one by one; the few
// read mix Denies over part of the set, which the finite universe of keys may cover entirely, with
// NotPrincipal readings the docs leave open); not fixed. The committed default keeps the file at a few
// seconds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateSnapshot } from "../../../packages/core/src/control/index.ts";
import {
  evaluateIdentity,
  evaluatePolicies,
  type GrantPrincipal,
  type NamedPolicy,
  parsePolicyDocument,
  principalGrants,
  type Question,
  type RequestPrincipal,
} from "../../../packages/core/src/policy/index.ts";
import { facts, phiBucket, set, testBaseline, withSupplementary } from "../controls/s3/support.ts";
import * as ref from "./reference.ts";

const RUNS = Number(process.env.DIFF_RUNS ?? 250);
const SEED = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };
/** Hunting runs take minutes. */
const TIMEOUT = Math.max(10_000, RUNS * 50);

// ---------------------------------------------------------------------------------------------
// The universe.
const A = "111122223333";
const B = "444455556666";
const ORG = "o-aaaa1111";
const session = (acct: string, path: string, name: string, s: string): ref.Requester => ({
  name: `${name}/${s}@${acct}`,
  kind: "aws",
  account: acct,
  roleArn: `arn:aws:iam::${acct}:role/${path}${name}`,
  arn: `arn:aws:sts::${acct}:assumed-role/${name}/${s}`,
  ...(acct === A ? { orgId: ORG } : {}),
});
const REQUESTERS: ref.Requester[] = [
  { name: "root@A", kind: "aws", account: A, arn: `arn:aws:iam::${A}:root`, orgId: ORG },
  { name: "alice@A", kind: "aws", account: A, arn: `arn:aws:iam::${A}:user/alice`, orgId: ORG },
  session(A, "", "qa", "s1"),
  session(A, "", "qa", "s2"),
  session(A, "", "ops", "s1"),
  session(A, "team/", "data", "s1"),
  session(A, "", "intern", "s1"),
  session(B, "", "qa", "s1"),
  { name: "root@B", kind: "aws", account: B, arn: `arn:aws:iam::${B}:root` },
  { name: "connect", kind: "service", service: "connect.amazonaws.com" },
  { name: "logging", kind: "service", service: "logging.s3.amazonaws.com" },
  { name: "anonymous", kind: "anonymous" },
];
const BUCKET = "arn:aws:s3:::phi-recordings";
const KEYS = [
  "a.wav",
  "connect/i1/CallRecordings/c.wav",
  "connect/i1/x/CallRecordings/d.wav",
  "connect/i1/Transcripts/t.json",
  "transcripts/t.json",
  "prefix/k",
];
const KEY1 = `arn:aws:kms:us-east-1:${A}:key/k1`;
const RESOURCES = [
  BUCKET,
  ...KEYS.map((k) => `${BUCKET}/${k}`),
  "arn:aws:s3:::phi-other",
  "arn:aws:s3:::phi-other/a.wav",
  "arn:aws:s3:::logs",
  "arn:aws:s3:::logs/a.wav",
  KEY1,
  `arn:aws:kms:us-east-1:${A}:key/k2`,
];
const ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:ListBucket",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "kms:Decrypt",
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
];
const ACTION_PATTERNS = [
  "*",
  "s3:*",
  "s3:Get*",
  "s3:GetObject",
  "S3:getobject",
  "s3:GetObjectVersion",
  "s3:GetObject?ersion",
  "s3:PutBucketPolicy",
  "s3:DeleteObject",
  "s3:Delete*",
  "s3:*Object",
  "kms:Decrypt",
  "kms:*",
  "kms:Put*",
];
const RESOURCE_PATTERNS = [
  "*",
  BUCKET,
  `${BUCKET}/*`,
  `${BUCKET}*`,
  `${BUCKET}/connect/*`,
  `${BUCKET}/connect/*/CallRecordings/*`,
  `${BUCKET}/transcripts/*`,
  `${BUCKET}/a.wav`,
  "arn:aws:s3:::phi-*",
  "arn:aws:s3:::phi-*/*",
  "arn:aws:s3:::phi-recording?/*",
  "arn:aws:s3:::*",
  "arn:aws:s3:::*/*",
  "arn:aws:s3:::logs/*",
  `arn:aws:kms:*:${A}:key/*`,
  KEY1,
  "arn:aws:kms:*",
];
const PRINCIPAL_VALUES = [
  "*",
  A,
  `arn:aws:iam::${A}:root`,
  B,
  `arn:aws:iam::${A}:role/qa`,
  `arn:aws:iam::${A}:role/team/data`,
  `arn:aws:iam::${A}:role/ops`,
  `arn:aws:sts::${A}:assumed-role/qa/s1`,
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:iam::${B}:role/qa`,
];
const SERVICES = ["connect.amazonaws.com", "logging.s3.amazonaws.com"];
const CONDITION_KEYS: Record<string, { ops: string[]; values: string[] }> = {
  "aws:SecureTransport": { ops: ["Bool", "BoolIfExists"], values: ["true", "false"] },
  "aws:PrincipalArn": {
    ops: ["ArnLike", "ArnNotLike", "ArnEquals", "StringLike", "StringEquals", "StringNotLike"],
    values: [
      `arn:aws:iam::${A}:role/qa`,
      `arn:aws:iam::${A}:role/*`,
      `arn:aws:iam::*:role/qa`,
      `arn:aws:iam::${A}:*`,
      `arn:aws:iam::${A}:root`,
      `arn:aws:iam::${B}:role/qa`,
      `arn:aws:iam::${A}:user/alice`,
      `arn:aws:iam::${A}:role/team/*`,
      "arn:aws:iam::*",
    ],
  },
  "aws:PrincipalAccount": { ops: ["StringEquals", "StringNotEquals", "StringLike"], values: [A, B, "1111*"] },
  "aws:PrincipalOrgID": { ops: ["StringEquals", "StringNotEquals"], values: [ORG, "o-other"] },
  "aws:SourceVpce": { ops: ["StringEquals", "StringNotEquals"], values: ["vpce-1", "vpce-2"] },
  "aws:PrincipalIsAWSService": { ops: ["Bool"], values: ["true", "false"] },
};
/** Condition keys not set by the requester, and their possible values (undefined: absent). */
const FREE_KEYS: Record<string, Array<string | undefined>> = {
  "aws:securetransport": ["true", "false"],
  "aws:sourcevpce": [undefined, "vpce-1", "vpce-2"],
};

// ---------------------------------------------------------------------------------------------
// Generators.
const sub = <T>(xs: readonly T[], max = 2) =>
  fc.uniqueArray(fc.constantFrom(...xs), { minLength: 1, maxLength: max });
const oneOrMany = (xs: fc.Arbitrary<string[]>) => xs.map((v) => (v.length === 1 ? v[0]! : v));
const conditionArb = fc
  .array(
    fc.constantFrom(...Object.keys(CONDITION_KEYS)).chain((key) => {
      const k = CONDITION_KEYS[key]!;
      return fc.record({
        op: fc
          .constantFrom(...k.ops)
          .chain((op) => fc.constantFrom(op, `${op}IfExists`.replace("IfExistsIfExists", "IfExists"))),
        key: fc.constant(key),
        values: sub(k.values),
      });
    }),
    { maxLength: 2 },
  )
  .map((entries) => {
    const c: Record<string, Record<string, string[]>> = {};
    for (const e of entries) c[e.op] = { ...c[e.op], [e.key]: e.values };
    return entries.length ? { Condition: c } : {};
  });
const principalArb = fc.oneof(
  fc.constant<unknown>("*"),
  fc
    .record({
      aws: fc.uniqueArray(fc.constantFrom(...PRINCIPAL_VALUES), { maxLength: 3 }),
      svc: fc.subarray(SERVICES),
    })
    .filter((p) => p.aws.length + p.svc.length > 0)
    .map((p) => ({
      ...(p.aws.length ? { AWS: p.aws.length === 1 ? p.aws[0] : p.aws } : {}),
      ...(p.svc.length ? { Service: p.svc } : {}),
    })),
);
const statementArb = (resourcePolicy: boolean) =>
  fc
    .record({
      effect: fc.constantFrom("Allow", "Deny"),
      notAction: fc.boolean(),
      actions: oneOrMany(sub(ACTION_PATTERNS)),
      notResource: fc.nat(4).map((n) => n === 0),
      resources: oneOrMany(sub(RESOURCE_PATTERNS)),
      notPrincipal: fc.nat(3).map((n) => n === 0),
      principal: principalArb,
      condition: conditionArb,
    })
    .map((s) => ({
      Effect: s.effect,
      [s.notAction ? "NotAction" : "Action"]: s.actions,
      [s.notResource ? "NotResource" : "Resource"]: s.resources,
      ...(resourcePolicy ? { [s.notPrincipal ? "NotPrincipal" : "Principal"]: s.principal } : {}),
      ...s.condition,
    }));
const docArb = (resourcePolicy: boolean) =>
  fc
    .array(statementArb(resourcePolicy), { minLength: 1, maxLength: 4 })
    .map((Statement) => ({ Version: "2012-10-17", Statement }));

const named = (doc: unknown, name = "p"): NamedPolicy => ({ name, document: parsePolicyDocument(doc) });

// ---------------------------------------------------------------------------------------------
// The concrete requests a symbolic question stands for.
const QUESTION_RESOURCES = [
  `${BUCKET}/*`,
  BUCKET,
  `${BUCKET}/connect/*/CallRecordings/*`,
  "arn:aws:s3:::phi-*/*",
  "arn:aws:s3:::phi-*",
  `${BUCKET}/a.wav`,
  KEY1,
];
const QUESTION_PRINCIPALS: RequestPrincipal[] = [
  { kind: "everyone" },
  { kind: "account", accountId: A },
  { kind: "account", accountId: B },
  { kind: "aws", arn: `arn:aws:iam::${A}:role/qa` },
  { kind: "aws", arn: `arn:aws:iam::${A}:role/team/data` },
  { kind: "aws", arn: `arn:aws:iam::${A}:user/alice` },
  { kind: "aws", arn: `arn:aws:iam::${A}:root` },
  { kind: "aws", arn: `arn:aws:iam::${B}:role/qa` },
  { kind: "service", service: "connect.amazonaws.com" },
  { kind: "anonymous" },
];

function requestersOf(p: RequestPrincipal | undefined): ref.Requester[] {
  // An identity policy's question: the identity is some IAM principal, its keys unknown to phiwatch.
  if (!p) return REQUESTERS.filter((r) => r.kind === "aws");
  switch (p.kind) {
    case "everyone":
      return REQUESTERS;
    case "account":
      return REQUESTERS.filter((r) => r.kind === "aws" && r.account === p.accountId);
    case "aws":
      return REQUESTERS.filter((r) => r.roleArn === p.arn || (!r.roleArn && r.arn === p.arn));
    case "service":
      return REQUESTERS.filter((r) => r.service === p.service);
    case "anonymous":
      return REQUESTERS.filter((r) => r.kind === "anonymous");
  }
}

/** Every concrete request of a question (the question's resource read as a glob over the universe). */
function concrete(q: Question): ref.Request[] {
  const fixed = Object.fromEntries(Object.entries(q.context ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  let contexts: Array<Record<string, string>> = [{}];
  for (const [k, values] of Object.entries(FREE_KEYS)) {
    const vs = k in fixed ? [fixed[k] as string] : values;
    contexts = contexts.flatMap((c) => vs.map((v) => (v === undefined ? c : { ...c, [k]: v })));
  }
  const out: ref.Request[] = [];
  for (const requester of requestersOf(q.principal))
    for (const resource of RESOURCES.filter((r) => ref.glob(q.resource, r)))
      for (const c of contexts)
        out.push({
          requester,
          action: q.action,
          resource,
          context: { ...c, ...ref.requesterContext(requester) },
        });
  return out;
}

function show(x: unknown): string {
  return JSON.stringify(x);
}

/** Soundness (and, with `precise`, precision) of one phiwatch decision on one question. */
function check(
  effect: string,
  q: Question,
  outcome: (r: ref.Request) => ref.Outcome,
  info: () => unknown,
  precise: string[],
): void {
  const reqs = concrete(q);
  if (reqs.length === 0) return;
  if (effect === "deny") {
    const bad = reqs.find((r) => !outcome(r).surelyDenied);
    if (bad) throw new Error(`phiwatch says deny, but ${show(bad)} is not surely denied\n${show(info())}`);
  }
  if (effect === "deny" || effect === "implicit-deny") {
    const bad = reqs.find((r) => outcome(r).possiblyAllowed);
    if (bad) throw new Error(`phiwatch says ${effect}, but ${show(bad)} may be allowed\n${show(info())}`);
  }
  if (effect === "allow" && !reqs.some((r) => outcome(r).surelyAllowed))
    precise.push(`allow but no request surely allowed: ${show(q)} ${show(info())}`);
}

const questionArb = (withPrincipal: boolean) =>
  fc.record({
    action: fc.constantFrom(...ACTIONS),
    resource: fc.constantFrom(...QUESTION_RESOURCES),
    ...(withPrincipal ? { principal: fc.constantFrom(...QUESTION_PRINCIPALS) } : {}),
    context: fc.constantFrom({}, { "aws:SecureTransport": "false" }, { "aws:SecureTransport": "true" }),
  }) as fc.Arbitrary<Question>;

describe("policy evaluator against a concrete reference (differential)", () => {
  it(
    "resource policies: evaluatePolicies is sound for every principal kind, action, set and context",
    () => {
      const imprecise: string[] = [];
      fc.assert(
        fc.property(docArb(true), questionArb(true), (doc, q) => {
          const d = evaluatePolicies([named(doc)], q);
          check(
            d.effect,
            q,
            (r) => ref.evaluate([doc], r),
            () => ({ doc, d }),
            imprecise,
          );
        }),
        params,
      );
      if (process.env.DIFF_REPORT) console.log(imprecise.slice(0, 20).join("\n"), imprecise.length);
    },
    TIMEOUT,
  );

  it(
    "identity policies with a boundary: evaluateIdentity is sound (the iam-* questions)",
    () => {
      const imprecise: string[] = [];
      fc.assert(
        fc.property(
          fc.array(docArb(false), { minLength: 1, maxLength: 2 }),
          fc.option(docArb(false), { nil: undefined }),
          questionArb(false),
          (docs, boundary, q) => {
            const d = evaluateIdentity(
              docs.map((x, i) => named(x, `p${i}`)),
              q,
              boundary ? named(boundary, "boundary") : undefined,
            );
            check(
              d.effect,
              q,
              (r) => ref.evaluateIdentity(docs, boundary, r),
              () => ({ docs, boundary, d }),
              imprecise,
            );
          },
        ),
        params,
      );
      if (process.env.DIFF_REPORT) console.log(imprecise.slice(0, 20).join("\n"), imprecise.length);
    },
    TIMEOUT,
  );

  it(
    "principalGrants lists every principal an Allow may let in, with every action it grants",
    () => {
      const covers = (g: GrantPrincipal, r: ref.Requester): boolean => {
        switch (g.kind) {
          case "everyone":
          case "other": // always reported as a principal phiwatch cannot identify
            return true;
          case "account":
            return r.kind === "aws" && r.account === g.accountId;
          case "arn":
            return r.kind === "aws" && [r.arn!, r.roleArn ?? r.arn!].some((a) => ref.glob(g.arn, a));
          case "service":
            return r.service === g.service;
        }
      };
      fc.assert(
        fc.property(
          docArb(true),
          fc.constantFrom(`${BUCKET}/*`, BUCKET, `${BUCKET}/connect/*/CallRecordings/*`, KEY1),
          fc.constantFrom<Record<string, string>>({}, { "aws:SecureTransport": "true" }),
          (doc, resource, context) => {
            const grants = principalGrants(parsePolicyDocument(doc), ACTIONS, resource, context);
            for (const [i, s] of doc.Statement.entries()) {
              if (s.Effect !== "Allow") continue;
              const label = `#${i}`;
              for (const action of ACTIONS)
                for (const r of concrete({ action, resource, principal: { kind: "everyone" }, context }))
                  if (
                    ref.statementApplies(s, r) !== false &&
                    !grants.some(
                      (g) =>
                        g.statement === label &&
                        g.actions.includes(action) &&
                        covers(g.principal, r.requester),
                    )
                  )
                    throw new Error(
                      `statement ${label} may let ${show(r)} in, not in ${show(grants)}\n${show(doc)}`,
                    );
            }
          },
        ),
        params,
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// The controls end to end, on a generated bucket policy.
const PHI = "phi-recordings";
const PHI_ARN = BUCKET;
const baselinePrincipals = {
  rawReaders: [`arn:aws:iam::${A}:role/qa`],
  analytics: [`arn:aws:iam::${A}:role/team/data`],
  operators: [`arn:aws:iam::${A}:role/ops`],
  services: ["connect.amazonaws.com"],
};
function runControl(id: string, doc: unknown, denyOutsiders = false) {
  const snap = withSupplementary(phiBucket(PHI), {
    BucketPolicy: { policyText: JSON.stringify(doc) },
  });
  const baseline = testBaseline({ principals: baselinePrincipals, s3: { denyOutsiders } } as never);
  const e = evaluateSnapshot(set, snap, { baseline, facts: facts(), now: new Date() }).find(
    (x) => x.controlId === id,
  );
  if (!e) throw new Error(`${id} did not run`);
  return e;
}
const concreteBucket = (actionsObj: string[], actionsBucket: string[]) => [
  ...actionsObj.flatMap((action) => KEYS.map((k) => ({ action, resource: `${PHI_ARN}/${k}` }))),
  ...actionsBucket.map((action) => ({ action, resource: PHI_ARN })),
];
const contexts = (fixed: Record<string, string>) =>
  [undefined, "vpce-1", "vpce-2"].flatMap((vpce) =>
    (fixed["aws:securetransport"] ? [fixed["aws:securetransport"]] : ["true", "false"]).map((st) => ({
      "aws:securetransport": st,
      ...(vpce ? { "aws:sourcevpce": vpce } : {}),
    })),
  );

describe("controls against the concrete reference (differential)", () => {
  it(
    "s3-tls-only passes only when every plain-HTTP request to the bucket and its objects is denied",
    () => {
      const reqs = concreteBucket(
        ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
        ["s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy"],
      );
      fc.assert(
        fc.property(docArb(true), (generated) => {
          const doc = generated;
          if (runControl("s3-tls-only", doc).status !== "COMPLIANT") return;
          for (const requester of REQUESTERS)
            for (const { action, resource } of reqs)
              for (const c of contexts({ "aws:securetransport": "false" })) {
                const r = {
                  requester,
                  action,
                  resource,
                  context: { ...c, ...ref.requesterContext(requester) },
                };
                if (!ref.evaluate([doc], r).surelyDenied)
                  throw new Error(`s3-tls-only passed, but ${show(r)} is not surely denied\n${show(doc)}`);
              }
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    "s3-policy-least-privilege passes only when no outsider may be allowed by the bucket policy",
    () => {
      // Outsiders: principals of another account outside the baseline, anonymous callers, services the
      // baseline does not list (a grant to the bucket's own account is the control's accepted delegation).
      const outsiders = REQUESTERS.filter(
        (r) =>
          r.kind === "anonymous" ||
          (r.kind === "service" && !baselinePrincipals.services.includes(r.service!)) ||
          (r.kind === "aws" && r.account === B),
      );
      const reqs = concreteBucket(
        ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
        ["s3:ListBucket", "s3:PutBucketPolicy"],
      );
      fc.assert(
        fc.property(docArb(true), fc.boolean(), (generated, denyOutsiders) => {
          const doc = generated;
          if (runControl("s3-policy-least-privilege", doc, denyOutsiders).status !== "COMPLIANT") return;
          for (const requester of outsiders)
            for (const { action, resource } of reqs)
              for (const c of contexts({})) {
                const r = {
                  requester,
                  action,
                  resource,
                  context: { ...c, ...ref.requesterContext(requester) },
                };
                if (ref.evaluate([doc], r).possiblyAllowed)
                  throw new Error(
                    `least-privilege passed, but outsider ${show(r)} may be allowed\n${show(doc)}`,
                  );
              }
          if (!denyOutsiders) return;
          // With denyOutsiders, an explicit Deny must refuse every principal outside the baseline: IAM
          // identities no baseline pattern names, services it does not list, anonymous callers.
          const inBaseline = [
            ...baselinePrincipals.rawReaders,
            ...baselinePrincipals.analytics,
            ...baselinePrincipals.operators,
          ];
          const refused = REQUESTERS.filter((r) =>
            r.kind === "aws" ? !inBaseline.includes(r.roleArn ?? r.arn!) : r.kind === "anonymous",
          );
          for (const requester of refused)
            for (const { resource } of concreteBucket(["s3:GetObject"], []))
              for (const c of contexts({})) {
                const r = {
                  requester,
                  action: "s3:GetObject",
                  resource,
                  context: { ...c, ...ref.requesterContext(requester) },
                };
                if (!ref.evaluate([doc], r).surelyDenied)
                  throw new Error(`denyOutsiders passed, but ${show(r)} is not surely denied\n${show(doc)}`);
              }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});

describe("the reference itself", () => {
  // The reference is the oracle: a few documented cases pin it down.
  const r = (name: string) => REQUESTERS.find((x) => x.name === name)!;
  const req = (requester: ref.Requester, over: Partial<ref.Request> = {}): ref.Request => ({
    requester,
    action: "s3:GetObject",
    resource: `${BUCKET}/a.wav`,
    context: { "aws:securetransport": "false", ...ref.requesterContext(requester) },
    ...over,
  });
  it("follows the documented rules", () => {
    expect(ref.resourceMatches("arn:aws:s3:::phi-*/*", `${BUCKET}/connect/i1/c.wav`)).toBe(true);
    expect(ref.resourceMatches("arn:aws:kms:*", KEY1)).toBe(true);
    expect(ref.resourceMatches("arn:aws:s3:::*", `${BUCKET}/a.wav`)).toBe(true);
    expect(ref.resourceMatches(`arn:aws:kms:*:${A}:key/*`, KEY1)).toBe(true);
    expect(ref.resourceMatches("arn:aws:s3:::phi-recording?/*", `${BUCKET}/a.wav`)).toBe(true);
    const deny = (c: unknown) => ({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "*",
      Condition: c,
    });
    // Absent key: false, but true for a negated operator and for …IfExists.
    expect(
      ref.statementApplies(deny({ StringEquals: { "aws:SourceVpce": "vpce-1" } }), req(r("alice@A"))),
    ).toBe(false);
    expect(
      ref.statementApplies(deny({ StringNotEquals: { "aws:SourceVpce": "vpce-1" } }), req(r("alice@A"))),
    ).toBe(true);
    expect(
      ref.statementApplies(deny({ StringEqualsIfExists: { "aws:SourceVpce": "x" } }), req(r("alice@A"))),
    ).toBe(true);
    expect(
      ref.statementApplies(deny({ Bool: { "aws:SecureTransport": "false" } }), req(r("anonymous"))),
    ).toBe(true);
    // Anonymous callers carry no aws:PrincipalArn: ArnNotLike is true for them.
    const outsiders = deny({ ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${A}:role/qa` } });
    expect(ref.statementApplies(outsiders, req(r("anonymous")))).toBe(true);
    expect(ref.statementApplies(outsiders, req(r(`qa/s1@${A}`)))).toBe(false);
    // NotPrincipal: a user with its account is exempted; a role's session with role and account may be.
    const np = (...AWS: string[]) => ({
      Effect: "Deny",
      NotPrincipal: { AWS },
      Action: "s3:*",
      Resource: "*",
    });
    const alice = `arn:aws:iam::${A}:user/alice`;
    expect(ref.statementApplies(np(alice, A), req(r("alice@A")))).toBe(false);
    expect(ref.statementApplies(np(alice), req(r("alice@A")))).toBe("maybe");
    expect(ref.statementApplies(np(A), req(r("alice@A")))).toBe(true);
    expect(ref.statementApplies(np(`arn:aws:iam::${A}:role/qa`, A), req(r(`qa/s1@${A}`)))).toBe("maybe");
    expect(ref.statementApplies(np(`arn:aws:iam::${A}:role/qa`, A), req(r(`ops/s1@${A}`)))).toBe(true);
  });
});
