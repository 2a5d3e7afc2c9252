import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import type { RequestContext } from "../../policy/condition.ts";
import { evaluatePolicies } from "../../policy/evaluate.ts";
import { type GrantPrincipal, principalGrants } from "../../policy/grants.ts";
import { accountOf } from "../../policy/principal.ts";
import {
  bucketChangeMovesKey,
  bucketInventoryRequest,
  isUnreadable,
  keyPolicy,
  onPhiKey,
  partitionOfArn,
  phiKeyAliasRequests,
} from "../../policy/resources.ts";
import { globsIntersect, hasWildcard, stringLike } from "../../policy/wildcard.ts";

/** Administration: who can change or destroy the key (CONTROLS.md: Put*, ScheduleKeyDeletion, Disable*). */
const ADMIN = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation"];
const USE = ["kms:Decrypt"];
/**
 * A grantee can be any principal (KMS developer guide, "Grants in AWS KMS"), so whoever may call
 * CreateGrant itself can grant itself Decrypt: for an administrator that is use. Asked as that call is
 * made — directly (no `kms:ViaService`; `kms:GrantIsForAWSResource` false, which only an integrated
 * service calling on the caller's behalf makes true) for a grant of Decrypt — so a CreateGrant allowed
 * only for AWS resources, only through a service, or only for other operations does not count; any
 * other condition (the grantee, the caller's account) is undecided and makes it "cannot prove".
 */
const GRANT = "kms:CreateGrant";
const SELF_GRANT: RequestContext = {
  "kms:GrantIsForAWSResource": "false",
  "kms:ViaService": null,
  "kms:GrantOperations": ["Decrypt"],
};

/** The principal for evidence; an account as its root user, in the key's `partition`. */
function label(p: GrantPrincipal, partition: string): string {
  switch (p.kind) {
    case "everyone":
      return "*";
    case "account":
      return `arn:${partition}:iam::${p.accountId}:root`;
    case "arn":
      return p.arn;
    case "service":
      return p.service;
    case "other":
      return p.value;
  }
}

/**
 * Whether a grant to `q` reaches the concrete principal `arn` as well: a pattern of principal ARNs
 * matching it, or the role of a role session.
 */
function covers(q: GrantPrincipal, arn: string): boolean {
  if (q.kind !== "arn" || q.arn === arn) return false;
  if (hasWildcard(q.arn)) return stringLike(q.arn, arn);
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (!session) return false;
  const role = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(q.arn);
  return !!role && role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
}

export default defineControl({
  id: "kms-separation-of-duties",
  title: "No principal both administers and uses a PHI key",
  resourceTypes: ["AWS::KMS::Key"],
  hipaa: ["164.308(a)(4)"],
  severity: "medium",
  rationale:
    "Whoever can both decrypt and change the key policy can grant themselves anything and erase the trail; " +
    "key administrators and key users must be different principals, and kms:* or Principal * without " +
    "conditions gives both to everyone it reaches. A grant to the account enables IAM policies: a principal of " +
    "that account named for one half may get the other through IAM, which the key policy cannot show. " +
    "An administrator allowed kms:CreateGrant (also through kms:Create*, as the console's default key policy " +
    "gives key administrators) can grant itself Decrypt, so that counts as use — unless the CreateGrant is " +
    "allowed only with kms:GrantIsForAWSResource true, only through a service (kms:ViaService) or only for " +
    "grants without Decrypt (kms:GrantOperations).",
  remediation: {
    console:
      "KMS › key › Key policy › Switch to policy view › split administrators (Put*, ScheduleKeyDeletion, Disable*) " +
      "and users (Decrypt) into different principals; replace kms:* with the actions each needs; give administrators " +
      "kms:CreateGrant only with the condition kms:GrantIsForAWSResource true (replace kms:Create* with kms:CreateAlias).",
    cli: "aws kms get-key-policy --key-id KEY_ID --policy-name default  # edit, then: aws kms put-key-policy --key-id KEY_ID --policy-name default --policy file://policy.json",
  },
  dependsOn: ["AWS::S3::Bucket"],
  // Only the keys the bucket's previous or new default encryption names (every key for an alias).
  affectedBy: bucketChangeMovesKey,
  facts(resource) {
    return [bucketInventoryRequest(resource.accountId)];
  },
  // DescribeKey of the aliases the PHI buckets name: the key behind one is a PHI key.
  followUpFacts: phiKeyAliasRequests,
  evaluate: onPhiKey((resource, _ctx, gate) => {
    const doc = keyPolicy(resource);
    if (doc === undefined)
      return fail("cannot prove separation of duties: key policy not recorded", {
        keyArn: gate.key.arn,
        proof: "cannot prove",
      });
    if (isUnreadable(doc))
      return fail("cannot prove separation of duties: key policy unreadable", {
        keyArn: gate.key.arn,
        proof: "cannot prove",
        reason: doc.unreadable,
      });
    const policies = [{ name: "key-policy", document: doc }];
    const resourceArn = gate.key.arn;
    const partition = partitionOfArn(resourceArn);
    /** Whether the key policy explicitly denies one concrete principal (not a pattern) an action on the key. */
    const deniedTo = (arn: string, action: string) =>
      !hasWildcard(arn) &&
      evaluatePolicies(policies, { action, resource: resourceArn, principal: { kind: "aws", arn } })
        .effect === "deny";
    const violations: Record<string, unknown>[] = [];
    // kms:* (or *) in an Allow, and Principal * without conditions.
    for (const s of doc.statements) {
      if (s.effect !== "Allow") continue;
      const stmt = s.sid ?? `#${s.index}`;
      const star = (s.action ?? []).filter((a) => a === "*" || a.toLowerCase() === "kms:*");
      if (star.length > 0 || s.notAction)
        violations.push({
          statement: stmt,
          why: "wildcard action",
          action: s.notAction ? { NotAction: s.notAction } : star,
        });
      if ((s.principal?.any || s.notPrincipal) && s.conditions.length === 0)
        violations.push({ statement: stmt, why: "Principal * without conditions" });
    }
    // Principals holding both administration and use.
    const held = new Map<
      string,
      {
        principal: GrantPrincipal;
        admin: Set<string>;
        use: Set<string>;
        statements: Set<string>;
        undecided: boolean;
        /** CreateGrant for a grant of Decrypt to itself: statements, and conditions left undecided. */
        grant: Set<string>;
        grantUndecided: Set<string>;
      }
    >();
    const entry = (principal: GrantPrincipal) => ({
      principal,
      admin: new Set<string>(),
      use: new Set<string>(),
      statements: new Set<string>(),
      undecided: false,
      grant: new Set<string>(),
      grantUndecided: new Set<string>(),
    });
    for (const g of principalGrants(doc, [...ADMIN, ...USE], resourceArn)) {
      const who = label(g.principal, partition);
      const h = held.get(who) ?? entry(g.principal);
      for (const a of g.actions) {
        // A grant cancelled by an explicit Deny for this principal does not count.
        if (g.principal.kind === "arn" && deniedTo(g.principal.arn, a)) continue;
        (ADMIN.includes(a) ? h.admin : h.use).add(a);
      }
      h.statements.add(g.statement);
      if (g.undecided.length) h.undecided = true;
      held.set(who, h);
    }
    for (const g of principalGrants(doc, [GRANT], resourceArn, SELF_GRANT)) {
      if (g.principal.kind === "arn" && deniedTo(g.principal.arn, GRANT)) continue;
      const who = label(g.principal, partition);
      const h = held.get(who) ?? entry(g.principal);
      h.grant.add(g.statement);
      for (const u of g.undecided) h.grantUndecided.add(u);
      held.set(who, h);
    }
    // What Principal * is granted reaches every principal, and what a pattern of principals (`Principal *`
    // narrowed by `ArnLike aws:PrincipalArn`) or a role is granted reaches each principal it covers (a role
    // its sessions): all of it adds to what each one holds, less what the key policy denies it.
    const all = held.get("*");
    const flagged = new Set<string>();
    const grantUnproven: Record<string, unknown>[] = [];
    for (const [principal, own] of held) {
      const h = {
        admin: new Set(own.admin),
        use: new Set(own.use),
        statements: new Set(own.statements),
        undecided: own.undecided,
        grant: new Set(own.grant),
        grantUndecided: new Set(own.grantUndecided),
      };
      const concrete =
        own.principal.kind === "arn" && !hasWildcard(own.principal.arn) ? own.principal.arn : undefined;
      const from = [
        ...(all && principal !== "*" ? [all] : []),
        ...(concrete ? [...held.values()].filter((q) => covers(q.principal, concrete)) : []),
      ];
      for (const q of from) {
        if (h.admin.size > 0 && h.use.size > 0) break;
        const admin = [...q.admin].filter((a) => !(concrete && deniedTo(concrete, a)));
        const use = [...q.use].filter((a) => !(concrete && deniedTo(concrete, a)));
        const grant = q.grant.size > 0 && !(concrete && deniedTo(concrete, GRANT));
        if (grant) {
          for (const st of q.grant) h.grant.add(st);
          for (const u of q.grantUndecided) h.grantUndecided.add(u);
        }
        if (admin.length + use.length === 0) continue;
        for (const a of admin) h.admin.add(a);
        for (const a of use) h.use.add(a);
        for (const st of q.statements) h.statements.add(st);
        h.undecided ||= q.undecided;
      }
      if (h.admin.size > 0 && h.use.size > 0) {
        flagged.add(principal);
        violations.push({
          principal,
          why: "administers and uses the key",
          admin: [...h.admin],
          use: [...h.use],
          statements: [...h.statements],
          ...(h.undecided ? { conditional: true } : {}),
        });
      } else if (h.admin.size > 0 && h.grant.size > 0) {
        // Counted only where the principal holds no Decrypt: one violation per principal.
        flagged.add(principal);
        const decided = h.grantUndecided.size === 0;
        (decided ? violations : grantUnproven).push({
          principal,
          why: decided
            ? "administers the key and can grant itself use (kms:CreateGrant)"
            : "administers the key and may grant itself use (kms:CreateGrant under conditions not decided)",
          admin: [...h.admin],
          use: [GRANT],
          statements: [...new Set([...h.statements, ...h.grant])],
          ...(decided ? {} : { undecided: [...h.grantUndecided] }),
        });
      }
    }
    const unproven: Record<string, unknown>[] = [...grantUnproven];
    // Two patterns of principals, one administering, one using: a principal matching both holds both.
    for (const [p1, h1] of held)
      for (const [p2, h2] of held)
        if (
          h1.principal.kind === "arn" &&
          h2.principal.kind === "arn" &&
          p1 !== p2 &&
          !flagged.has(p1) &&
          !flagged.has(p2) &&
          hasWildcard(p1) &&
          hasWildcard(p2) &&
          h1.admin.size > 0 &&
          h2.use.size > 0 &&
          globsIntersect(p1, p2)
        )
          unproven.push({
            principal: `${p1} and ${p2}`,
            why: "a principal matching both patterns administers and uses the key",
            admin: [...h1.admin],
            use: [...h2.use],
            statements: [...new Set([...h1.statements, ...h2.statements])],
          });
    // A grant to an account "allows access to the AWS account and enables IAM policies" (KMS developer
    // guide): an IAM policy of that account may give any of its identities what the grant lists. So a
    // principal of that account holding one half in the key policy may hold the other through IAM, which
    // the key policy alone cannot tell — unless the key policy denies it that half.
    for (const [principal, h] of held) {
      if (h.principal.kind !== "arn" || flagged.has(principal)) continue;
      const arn = h.principal.arn;
      const account = accountOf(arn) ?? /^arn:aws[\w-]*:(?:iam|sts)::([^:]*):/.exec(arn)?.[1];
      for (const [, acct] of held) {
        if (acct.principal.kind !== "account" || !account || !stringLike(account, acct.principal.accountId))
          continue;
        const admin = h.admin.size > 0 ? [] : [...acct.admin].filter((a) => !deniedTo(arn, a));
        const use = h.use.size > 0 ? [] : [...acct.use].filter((a) => !deniedTo(arn, a));
        if (h.admin.size + admin.length === 0 || h.use.size + use.length === 0) continue;
        unproven.push({
          principal,
          why:
            h.admin.size > 0
              ? "administers the key, and may use it through IAM policies (the key policy allows its account)"
              : "uses the key, and may administer it through IAM policies (the key policy allows its account)",
          admin: h.admin.size > 0 ? [...h.admin] : admin,
          use: h.use.size > 0 ? [...h.use] : use,
          statements: [...h.statements, ...acct.statements],
          throughAccount: acct.principal.accountId,
        });
      }
    }
    const evidence = { keyArn: gate.key.arn, phiBecause: gate.via };
    if (violations.length === 0 && unproven.length === 0)
      return pass("administrators and users of the key are different principals", evidence);
    if (violations.length === 0)
      return fail(
        "cannot prove separation of duties: the key policy lets IAM policies give a key administrator use, or a key user administration",
        { ...evidence, violations: unproven, proof: "cannot prove" },
      );
    return fail(
      `key policy mixes administration and use (${[...new Set(violations.map((v) => v.why))].join("; ")})`,
      { ...evidence, violations: [...violations, ...unproven] },
    );
  }),
});
