import { InputTooLargeError, InvalidEventError } from "../errors.ts";

/**
 * Largest policy text accepted. AWS's own limits are smaller (bucket policy 20 KB, key policy 32 KB,
 * managed policy 6 144 characters), so anything larger is not a real policy.
 */
export const MAX_POLICY_CHARS = 64 * 1024;
/** Most statements accepted in one document (a 20 KB bucket policy holds a few hundred at most). */
export const MAX_STATEMENTS = 1000;
/** Most values accepted in one Action/Resource/Principal/condition list. */
const MAX_VALUES = 1000;

/** The Principal (or NotPrincipal) element, normalised. `"*"` and `{"AWS":"*"}` both set `any`. */
export interface PrincipalElement {
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

/** One condition entry: `operator` as written (e.g. `ForAnyValue:StringLikeIfExists`), one key, its values. */
export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

/** A policy statement, normalised: every list is an array, absent elements are `undefined`. */
export interface Statement {
  /** Position in the document's Statement list (0-based), for evidence when there is no Sid. */
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalElement;
  notPrincipal?: PrincipalElement;
  conditions: ConditionEntry[];
  /**
   * Resource or NotResource holds a policy variable (`${aws:username}`), which AWS replaces with the
   * request's value. Only under Version 2012-10-17: earlier versions read `${…}` as literal text.
   */
  variables?: true;
}

export interface PolicyDocument {
  version?: string;
  id?: string;
  statements: Statement[];
}

/**
 * Parse a policy document as AWS delivers it: an object, a JSON string, URL-encoded JSON (IAM
 * documents in Config items), or Config's one-element array wrapper. Bad input throws an
 * `InvalidEventError` naming the field; oversized input throws `InputTooLargeError`.
 *
 * @example
 * ```ts
 * const doc = parsePolicyDocument("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D", "policyDocument");
 * doc.statements; // []
 * ```
 */
export function parsePolicyDocument(input: unknown, field = "policy"): PolicyDocument {
  const value = decode(input, field);
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new InvalidEventError("a policy document must be a JSON object", field);
  const doc = value as Record<string, unknown>;
  const raw = doc.Statement;
  if (raw === undefined) throw new InvalidEventError("a policy document needs a Statement", field);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_STATEMENTS)
    throw new InputTooLargeError(`more than ${MAX_STATEMENTS} statements`, `${field}.Statement`);
  const out = {} as PolicyDocument;
  if (typeof doc.Version === "string") out.version = doc.Version;
  if (typeof doc.Id === "string") out.id = doc.Id;
  const variables = doc.Version === "2012-10-17";
  const statements: Statement[] = [];
  for (let i = 0; i < list.length; i++) {
    let st: Statement;
    try {
      st = parseStatement(list[i], i);
    } catch (error) {
      // The field path is spelt only for a statement that is refused (see `BadElement`).
      if (!(error instanceof BadElement)) throw error;
      const at = `${field}.Statement[${i}]${error.path}`;
      throw error.tooLarge
        ? new InputTooLargeError(error.message, at)
        : new InvalidEventError(error.message, at);
    }
    if (variables && (anyVariable(st.resource) || anyVariable(st.notResource))) st.variables = true;
    statements.push(st);
  }
  out.statements = statements;
  return out;
}

function anyVariable(patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return false;
  for (let i = 0; i < patterns.length; i++) if (hasVariable(patterns[i]!)) return true;
  return false;
}

/** Whether a Resource pattern holds a policy variable (`${…}`). */
export function hasVariable(pattern: string): boolean {
  return pattern.includes("${");
}

/**
 * A Resource pattern with each policy variable replaced by `*`: every resource some request's values
 * could make it name.
 *
 * @example
 * ```ts
 * widenVariables("arn:aws:s3:::${aws:PrincipalTag/bucket}/*"); // "arn:aws:s3:::*\/*"
 * ```
 */
export function widenVariables(pattern: string): string {
  return pattern.replace(/\$\{[^}]*\}/g, "*");
}

/**
 * Longest JSON text whose parsed value is certainly within `MAX_POLICY_CHARS` once serialised: every
 * character of a JSON text serialises to at most 6 (a raw lone surrogate becomes a `\uXXXX` escape; an
 * escape, a number, a literal or punctuation never grows more), and whitespace and duplicate keys only
 * shrink it.
 */
const SURELY_SHORT_TEXT = Math.floor(MAX_POLICY_CHARS / 6);

/** `small`: the value was parsed from a JSON text of at most `SURELY_SHORT_TEXT` characters. */
function decode(input: unknown, field: string, depth = 0, small = false): unknown {
  if (depth > 3) throw new InvalidEventError("policy document nested in too many strings", field);
  if (typeof input === "string") {
    if (input.length > MAX_POLICY_CHARS)
      throw new InputTooLargeError(`policy document longer than ${MAX_POLICY_CHARS} characters`, field);
    const text = input.trim();
    const json = /^%7B/i.test(text) ? urlDecode(text, field) : text;
    try {
      return decode(JSON.parse(json), field, depth + 1, json.length <= SURELY_SHORT_TEXT);
    } catch (error) {
      if (error instanceof InvalidEventError) throw error;
      throw new InvalidEventError("policy document is not valid JSON", field, { cause: error });
    }
  }
  // Config's IAM items (as the RDK samples show) may wrap the document in a one-element array.
  if (Array.isArray(input) && input.length === 1) return decode(input[0], field, depth + 1, small);
  if (
    !small &&
    input &&
    typeof input === "object" &&
    !surelyShorterThan(input, MAX_POLICY_CHARS) &&
    JSON.stringify(input).length > MAX_POLICY_CHARS
  )
    throw new InputTooLargeError(`policy document longer than ${MAX_POLICY_CHARS} characters`, field);
  return input;
}

/**
 * True when the JSON text of `value` is certainly at most `limit` characters, from an upper bound
 * (every string character counted as a 6-character escape): documents far below the limit, i.e.
 * all real ones, skip serialising just to measure. Anything not plain JSON data (a `toJSON`, a
 * prototype other than Object/Array), or a bound over the limit, answers false: the caller then
 * measures exactly with `JSON.stringify`.
 */
function surelyShorterThan(value: unknown, limit: number): boolean {
  let budget = limit;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") budget -= 6 * v.length + 2;
    else if (typeof v === "number") budget -= 24;
    else if (v === null || v === undefined || typeof v === "boolean") budget -= 5;
    else if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) return false;
      budget -= 2 + v.length;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (
        (proto !== Object.prototype && proto !== null) ||
        typeof (v as { toJSON?: unknown }).toJSON === "function"
      )
        return false;
      const keys = Object.keys(v);
      budget -= 2 + keys.length;
      for (const k of keys) {
        budget -= 6 * k.length + 3;
        stack.push((v as Record<string, unknown>)[k]);
      }
    } else return false; // bigint, symbol, function: let JSON.stringify decide
    if (budget < 0) return false;
  }
  return true;
}

function urlDecode(text: string, field: string): string {
  try {
    // IAM encodes spaces as `+` in some items (form encoding).
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch (error) {
    throw new InvalidEventError("policy document is not valid URL-encoded JSON", field, { cause: error });
  }
}

/**
 * A refused element of a statement, its field path relative to the statement (`.Action[2]`): thrown
 * inside `parseStatement` and turned into an `InvalidEventError` (or `InputTooLargeError`) naming the
 * whole path by `parsePolicyDocument`, so that paths are spelt only for documents that are refused.
 */
class BadElement {
  constructor(
    readonly message: string,
    readonly path: string,
    readonly tooLarge = false,
  ) {}
}

function parseStatement(input: unknown, index: number): Statement {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new BadElement("a statement must be an object", "");
  const s = input as Record<string, unknown>;
  const effect = s.Effect;
  if (effect !== "Allow" && effect !== "Deny")
    throw new BadElement('Effect must be "Allow" or "Deny"', ".Effect");
  const out: Statement = { index, effect, conditions: parseConditions(s.Condition) };
  if (typeof s.Sid === "string" && s.Sid !== "") out.sid = s.Sid;
  if (s.Action !== undefined) out.action = strings(s.Action, ".Action");
  if (s.NotAction !== undefined) out.notAction = strings(s.NotAction, ".NotAction");
  if (s.Resource !== undefined) out.resource = strings(s.Resource, ".Resource");
  if (s.NotResource !== undefined) out.notResource = strings(s.NotResource, ".NotResource");
  if (s.Principal !== undefined) out.principal = parsePrincipal(s.Principal, ".Principal");
  if (s.NotPrincipal !== undefined) out.notPrincipal = parsePrincipal(s.NotPrincipal, ".NotPrincipal");
  if (!out.action && !out.notAction) throw new BadElement("statement has no Action or NotAction", "");
  return out;
}

/** `at`: the list's path relative to its statement, named only when the list is refused. */
function strings(value: unknown, at: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_VALUES) throw new BadElement(`more than ${MAX_VALUES} values`, at, true);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    if (typeof v === "string") out.push(v);
    // Condition values may be JSON booleans or numbers (`"aws:SecureTransport": false`).
    else if (typeof v === "boolean" || typeof v === "number") out.push(String(v));
    else throw new BadElement("expected a string or a list of strings", `${at}[${i}]`);
  }
  return out;
}

const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
/** IAM's condition operators (with their set and IfExists forms), the only operators a field path names. */
const CONDITION_OPERATOR =
  /^(?:(?:ForAllValues|ForAnyValue):)?(?:String(?:Not)?Equals(?:IgnoreCase)?|String(?:Not)?Like|Numeric(?:Not)?Equals|Numeric(?:Less|Greater)Than(?:Equals)?|Date(?:Not)?Equals|Date(?:Less|Greater)Than(?:Equals)?|Bool|BinaryEquals|(?:Not)?IpAddress|Arn(?:Not)?(?:Equals|Like))(?:IfExists)?$|^Null$/;

/**
 * A condition key as a field path names it: `service:Name`, without what follows a `/` (the tag key of
 * `aws:ResourceTag/…`, chosen by whoever tagged the resource); anything else is `(key)`.
 */
function conditionKeySegment(key: string): string {
  const m = /^([a-z0-9-]{1,32}:[A-Za-z0-9-]{1,64})(\/.*)?$/.exec(key);
  return m ? `${m[1]}${m[2] ? "/…" : ""}` : "(key)";
}

function parsePrincipal(value: unknown, at: string): PrincipalElement {
  const p: PrincipalElement = { any: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (value === "*") return { ...p, any: true };
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new BadElement('Principal must be "*" or an object', at);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Field paths and reasons name only AWS's own words: a key the policy made up is its text, and
    // an unreadable policy's reason travels in the finding's evidence to alerts and SIEMs.
    const values = strings(v, PRINCIPAL_TYPES.has(k) ? `${at}.${k}` : at);
    if (k === "AWS") {
      for (const a of values) if (a === "*") p.any = true;
      p.aws.push(...values.filter((a) => a !== "*"));
    } else if (k === "Service") p.service.push(...values);
    else if (k === "Federated") p.federated.push(...values);
    else if (k === "CanonicalUser") p.canonicalUser.push(...values);
    else throw new BadElement("unknown principal type (AWS, Service, Federated or CanonicalUser)", at);
  }
  return p;
}

function parseConditions(value: unknown): ConditionEntry[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value))
    throw new BadElement("Condition must be an object", ".Condition");
  const out: ConditionEntry[] = [];
  for (const operator in value as Record<string, unknown>) {
    if (!Object.hasOwn(value, operator)) continue;
    const block = (value as Record<string, unknown>)[operator];
    if (!block || typeof block !== "object" || Array.isArray(block))
      throw new BadElement("a condition operator maps keys to values", conditionPath(operator));
    for (const key in block as Record<string, unknown>) {
      if (!Object.hasOwn(block, key)) continue;
      let values: string[];
      try {
        values = strings((block as Record<string, unknown>)[key], "");
      } catch (error) {
        if (!(error instanceof BadElement)) throw error;
        const at = `${conditionPath(operator)}.${conditionKeySegment(key)}${error.path}`;
        throw new BadElement(error.message, at, error.tooLarge);
      }
      out.push({ operator, key, values });
    }
    if (out.length > MAX_VALUES)
      throw new BadElement(`more than ${MAX_VALUES} conditions`, ".Condition", true);
  }
  return out;
}

/** The path of a condition operator's block, relative to its statement. */
function conditionPath(operator: string): string {
  return `.Condition.${CONDITION_OPERATOR.test(operator) ? operator : "(operator)"}`;
}

/** How a statement is named in evidence: its Sid, or its position. */
export function statementLabel(s: Pick<Statement, "sid" | "index">): string {
  return s.sid ?? `#${s.index}`;
}
