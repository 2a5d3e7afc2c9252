// Differential test of kms-separation-of-duties against the concrete reference of
// test/unit/policy/reference.ts. Key policies are generated over a finite universe; the control passes
// only if no IAM identity of the universe may hold both administration (kms:PutKeyPolicy,
// kms:ScheduleKeyDeletion, kms:DisableKey, kms:DisableKeyRotation) and use (kms:Decrypt). "May hold" is
// the key policy possibly allowing the request, where a grant to an account counts for every identity
// of it: the key policy "allows access to the AWS account and enables IAM policies" (KMS developer
// guide), so an IAM policy the key policy cannot show may give the identity the rest.
//
// Hunting: KDIFF_RUNS=5000 KDIFF_SEED=<n> npx vitest run test/unit/controls/kms/kms-separation-differential.test.ts
import fc from "fast-check";
import { describe, it } from "vitest";
import * as ref from "../../policy/reference.ts";
import { ACCT, facts, loadItem, run, withSupplementary } from "../s3/support.ts";

const RUNS = Number(process.env.KDIFF_RUNS ?? 300);
const SEED = process.env.KDIFF_SEED === undefined ? undefined : Number(process.env.KDIFF_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const A = ACCT;
const B = "444455556666";
const KEY = `arn:aws:kms:us-east-1:${A}:key/9975ba19-f8ff-444b-9c21-8d42cc6dc45b`;
const iam = (acct: string, rest: string) => `arn:aws:iam::${acct}:${rest}`;
const role = (acct: string, name: string): ref.Requester => ({
  name: `${name}@${acct}`,
  kind: "aws",
  account: acct,
  arn: iam(acct, `role/${name}`),
  roleArn: iam(acct, `role/${name}`),
});
const REQUESTERS: ref.Requester[] = [
  { name: "root@A", kind: "aws", account: A, arn: iam(A, "root") },
  role(A, "key-admin"),
  role(A, "app"),
  role(A, "other"),
  { name: "alice@A", kind: "aws", account: A, arn: iam(A, "user/alice") },
  role(B, "x"),
];
const ADMIN = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation"];
const USE = ["kms:Decrypt"];

const PRINCIPALS = [
  "*",
  A,
  iam(A, "root"),
  B,
  iam(A, "role/key-admin"),
  iam(A, "role/app"),
  iam(A, "user/alice"),
  iam(B, "role/x"),
];
const ACTIONS = [
  "kms:*",
  "kms:Put*",
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:Disable*",
  "kms:Decrypt",
  "kms:Describe*",
  "kms:GenerateDataKey*",
  "kms:Encrypt",
];
const CONDITIONS: Record<string, { ops: string[]; values: string[] }> = {
  "aws:PrincipalArn": {
    ops: ["ArnLike", "ArnNotLike", "StringEquals"],
    values: [iam(A, "role/key-admin"), iam(A, "role/*"), iam(A, "user/alice"), "arn:aws:iam::*:role/x"],
  },
  "kms:CallerAccount": { ops: ["StringEquals"], values: [A, B] },
  "kms:ViaService": { ops: ["StringEquals"], values: ["s3.us-east-1.amazonaws.com"] },
  "aws:PrincipalAccount": { ops: ["StringEquals", "StringNotEquals"], values: [A] },
};
/** Keys the requester does not fix (undefined: absent). */
const FREE: Record<string, Array<string | undefined>> = {
  "kms:viaservice": [undefined, "s3.us-east-1.amazonaws.com"],
};

const sub = <T>(xs: readonly T[], max = 2) =>
  fc.uniqueArray(fc.constantFrom(...xs), { minLength: 1, maxLength: max });
const one = (a: fc.Arbitrary<string[]>) => a.map((v) => (v.length === 1 ? v[0]! : v));
const conditionArb = fc
  .option(
    fc.constantFrom(...Object.keys(CONDITIONS)).chain((key) =>
      fc.record({
        op: fc.constantFrom(...CONDITIONS[key]!.ops),
        key: fc.constant(key),
        values: sub(CONDITIONS[key]!.values),
      }),
    ),
    { nil: undefined, freq: 2 },
  )
  .map((c) => (c ? { Condition: { [c.op]: { [c.key]: c.values } } } : {}));
const statementArb = fc
  .record({
    effect: fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
    notPrincipal: fc.nat(8).map((n) => n === 0),
    principals: sub(PRINCIPALS),
    actions: one(sub(ACTIONS, 3)),
    condition: conditionArb,
  })
  .map((s) => ({
    Effect: s.effect,
    [s.notPrincipal ? "NotPrincipal" : "Principal"]:
      s.principals.includes("*") && !s.notPrincipal ? "*" : { AWS: s.principals },
    Action: s.actions,
    Resource: "*",
    ...s.condition,
  }));
const policyArb = fc
  .array(statementArb, { minLength: 1, maxLength: 4 })
  .map((Statement) => ({ Version: "2012-10-17", Statement }));

function keySnapshot(doc: unknown) {
  const base = loadItem("test/fixtures/config/rdk__AWS_KMS_Key.json", {
    awsAccountId: A,
    resourceId: KEY.split("/").pop(),
    arn: KEY,
  });
  return withSupplementary(
    { ...base, configuration: { ...base.configuration, arn: KEY, keyManager: "CUSTOMER" } },
    { Policy: JSON.stringify(doc) },
  );
}

/** Whether the requester may perform the action under some request context. */
function may(doc: unknown, r: ref.Requester, action: string): boolean {
  return FREE["kms:viaservice"]!.some(
    (via) =>
      ref.evaluate([doc], {
        requester: r,
        action,
        resource: KEY,
        context: {
          ...ref.requesterContext(r),
          "kms:calleraccount": r.account!,
          ...(via ? { "kms:viaservice": via } : {}),
        },
      }).possiblyAllowed,
  );
}

describe("kms-separation-of-duties against the concrete reference (differential)", () => {
  it("passes only when no identity may both administer and use the key", () => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(policyArb, (doc) => {
        const e = run(keySnapshot(doc), "kms-separation-of-duties", facts(), { phiKeys: [KEY] });
        if (e.status === "ERROR") throw new Error(`errored: ${e.summary}\n${JSON.stringify(doc)}`);
        const k = `${e.status}${e.evidence.proof ? " (cannot prove)" : ""}`;
        tally.set(k, (tally.get(k) ?? 0) + 1);
        if (e.status !== "COMPLIANT") return;
        for (const r of REQUESTERS) {
          const admin = ADMIN.find((a) => may(doc, r, a));
          const use = USE.find((a) => may(doc, r, a));
          if (admin && use)
            throw new Error(
              `passed, but ${r.name} may ${admin} and ${use}\n${JSON.stringify(doc)}\n${JSON.stringify(e)}`,
            );
        }
      }),
      params,
    );
    if (process.env.KDIFF_REPORT) console.log([...tally]);
  }, 30_000);
});
