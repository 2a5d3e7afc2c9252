import { globMatch, matchesAny, phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import type { Statement } from "../../policy/document.ts";
import { evaluatePolicies, mayAllow, statementApplies } from "../../policy/evaluate.ts";
import { type Grant, type GrantPrincipal, principalGrants } from "../../policy/grants.ts";
import { accountOf, type RequestPrincipal } from "../../policy/principal.ts";
import {
  bucketArns,
  bucketPolicy,
  isUnreadable,
  partitionOfResource,
  rawObjectPatterns,
} from "../../policy/resources.ts";
import { actionPatternCovers, hasWildcard, stringLike } from "../../policy/wildcard.ts";
import { bucketName } from "../../resource/s3.ts";

const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectAcl",
  "s3:RestoreObject",
];
const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
const BUCKET_ACTIONS = [
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketAcl",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutBucketVersioning",
];
/** Synthetic callers that no sane baseline lists: the Deny for outsiders must apply to them. */
const OUTSIDER_ACCOUNT = "999999999999";

function label(p: GrantPrincipal): string {
  switch (p.kind) {
    case "everyone":
      return "*";
    case "account":
      return p.accountId;
    case "arn":
      return p.arn;
    case "service":
      return p.service;
    case "other":
      return p.value;
  }
}

/** The principal as a concrete requester, when it is one (patterns and unknown ids are not). */
function requester(p: GrantPrincipal): RequestPrincipal | undefined {
  if (p.kind === "everyone") return { kind: "everyone" };
  // A grant to an account reaches all its identities: a Deny must reach all of them, not the root user only.
  if (p.kind === "account") return { kind: "account", accountId: p.accountId };
  if (p.kind === "arn" && !hasWildcard(p.arn)) return { kind: "aws", arn: p.arn };
  if (p.kind === "service") return { kind: "service", service: p.service };
  return undefined;
}

const PRINCIPAL_KEYS = new Set(["aws:principalarn", "aws:principalaccount"]);

/**
 * The IAM principals (as concrete ARNs) and services a policy names in Principal, NotPrincipal and its
 * aws:PrincipalArn / aws:PrincipalAccount conditions: for each account named, a probe role of it; for
 * each ARN, the ARN itself, a pattern made concrete (`*` → a probe name, an account `*` → digits). A
 * session ARN stands for its role (aws:PrincipalArn is the role's), named without a path. All in the
 * bucket's `partition`: a principal of another partition cannot reach the bucket.
 */
function namedOutsiders(
  statements: readonly Statement[],
  partition: string,
): { arns: string[]; services: string[] } {
  const arns = new Set<string>();
  const services = new Set<string>();
  for (const s of statements) {
    const values = [...(s.principal?.aws ?? []), ...(s.notPrincipal?.aws ?? [])];
    for (const el of [s.principal, s.notPrincipal]) for (const v of el?.service ?? []) services.add(v);
    for (const c of s.conditions) if (PRINCIPAL_KEYS.has(c.key.toLowerCase())) values.push(...c.values);
    for (const v of values) {
      const arn = concreteArn(v, partition);
      if (!arn) continue;
      arns.add(arn);
      const account = accountOf(arn);
      if (account) arns.add(`arn:${partition}:iam::${account}:role/phiwatch-outsider-probe`);
    }
  }
  return { arns: [...arns], services: [...services] };
}

function concreteArn(value: string, partition: string): string | undefined {
  if (/^[\d*?]{1,12}$/.test(value)) {
    const account = concreteAccount(value);
    return account ? `arn:${partition}:iam::${account}:root` : undefined;
  }
  const session = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(value);
  if (session) return `arn:${partition}:iam::${session[1]}:role/${session[2]}`;
  const m = /^arn:([^:]*):iam::([^:]*):(.+)$/.exec(value);
  if (!m) return undefined;
  const account = concreteAccount(m[2]!);
  if (!account) return undefined;
  const rest = m[3]!.replace(/\*/g, "phiwatch-outsider-probe").replace(/\?/g, "x");
  const arn = `arn:${partition}:iam::${account}:${rest}`;
  // A value of another partition is not like the probe: it names no principal that reaches the bucket.
  return /^(root|role\/.+|user\/.+)$/.test(rest) && stringLike(value, arn) ? arn : undefined;
}

/** A 12-digit account matching an account pattern (`*` and `?` filled with 9s), if there is one. */
function concreteAccount(pattern: string): string | undefined {
  const fixed = pattern.replace(/\?/g, "9");
  const stars = (fixed.match(/\*/g) ?? []).length;
  const fill = 12 - (fixed.length - stars);
  if (fill < 0 || (stars === 0 && fill !== 0)) return undefined;
  const account = fixed.replace("*", "9".repeat(fill)).replace(/\*/g, "");
  return /^\d{12}$/.test(account) ? account : undefined;
}

export default defineControl({
  id: "s3-policy-least-privilege",
  title: "PHI bucket policies grant access only to the baseline's principals",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.308(a)(4)", "164.312(a)(1)"],
  severity: "high",
  rationale:
    "A bucket policy is the one place where access can be granted to anyone, to another account or to a " +
    "principal the IAM review never sees. Every grant must name a raw reader, analytics role, operator or " +
    "pipeline service from the baseline — and only raw readers and analytics roles (never raw audio) may read " +
    "objects; with denyOutsiders, an explicit Deny must also refuse everyone else.",
  remediation: {
    console:
      "S3 › bucket › Permissions › Bucket policy › remove statements that allow *, other accounts or principals " +
      "not in the baseline; add a Deny with Condition ArnNotLike aws:PrincipalArn [baseline principals].",
    cli: "aws s3api get-bucket-policy --bucket BUCKET  # edit, then: aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json",
  },
  evaluate(resource, ctx) {
    const name = bucketName(resource);
    const phi = phiBucketOf(ctx.baseline, name, resource.tags);
    if (!phi) return notApplicable("not a PHI bucket in the baseline");
    const doc = bucketPolicy(resource);
    const denyOutsiders = ctx.baseline.s3.denyOutsiders;
    if (isUnreadable(doc))
      return fail("cannot prove least privilege: bucket policy unreadable", {
        proof: "cannot prove",
        reason: doc.unreadable,
      });
    if (doc === undefined) {
      return denyOutsiders
        ? fail("no bucket policy, so no explicit Deny for outsiders", { bucketPolicy: null, denyOutsiders })
        : pass("no bucket policy: access is granted only through IAM in the account", { bucketPolicy: null });
    }
    const p = ctx.baseline.principals;
    const allowed = [...p.rawReaders, ...p.analytics, ...p.operators];
    // The bucket's partition: its policy names it, its objects and its principals there
    // (arn:aws-us-gov:s3:::…, arn:aws-us-gov:iam::… in GovCloud).
    const partition = partitionOfResource(resource);
    const arns = bucketArns(name, partition);
    const policies = [{ name: "bucket-policy", document: doc }];
    // Any action granted to an outsider counts (PutEncryptionConfiguration, PutBucketPublicAccessBlock,
    // GetObjectAcl…), not only the listed ones: each grant also carries the statement's other actions.
    // The actions asked about on either resource: the others are what a statement grants beyond them.
    const others = { others: [...OBJECT_ACTIONS, ...BUCKET_ACTIONS] };
    const grants: Array<Grant & { resource: string }> = [
      ...principalGrants(doc, OBJECT_ACTIONS, arns.objects, {}, others).map((g) => ({
        ...g,
        resource: arns.objects,
      })),
      ...principalGrants(doc, BUCKET_ACTIONS, arns.bucket, {}, others).map((g) => ({
        ...g,
        resource: arns.bucket,
      })),
    ];
    /**
     * Whether the policy refuses `who` every action of the Action pattern `pattern` on `resource`: a
     * concrete action is evaluated; a wildcard needs a definite Deny whose Action covers it (on a bucket
     * only S3 actions apply, so `*` stands for `s3:*`).
     */
    const refused = (pattern: string, resource: string, who: RequestPrincipal): boolean => {
      if (!hasWildcard(pattern))
        return !mayAllow(evaluatePolicies(policies, { action: pattern, resource, principal: who }));
      const wide = pattern === "*" ? "s3:*" : pattern;
      return doc.statements.some(
        (s) =>
          s.effect === "Deny" &&
          (s.action ?? []).some((a) => actionPatternCovers(a, wide)) &&
          statementApplies(s, { action: wide, resource, principal: who }).applies === true,
      );
    };

    const outside = (g: GrantPrincipal): string | undefined => {
      switch (g.kind) {
        case "everyone":
          return "any principal";
        case "account":
          return g.accountId === resource.accountId ? undefined : "another account";
        case "service":
          return p.services.includes(g.service) ? undefined : "service not in the baseline";
        case "arn":
          // A grant pattern is inside only when a baseline pattern covers it (`*` in the grant read literally).
          return allowed.some((pattern) => globMatch(pattern, g.arn))
            ? undefined
            : "principal not in the baseline";
        case "other":
          return "principal phiwatch cannot identify (federated, canonical user or unique id)";
      }
    };

    // A baseline principal that is neither a raw reader nor analytics (an operator) may manage the
    // bucket but not read its objects — as iam-raw-readers-designated asks of identity policies: in the
    // same account a bucket-policy grant is enough to read, with no identity policy at all.
    const readsWithoutDesignation = (g: Grant & { resource: string }): string[] =>
      g.principal.kind === "arn" &&
      g.resource === arns.objects &&
      !matchesAny(p.rawReaders, g.principal.arn) &&
      !matchesAny(p.analytics, g.principal.arn)
        ? g.actions.filter((a) => READ_ACTIONS.includes(a))
        : [];

    const violations: Record<string, unknown>[] = [];
    const reportedOthers = new Set<string>();
    for (const g of grants) {
      const out = outside(g.principal);
      const reads = out ? [] : readsWithoutDesignation(g);
      const why =
        out ?? (reads.length > 0 ? "can read PHI objects but is not a designated raw reader" : undefined);
      if (!why) continue;
      // An explicit Deny for this very principal on every action at fault cancels the grant (the Deny
      // may cover only what the grant reaches: nothing of it is then allowed, an implicit deny).
      const listed = out ? g.actions : reads;
      const other = out ? (g.otherActions ?? []) : [];
      const who = requester(g.principal);
      const listedRefused =
        who !== undefined &&
        g.undecided.length === 0 &&
        listed.every((action) => refused(action, g.resource, who));
      const otherLeft =
        who !== undefined && g.undecided.length === 0
          ? other.filter((a) => !refused(a, g.resource, who))
          : other;
      if (listedRefused && otherLeft.length === 0) continue;
      // Evidence names the listed actions at fault, or, when the Deny refuses all of them (or there are
      // none), the other actions still granted.
      const atFault = listed.length > 0 && !listedRefused ? listed : otherLeft;
      // A statement on the bucket and its objects grants its other actions on both: reported once.
      if (atFault === otherLeft) {
        const key = JSON.stringify([g.statement, label(g.principal), atFault, g.undecided]);
        if (reportedOthers.has(key)) continue;
        reportedOthers.add(key);
      }
      violations.push({
        statement: g.statement,
        principal: label(g.principal),
        why,
        actions: atFault,
        ...(g.undecided.length
          ? { undecided: g.undecided, proof: "cannot prove the conditions restrict it" }
          : {}),
      });
    }
    // Analytics principals may read transcripts, never raw audio.
    for (const raw of rawObjectPatterns(name, phi, partition)) {
      for (const g of principalGrants(doc, ["s3:GetObject", "s3:GetObjectVersion"], raw)) {
        if (g.principal.kind !== "arn") continue;
        const arn = g.principal.arn;
        if (matchesAny(p.analytics, arn) && !matchesAny(p.rawReaders, arn))
          violations.push({
            statement: g.statement,
            principal: arn,
            why: "analytics principal can read raw audio",
            actions: g.actions,
          });
      }
    }

    let outsiderEvidence: Record<string, unknown> | undefined;
    if (denyOutsiders) {
      // Synthetic outsiders, and those the policy itself names (a Deny's exemptions are where an
      // outsider slips through: `NotPrincipal`, `ArnNotLike aws:PrincipalArn`, `aws:PrincipalAccount`).
      const named = namedOutsiders(doc.statements, partition);
      const probes: Array<{ label: string; who: RequestPrincipal }> = [
        ...new Set([
          `arn:${partition}:iam::${resource.accountId}:role/phiwatch-outsider-probe`,
          `arn:${partition}:iam::${OUTSIDER_ACCOUNT}:role/phiwatch-outsider-probe`,
          ...named.arns,
        ]),
      ]
        .filter((arn) => !matchesAny(allowed, arn))
        .map((arn) => ({ label: arn, who: { kind: "aws", arn } }));
      for (const service of named.services)
        if (!p.services.includes(service)) probes.push({ label: service, who: { kind: "service", service } });
      probes.push({ label: "anonymous", who: { kind: "anonymous" } });
      const notDenied = probes
        .map(({ label, who }) => ({
          arn: label,
          effect: evaluatePolicies(policies, {
            action: "s3:GetObject",
            resource: arns.objects,
            principal: who,
          }).effect,
        }))
        .filter((r) => r.effect !== "deny");
      if (notDenied.length > 0) outsiderEvidence = { outsidersNotDenied: notDenied };
    }

    if (violations.length === 0 && !outsiderEvidence)
      return pass("every grant names a principal the baseline allows", {
        grants: grants.length,
        ...(denyOutsiders ? { denyOutsiders: "explicit Deny applies to outsiders" } : {}),
      });
    const summary =
      violations.length > 0
        ? `bucket policy grants access outside the baseline (${[...new Set(violations.map((v) => v.why))].join("; ")})`
        : "no explicit Deny refuses principals outside the baseline";
    return fail(summary, {
      ...(violations.length ? { violations } : {}),
      ...(outsiderEvidence ?? {}),
      ...(violations.some((v) => v.proof) ? { proof: "cannot prove" } : {}),
    });
  },
});
