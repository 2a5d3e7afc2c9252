import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import { accessPointQuestion } from "../../policy/access-points.ts";
import { type Statement, widenVariables } from "../../policy/document.ts";
import { iamChangeMovesIdentity, identityControlFacts, identityScope } from "../../policy/identity.ts";
import {
  bucketInventoryRequest,
  type PhiTarget,
  partitionOfResource,
  phiBucketKeys,
} from "../../policy/resources.ts";
import { actionMatches, arnMatches, globsIntersect, hasWildcard } from "../../policy/wildcard.ts";
import { memoOn } from "../../resource/memo.ts";

const NONE: { s3: string[]; kms: string[] } = Object.freeze({ s3: [], kms: [] }) as never;

/**
 * Whether an Action pattern names every action of `service` (IAM matches actions case-insensitively):
 * `*` and `s3:*`, and the spellings IAM reads the same — `s3:**`, `s3:?*`, `S3*`, `*:*`. It matches
 * `service:` followed by runs of a character no action name or pattern literal holds, of every length up
 * to one more than the pattern's: those characters go to wildcards only, so any action name of that
 * length matches too; and at that length some `*` takes one of them, so every longer name matches.
 * Used where a wrong `true` hides a grant (a NotAction that would exclude the whole service).
 */
function namesEveryAction(pattern: string, service: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return false;
  for (let n = 1; n <= pattern.length + 1; n++)
    if (!actionMatches(pattern, `${service}:${"\u0001".repeat(n)}`)) return false;
  return true;
}

/**
 * Whether an Action pattern may grant every action of `service`: it names no character of the action
 * (`s3:??*`, `kms:*???`), so it matches every action name long enough — as {@link namesEveryAction}
 * reasons, from the one length past the pattern's — and no action name is known to be too short for it
 * (S3's and KMS's shortest, `kms:Sign`, have four characters or more). Used where a wrong `false` hides
 * a grant (an Action list).
 */
function mayNameEveryAction(pattern: string, service: string): boolean {
  if (pattern === "*") return true;
  return pattern.includes("*") && actionMatches(pattern, `${service}:${"\u0001".repeat(pattern.length + 1)}`);
}

/** The wildcard actions this control forbids on PHI resources (`NONE`, shared, when there are none). */
function wildcards(s: Statement): { s3: string[]; kms: string[] } {
  if (s.notAction) {
    // NotAction allows everything it does not list: a wildcard unless it excludes the whole service.
    const s3 = s.notAction.some((p) => namesEveryAction(p, "s3"))
      ? []
      : [`NotAction ${s.notAction.join(",")}`];
    const kms = s.notAction.some((p) => namesEveryAction(p, "kms"))
      ? []
      : [`NotAction ${s.notAction.join(",")}`];
    return { s3, kms };
  }
  // Arrays only when there is a wildcard (most statements of most policies name their actions, and a
  // pattern without `*` never names every action).
  let s3: string[] | undefined;
  let kms: string[] | undefined;
  const actions = s.action ?? [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (!a.includes("*")) continue;
    if (mayNameEveryAction(a, "s3")) s3 = s3 ? [...s3, a] : [a];
    if (mayNameEveryAction(a, "kms")) kms = kms ? [...kms, a] : [a];
  }
  return s3 || kms ? { s3: s3 ?? [], kms: kms ?? [] } : NONE;
}

function reaches(s: Statement, patterns: readonly string[]): boolean {
  if (s.resource) {
    for (const r of s.resource) {
      // A policy variable may take any value (a tag naming a PHI bucket): read it as `*`.
      const p = s.variables ? widenVariables(r) : r;
      for (const t of patterns) if (hasWildcard(t) ? globsIntersect(p, t) : arnMatches(p, t)) return true;
    }
    return false;
  }
  if (s.notResource) return true; // everything but a list: treat as reaching PHI (conservative)
  return false;
}

/**
 * A Resource entry as evidence shows it: the object-key part of an S3 ARN (a policy may name one
 * recording, `…/CallRecordings/2026/03/jane-doe-dob-1984-02-11.wav`) never leaves in clear — findings
 * carry no object keys. The bucket stays, and so does a key part made only of wildcards (`bucket/*`);
 * anything else says whether it named one object or a pattern of objects.
 */
function resourceForEvidence(resource: string): string {
  const m = /^(arn:[\w-]*:s3:[^:]*:[^:]*:(?:accesspoint\/[^/]+\/object\/|[^/]+\/))(.+)$/.exec(resource);
  if (!m) return resource;
  const key = m[2]!;
  if (/^[*?/]+$/.test(key)) return resource;
  return `${m[1]}${hasWildcard(key) ? "[object key pattern]" : "[object key]"}`;
}

function resourcesForEvidence(s: Statement): unknown {
  return s.resource
    ? s.resource.map(resourceForEvidence)
    : { NotResource: (s.notResource ?? []).map(resourceForEvidence) };
}

/** A key id no literal pattern names: a pattern matching a key ARN with it names every key there. */
const ANY_KEY_ID = "\u0001".repeat(40);

/** Bucket and object patterns of the PHI targets (once per targets list: every role asks). */
function s3Patterns(targets: readonly PhiTarget[]): readonly string[] {
  return memoOn(targets, "s3Patterns", [], () => targets.flatMap((t) => [t.bucketArn, t.objects]));
}

export default defineControl({
  id: "iam-no-wildcard-on-phi",
  title: "No IAM policy grants *, s3:* or kms:* on PHI resources",
  resourceTypes: ["AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User"],
  hipaa: ["164.308(a)(4)"],
  severity: "high",
  rationale:
    "A wildcard action grants today's and tomorrow's actions, including deleting versions, rewriting the " +
    "bucket policy and scheduling key deletion. On PHI buckets and keys (the baseline's phiKeys and the keys " +
    "that encrypt PHI buckets) every action must be named. Any spelling IAM reads as every action of the " +
    "service (s3:**, S3*, *:*), or that names no character of the action (s3:??*), counts as s3:* or kms:*." +
    " Through an S3 access point a request names the access point (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY), not the bucket; phiwatch does not record which bucket an access point serves (AWS::S3::AccessPoint), so s3:* or * there says cannot prove.",
  remediation: {
    console:
      "IAM › Policies › policy › Edit › replace *, s3:* or kms:* with the actions the job needs on PHI resources.",
    cli: "aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://narrowed.json --set-as-default",
  },
  dependsOn: ["AWS::IAM::Policy", "AWS::IAM::Group"],
  // Only the identities that name the policy or group (and, for a policy, every user in a group).
  affectedBy: iamChangeMovesIdentity,
  facts(resource, ctx) {
    // The bucket inventory names the keys that encrypt PHI buckets: PHI keys the baseline need not list.
    return [...identityControlFacts(resource, ctx.baseline), bucketInventoryRequest(resource.accountId)];
  },
  evaluate(resource, ctx) {
    const { ip, targets } = identityScope(resource, ctx);
    const s3 = s3Patterns(targets);
    // kms:* reaches PHI keys when it names every key (`*`, `arn:aws:kms:*:ACCT:key/*`), a baseline PHI
    // key, or the default encryption key of a PHI bucket in the inventory — keys of the identity's own
    // partition (`arn:aws-us-gov:kms:…` in GovCloud): a policy names nothing in another.
    const partition = partitionOfResource({ arn: ip.arn, region: resource.region });
    const kmsHead = `arn:${partition}:kms:`;
    const anyKeyArns = ctx.baseline.allowedRegions.map(
      (r) => `${kmsHead}${r}:${resource.accountId}:key/${ANY_KEY_ID}`,
    );
    const inventory = ctx.facts.inventory("AWS::S3::Bucket", resource.accountId);
    const bucketKeys = inventory ? phiBucketKeys(ctx.baseline, inventory) : undefined;
    const reachesKey = (p: string) =>
      p === "*" ||
      (p.startsWith(kmsHead) && /^arn:[\w-]+:kms:[^:]*:[^:]*:(key\/)?\*$/.test(p)) ||
      // A `*` ending a segment runs on across colons: `arn:aws:kms:*` and `arn:aws:kms:us-east-1:*`
      // name every key of the account in the PHI regions too.
      anyKeyArns.some((k) => arnMatches(p, k)) ||
      ctx.baseline.phiKeys.some((k) => globsIntersect(p, k)) ||
      !!bucketKeys?.keys.some((k) => arnMatches(p, k));
    // A key PHI buckets may encrypt with but that is not known here (no bucket inventory, or an alias
    // that needs KMS to resolve): kms:* on it cannot be proven to miss PHI.
    const mayBePhiKey = (p: string): string | undefined => {
      if (!bucketKeys)
        return globsIntersect(p, "arn:aws*:kms:*:*:key/*") ? "bucket inventory not available" : undefined;
      const a = bucketKeys.aliases.find((x) => globsIntersect(p, x.scope));
      return a ? `PHI bucket ${a.bucket} encrypts with ${a.alias}, not resolved to a key here` : undefined;
    };
    const unproven: Record<string, unknown>[] = [];
    const unprovenAccessPoints: Record<string, unknown>[] = [];
    const violations: Record<string, unknown>[] = [];
    for (const { name, document } of ip.policies) {
      for (const s of document.statements) {
        if (s.effect !== "Allow") continue;
        const w = wildcards(s);
        if (w === NONE) continue;
        const stmt = s.sid ?? `#${s.index}`;
        const cond = s.conditions.length
          ? { conditions: s.conditions.map((c) => `${c.operator} ${c.key}`) }
          : {};
        if (w.s3.length && reaches(s, s3))
          violations.push({
            policy: name,
            statement: stmt,
            actions: w.s3,
            resources: resourcesForEvidence(s),
            ...cond,
          });
        else if (w.kms.length || w.s3.length) {
          // Through an access point a request names the access point, not the bucket: which bucket it
          // serves is not recorded, so a wildcard there cannot be proven to miss PHI.
          if (w.s3.length && (s.resource ?? ["*"]).some((r) => accessPointQuestion(r, "*") !== undefined))
            unprovenAccessPoints.push({
              policy: name,
              statement: stmt,
              actions: w.s3,
              resources: resourcesForEvidence(s),
              ...cond,
            });
          if (!w.kms.length) continue;
          const keys = s.resource?.map((p) => (s.variables ? widenVariables(p) : p));
          const entry = {
            policy: name,
            statement: stmt,
            actions: w.kms,
            resources: resourcesForEvidence(s),
            ...cond,
          };
          if (keys ? keys.some(reachesKey) : s.notResource !== undefined) violations.push(entry);
          else {
            const why = keys?.map(mayBePhiKey).find((x) => x !== undefined);
            if (why) unproven.push({ ...entry, why });
          }
        }
      }
    }
    const evidence = {
      identity: ip.arn,
      policiesEvaluated: ip.policies.map((p) => p.name),
      ...(violations.length ? { violations } : {}),
      ...(ip.missing.length ? { missingPolicies: ip.missing } : {}),
      ...(ip.unreadable.length ? { unreadablePolicies: ip.unreadable } : {}),
      ...(unproven.length ? { unprovenKeys: unproven } : {}),
      ...(unprovenAccessPoints.length
        ? {
            unprovenAccessPoints,
            why: "the bucket an S3 access point serves (AWS::S3::AccessPoint is not recorded)",
          }
        : {}),
    };
    if (violations.length > 0) return fail("wildcard action on PHI resources", evidence);
    if (unprovenAccessPoints.length > 0)
      return fail("cannot prove a wildcard action on S3 access points misses PHI buckets", {
        ...evidence,
        proof: "cannot prove",
      });
    if (unproven.length > 0)
      return fail("cannot prove kms:* names no key that encrypts a PHI bucket", {
        ...evidence,
        proof: "cannot prove",
      });
    if (ip.missing.length > 0 || ip.unreadable.length > 0)
      return fail("cannot prove there is no wildcard on PHI: some policies are not available", {
        ...evidence,
        proof: "cannot prove",
      });
    return pass("no wildcard action reaches PHI resources", evidence);
  },
});
