/**
 * A CONCRETE reference evaluator for the differential test (differential.test.ts): one request — a
 * requester, one action, one resource ARN, every condition key known (present with a value, or
 * absent) — against raw policy JSON, written straight from the IAM User Guide and independent of
 * phiwatch's evaluator (it parses nothing with phiwatch's code):
 *
 * - "Policy evaluation logic": an explicit Deny wins, then an Allow, else the implicit deny. A
 *   permissions boundary must also allow.
 * - "IAM JSON policy elements: Action / NotAction": case-insensitive, `*` and `?` wildcards.
 * - "… Resource / NotResource": case-sensitive; `*` and `?` within one colon-separated segment, and a
 *   `*` that ends a segment may run on across colons.
 * - "… Principal": `*` and `{"AWS":"*"}` are everyone, anonymous callers included; an account (id or
 *   `:root` ARN) is every identity of it; a role ARN every session of the role; a session ARN that
 *   session; a service principal that service.
 * - "… NotPrincipal": "AWS might validate the account first, then the role, then the assumed-role
 *   user"; the docs recommend listing the user with its account, or the role with its account, and
 *   say a policy that lists the user alone "might" deny the account. So: exempted for certain when
 *   every identity of the chain (account, role, session) is listed; possibly exempted when the
 *   requester's own ARN, or its role's ARN, is listed.
 * - "… Condition operators": a key absent from the request makes a condition false, except a negated
 *   operator (`StringNotEquals`, `ArnNotLike`, …: true), `…IfExists` (true) and `Null`; several values
 *   of one key are ORed (NORed for a negated operator); keys and operators are ANDed; condition key
 *   names are case-insensitive. `ArnLike`/`ArnEquals` compare the six colon-separated parts; the docs
 *   define nothing for a pattern of fewer parts, so that case is "maybe".
 *
 * Where the docs leave the answer open the reference says `"maybe"` (Tri). A request is then
 * `possiblyAllowed` (some reading allows it), `surelyAllowed` (every reading does) or `surelyDenied`
 * (an explicit Deny applies under every reading).
 */

export type Tri = true | false | "maybe";

const and3 = (a: Tri, b: Tri): Tri =>
  a === false || b === false ? false : a === "maybe" || b === "maybe" ? "maybe" : true;
const not3 = (a: Tri): Tri => (a === "maybe" ? "maybe" : !a);
const some3 = <T>(xs: readonly T[], f: (x: T) => Tri): Tri => {
  let r: Tri = false;
  for (const x of xs) {
    const v = f(x);
    if (v === true) return true;
    if (v === "maybe") r = "maybe";
  }
  return r;
};

/** A concrete requester. `arn` is what a Principal element names (user, session or root ARN). */
export interface Requester {
  name: string;
  kind: "aws" | "service" | "anonymous";
  account?: string;
  arn?: string;
  /** The role of a session (`arn:aws:iam::…:role/…`), which is also its aws:PrincipalArn. */
  roleArn?: string;
  service?: string;
  orgId?: string;
}

/** The request's condition keys, lower-cased; a key that is not there is absent from the request. */
export type Context = Readonly<Record<string, string>>;

export interface Request {
  requester: Requester;
  action: string;
  resource: string;
  context: Context;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const strs = (v: unknown): string[] => list(v).map(String);

/** Whole-string glob: `*` any run, `?` one character. */
export function glob(pattern: string, s: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? s.toLowerCase() : s;
  const go = (i: number, j: number): boolean => {
    if (i === p.length) return j === t.length;
    if (p[i] === "*") return go(i + 1, j) || (j < t.length && go(i, j + 1));
    return j < t.length && (p[i] === "?" || p[i] === t[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** Resource ARN match: wildcards stay in their segment, except a `*` that ends one. */
export function resourceMatches(pattern: string, arn: string): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === arn.length;
    const c = pattern[i];
    if (c === "*") {
      const endsSegment = i + 1 === pattern.length || pattern[i + 1] === ":";
      return go(i + 1, j) || (j < arn.length && (endsSegment || arn[j] !== ":") && go(i, j + 1));
    }
    if (c === "?") return j < arn.length && arn[j] !== ":" && go(i + 1, j + 1);
    return j < arn.length && c === arn[j] && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** ArnLike / ArnEquals: the six parts each matched as a glob; fewer parts in the pattern: undocumented. */
function arnLike(pattern: string, value: string): Tri {
  const six = (s: string) => {
    const parts = s.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = six(pattern);
  const v = six(value);
  if (!v) return false;
  if (!p) return pattern === value ? true : "maybe";
  return p.every((x, i) => glob(x, v[i]!));
}

function conditionEntry(op: string, key: string, values: string[], ctx: Context): Tri {
  let base = op.toLowerCase();
  const ifExists = base.endsWith("ifexists");
  if (ifExists) base = base.slice(0, -"ifexists".length);
  const v = ctx[key.toLowerCase()];
  if (base === "null") {
    const absent = v === undefined;
    return values.some((x) => (x.toLowerCase() === "true" ? absent : x.toLowerCase() === "false" && !absent));
  }
  const negated = /not/.test(base);
  if (v === undefined) return ifExists || negated;
  const positive = (b: string): Tri => {
    switch (b) {
      case "stringequals":
        return values.includes(v);
      case "stringequalsignorecase":
        return values.some((x) => x.toLowerCase() === v.toLowerCase());
      case "stringlike":
        return values.some((x) => glob(x, v));
      case "arnequals":
      case "arnlike":
        return some3(values, (x) => arnLike(x, v));
      case "bool":
        return values.some((x) => x.toLowerCase() === v.toLowerCase());
      default:
        throw new Error(`reference: operator ${op} not modelled`);
    }
  };
  return negated ? not3(positive(base.replace("not", ""))) : positive(base);
}

function conditions(cond: unknown, ctx: Context): Tri {
  let r: Tri = true;
  for (const [op, block] of Object.entries((cond ?? {}) as Record<string, Record<string, unknown>>))
    for (const [key, vals] of Object.entries(block)) r = and3(r, conditionEntry(op, key, strs(vals), ctx));
  return r;
}

/** Does one Principal element name the requester? */
function names(el: unknown, r: Requester): boolean {
  if (el === "*") return true;
  const o = el as Record<string, unknown>;
  for (const v of strs(o.AWS)) {
    if (v === "*") return true;
    if (r.kind !== "aws") continue;
    if (v === r.account || v === `arn:aws:iam::${r.account}:root`) return true;
    if (v === r.arn || (r.roleArn !== undefined && v === r.roleArn)) return true;
  }
  return r.kind === "service" && strs(o.Service).includes(r.service!);
}

/** Does a NotPrincipal element exempt the requester (see the header)? */
function exempts(el: unknown, r: Requester): Tri {
  if (el === "*" || strs((el as Record<string, unknown>).AWS).includes("*")) return true;
  if (r.kind === "service") return strs((el as Record<string, unknown>).Service).includes(r.service!);
  if (r.kind === "anonymous") return false;
  const listed = new Set(strs((el as Record<string, unknown>).AWS));
  const accountListed = listed.has(r.account!) || listed.has(`arn:aws:iam::${r.account}:root`);
  const own = r.arn!.endsWith(":root") ? accountListed : listed.has(r.arn!);
  const role = r.roleArn !== undefined && listed.has(r.roleArn);
  if (accountListed && own && (r.roleArn === undefined || role)) return true;
  return own || role ? "maybe" : false;
}

/** Does one statement apply to the request? */
export function statementApplies(s: Record<string, unknown>, q: Request): Tri {
  const action =
    s.Action !== undefined
      ? strs(s.Action).some((p) => glob(p, q.action, true))
      : !strs(s.NotAction).some((p) => glob(p, q.action, true));
  if (!action) return false;
  const resource =
    s.Resource !== undefined
      ? strs(s.Resource).some((p) => resourceMatches(p, q.resource))
      : !strs(s.NotResource).some((p) => resourceMatches(p, q.resource));
  if (!resource) return false;
  let r: Tri = true;
  if (s.Principal !== undefined) r = names(s.Principal, q.requester);
  else if (s.NotPrincipal !== undefined) r = not3(exempts(s.NotPrincipal, q.requester));
  return and3(r, conditions(s.Condition, q.context));
}

export interface Outcome {
  possiblyAllowed: boolean;
  surelyAllowed: boolean;
  surelyDenied: boolean;
}

/** One policy set: explicit Deny, then Allow, else implicit deny — under every reading of a `maybe`. */
export function evaluate(docs: readonly unknown[], q: Request): Outcome {
  let deny: Tri = false;
  let allow: Tri = false;
  for (const d of docs)
    for (const s of list((d as Record<string, unknown>).Statement) as Record<string, unknown>[]) {
      const a = statementApplies(s, q);
      if (s.Effect === "Deny") deny = deny === true || a === true ? true : deny || a ? "maybe" : false;
      else allow = allow === true || a === true ? true : allow || a ? "maybe" : false;
    }
  return {
    possiblyAllowed: deny !== true && allow !== false,
    surelyAllowed: deny === false && allow === true,
    surelyDenied: deny === true,
  };
}

/** Identity policies limited by a permissions boundary: both must allow. */
export function evaluateIdentity(docs: readonly unknown[], boundary: unknown, q: Request): Outcome {
  const d = evaluate(docs, q);
  if (boundary === undefined) return d;
  const b = evaluate([boundary], q);
  return {
    possiblyAllowed: d.possiblyAllowed && b.possiblyAllowed,
    surelyAllowed: d.surelyAllowed && b.surelyAllowed,
    surelyDenied: d.surelyDenied || b.surelyDenied,
  };
}

/** The condition keys AWS sets from the requester (absent keys left out). */
export function requesterContext(r: Requester): Record<string, string> {
  if (r.kind === "anonymous") return {};
  if (r.kind === "service")
    return { "aws:principalisawsservice": "true", "aws:principalservicename": r.service! };
  return {
    "aws:principalarn": r.roleArn ?? r.arn!,
    "aws:principalaccount": r.account!,
    ...(r.orgId ? { "aws:principalorgid": r.orgId } : {}),
    "aws:principalisawsservice": "false",
  };
}
