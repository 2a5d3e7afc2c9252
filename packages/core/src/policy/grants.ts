import { evaluateConditions, type RequestContext } from "./condition.ts";
import {
  type ConditionEntry,
  type PolicyDocument,
  type Statement,
  statementLabel,
  widenVariables,
} from "./document.ts";
import { accountOf } from "./principal.ts";
import { actionMatches, arnMatches, arnPatternCovers, globsIntersect, hasWildcard } from "./wildcard.ts";

/**
 * Who an Allow statement lets in. `everyone` = any caller (possibly narrowed by conditions we could
 * not decide); `account` = any identity of that account; `arn` = one role/user (or an ARN pattern
 * from an `ArnLike aws:PrincipalArn` condition); `service`; `other` = federated, canonical user or an
 * unresolvable unique id.
 */
export type GrantPrincipal =
  | { kind: "everyone" }
  | { kind: "account"; accountId: string }
  | { kind: "arn"; arn: string; accountId?: string }
  | { kind: "service"; service: string }
  | { kind: "other"; value: string };

export interface Grant {
  statement: string;
  principal: GrantPrincipal;
  /** Actions of the question list that this statement grants. */
  actions: string[];
  /** Conditions left undecided (empty when the grant is unconditional). */
  undecided: string[];
  /**
   * With `{ others: known }`: the statement's Action patterns that may grant S3 actions outside `known`
   * (a wildcard, or an action not in it), as written; `"*"` for a NotAction statement.
   */
  otherActions?: string[];
}

const NARROWING_KEYS = new Set(["aws:principalarn", "aws:principalaccount"]);
const NARROWING_OPS = new Set(["stringequals", "stringlike", "arnequals", "arnlike"]);

/**
 * Enumerate who an Allow grants any of `actions` on (part of) `resource`, from a resource-based
 * policy. `Principal: "*"` narrowed by a positive `aws:PrincipalArn` / `aws:PrincipalAccount`
 * condition becomes those principals; any other condition is evaluated against `context` and, when
 * undecidable, listed in `undecided` (the grant still counts: it may allow).
 *
 * @example
 * ```ts
 * principalGrants(doc, ["s3:GetObject"], "arn:aws:s3:::phi-recordings/*");
 * // [{ statement: "ReadForQa", principal: { kind: "arn", arn: "arn:aws:iam::1111…:role/qa" }, … }]
 * ```
 */
export function principalGrants(
  doc: PolicyDocument,
  actions: readonly string[],
  resource: string,
  context: RequestContext = {},
  options: { others?: readonly string[] } = {},
): Grant[] {
  const out: Grant[] = [];
  for (const s of doc.statements) {
    if (s.effect !== "Allow") continue;
    const granted = actions.filter((a) =>
      s.action ? s.action.some((p) => actionMatches(p, a)) : !s.notAction!.some((p) => actionMatches(p, a)),
    );
    const others = options.others ? otherS3Actions(s, options.others) : [];
    if ((granted.length === 0 && others.length === 0) || !reaches(s, resource)) continue;
    const { principals, rest } = narrow(s);
    const c = evaluateConditions(rest, context);
    if (c.result === false) continue;
    const undecided = c.result === "maybe" ? c.undecided : [];
    if (s.notPrincipal) undecided.push("NotPrincipal (everyone except the listed principals)");
    for (const principal of principals)
      out.push({
        statement: statementLabel(s),
        principal,
        actions: granted,
        undecided: [...undecided],
        ...(others.length > 0 ? { otherActions: others } : {}),
      });
  }
  return out;
}

/**
 * The Action patterns of an Allow that may grant an S3 action not in `listed`: a wildcard that can
 * name an S3 action (it may reach unlisted ones) or an S3 action not listed; `"*"` for NotAction
 * unless it excludes every S3 action. Those a question list matches are also reported as `actions`.
 */
function otherS3Actions(s: Statement, listed: readonly string[]): string[] {
  if (s.notAction) return s.notAction.some((p) => p === "*" || p.toLowerCase() === "s3:*") ? [] : ["*"];
  const known = new Set(listed.map((a) => a.toLowerCase()));
  return (s.action ?? []).filter(
    (p) => globsIntersect(p.toLowerCase(), "s3:*") && (hasWildcard(p) || !known.has(p.toLowerCase())),
  );
}

function reaches(s: Statement, resource: string): boolean {
  const set = hasWildcard(resource);
  if (s.resource)
    return s.resource.some((p) => {
      // A policy variable may take any value: the grant counts where some value reaches the resource.
      if (s.variables) p = widenVariables(p);
      return set ? globsIntersect(p, resource) : arnMatches(p, resource);
    });
  if (s.notResource) return !s.notResource.some((p) => arnPatternCovers(p, resource));
  return true;
}

function classify(value: string): GrantPrincipal {
  if (/^\d{12}$/.test(value) || /^arn:aws[\w-]*:iam::\d{12}:root$/.test(value))
    return { kind: "account", accountId: accountOf(value)! };
  if (/^arn:aws[\w-]*:(iam|sts)::/.test(value)) {
    const accountId = accountOf(value);
    return { kind: "arn", arn: value, ...(accountId ? { accountId } : {}) };
  }
  return { kind: "other", value };
}

function narrow(s: Statement): { principals: GrantPrincipal[]; rest: ConditionEntry[] } {
  const everyone = s.principal?.any === true || s.notPrincipal !== undefined;
  const listed: GrantPrincipal[] = s.principal
    ? [
        ...s.principal.aws.map(classify),
        ...s.principal.service.map((service) => ({ kind: "service" as const, service })),
        ...s.principal.federated.map((value) => ({ kind: "other" as const, value })),
        ...s.principal.canonicalUser.map((value) => ({
          kind: "other" as const,
          value: `canonical:${value}`,
        })),
      ]
    : [];
  if (!everyone) return { principals: listed, rest: s.conditions };
  // `Principal: "*"` with a positive, non-IfExists condition on the caller's ARN or account lets in
  // exactly those callers (anonymous callers have no such key, so they fail a non-IfExists test).
  const rest: ConditionEntry[] = [];
  let narrowed: GrantPrincipal[] | undefined;
  for (const c of s.conditions) {
    const op = c.operator.toLowerCase();
    if (
      !s.notPrincipal &&
      NARROWING_KEYS.has(c.key.toLowerCase()) &&
      NARROWING_OPS.has(op) &&
      !hasVariable(c)
    ) {
      const these = c.values.map((v) =>
        c.key.toLowerCase() === "aws:principalaccount" && /^\d{12}$/.test(v) && !hasWildcard(v)
          ? ({ kind: "account", accountId: v } as const)
          : classify(v),
      );
      // Two narrowing conditions must both hold: keep the stricter (first) list and still evaluate
      // the second as undecided, which can only over-report.
      if (narrowed === undefined) narrowed = these;
      else rest.push(c);
    } else rest.push(c);
  }
  return { principals: narrowed ?? [{ kind: "everyone" }], rest };
}

function hasVariable(c: ConditionEntry): boolean {
  return c.values.some((v) => v.includes("${"));
}
