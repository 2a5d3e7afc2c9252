import type { ConditionEntry } from "./document.ts";
import { arnLike, stringLike } from "./wildcard.ts";

/** Three-valued answer: `"maybe"` when the policy depends on something the question does not fix. */
export type Tri = true | false | "maybe";

/**
 * A request-context value: a string, a multi-valued key, or `null` when the key is known to be absent
 * from the request. Keys the context does not mention are unknown, and conditions on them are undecided.
 */
export type ContextValue = string | readonly string[] | null;
/** Condition keys of the request asked about. Keys are matched case-insensitively, as AWS does. */
export type RequestContext = Readonly<Record<string, ContextValue>>;

export interface ConditionResult {
  result: Tri;
  /** `Operator key` of each condition that could not be decided (when `result` is `"maybe"`). */
  undecided: string[];
}

const STRING_OPS = new Set([
  "stringequals",
  "stringnotequals",
  "stringequalsignorecase",
  "stringnotequalsignorecase",
  "stringlike",
  "stringnotlike",
  "arnequals",
  "arnlike",
  "arnnotequals",
  "arnnotlike",
  "bool",
  "null",
]);

/**
 * Condition keys of type Boolean that questions may fix (IAM User Guide, "AWS global condition context
 * keys"; KMS's `kms:GrantIsForAWSResource`), lower-cased.
 */
const BOOLEAN_KEYS = new Set([
  "aws:securetransport",
  "aws:principalisawsservice",
  "aws:multifactorauthpresent",
  "aws:viaawsservice",
  "kms:grantisforawsresource",
]);

/**
 * Evaluate a statement's conditions (AND across entries) against what the question fixes. Operators
 * that compare strings, ARNs, booleans and presence are decided; numeric, date, IP and binary
 * operators, policy variables, keys the context does not give, a Boolean key under a string or ARN
 * operator and a Bool value other than `true`/`false` are left undecided (`"maybe"`).
 *
 * @example
 * ```ts
 * evaluateConditions([{ operator: "Bool", key: "aws:SecureTransport", values: ["false"] }],
 *   { "aws:securetransport": "false" }); // { result: true, undecided: [] }
 * ```
 */
export function evaluateConditions(
  entries: readonly ConditionEntry[],
  context: RequestContext,
): ConditionResult {
  const lowered = lowerKeys(context);
  let result: Tri = true;
  const undecided: string[] = [];
  for (const entry of entries) {
    const r = evaluateEntry(entry, lowered);
    if (r === false) return { result: false, undecided: [] };
    if (r === "maybe") {
      result = "maybe";
      undecided.push(`${entry.operator} ${entry.key}`);
    }
  }
  return { result, undecided };
}

/**
 * A context's keys lower-cased, kept on the context (one per question, read by each of its conditioned
 * statements) in a non-enumerable symbol property: not a `WeakMap` (see `memoOn` for why a long-lived
 * `WeakMap` keyed on young objects costs garbage collection time).
 */
const LOWERED: unique symbol = Symbol("phiwatch.loweredContext");
function lowerKeys(context: RequestContext): Map<string, ContextValue> {
  const held = (context as { [LOWERED]?: Map<string, ContextValue> })[LOWERED];
  if (held !== undefined && Object.hasOwn(context, LOWERED)) return held;
  const m = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  // A frozen context is lowered every time (the same answer, uncached).
  if (Object.isExtensible(context)) Object.defineProperty(context, LOWERED, { value: m });
  return m;
}

interface Operator {
  set?: "any" | "all";
  base: string;
  ifExists: boolean;
}

function parseOperator(op: string): Operator {
  let rest = op;
  let set: Operator["set"];
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === "foranyvalue") set = "any";
    else if (q === "forallvalues") set = "all";
    else set = undefined;
    rest = rest.slice(colon + 1);
  }
  let base = rest.toLowerCase();
  const ifExists = base.endsWith("ifexists");
  if (ifExists) base = base.slice(0, -"ifexists".length);
  return { ...(set ? { set } : {}), base, ifExists };
}

function evaluateEntry(entry: ConditionEntry, context: Map<string, ContextValue>): Tri {
  const op = parseOperator(entry.operator);
  if (entry.operator.includes(":") && !op.set) return "maybe"; // unknown qualifier
  if (!STRING_OPS.has(op.base)) return "maybe";
  const key = entry.key.toLowerCase();
  if (!context.has(key)) return "maybe";
  // A Boolean key is compared by Bool (and tested by Null): how a string or ARN operator compares it
  // is not documented, so a Deny written that way is not proven to apply, nor an Allow to miss.
  if (BOOLEAN_KEYS.has(key) && op.base !== "bool" && op.base !== "null") return "maybe";
  // Policy variables (`${aws:username}`) depend on the caller: not decided here.
  if (entry.values.some((v) => v.includes("${"))) return "maybe";
  const raw = context.get(key)!;
  if (op.base === "null") {
    const wantsAbsent = entry.values.some((v) => v.toLowerCase() === "true");
    const wantsPresent = entry.values.some((v) => v.toLowerCase() === "false");
    const absent = raw === null || (Array.isArray(raw) && raw.length === 0);
    return (absent && wantsAbsent) || (!absent && wantsPresent);
  }
  const negated = op.base.includes("not");
  if (raw === null || (Array.isArray(raw) && raw.length === 0)) {
    if (op.ifExists) return true;
    if (op.set === "all") return true; // ForAllValues over an empty set is vacuously true
    if (op.set === "any") return false;
    return negated; // a negated operator on a missing key is true (AWS documents this)
  }
  const values: readonly string[] = typeof raw === "string" ? [raw] : raw;
  const tests = values.map((v) => matchesOne(op.base, entry.values, v));
  if (op.set === "all") return tests.includes(false) ? false : tests.includes("maybe") ? "maybe" : true;
  return tests.includes(true) ? true : tests.includes("maybe") ? "maybe" : false;
}

/** Any of the ARN patterns matches `v`: true on a match, `"maybe"` when only an undecided one might. */
function anyArnLike(policyValues: readonly string[], v: string): Tri {
  let r: Tri = false;
  for (const p of policyValues) {
    const m = arnLike(p, v);
    if (m === true) return true;
    if (m === "maybe") r = "maybe";
  }
  return r;
}

/** Whether the single context value `v` satisfies the base operator against the policy values. */
function matchesOne(base: string, policyValues: readonly string[], v: string): Tri {
  switch (base) {
    case "stringequals":
      return policyValues.includes(v);
    case "stringnotequals":
      return !policyValues.includes(v);
    case "stringequalsignorecase":
      return policyValues.some((p) => p.toLowerCase() === v.toLowerCase());
    case "stringnotequalsignorecase":
      return !policyValues.some((p) => p.toLowerCase() === v.toLowerCase());
    case "stringlike":
      return policyValues.some((p) => stringLike(p, v));
    case "stringnotlike":
      return !policyValues.some((p) => stringLike(p, v));
    case "arnequals":
    case "arnlike":
      return anyArnLike(policyValues, v);
    case "arnnotequals":
    case "arnnotlike": {
      const m = anyArnLike(policyValues, v);
      return m === "maybe" ? m : !m;
    }
    case "bool":
      // AWS documents the values `true` and `false` (a JSON boolean parses to one); another spelling
      // (`False`, `0`) has no documented meaning.
      if (policyValues.includes(v)) return true;
      return policyValues.every((p) => p === "true" || p === "false") ? false : "maybe";
    default:
      return false;
  }
}

/** Three-valued AND. */
export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === "maybe" || b === "maybe") return "maybe";
  return true;
}
