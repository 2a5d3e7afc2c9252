import { hasVariable, type Statement, widenVariables } from "./document.ts";
import type { NamedPolicy } from "./evaluate.ts";
import { globsIntersect, hasWildcard } from "./wildcard.ts";

/**
 * S3 access points as identity-policy questions. A request through an access point names the access
 * point's ARN (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY`), never the bucket's, so an
 * identity policy that allows it reaches the objects of whatever bucket the access point serves (the
 * access point policy and the bucket policy must allow it too; a bucket policy that delegates access
 * control to access points does). Which bucket an access point serves is in the `AWS::S3::AccessPoint`
 * item, which phiwatch does not record: an Allow that may name an access point object of a PHI bucket
 * can only be reported as "cannot prove".
 */

/** Stands for any run of characters a `*` of the statement matched: no literal pattern names it. */
const ANY = "\u0001";
/** Stands for the one character a `?` of the statement matched. */
const ONE = "\u0002";

/** A pattern segment made concrete: each wildcard filled with characters only wildcards match. */
function concrete(segment: string): string {
  return hasWildcard(segment) ? segment.replace(/\*/g, ANY).replace(/\?/g, ONE) : segment;
}

/**
 * The access point ARN pattern a Resource entry of an Allow may name, with `keyPattern` as the object
 * key (`*` for every object, `connect/*\/CallRecordings/*` for raw audio), or `undefined` when the entry
 * names no access point object with such a key. Region, account and access point name are taken from
 * the entry — literal, or filled with characters no other literal names — so the question stands for
 * the access points this entry names and a Deny or a boundary is matched against exactly those; only
 * the key stays a pattern.
 *
 * @example
 * ```ts
 * accessPointQuestion("arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*", "*");
 * // "arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*"
 * accessPointQuestion("arn:aws:s3:::phi-recordings/*", "*"); // undefined
 * ```
 */
export function accessPointQuestion(resource: string, keyPattern: string): string | undefined {
  const c = candidate(resource);
  return c === undefined ? undefined : question(c, keyPattern);
}

/** A Resource entry that may name an access point: the parts of its question that do not depend on the key. */
interface Candidate {
  /** The entry with its policy variables widened to `*`. */
  pattern: string;
  /** `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME/object/`, wildcards filled in. */
  head: string;
}

/** `undefined` when the entry surely names no S3 access point object, else what every question about it shares. */
function candidate(resource: string): Candidate | undefined {
  const p = hasVariable(resource) ? widenVariables(resource) : resource;
  if (surelyNoAccessPoint(p)) return undefined;
  // `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; fewer segments only when a final `*` runs on
  // across colons (`*`, `arn:aws:s3:*`): every segment after it is open.
  const parts = p.split(":");
  const seg = (i: number) => (i < parts.length ? parts[i]! : ANY);
  const res = parts.length >= 6 ? parts.slice(5).join(":") : "";
  const partition = parts.length >= 2 && !hasWildcard(seg(1)) ? seg(1) : "aws";
  const named = /^accesspoint\/([^/]*)/.exec(res);
  const name = named ? concrete(named[1]!) : ANY;
  return {
    pattern: p,
    head: `arn:${partition}:s3:${concrete(seg(3))}:${concrete(seg(4))}:accesspoint/${name}/object/`,
  };
}

/**
 * The cheap refusals, read from the entry's colons without splitting it (most Resource entries of most
 * roles, and each inline policy's statements are new with every item): another service's ARN
 * (`arn:P:SERVICE:…` with a SERVICE other than `s3` and without wildcards), or an S3 ARN with an empty
 * region and account (`arn:P:s3:::…`, a bucket or object: an access point ARN always has both).
 */
function surelyNoAccessPoint(p: string): boolean {
  const c0 = p.indexOf(":");
  const c1 = c0 < 0 ? -1 : p.indexOf(":", c0 + 1);
  if (c1 < 0) return false; // fewer than three segments
  const c2 = p.indexOf(":", c1 + 1);
  const service = p.slice(c1 + 1, c2 < 0 ? p.length : c2);
  if (c0 === 3 && p.startsWith("arn") && service !== "s3" && !hasWildcard(service)) return true;
  const c3 = c2 < 0 ? -1 : p.indexOf(":", c2 + 1);
  const c4 = c3 < 0 ? -1 : p.indexOf(":", c3 + 1);
  // Six segments or more (five colons), the fourth and fifth empty.
  return c4 >= 0 && c3 === c2 + 1 && c4 === c3 + 1;
}

function question(c: Candidate, keyPattern: string): string | undefined {
  const q = c.head + keyPattern;
  return globsIntersect(c.pattern, q) ? q : undefined;
}

/**
 * The candidates of an Allow statement's Resource entries (every part open for NotResource), once per
 * parsed statement: a managed policy's statements are shared by every role it is attached to, and each
 * identity control asks about them for each key pattern. Kept on the statement in a non-enumerable
 * symbol property, as `actionApplies` keeps its answers (not a `WeakMap`: see `memoOn` for why a
 * long-lived `WeakMap` keyed on young objects costs garbage collection time).
 */
const CANDIDATES: unique symbol = Symbol("phiwatch.accessPointCandidates");
const NONE: readonly Candidate[] = [];

function candidatesOf(s: Statement): readonly Candidate[] {
  const held = (s as { [CANDIDATES]?: readonly Candidate[] })[CANDIDATES];
  if (held !== undefined) return held;
  const found: Candidate[] = [];
  for (const r of s.resource ?? ["*"]) {
    const c = candidate(r);
    if (c !== undefined) found.push(c);
  }
  const out = found.length > 0 ? found : NONE;
  // Statements frozen by a caller are read every time (the same answer, uncached).
  if (Object.isExtensible(s)) Object.defineProperty(s, CANDIDATES, { value: out });
  return out;
}

/**
 * The access point questions of an identity's Allow statements for one object-key pattern, without
 * repeats: one per Resource entry that may name an access point object with such a key, and a question
 * open in every part for an Allow with NotResource.
 *
 * @example
 * ```ts
 * accessPointQuestions(ip.policies, "*"); // ["arn:aws:s3:us-east-1:111122223333:accesspoint/qa/object/*"]
 * ```
 */
export function accessPointQuestions(policies: readonly NamedPolicy[], keyPattern: string): string[] {
  let out: Set<string> | undefined;
  for (const { document } of policies)
    for (const s of document.statements) {
      if (s.effect !== "Allow") continue;
      for (const c of candidatesOf(s)) {
        const q = question(c, keyPattern);
        if (q === undefined) continue;
        out ??= new Set();
        out.add(q);
      }
    }
  return out === undefined ? [] : [...out];
}

/** A question as evidence shows it: the filled-in wildcards shown as `*` again. */
export function accessPointForEvidence(question: string): string {
  return question.replaceAll(ANY, "*").replaceAll(ONE, "?");
}
