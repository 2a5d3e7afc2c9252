import { pipelineServiceOf } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import {
  type EvaluationContext,
  type FactLookup,
  type FactRequest,
  notApplicable,
  type PreviousSnapshot,
  type Verdict,
} from "../control/types.ts";
import { memoOn } from "../resource/memo.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import { accessPointForEvidence, accessPointQuestions } from "./access-points.ts";
import { type PolicyDocument, parsePolicyDocument } from "./document.ts";
import { evaluateIdentity, mentionsAction, type NamedPolicy } from "./evaluate.ts";
import {
  baselineHasTagBuckets,
  bucketInventoryRequest,
  isUnreadable,
  type PhiTarget,
  partitionOfResource,
  phiTargets,
  readDocument,
} from "./resources.ts";

/**
 * The identity policies of an IAM role or user as Config records them: inline policies in the item,
 * managed policies in separate `AWS::IAM::Policy` items (requested as inventory facts), group
 * policies in `AWS::IAM::Group` items. Config does not record AWS-managed policies; a few broad ones
 * are known here, any other is reported as missing so controls say "cannot prove".
 */
export interface IdentityPolicies {
  /** ARN of the role or user. */
  arn: string;
  policies: NamedPolicy[];
  boundary?: NamedPolicy;
  /** Policies (ARNs, group names) attached but not available: the answer may be incomplete. */
  missing: string[];
  /**
   * The permissions boundary set but not available (not in the inventory, or unreadable). A boundary
   * grants nothing, so it matters only when the identity policies allow: that access is then unproven.
   */
  boundaryUnavailable?: string;
  /** Documents that did not parse (`name: reason`). */
  unreadable: string[];
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(obj).filter((x): x is Record<string, unknown> => x !== undefined) : [];
}
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * AWS-managed policies phiwatch knows by heart (their documents have been stable for years and are
 * the usual way broad S3/KMS access is granted). Any other AWS-managed policy must come from the
 * inventory or the verdict says "cannot prove".
 */
export const KNOWN_AWS_MANAGED: Readonly<Record<string, object>> = {
  "arn:aws:iam::aws:policy/AdministratorAccess": {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  },
  "arn:aws:iam::aws:policy/AmazonS3FullAccess": {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" }],
  },
  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"],
        Resource: "*",
      },
    ],
  },
};

/** The parsed documents of `KNOWN_AWS_MANAGED`, parsed once (shared, read-only like every parsed policy). */
const knownParsed = new Map<string, PolicyDocument>();

function knownManagedDocument(arn: string): PolicyDocument | undefined {
  // The same policies in GovCloud and China (arn:aws-us-gov:iam::aws:policy/…): their documents name
  // no partition (Resource "*").
  const key = arn.replace(/^arn:aws-(?:us-gov|cn):iam::aws:policy\//, "arn:aws:iam::aws:policy/");
  let doc = knownParsed.get(key);
  if (doc === undefined && Object.hasOwn(KNOWN_AWS_MANAGED, key)) {
    doc = parsePolicyDocument(KNOWN_AWS_MANAGED[key], `AWS::IAM::Policy ${key}`);
    knownParsed.set(key, doc);
  }
  return doc;
}

/** The default version's document of an `AWS::IAM::Policy` snapshot. */
export function managedPolicyDocument(s: ResourceSnapshot): unknown {
  const c = s.configuration;
  const versions = list(c.policyVersionList);
  const byDefault =
    versions.find((v) => v.isDefaultVersion === true || v.isDefaultVersion === "true") ??
    versions.find((v) => v.versionId !== undefined && v.versionId === c.defaultVersionId) ??
    (versions.length === 1 ? versions[0] : undefined);
  return byDefault?.document;
}

function attachedArns(c: Record<string, unknown>): string[] {
  return list(c.attachedManagedPolicies)
    .map((p) => str(p.policyArn))
    .filter((a): a is string => a !== undefined);
}

function inline(c: Record<string, unknown>, field: string): Array<{ name: string; document: unknown }> {
  return list(c[field]).map((p, i) => ({
    name: `inline:${str(p.policyName) ?? `#${i}`}`,
    document: p.policyDocument,
  }));
}

function boundaryArn(c: Record<string, unknown>): string | undefined {
  const b = obj(c.permissionsBoundary);
  return str(b?.permissionsBoundaryArn);
}

/** The group names of a user's item, as `identityPolicies` reads them (`groupList`, strings only). */
function groupNames(c: Record<string, unknown>): string[] {
  return Array.isArray(c.groupList) ? c.groupList.filter((g): g is string => typeof g === "string") : [];
}

/**
 * Whether a change to an `AWS::IAM::Policy` or `AWS::IAM::Group` item can move an identity control's
 * verdict (status, summary or evidence) on `identity`: the identity controls' `affectedBy`. Their
 * verdicts read those items only through `identityPolicies` —
 * - a role or user reads the managed policies its own item attaches or sets as its boundary, found by
 *   reference (`attachedManagedPolicies[].policyArn`, `permissionsBoundary.permissionsBoundaryArn`)
 *   among the account's present policy items by resource id or ARN;
 * - a user also reads the present groups its `groupList` names (by `resourceName` or
 *   `configuration.groupName`), their inline policies and the managed policies they attach;
 * - a managed policy (iam-no-wildcard-on-phi) reads its own item only, never another policy or a group.
 *
 * So a policy change moves the identities whose item names the replaced (`previous`, which their last
 * verdicts were decided on) or the new item, when present, by resource id or ARN; and every user in
 * any group, because which policies a group attaches is in the group's item, which is not seen here.
 * A group change moves the users whose `groupList` names the replaced or the new item, when present;
 * never a role. `previous` unknown (`undefined`): every role and user (every user for a group).
 *
 * @example
 * ```ts
 * iamChangeMovesIdentity(roleAttachingP, policyP, policyPBefore); // true
 * iamChangeMovesIdentity(roleAttachingQ, policyP, policyPBefore); // false
 * iamChangeMovesIdentity(userInAnyGroup, policyP, policyPBefore); // true: a group may attach P
 * iamChangeMovesIdentity(userInGroupG, groupG, null); // true; false for a role, or a user not in G
 * ```
 */
export function iamChangeMovesIdentity(
  identity: ResourceSnapshot,
  changed: ResourceSnapshot,
  previous: PreviousSnapshot,
): boolean {
  const policyChange = changed.resourceType === "AWS::IAM::Policy";
  if (!policyChange && changed.resourceType !== "AWS::IAM::Group") return true;
  // A managed policy's verdict reads its own item only (`identityPolicies` returns before any fact).
  if (identity.resourceType === "AWS::IAM::Policy") return false;
  const user = identity.resourceType === "AWS::IAM::User";
  if (!user && identity.resourceType !== "AWS::IAM::Role") return true;
  // Policies and groups are looked up in the identity's own account only, and only users read groups.
  if (identity.accountId !== changed.accountId || (!policyChange && !user)) return false;
  if (previous === undefined) return true;
  // Only present items are found (the inventory lists no deleted item, and the lookups skip them).
  const items = (previous ? [previous, changed] : [changed]).filter((s) => s.state === "present");
  const c = identity.configuration;
  if (!policyChange) {
    const groups = groupNames(c);
    return items.some((g) => groups.some((n) => n === g.resourceName || n === g.configuration.groupName));
  }
  const b = boundaryArn(c);
  const refs = b === undefined ? attachedArns(c) : [...attachedArns(c), b];
  // The fact lookup finds a policy by resource id or the item's ARN; `configuration.arn` is matched too
  // (more than the lookup finds: an item without its top-level ARN is not found by ARN).
  if (items.some((p) => refs.some((r) => r === p.resourceId || r === p.arn || r === p.configuration.arn)))
    return true;
  return user && groupNames(c).length > 0;
}

/** Inventory facts an IAM role or user needs: its managed policies, its boundary, its groups. */
export function identityFactRequests(s: ResourceSnapshot): FactRequest[] {
  const c = s.configuration;
  const out: FactRequest[] = [];
  const arns = [...attachedArns(c), ...(boundaryArn(c) ? [boundaryArn(c)!] : [])];
  for (const ref of arns)
    out.push({ kind: "inventory", resourceType: "AWS::IAM::Policy", accountId: s.accountId, ref });
  if (s.resourceType === "AWS::IAM::User" && Array.isArray(c.groupList) && c.groupList.length > 0) {
    out.push({ kind: "inventory", resourceType: "AWS::IAM::Group", accountId: s.accountId });
    // Group-attached policies are only known once the group is read: ask for all managed policies.
    out.push({ kind: "inventory", resourceType: "AWS::IAM::Policy", accountId: s.accountId });
  }
  return out;
}

/**
 * Collect the identity policies of an IAM role or user snapshot (or the one document of an
 * `AWS::IAM::Policy` snapshot), resolving managed policies and groups through the facts.
 *
 * @example
 * ```ts
 * const ip = identityPolicies(roleSnapshot, ctx.facts);
 * evaluateIdentity(ip.policies, { action: "s3:GetObject", resource: "arn:aws:s3:::phi-recordings/*" }, ip.boundary);
 * ```
 */
export function identityPolicies(s: ResourceSnapshot, facts: FactLookup): IdentityPolicies {
  const c = s.configuration;
  const arn = str(c.arn) ?? s.arn ?? s.resourceId;
  const out: IdentityPolicies = { arn, policies: [], missing: [], unreadable: [] };
  const add = (
    name: string,
    document: unknown,
    field: string,
    into: "policies" | "boundary" = "policies",
  ) => {
    const doc = readDocument(document, field);
    if (isUnreadable(doc)) out.unreadable.push(`${name}: ${doc.unreadable}`);
    else if (into === "boundary") out.boundary = { name, document: doc };
    else out.policies.push({ name, document: doc });
  };
  if (s.resourceType === "AWS::IAM::Policy") {
    const doc = managedPolicyDocument(s);
    if (doc === undefined) out.missing.push(`${arn} (no default version recorded)`);
    else add(arn, doc, "configuration.policyVersionList.document");
    return out;
  }
  const inlineField = s.resourceType === "AWS::IAM::User" ? "userPolicyList" : "rolePolicyList";
  for (const p of inline(c, inlineField))
    add(p.name, p.document, `configuration.${inlineField}.policyDocument`);
  const managed = (ref: string, into: "policies" | "boundary") => {
    const found = facts.inventory("AWS::IAM::Policy", s.accountId, ref)?.find((x) => x.state === "present");
    if (!found) {
      const known = knownManagedDocument(ref);
      if (known === undefined && into === "boundary") out.boundaryUnavailable = ref;
      else if (known === undefined) out.missing.push(ref);
      else if (into === "boundary") out.boundary = { name: ref, document: known };
      else out.policies.push({ name: ref, document: known });
      return;
    }
    // A managed policy is attached to many roles: its document is parsed once per policy snapshot.
    const doc = memoOn(found, `managedPolicy|${ref}`, [], () => {
      const raw = managedPolicyDocument(found);
      return raw === undefined ? undefined : readDocument(raw, `AWS::IAM::Policy ${ref}`);
    });
    if (into === "boundary" && (doc === undefined || isUnreadable(doc)))
      out.boundaryUnavailable = doc === undefined ? ref : `${ref}: ${doc.unreadable}`;
    else if (doc === undefined) out.missing.push(ref);
    else if (isUnreadable(doc)) out.unreadable.push(`${ref}: ${doc.unreadable}`);
    else if (into === "boundary") out.boundary = { name: ref, document: doc };
    else out.policies.push({ name: ref, document: doc });
  };
  for (const ref of attachedArns(c)) managed(ref, "policies");
  const b = boundaryArn(c);
  if (b) managed(b, "boundary");
  if (s.resourceType === "AWS::IAM::User") {
    const groups = groupNames(c);
    const all = groups.length > 0 ? facts.inventory("AWS::IAM::Group", s.accountId) : [];
    for (const g of groups) {
      const item = all?.find(
        (x) => x.state === "present" && (x.resourceName === g || x.configuration.groupName === g),
      );
      if (!item) {
        out.missing.push(`group:${g}`);
        continue;
      }
      for (const p of inline(item.configuration, "groupPolicyList"))
        add(`group:${g}/${p.name}`, p.document, `AWS::IAM::Group ${g}.groupPolicyList`);
      for (const ref of attachedArns(item.configuration)) managed(ref, "policies");
    }
  }
  return out;
}

/** One (action, resource set) an identity may perform, with the statements that allow it. */
export interface AccessFinding {
  action: string;
  resource: string;
  effect: "allow" | "conditional";
  allowedBy: string[];
  undecided?: string[];
}

/**
 * Which of `actions` on which of `resources` the identity may perform (allow or conditional), with
 * its boundary applied.
 *
 * @example
 * ```ts
 * identityAccess(ip, ["s3:GetObject"], ["arn:aws:s3:::phi-recordings/*"]);
 * // [{ action: "s3:GetObject", resource: "arn:aws:s3:::phi-recordings/*", effect: "allow", allowedBy: ["inline:qa#0"] }]
 * ```
 */
export function identityAccess(
  ip: IdentityPolicies,
  actions: readonly string[],
  resources: readonly string[],
): AccessFinding[] {
  const out: AccessFinding[] = [];
  // No identity statement is about an action: the implicit deny, whatever the resource. Statements
  // about other actions never apply, allow, deny or cancel, and `evaluatePolicies` skips them with a
  // remembered per-statement test, so the policies are asked as they are (no narrowed copies).
  const none = actions.map((action) => !mentionsAction(ip.policies, action));
  for (const resource of resources) {
    for (let a = 0; a < actions.length; a++) {
      if (none[a]) continue;
      const action = actions[a]!;
      const d = evaluateIdentity(ip.policies, { action, resource }, ip.boundary);
      if (d.effect !== "allow" && d.effect !== "conditional") continue;
      const refs = d.effect === "allow" ? d.allowedBy : [...d.allowedBy, ...d.conditionalAllow];
      const undecided = [...d.conditionalAllow, ...d.conditionalDeny].flatMap((r) => r.undecided ?? []);
      out.push({
        action,
        resource,
        effect: d.effect,
        allowedBy: refs.map((r) => `${r.policy}${r.statement.startsWith("#") ? "" : ":"}${r.statement}`),
        ...(d.effect === "conditional" && undecided.length ? { undecided: [...new Set(undecided)] } : {}),
      });
    }
  }
  return out;
}

/** Why an Allow through an access point stays unproven (evidence: no object key, no access point name). */
export const ACCESS_POINT_UNDECIDED =
  "the bucket an S3 access point serves (AWS::S3::AccessPoint is not recorded)";

/**
 * `identityAccess` through S3 access points, for object-key patterns (`*`, or the raw-audio keys): the
 * questions are the access points the identity's Allow statements name (see `accessPointQuestions`),
 * each asked with every Deny and the boundary. An Allow found reaches the objects of whatever bucket the
 * access point serves, which phiwatch cannot tell, so it is `conditional` — "cannot prove", never a pass
 * and never a proven fail.
 *
 * @example
 * ```ts
 * accessPointAccess(ip, ["s3:GetObject"], ["*"]);
 * // [{ action: "s3:GetObject", resource: "arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*", effect: "conditional", … }]
 * ```
 */
export function accessPointAccess(
  ip: IdentityPolicies,
  actions: readonly string[],
  keyPatterns: readonly string[],
): AccessFinding[] {
  // No statement is about any of the actions: `identityAccess` would answer nothing whatever the
  // questions, so they are not built (most roles never mention a delete action).
  if (!actions.some((action) => mentionsAction(ip.policies, action))) return [];
  const questions = [...new Set(keyPatterns)].flatMap((k) => accessPointQuestions(ip.policies, k));
  return identityAccess(ip, actions, [...new Set(questions)]).map((f) => ({
    ...f,
    resource: accessPointForEvidence(f.resource),
    effect: "conditional",
    undecided: [...new Set([...(f.undecided ?? []), ACCESS_POINT_UNDECIDED])],
  }));
}

/**
 * Turn an access analysis into a verdict's parts: fail when some access is proven or conditional,
 * or when policies are missing/unreadable (cannot prove); else pass. An unavailable permissions
 * boundary makes found access unproven, and changes nothing when none is found.
 */
export function accessVerdict(
  ip: IdentityPolicies,
  found: AccessFinding[],
): { ok: boolean; proven: boolean; evidence: Record<string, unknown> } {
  // Without its boundary an identity's access is an upper bound: the boundary may take it away.
  const proven = found.some((f) => f.effect === "allow") && ip.boundaryUnavailable === undefined;
  const incomplete = ip.missing.length > 0 || ip.unreadable.length > 0;
  const evidence: Record<string, unknown> = {
    identity: ip.arn,
    policiesEvaluated: ip.policies.map((p) => p.name),
    ...(ip.boundary ? { permissionsBoundary: ip.boundary.name } : {}),
    ...(ip.boundaryUnavailable ? { permissionsBoundaryUnavailable: ip.boundaryUnavailable } : {}),
    ...(found.length ? { access: found } : {}),
    ...(ip.missing.length ? { missingPolicies: ip.missing } : {}),
    ...(ip.unreadable.length ? { unreadablePolicies: ip.unreadable } : {}),
  };
  if (!proven && (found.length > 0 || incomplete)) evidence.proof = "cannot prove";
  return { ok: found.length === 0 && !incomplete, proven, evidence };
}

/** Fact requests of the identity controls: managed policies, groups, and bucket inventory for tag entries. */
export function identityControlFacts(s: ResourceSnapshot, baseline: Baseline): FactRequest[] {
  // Four identity controls ask the same: one list per snapshot and baseline (shared, read-only).
  return memoOn(s, "identityControlFacts", [baseline], () => computeIdentityControlFacts(s, baseline));
}

function computeIdentityControlFacts(s: ResourceSnapshot, baseline: Baseline): FactRequest[] {
  return [
    ...(s.resourceType === "AWS::IAM::Policy" ? [] : identityFactRequests(s)),
    ...(baselineHasTagBuckets(baseline) ? [bucketInventoryRequest(s.accountId)] : []),
  ];
}

/**
 * Everything an identity control needs: the identity's policies and the PHI buckets as patterns.
 *
 * @example
 * ```ts
 * const { ip, targets } = identityScope(roleSnapshot, ctx);
 * ```
 */
export function identityScope(s: ResourceSnapshot, ctx: EvaluationContext): IdentityScope {
  // Four identity controls ask the same of one role: compute it once per snapshot, facts and baseline.
  return memoOn(s, "identityScope", [ctx.facts, ctx.baseline], () => computeIdentityScope(s, ctx));
}

/** An identity's policies and the PHI buckets as patterns (shared between controls: read-only). */
export interface IdentityScope {
  ip: IdentityPolicies;
  targets: PhiTarget[];
}

function computeIdentityScope(s: ResourceSnapshot, ctx: EvaluationContext): IdentityScope {
  const ip = identityPolicies(s, ctx.facts);
  // The identity's policies name resources of its own partition (arn:aws-us-gov:s3:::… in GovCloud).
  const { targets, incomplete } = phiTargets(
    ctx.baseline,
    ctx.facts.inventory("AWS::S3::Bucket", s.accountId),
    partitionOfResource({ arn: ip.arn, region: s.region }),
  );
  if (incomplete) ip.missing.push("PHI buckets matched by tag (bucket inventory not available)");
  return { ip, targets };
}

/**
 * NOT_APPLICABLE for the service-linked role of a pipeline service (`principals.services`): only the
 * service can assume it and its permissions are the service's own (Connect reads and deletes recordings
 * by design), or `undefined` for any other identity.
 *
 * @example
 * ```ts
 * const asService = pipelineServiceRole(ctx.baseline, ip.arn);
 * if (asService) return asService;
 * ```
 */
export function pipelineServiceRole(baseline: Baseline, arn: string): Verdict | undefined {
  const service = pipelineServiceOf(baseline, arn);
  if (!service) return undefined;
  return notApplicable(`the service-linked role of ${service}, a pipeline service (principals.services)`, {
    identity: arn,
  });
}
