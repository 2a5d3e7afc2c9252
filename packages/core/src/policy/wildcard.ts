/**
 * Wildcard matching as IAM does it. Patterns longer than this are treated as matching/overlapping
 * everything (the conservative answer for an Allow) rather than spending unbounded time.
 */
const MAX_PATTERN = 2048;

/**
 * Compiled patterns, one cache per kind (no key concatenation or closure per call: these run for
 * every statement of every policy of every evaluation). Bounded: cleared when full.
 */
type Matcher = (s: string) => boolean;
const actionCache = new Map<string, Matcher>();
const arnCache = new Map<string, Matcher>();
const likeCache = new Map<string, RegExp>();
const likeCaseCache = new Map<string, RegExp>();
const CACHE_LIMIT = 5_000;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size > CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** ASCII case-insensitive equality: exactly what a literal ASCII pattern under the regex `i` flag matches. */
function asciiEqualsIgnoreCase(lowerPattern: string, s: string): boolean {
  if (s.length !== lowerPattern.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerPattern.charCodeAt(i)) return false;
  }
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\]/g, "\\$&");

/**
 * Whether an Action pattern matches a concrete action. Case-insensitive (`S3:getobject` is
 * `s3:GetObject`); `*` matches any run of characters, `?` one character.
 *
 * @example
 * ```ts
 * actionMatches("s3:Get*", "s3:GetObjectVersion"); // true
 * ```
 */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  let m = actionCache.get(pattern);
  if (!m) {
    if (!hasWildcard(pattern) && isAscii(pattern)) {
      const lower = pattern.toLowerCase();
      m = (a) => asciiEqualsIgnoreCase(lower, a);
    } else {
      let src = "";
      for (const c of pattern) src += c === "*" ? ".*" : c === "?" ? "." : escapeRe(c);
      const re = new RegExp(`^${src}$`, "is");
      m = (a) => re.test(a);
    }
    remember(actionCache, pattern, m);
  }
  return m(action);
}

/**
 * Whether a Resource pattern matches a concrete ARN, with IAM's documented semantics: case-sensitive,
 * `?` matches one character within a segment, `*` matches within a colon-separated segment, and a `*`
 * that ends a segment may run on across colons.
 *
 * @example
 * ```ts
 * arnMatches("arn:aws:s3:::phi-*\/*", "arn:aws:s3:::phi-recordings/connect/a.wav"); // true
 * ```
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  if (pattern.length > MAX_PATTERN) return true;
  let m = arnCache.get(pattern);
  if (!m) {
    if (!hasWildcard(pattern)) m = (a) => a === pattern;
    else {
      let src = "";
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i]!;
        if (c === "*") {
          const next = pattern[i + 1];
          src += next === undefined || next === ":" ? ".*" : "[^:]*";
        } else if (c === "?") src += "[^:]";
        else src += escapeRe(c);
      }
      const re = new RegExp(`^${src}$`, "s");
      m = (a) => re.test(a);
    }
    remember(arnCache, pattern, m);
  }
  return m(arn);
}

/**
 * IAM `StringLike`: case-sensitive, `*` any run (colons included), `?` one character.
 *
 * @example
 * ```ts
 * stringLike("arn:aws:iam::*:role/qa-*", "arn:aws:iam::111122223333:role/qa-1"); // true
 * ```
 */
export function stringLike(pattern: string, value: string, ignoreCase = false): boolean {
  const cache = ignoreCase ? likeCaseCache : likeCache;
  let re = cache.get(pattern);
  if (!re) {
    let src = "";
    for (const c of pattern) src += c === "*" ? ".*" : c === "?" ? "." : escapeRe(c);
    re = remember(cache, pattern, new RegExp(`^${src}$`, ignoreCase ? "is" : "s"));
  }
  return re.test(value);
}

/**
 * IAM `ArnLike`: each of the six colon-delimited parts (`arn:partition:service:region:account:resource`)
 * is matched separately, with `*` and `?` wildcards; the resource part may itself contain colons.
 * A pattern with fewer than six parts (`arn:aws:iam::*`, `*`) is `"maybe"` unless it equals the value:
 * AWS documents ArnLike only per six components, and for the Resource element a `*` ending a segment
 * runs on across colons, so "matches nothing" and "matches every IAM ARN" are both guesses.
 *
 * @example
 * ```ts
 * arnLike("arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/qa"); // true
 * arnLike("arn:aws:iam::*", "arn:aws:iam::111122223333:role/qa"); // "maybe"
 * ```
 */
export function arnLike(pattern: string, value: string): boolean | "maybe" {
  if (pattern === value) return true;
  const p = splitArn(pattern);
  if (!p) return "maybe";
  const v = splitArn(value);
  if (!v) return false;
  for (let i = 0; i < 6; i++) if (!stringLike(p[i]!, v[i]!)) return false;
  return true;
}

function splitArn(s: string): string[] | undefined {
  const parts = s.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** True when the pattern contains a wildcard. */
export function hasWildcard(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

/**
 * Whether some string matches both glob patterns (`*` any run, `?` one character). Used to ask whether
 * a policy's Resource can touch a *set* of resources (`arn:aws:s3:::phi-*\/*`). It over-approximates
 * IAM's segment rules (a `*` is allowed to cross colons), which errs towards "may allow".
 *
 * @example
 * ```ts
 * globsIntersect("arn:aws:s3:::phi-*", "arn:aws:s3:::*-recordings"); // true
 * ```
 */
export function globsIntersect(a: string, b: string, ignoreCase = false): boolean {
  if (a === "*" || b === "*") return true;
  if (a.length > MAX_PATTERN || b.length > MAX_PATTERN) return true;
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  // Exact shortcuts before the quadratic search (this runs for every Resource of every statement
  // against every PHI pattern): a string matching both must agree with both literal heads (before the
  // first wildcard) and both literal tails (after the last); and a side without wildcards is one
  // string, so the question is whether the other pattern matches it.
  if (!literalEndsAgree(x, y)) return false;
  const xWild = hasWildcard(x);
  const yWild = hasWildcard(y);
  if (!xWild) return globMatches(y, x);
  if (!yWild) return globMatches(x, y);
  // A pattern matches some string, so it meets itself; and a literal head followed by one final `*`
  // (`arn:aws:s3:::b/*`, how most object patterns end) meets whatever can begin with that head.
  if (x === y) return true;
  if (isHeadAndStar(x)) return canBeginWith(y, x.length - 1, x);
  if (isHeadAndStar(y)) return canBeginWith(x, y.length - 1, y);
  const A = x.length;
  const B = y.length;
  // memo[i * (B + 1) + j]: 0 unknown, 1 true, 2 false. Iterative-free recursion is bounded by A + B depth.
  const memo = new Uint8Array((A + 1) * (B + 1));
  const go = (i: number, j: number): boolean => {
    const k = i * (B + 1) + j;
    if (memo[k]) return memo[k] === 1;
    let r: boolean;
    if (i === A && j === B) r = true;
    else if (i < A && x[i] === "*") r = go(i + 1, j) || (j < B && go(i, j + 1));
    else if (j < B && y[j] === "*") r = go(i, j + 1) || (i < A && go(i + 1, j));
    else if (i === A || j === B) r = false;
    else r = (x[i] === "?" || y[j] === "?" || x[i] === y[j]) && go(i + 1, j + 1);
    memo[k] = r ? 1 : 2;
    return r;
  };
  return go(0, 0);
}

/** `L*`: one `*`, last, after a literal head (no other wildcard). */
function isHeadAndStar(p: string): boolean {
  const star = p.indexOf("*");
  return star === p.length - 1 && !p.includes("?");
}

/**
 * Whether some string matching `pattern` begins with the first `n` characters of `head` (no wildcards
 * there): read side by side, a `*` of the pattern can supply the rest of the head, a `?` one character.
 */
function canBeginWith(pattern: string, n: number, head: string): boolean {
  for (let k = 0; k < n; k++) {
    if (k === pattern.length) return false;
    const c = pattern.charCodeAt(k);
    if (c === 42 /* * */) return true;
    if (c !== 63 /* ? */ && c !== head.charCodeAt(k)) return false;
  }
  return true;
}

/** The literal heads (and tails) of two patterns are compatible: position by position equal or `?`. */
function literalEndsAgree(x: string, y: string): boolean {
  const n = Math.min(x.length, y.length);
  for (let k = 0; k < n; k++) {
    const a = x.charCodeAt(k);
    const b = y.charCodeAt(k);
    if (a === 42 || b === 42) break; // a * can absorb what follows
    if (a !== b && a !== 63 && b !== 63) return false;
  }
  for (let k = 1; k <= n; k++) {
    const a = x.charCodeAt(x.length - k);
    const b = y.charCodeAt(y.length - k);
    if (a === 42 || b === 42) break;
    if (a !== b && a !== 63 && b !== 63) return false;
  }
  // Without any *, lengths must match too (each ? is one character).
  if (x.length !== y.length && !x.includes("*") && !y.includes("*")) return false;
  return true;
}

/** Glob match of a literal string (`*` any run including colons, `?` one character), as the search does. */
function globMatches(pattern: string, literal: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    let src = "";
    for (const c of pattern) src += c === "*" ? ".*" : c === "?" ? "." : escapeRe(c);
    re = remember(globCache, pattern, new RegExp(`^${src}$`, "s"));
  }
  return re.test(literal);
}
const globCache = new Map<string, RegExp>();

/**
 * Whether every action matching the Action pattern `inner` also matches `outer` (case-insensitive).
 * Sound but incomplete, like `arnPatternCovers`: `true` only for `*`, an equal pattern, or `L*` whose
 * literal head L begins `inner`'s literal head.
 *
 * @example
 * ```ts
 * actionPatternCovers("s3:Put*", "s3:PutBucket*"); // true
 * actionPatternCovers("s3:Get?", "s3:Get*"); // false
 * ```
 */
export function actionPatternCovers(outer: string, inner: string): boolean {
  if (outer === "*") return true;
  const o = outer.toLowerCase();
  const i = inner.toLowerCase();
  if (o === i) return true;
  if (!o.endsWith("*") || hasWildcard(o.slice(0, -1))) return false;
  return i.slice(0, firstWildcard(i)).startsWith(o.slice(0, -1));
}

/**
 * Whether every string matching `inner` also matches the Resource pattern `outer`. Sound but
 * incomplete: it answers `true` only when it can prove it (used to decide that a Deny covers a whole
 * set of resources, where a wrong `true` would claim protection that does not exist).
 *
 * @example
 * ```ts
 * arnPatternCovers("arn:aws:s3:::phi-recordings/*", "arn:aws:s3:::phi-recordings/connect/*"); // true
 * ```
 */
export function arnPatternCovers(outer: string, inner: string): boolean {
  if (outer === "*") return true;
  if (outer === inner) return true;
  if (!hasWildcard(inner)) return arnMatches(outer, inner);
  // `L*` with a literal L and the star at the very end matches anything starting with L (the final
  // star ends the last segment, so it may cross colons).
  if (outer.endsWith("*") && !hasWildcard(outer.slice(0, -1))) {
    const literal = outer.slice(0, -1);
    const innerLiteral = inner.slice(0, firstWildcard(inner));
    return innerLiteral.startsWith(literal);
  }
  // `Q*` with wildcards in Q (`arn:aws:s3:*:*:accesspoint/*`): when Q matches a prefix of the inner
  // pattern's literal head, the final star (which may cross colons) absorbs all that follows it.
  if (outer.endsWith("*") && !/[*?]$/.test(outer.slice(0, -1))) {
    const head = outer.slice(0, -1);
    const last = head[head.length - 1];
    const innerLiteral = inner.slice(0, firstWildcard(inner));
    for (let n = innerLiteral.length; n > 0; n--)
      if (innerLiteral[n - 1] === last && arnMatches(head, innerLiteral.slice(0, n))) return true;
  }
  return false;
}

function firstWildcard(s: string): number {
  const a = s.indexOf("*");
  const b = s.indexOf("?");
  if (a < 0) return b < 0 ? s.length : b;
  return b < 0 ? a : Math.min(a, b);
}
