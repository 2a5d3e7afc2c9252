import { DefinitionError } from "../errors.ts";

/**
 * A small, faithful evaluator of Amazon EventBridge event patterns (the JSON rule language of
 * `aws/event-ruler`, which EventBridge uses), so phiwatch can prove offline that the rules it deploys
 * match the events they are meant for. Semantics, as documented by AWS:
 *
 * - A pattern is an object; every field it names must match (AND). A leaf is an array of
 *   alternatives (OR). Fields the pattern does not name are ignored.
 * - An event value that is an array matches when any element matches (non-empty intersection).
 *   Arrays of objects are matched element by element, so two fields can only match together when
 *   they sit in the same element ("array-consistent", as `rulesForJSONEvent` does).
 * - Leaf alternatives: literal string / number / boolean / null (`""` and `null` differ), `prefix`,
 *   `suffix` (each also as `{ "equals-ignore-case": … }`), `equals-ignore-case`, `wildcard` (`*`,
 *   with `\*` and `\\` escapes, no `**`), `anything-but` (a value, a list of strings or a list of
 *   numbers, or `{ prefix | suffix | equals-ignore-case | wildcard }`, the last two also as lists),
 *   `numeric` (`=`, `<`, `<=`, `>`, `>=`, at most one lower and one upper bound, values within
 *   ±5.0e9), `exists` (leaf nodes only: an object value does not "exist"), `cidr` (IPv4 and IPv6).
 * - `"$or": [ {…}, {…}, … ]` (two or more sub-patterns) at any object level.
 *
 * Patterns are validated when compiled; a malformed one throws {@link EventPatternError}.
 *
 * @example
 * ```ts
 * const rule = compilePattern({ source: ["aws.s3"], detail: { eventName: [{ prefix: "Get" }] } });
 * rule.matches({ source: "aws.s3", detail: { eventName: "GetObject" } }); // true
 * ```
 */
export class EventPatternError extends DefinitionError {
  override name = "EventPatternError";
  constructor(
    message: string,
    /** Dotted path of the offending pattern field. */
    readonly field: string,
  ) {
    super(`${field || "(pattern)"}: ${message}`);
  }
}

/** A JSON event pattern as EventBridge takes it. */
export type EventPattern = { [field: string]: unknown };

/** A compiled, validated pattern. */
export interface CompiledPattern {
  readonly pattern: EventPattern;
  matches(event: unknown): boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

type Leaf =
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "prefix"; value: string; ignoreCase: boolean }
  | { kind: "suffix"; value: string; ignoreCase: boolean }
  | { kind: "equalsIgnoreCase"; value: string }
  | { kind: "wildcard"; re: RegExp }
  | { kind: "anythingBut"; not: Leaf[] }
  | { kind: "numeric"; lower?: { v: number; inclusive: boolean }; upper?: { v: number; inclusive: boolean } }
  | { kind: "exists"; value: boolean }
  | { kind: "cidr"; net: Cidr };

type Node =
  | { kind: "object"; fields: Array<{ name: string; node: Node }>; ors: Node[][] }
  | { kind: "leaf"; alternatives: Leaf[] };

/** Pattern size limits (EventBridge caps a pattern at 2048 characters of JSON by default). */
const MAX_PATTERN_DEPTH = 32;
/** Numeric matching is limited to ±5.0e9 (event-ruler README; the user guide says ±1.0e9 in older pages). */
const NUMERIC_LIMIT = 5.0e9;

/**
 * Validate and compile an event pattern.
 *
 * @example
 * ```ts
 * compilePattern({ detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }).matches({ detail: { "c-count": 5 } }); // true
 * ```
 */
export function compilePattern(pattern: EventPattern): CompiledPattern {
  if (!isPlainObject(pattern)) throw new EventPatternError("a pattern is a JSON object", "");
  const root = compileObject(pattern, "", 0);
  return {
    pattern,
    matches: (event: unknown) => isPlainObject(event) && matchObject(root, event as { [k: string]: Json }),
  };
}

/**
 * True when `event` matches `pattern` (compiles the pattern each call; use {@link compilePattern} in loops).
 *
 * @example
 * ```ts
 * matchesPattern({ source: [{ suffix: "ec2" }] }, { source: "aws.ec2" }); // true
 * ```
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}

// ---------------------------------------------------------------- compile

function compileObject(
  obj: { [k: string]: unknown },
  path: string,
  depth: number,
): Node & { kind: "object" } {
  if (depth > MAX_PATTERN_DEPTH) throw new EventPatternError("nested too deeply", path);
  const fields: Array<{ name: string; node: Node }> = [];
  const ors: Node[][] = [];
  const entries = Object.entries(obj);
  if (entries.length === 0) throw new EventPatternError("an empty object matches nothing useful", path);
  for (const [name, value] of entries) {
    const here = path ? `${path}.${name}` : name;
    if (name === "$or" && isOrPrimitive(value)) {
      ors.push((value as Array<{ [k: string]: unknown }>).map((sub) => compileObject(sub, here, depth + 1)));
      continue;
    }
    if (Array.isArray(value))
      fields.push({ name, node: { kind: "leaf", alternatives: compileLeaves(value, here) } });
    else if (isPlainObject(value)) fields.push({ name, node: compileObject(value, here, depth + 1) });
    else throw new EventPatternError("a leaf value must be an array of alternatives", here);
  }
  return { kind: "object", fields, ors };
}

const OPERATORS = new Set([
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
]);

/** `$or` is the OR primitive only as an array of 2+ objects whose keys are not operators (event-ruler rule). */
function isOrPrimitive(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((v) => isPlainObject(v) && Object.keys(v).every((k) => !OPERATORS.has(k)))
  );
}

function compileLeaves(values: unknown[], path: string): Leaf[] {
  if (values.length === 0) throw new EventPatternError("an empty array of alternatives", path);
  return values.map((v, i) => compileLeaf(v, `${path}[${i}]`));
}

function compileLeaf(v: unknown, path: string): Leaf {
  if (v === null || typeof v === "string" || typeof v === "boolean") return { kind: "literal", value: v };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new EventPatternError("not a finite number", path);
    return { kind: "literal", value: v };
  }
  if (!isPlainObject(v)) throw new EventPatternError("an alternative is a value or an operator object", path);
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new EventPatternError("an operator object has exactly one operator", path);
  const op = keys[0]!;
  const arg = (v as Record<string, unknown>)[op];
  const here = `${path}.${op}`;
  switch (op) {
    case "prefix":
    case "suffix": {
      if (typeof arg === "string") return { kind: op, value: arg, ignoreCase: false };
      const ic = ignoreCaseArg(arg, here);
      return { kind: op, value: ic, ignoreCase: true };
    }
    case "equals-ignore-case":
      if (typeof arg !== "string") throw new EventPatternError("takes a string", here);
      return { kind: "equalsIgnoreCase", value: arg };
    case "wildcard":
      if (typeof arg !== "string") throw new EventPatternError("takes a string", here);
      return { kind: "wildcard", re: wildcardRegExp(arg, here) };
    case "anything-but":
      return { kind: "anythingBut", not: compileAnythingBut(arg, here) };
    case "numeric":
      return compileNumeric(arg, here);
    case "exists":
      if (typeof arg !== "boolean") throw new EventPatternError("takes true or false", here);
      return { kind: "exists", value: arg };
    case "cidr":
      if (typeof arg !== "string") throw new EventPatternError("takes a CIDR string", here);
      return { kind: "cidr", net: parseCidr(arg, here) };
    default:
      throw new EventPatternError(`unknown operator "${op}"`, here);
  }
}

function ignoreCaseArg(arg: unknown, path: string): string {
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const value = (arg as Record<string, unknown>)["equals-ignore-case"];
    if (keys.length === 1 && typeof value === "string") return value;
  }
  throw new EventPatternError('takes a string or { "equals-ignore-case": string }', path);
}

function compileAnythingBut(arg: unknown, path: string): Leaf[] {
  if (typeof arg === "string" || (typeof arg === "number" && Number.isFinite(arg))) {
    return [{ kind: "literal", value: arg }];
  }
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new EventPatternError("an empty list", path);
    const allStrings = arg.every((a) => typeof a === "string");
    const allNumbers = arg.every((a) => typeof a === "number" && Number.isFinite(a));
    if (!allStrings && !allNumbers) {
      throw new EventPatternError("a list must hold only strings or only numbers", path);
    }
    return arg.map((a) => ({ kind: "literal", value: a as string | number }));
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) throw new EventPatternError("takes exactly one operator", path);
    const op = keys[0]!;
    const inner = (arg as Record<string, unknown>)[op];
    const here = `${path}.${op}`;
    const strings = (): string[] => {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0 || !list.every((s) => typeof s === "string")) {
        throw new EventPatternError("takes a string or a list of strings", here);
      }
      return list as string[];
    };
    switch (op) {
      case "prefix":
      case "suffix":
        if (typeof inner !== "string") throw new EventPatternError("takes a string", here);
        return [{ kind: op, value: inner, ignoreCase: false }];
      case "equals-ignore-case":
        return strings().map((s) => ({ kind: "equalsIgnoreCase", value: s }));
      case "wildcard":
        return strings().map((s) => ({ kind: "wildcard", re: wildcardRegExp(s, here) }));
      default:
        throw new EventPatternError(`"${op}" is not allowed inside anything-but`, here);
    }
  }
  throw new EventPatternError("takes a string, a number, a list or an operator object", path);
}

const NUMERIC_OPS = new Set(["=", "<", "<=", ">", ">="]);

function compileNumeric(arg: unknown, path: string): Leaf {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) {
    throw new EventPatternError('takes [op, n] or [op, n, op, n], e.g. [">", 0, "<=", 5]', path);
  }
  const leaf: Extract<Leaf, { kind: "numeric" }> = { kind: "numeric" };
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== "string" || !NUMERIC_OPS.has(op))
      throw new EventPatternError(`bad operator ${String(op)}`, path);
    if (typeof n !== "number" || !Number.isFinite(n) || Math.abs(n) > NUMERIC_LIMIT) {
      throw new EventPatternError(`a number within ±${NUMERIC_LIMIT} must follow "${op}"`, path);
    }
    if (op === "=") {
      if (arg.length !== 2) throw new EventPatternError('"=" stands alone', path);
      return { kind: "numeric", lower: { v: n, inclusive: true }, upper: { v: n, inclusive: true } };
    }
    const bound = { v: n, inclusive: op.endsWith("=") };
    if (op.startsWith(">")) {
      if (leaf.lower) throw new EventPatternError("two lower bounds", path);
      leaf.lower = bound;
    } else {
      if (leaf.upper) throw new EventPatternError("two upper bounds", path);
      leaf.upper = bound;
    }
  }
  if (leaf.lower && leaf.upper && leaf.lower.v > leaf.upper.v) {
    throw new EventPatternError("the lower bound is above the upper bound", path);
  }
  return leaf;
}

function wildcardRegExp(pattern: string, path: string): RegExp {
  let re = "";
  let previousStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") {
        throw new EventPatternError("a backslash may only escape * or \\", path);
      }
      re += `\\${next}`;
      i++;
      previousStar = false;
    } else if (c === "*") {
      if (previousStar) throw new EventPatternError("consecutive wildcard characters are not allowed", path);
      re += "[\\s\\S]*";
      previousStar = true;
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      previousStar = false;
    }
  }
  return new RegExp(`^${re}$`, "u");
}

// ---------------------------------------------------------------- match

function matchObject(node: Node & { kind: "object" }, event: { [k: string]: Json }): boolean {
  for (const { name, node: child } of node.fields) {
    const present = Object.hasOwn(event, name);
    if (!matchField(child, present ? event[name]! : undefined, present)) return false;
  }
  for (const alternatives of node.ors) {
    if (!alternatives.some((alt) => matchObject(alt as Node & { kind: "object" }, event))) return false;
  }
  return true;
}

function matchField(node: Node, value: Json | undefined, present: boolean): boolean {
  if (node.kind === "object") {
    if (!present) return objectMatchesAbsent(node);
    if (Array.isArray(value)) {
      const objects = flatten(value).filter(isPlainObject) as Array<{ [k: string]: Json }>;
      // An array without objects is, for a nested pattern, an absent subtree.
      if (objects.length === 0) return objectMatchesAbsent(node);
      return objects.some((o) => matchObject(node, o));
    }
    if (isPlainObject(value)) return matchObject(node, value as { [k: string]: Json });
    // A scalar where the pattern descends: the nested fields are absent.
    return objectMatchesAbsent(node);
  }
  // Leaf: the event's values at this path (arrays flattened, objects are not leaf values).
  const values = !present ? [] : Array.isArray(value) ? flatten(value) : [value!];
  const leafValues = values.filter((v) => !isPlainObject(v)) as Array<string | number | boolean | null>;
  return node.alternatives.some((alt) => leafMatches(alt, leafValues));
}

/** A nested pattern against a missing subtree: only `exists: false` (and ORs of it) can hold. */
function objectMatchesAbsent(node: Node & { kind: "object" }): boolean {
  return matchObject(node, {});
}

function leafMatches(alt: Leaf, values: Array<string | number | boolean | null>): boolean {
  if (alt.kind === "exists") return alt.value ? values.length > 0 : values.length === 0;
  return values.some((v) => valueMatches(alt, v));
}

function valueMatches(alt: Leaf, v: string | number | boolean | null): boolean {
  switch (alt.kind) {
    case "literal":
      return v === alt.value;
    case "prefix":
      return (
        typeof v === "string" &&
        (alt.ignoreCase ? fold(v).startsWith(fold(alt.value)) : v.startsWith(alt.value))
      );
    case "suffix":
      return (
        typeof v === "string" && (alt.ignoreCase ? fold(v).endsWith(fold(alt.value)) : v.endsWith(alt.value))
      );
    case "equalsIgnoreCase":
      return typeof v === "string" && fold(v) === fold(alt.value);
    case "wildcard":
      return typeof v === "string" && alt.re.test(v);
    case "anythingBut":
      // The value must be present (handled by the caller) and match none of the excluded forms.
      return !alt.not.some((n) => valueMatches(n, v));
    case "numeric": {
      if (typeof v !== "number") return false;
      const { lower, upper } = alt;
      if (lower && (lower.inclusive ? v < lower.v : v <= lower.v)) return false;
      if (upper && (upper.inclusive ? v > upper.v : v >= upper.v)) return false;
      return true;
    }
    case "cidr":
      return typeof v === "string" && cidrContains(alt.net, v);
    case "exists":
      return alt.value;
  }
}

/** Unicode case folding good enough for equals-ignore-case (event-ruler lower-cases both sides). */
function fold(s: string): string {
  return s.toLowerCase();
}

function flatten(values: Json[]): Json[] {
  const out: Json[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...flatten(v));
    else out.push(v);
  }
  return out;
}

function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------- CIDR

interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function parseCidr(text: string, path: string): Cidr {
  const [addr, len, extra] = text.split("/");
  const ip = addr === undefined ? undefined : parseIp(addr);
  const width = ip?.family === 4 ? 32 : 128;
  const prefix = len === undefined ? width : /^\d{1,3}$/.test(len) ? Number(len) : Number.NaN;
  if (!ip || extra !== undefined || !(prefix >= 0 && prefix <= width)) {
    throw new EventPatternError(`"${text}" is not a CIDR block`, path);
  }
  return { family: ip.family, bits: ip.bits, prefix };
}

function cidrContains(net: Cidr, value: string): boolean {
  const ip = parseIp(value);
  if (!ip || ip.family !== net.family) return false;
  const width = BigInt(net.family === 4 ? 32 : 128);
  const shift = width - BigInt(net.prefix);
  return ip.bits >> shift === net.bits >> shift;
}

/** Parse an IPv4 dotted quad or an IPv6 address (with `::` and an optional embedded IPv4 tail). */
export function parseIp(text: string): { family: 4 | 6; bits: bigint } | undefined {
  if (text.length > 45) return undefined;
  if (text.includes(".") && !text.includes(":")) {
    const bits = parseV4(text);
    return bits === undefined ? undefined : { family: 4, bits };
  }
  if (!text.includes(":")) return undefined;
  let head = text;
  let tail: bigint | undefined;
  let tailGroups = 0;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail = parseV4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    tailGroups = 2;
    head = text.slice(0, lastColon + 1);
    // Keep a trailing "::" (all groups before the IPv4 tail are zero); drop a single separator colon.
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups = s.split(":");
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  if (!left || !right) return undefined;
  const total = left.length + right.length + tailGroups;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...left, ...Array(8 - total).fill(0), ...right];
  let bits = 0n;
  for (const g of groups) bits = (bits << 16n) | BigInt(g);
  if (tail !== undefined) bits = (bits << 32n) | tail;
  return { family: 6, bits };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let bits = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bits = (bits << 8n) | BigInt(n);
  }
  return bits;
}
