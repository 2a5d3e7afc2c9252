import { and, evaluateConditions, type RequestContext, type Tri } from "./condition.ts";
import {
  hasVariable,
  type PolicyDocument,
  type Statement,
  statementLabel,
  widenVariables,
} from "./document.ts";
import {
  notPrincipalExempts,
  principalContext,
  principalMatches,
  type RequestPrincipal,
} from "./principal.ts";
import { actionMatches, arnMatches, arnPatternCovers, globsIntersect, hasWildcard } from "./wildcard.ts";

/**
 * The question asked of a policy: can `principal` perform `action` on `resource` under `context`?
 * `resource` may be a pattern standing for a *set* of resources (`arn:aws:s3:::phi-recordings/*`):
 * an Allow counts when it reaches some of them, a Deny only when it provably covers all of them.
 */
export interface Question {
  /** A concrete action, e.g. `s3:GetObject`. */
  action: string;
  resource: string;
  /** Required for resource-based policies (bucket and key policies); omit for identity policies. */
  principal?: RequestPrincipal;
  /** Condition keys the question fixes (`aws:SecureTransport: "false"`); others stay undecided. */
  context?: RequestContext;
}

/** A statement in evidence: which policy, its Sid or index, and what could not be decided. */
export interface StatementRef {
  policy?: string;
  statement: string;
  undecided?: string[];
}

/**
 * The answer. `allow` and `deny` are proven (`deny`: an explicit Deny refuses every request the
 * question stands for); `implicit-deny` means no statement allows (possibly because Denies cancel every
 * Allow, listed in `deniedBy`);
 * `conditional` means the outcome depends on conditions we cannot decide — controls treat it as
 * "possibly allowed" and say "cannot prove" in evidence.
 */
export interface Decision {
  effect: "allow" | "deny" | "implicit-deny" | "conditional";
  allowedBy: StatementRef[];
  deniedBy: StatementRef[];
  conditionalAllow: StatementRef[];
  conditionalDeny: StatementRef[];
}

/** A named policy document (name used in evidence: a policy ARN, `inline:<name>`, `bucket-policy`). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

function resourceApplies(s: Statement, resource: string): Tri {
  const r = literalResourceApplies(s, resource);
  if (!s.variables) return r;
  // A policy variable takes the requester's value (a tag, a user name): an answer that some value
  // could change is undecided. Read literally, a pattern with a variable neither covers a set nor
  // leaves one out, so only the other answer needs the widened pattern.
  if (s.effect === "Allow") return r === false && variableReaches(s.resource, resource) ? "maybe" : r;
  if (r === false) return variableReaches(s.resource, resource) ? "maybe" : false;
  return variableReaches(s.notResource, resource) ? "maybe" : r;
}

/** Whether a pattern of `patterns` with a policy variable could name (part of) `resource` for some value. */
function variableReaches(patterns: readonly string[] | undefined, resource: string): boolean {
  return !!patterns?.some((p) => hasVariable(p) && globsIntersect(widenVariables(p), resource));
}

function literalResourceApplies(s: Statement, resource: string): Tri {
  const set = hasWildcard(resource);
  if (s.effect === "Allow") {
    // Some resource of the set is reached.
    if (s.resource)
      return s.resource.some((p) => (set ? globsIntersect(p, resource) : arnMatches(p, resource)));
    if (s.notResource) return !s.notResource.some((p) => arnPatternCovers(p, resource));
    return true; // resource policies may omit Resource only when invalid; be conservative for Allow
  }
  // Deny: every resource of the set must be covered.
  if (s.resource) return s.resource.some((p) => arnPatternCovers(p, resource));
  if (s.notResource)
    return !s.notResource.some((p) => (set ? globsIntersect(p, resource) : arnMatches(p, resource)));
  return false;
}

/**
 * Whether a statement is about `action`, remembered per statement: every question of every identity
 * control asks it of every statement (a managed policy's statements are shared by all the roles it is
 * attached to), and matching each Action pattern again cost more than the rest of the evaluation.
 * The answer depends only on the statement's Action/NotAction, which never change once parsed.
 * `bit` is the action's number in `ACTION_BITS` (0 when it has none): for the actions controls ask
 * about, the answers are two bits of the statement's memory, read without a map lookup.
 */
function actionApplies(s: Statement, action: string, bit: number): boolean {
  let memo = (s as { [APPLIES]?: ActionMemory })[APPLIES];
  if (memo === undefined) {
    // Statements frozen by a caller are matched every time (the same answer, uncached).
    if (!Object.isExtensible(s)) return matchActionList(s, action);
    memo = { known: 0, applies: 0, others: undefined };
    Object.defineProperty(s, APPLIES, { value: memo });
  }
  if (bit !== 0) {
    if ((memo.known & bit) !== 0) return (memo.applies & bit) !== 0;
    const r = matchActionList(s, action);
    memo.known |= bit;
    if (r) memo.applies |= bit;
    return r;
  }
  let r = memo.others?.get(action);
  if (r === undefined) {
    r = matchActionList(s, action);
    memo.others ??= new Map();
    if (memo.others.size < MAX_CACHED_ACTIONS) memo.others.set(action, r);
  }
  return r;
}

/** What a statement knows of the actions asked about it: answers for numbered actions, then the others. */
interface ActionMemory {
  /** Numbered actions (`ACTION_BITS`) answered so far. */
  known: number;
  /** Of those, the ones the statement is about. */
  applies: number;
  others: Map<string, boolean> | undefined;
}

/** Per-statement answers of `actionApplies` (non-enumerable: JSON, keys and equality skip it). */
const APPLIES: unique symbol = Symbol("phiwatch.actionApplies");
/** Distinct actions remembered per statement by name, besides the numbered ones. */
const MAX_CACHED_ACTIONS = 64;
/**
 * The first actions asked about in this process, each numbered with one bit (controls ask about a
 * dozen S3 and KMS actions, the same ones for every statement). Later actions have none and are
 * remembered by name.
 */
const ACTION_BITS = new Map<string, number>();
const MAX_ACTION_BITS = 30;

/** The bit numbering `action` in every statement's memory, or 0 once every bit is taken. */
function actionBit(action: string): number {
  let bit = ACTION_BITS.get(action);
  if (bit === undefined) {
    if (ACTION_BITS.size >= MAX_ACTION_BITS) return 0;
    bit = 1 << ACTION_BITS.size;
    ACTION_BITS.set(action, bit);
  }
  return bit;
}

function matchActionList(s: Statement, action: string): boolean {
  if (s.action) return anyActionMatches(s.action, action);
  if (s.notAction) return !anyActionMatches(s.notAction, action);
  return false;
}

function anyActionMatches(patterns: readonly string[], action: string): boolean {
  for (let i = 0; i < patterns.length; i++) if (actionMatches(patterns[i]!, action)) return true;
  return false;
}

/** Whether any statement of the policies is about `action` (Action matches, or NotAction does not). */
export function mentionsAction(policies: readonly NamedPolicy[], action: string): boolean {
  const bit = actionBit(action);
  for (const p of policies)
    for (const s of p.document.statements) if (actionApplies(s, action, bit)) return true;
  return false;
}

/**
 * Does one statement apply to the question? `maybe` when a condition or principal cannot be decided.
 *
 * @example
 * ```ts
 * statementApplies(doc.statements[0]!, { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" });
 * ```
 */
export function statementApplies(
  s: Statement,
  q: Question,
  context?: RequestContext,
): { applies: Tri; undecided: string[] } {
  if (!actionApplies(s, q.action, actionBit(q.action))) return { applies: false, undecided: [] };
  return statementAppliesToAction(s, q, context);
}

/** `statementApplies` for a statement already known to be about the question's action. */
function statementAppliesToAction(
  s: Statement,
  q: Question,
  context: RequestContext | undefined,
): { applies: Tri; undecided: string[] } {
  let applies: Tri = resourceApplies(s, q.resource);
  if (applies === false) return { applies, undecided: [] };
  const undecided: string[] = [];
  if (applies === "maybe") undecided.push(...variablePatterns(s));
  if (s.principal || s.notPrincipal) {
    if (!q.principal) {
      applies = "maybe";
      undecided.push("Principal");
    } else {
      // A question's principal may stand for several callers: an Allow counts when it reaches some of
      // them, a Deny only when it reaches all of them.
      const reach = s.effect === "Allow" ? "some" : "all";
      const p: Tri = s.principal
        ? principalMatches(s.principal, q.principal, reach)
        : notExempt(notPrincipalExempts(s.notPrincipal!, q.principal, reach));
      if (p === false) return { applies: false, undecided: [] };
      if (p === "maybe") undecided.push(s.principal ? "Principal" : "NotPrincipal");
      applies = and(applies, p);
    }
  }
  // No conditions: nothing to decide (and no request context to build).
  if (s.conditions.length === 0) return { applies, undecided };
  const c = evaluateConditions(s.conditions, context ?? questionContext(q));
  if (c.result === false) return { applies: false, undecided: [] };
  return { applies: and(applies, c.result), undecided: [...undecided, ...c.undecided] };
}

/** `Resource p` / `NotResource p` for each pattern of the statement that holds a policy variable. */
function variablePatterns(s: Statement): string[] {
  return [
    ...(s.resource ?? []).filter(hasVariable).map((p) => `Resource ${p}`),
    ...(s.notResource ?? []).filter(hasVariable).map((p) => `NotResource ${p}`),
  ];
}

/** The request context of a question: the principal's keys, then the keys the question fixes. */
function questionContext(q: Question): RequestContext {
  return q.principal ? { ...principalContext(q.principal), ...q.context } : (q.context ?? {});
}

function notExempt(t: Tri): Tri {
  return t === "maybe" ? "maybe" : !t;
}

/**
 * Evaluate policies together as AWS does for one question: an explicit Deny wins, then any Allow,
 * else the implicit deny. Undecidable statements make the answer `conditional` rather than a guess.
 *
 * @example
 * ```ts
 * const d = evaluatePolicies([{ name: "bucket-policy", document }], {
 *   action: "s3:GetObject", resource: "arn:aws:s3:::phi-recordings/*",
 *   principal: { kind: "everyone" }, context: { "aws:SecureTransport": "false" },
 * });
 * d.effect; // "deny" when a Deny on aws:SecureTransport=false covers the objects
 * ```
 */
export function evaluatePolicies(policies: readonly NamedPolicy[], q: Question): Decision {
  // Lists are created when something goes in (most questions match no statement at all): this runs
  // for every action and PHI pattern an identity control asks, of every role.
  let deniedBy: StatementRef[] | undefined;
  let conditionalDeny: StatementRef[] | undefined;
  let allows: Array<{ s: Statement; ref: StatementRef; definite: boolean }> | undefined;
  // One context object per question, so condition evaluation can reuse its lower-cased keys.
  let context: RequestContext | undefined;
  const bit = actionBit(q.action);
  for (const { name, document } of policies) {
    for (const s of document.statements) {
      // Most statements are about other actions: the cheap test first (statementApplies starts with it).
      if (!actionApplies(s, q.action, bit)) continue;
      if (s.conditions.length > 0) context ??= questionContext(q);
      const r = statementAppliesToAction(s, q, context);
      if (r.applies === false) continue;
      const ref: StatementRef = { policy: name, statement: statementLabel(s) };
      if (r.applies === "maybe") ref.undecided = r.undecided;
      if (s.effect === "Deny" && r.applies === true) deniedBy = append(deniedBy, ref);
      else if (s.effect === "Deny") conditionalDeny = append(conditionalDeny, ref);
      else allows = append(allows, { s, ref, definite: r.applies === true });
    }
  }
  // An explicit Deny of the whole question wins over everything.
  if (deniedBy) return decision("deny", undefined, deniedBy, undefined, conditionalDeny);
  let allowedBy: StatementRef[] | undefined;
  let conditionalAllow: StatementRef[] | undefined;
  const set = allows !== undefined && hasWildcard(q.resource);
  for (const a of allows ?? []) {
    // Asked about a set of resources, a Deny that covers everything this Allow reaches in the set
    // cancels it (Allow and Deny on `b/connect/*`, asked about `b/*`) even though it does not cover
    // the whole set.
    const cancelledBy = set ? cancelling(a.s, policies, q) : undefined;
    if (cancelledBy) for (const ref of cancelledBy) deniedBy = append(deniedBy, ref);
    else if (a.definite) allowedBy = append(allowedBy, a.ref);
    else conditionalAllow = append(conditionalAllow, a.ref);
  }
  // Allows cancelled by Denies leave nothing allowed, but not an explicit Deny of the whole question
  // (the rest of the set is refused by no statement, so an identity policy may still allow it): the
  // implicit deny, with the cancelling Denies in `deniedBy`.
  const effect: Decision["effect"] = allowedBy
    ? conditionalDeny
      ? "conditional"
      : "allow"
    : conditionalAllow
      ? "conditional"
      : "implicit-deny";
  return decision(effect, allowedBy, deniedBy, conditionalAllow, conditionalDeny);
}

/** `list` with `x` pushed, creating the list on first use. */
function append<T>(list: T[] | undefined, x: T): T[] {
  if (!list) return [x];
  list.push(x);
  return list;
}

function decision(
  effect: Decision["effect"],
  allowedBy: StatementRef[] | undefined,
  deniedBy: StatementRef[] | undefined,
  conditionalAllow: StatementRef[] | undefined,
  conditionalDeny: StatementRef[] | undefined,
): Decision {
  return {
    effect,
    allowedBy: allowedBy ?? [],
    deniedBy: deniedBy ?? [],
    conditionalAllow: conditionalAllow ?? [],
    conditionalDeny: conditionalDeny ?? [],
  };
}

/**
 * Definite Deny statements (of `policies`, in order) that cover every pattern of `allow` that reaches
 * the question's set.
 */
function cancelling(
  allow: Statement,
  policies: readonly NamedPolicy[],
  q: Question,
): StatementRef[] | undefined {
  if (!allow.resource) return undefined;
  // A pattern with a policy variable is cancelled only where every value of it is denied.
  const patterns = allow.variables ? allow.resource.map(widenVariables) : allow.resource;
  const reached = patterns.filter((p) => globsIntersect(p, q.resource));
  if (reached.length === 0) return undefined;
  const used = new Map<Statement, StatementRef>();
  for (const p of reached) {
    const by = firstDenyCovering(policies, { ...q, resource: p });
    if (!by) return undefined;
    used.set(by.s, { policy: by.policy, statement: statementLabel(by.s) });
  }
  return [...used.values()];
}

function firstDenyCovering(
  policies: readonly NamedPolicy[],
  q: Question,
): { s: Statement; policy: string } | undefined {
  for (const { name, document } of policies)
    for (const s of document.statements)
      if (s.effect === "Deny" && statementApplies(s, q).applies === true) return { s, policy: name };
  return undefined;
}

/**
 * An identity's effective permission: its identity policies, limited by a permissions boundary when
 * one is set (both must allow). A boundary that could not be resolved is left out, which can only
 * over-report access.
 */
export function evaluateIdentity(
  identity: readonly NamedPolicy[],
  q: Question,
  boundary?: NamedPolicy,
): Decision {
  const d = evaluatePolicies(identity, q);
  if (!boundary || d.effect === "deny" || d.effect === "implicit-deny") return d;
  const b = evaluatePolicies([boundary], q);
  if (b.effect === "deny" || b.effect === "implicit-deny")
    return { ...d, effect: b.effect, deniedBy: [...d.deniedBy, ...b.deniedBy] };
  if (b.effect === "conditional")
    return { ...d, effect: "conditional", conditionalDeny: [...d.conditionalDeny, ...b.conditionalAllow] };
  return d;
}

/** True when the decision may let the request through (`allow` or `conditional`). */
export function mayAllow(d: Decision): boolean {
  return d.effect === "allow" || d.effect === "conditional";
}
