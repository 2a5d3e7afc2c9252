// The policy-document parser as it was before field paths were spelt only for refused statements and
// before the small-text size shortcut (packages/core/src/policy/document.ts at 10a6d6a), kept verbatim
// as the reference the optimised parser is checked against (optimisations.test.ts).
import { InputTooLargeError, InvalidEventError } from "../../../packages/core/src/errors.ts";
import {
  type ConditionEntry,
  MAX_POLICY_CHARS,
  MAX_STATEMENTS,
  type PolicyDocument,
  type PrincipalElement,
  type Statement,
} from "../../../packages/core/src/policy/document.ts";

const MAX_VALUES = 1000;

export function referenceParsePolicyDocument(input: unknown, field = "policy"): PolicyDocument {
  const value = decode(input, field);
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new InvalidEventError("a policy document must be a JSON object", field);
  const doc = value as Record<string, unknown>;
  const raw = doc.Statement;
  if (raw === undefined) throw new InvalidEventError("a policy document needs a Statement", field);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_STATEMENTS)
    throw new InputTooLargeError(`more than ${MAX_STATEMENTS} statements`, `${field}.Statement`);
  return {
    ...(typeof doc.Version === "string" ? { version: doc.Version } : {}),
    ...(typeof doc.Id === "string" ? { id: doc.Id } : {}),
    statements: list.map((s, i) => {
      const st = parseStatement(s, i, `${field}.Statement[${i}]`);
      if (
        doc.Version === "2012-10-17" &&
        [...(st.resource ?? []), ...(st.notResource ?? [])].some(hasVariable)
      )
        st.variables = true;
      return st;
    }),
  };
}

/** Whether a Resource pattern holds a policy variable (`${…}`). */
function hasVariable(pattern: string): boolean {
  return pattern.includes("${");
}

function decode(input: unknown, field: string, depth = 0): unknown {
  if (depth > 3) throw new InvalidEventError("policy document nested in too many strings", field);
  if (typeof input === "string") {
    if (input.length > MAX_POLICY_CHARS)
      throw new InputTooLargeError(`policy document longer than ${MAX_POLICY_CHARS} characters`, field);
    const text = input.trim();
    const json = /^%7B/i.test(text) ? urlDecode(text, field) : text;
    try {
      return decode(JSON.parse(json), field, depth + 1);
    } catch (error) {
      if (error instanceof InvalidEventError) throw error;
      throw new InvalidEventError("policy document is not valid JSON", field, { cause: error });
    }
  }
  // Config's IAM items (as the RDK samples show) may wrap the document in a one-element array.
  if (Array.isArray(input) && input.length === 1) return decode(input[0], field, depth + 1);
  if (
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

function parseStatement(input: unknown, index: number, field: string): Statement {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new InvalidEventError("a statement must be an object", field);
  const s = input as Record<string, unknown>;
  const effect = s.Effect;
  if (effect !== "Allow" && effect !== "Deny")
    throw new InvalidEventError('Effect must be "Allow" or "Deny"', `${field}.Effect`);
  const out: Statement = { index, effect, conditions: parseConditions(s.Condition, `${field}.Condition`) };
  if (typeof s.Sid === "string" && s.Sid !== "") out.sid = s.Sid;
  if (s.Action !== undefined) out.action = strings(s.Action, `${field}.Action`);
  if (s.NotAction !== undefined) out.notAction = strings(s.NotAction, `${field}.NotAction`);
  if (s.Resource !== undefined) out.resource = strings(s.Resource, `${field}.Resource`);
  if (s.NotResource !== undefined) out.notResource = strings(s.NotResource, `${field}.NotResource`);
  if (s.Principal !== undefined) out.principal = parsePrincipal(s.Principal, `${field}.Principal`);
  if (s.NotPrincipal !== undefined)
    out.notPrincipal = parsePrincipal(s.NotPrincipal, `${field}.NotPrincipal`);
  if (!out.action && !out.notAction)
    throw new InvalidEventError("statement has no Action or NotAction", field);
  return out;
}

function strings(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_VALUES) throw new InputTooLargeError(`more than ${MAX_VALUES} values`, field);
  return list.map((v, i) => {
    if (typeof v === "string") return v;
    // Condition values may be JSON booleans or numbers (`"aws:SecureTransport": false`).
    if (typeof v === "boolean" || typeof v === "number") return String(v);
    throw new InvalidEventError("expected a string or a list of strings", `${field}[${i}]`);
  });
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

function parsePrincipal(value: unknown, field: string): PrincipalElement {
  const p: PrincipalElement = { any: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (value === "*") return { ...p, any: true };
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new InvalidEventError('Principal must be "*" or an object', field);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Field paths and reasons name only AWS's own words: a key the policy made up is its text, and
    // an unreadable policy's reason travels in the finding's evidence to alerts and SIEMs.
    const values = strings(v, PRINCIPAL_TYPES.has(k) ? `${field}.${k}` : field);
    if (k === "AWS") {
      for (const a of values) if (a === "*") p.any = true;
      p.aws.push(...values.filter((a) => a !== "*"));
    } else if (k === "Service") p.service.push(...values);
    else if (k === "Federated") p.federated.push(...values);
    else if (k === "CanonicalUser") p.canonicalUser.push(...values);
    else
      throw new InvalidEventError("unknown principal type (AWS, Service, Federated or CanonicalUser)", field);
  }
  return p;
}

function parseConditions(value: unknown, field: string): ConditionEntry[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value))
    throw new InvalidEventError("Condition must be an object", field);
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    const at = `${field}.${CONDITION_OPERATOR.test(operator) ? operator : "(operator)"}`;
    if (!block || typeof block !== "object" || Array.isArray(block))
      throw new InvalidEventError("a condition operator maps keys to values", at);
    for (const [key, v] of Object.entries(block as Record<string, unknown>))
      out.push({ operator, key, values: strings(v, `${at}.${conditionKeySegment(key)}`) });
    if (out.length > MAX_VALUES) throw new InputTooLargeError(`more than ${MAX_VALUES} conditions`, field);
  }
  return out;
}
