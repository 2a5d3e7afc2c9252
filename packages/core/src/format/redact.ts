import { createHmac } from "node:crypto";
import { PHI_VALUE_PATTERNS } from "../connect/sensitive.ts";
import { InvalidEventError } from "../errors.ts";
import { EVIDENCE_DEPTH, EVIDENCE_LIST_ITEMS } from "../finding/evidence.ts";

/**
 * PHI scrubbing for everything phiwatch sends out (SNS alerts, SIEM payloads, the evidence report). Findings are built
 * without object keys, but several fields carry caller-supplied text: the summary, evidence values,
 * the principal (an Identity Center session name is the person's e-mail), a suppression reason.
 * Every outgoing string passes through {@link redactText} so a pattern that looks like PHI or a
 * direct identifier never leaves the account in clear, whatever a control or detector put there.
 */

/** How redacted values are replaced. */
export interface RedactionOptions {
  /**
   * With a key, a value is replaced by a keyed token (`[email:1a2b3c4d]`, HMAC-SHA256 truncated) so a
   * SIEM can still correlate the same person across findings without learning who it is. Without a
   * key the value is replaced by its kind only (`[email]`): an unkeyed hash of an e-mail or an SSN
   * can be reversed by trying every candidate, so it is never used.
   */
  hashKey?: string;
}

/**
 * Label of the redaction key's derivation. A new label (`v2`) is a new key: every token changes.
 * The object-key hash secret is never a redaction key itself: a token and an object-key hash made
 * with one key could be tested against each other.
 */
export const REDACTION_KEY_LABEL = "phiwatch:redaction:v1";

/** Environment variable holding the redaction key (set by infra on the functions that format outgoing text). */
export const REDACTION_KEY_ENV = "PHIWATCH_REDACTION_KEY";

/**
 * The redaction key derived from the deployment's secret (`PhiwatchHashKey`, `PHIWATCH_HASH_KEY`):
 * HMAC-SHA256(secret, {@link REDACTION_KEY_LABEL}), hex. Domain separation: knowing the redaction key
 * (it is in the notify function's environment) tells nothing of the object-key hash secret.
 *
 * @example
 * ```ts
 * redactText("jane@example.org", { hashKey: redactionKey(process.env.PHIWATCH_HASH_KEY!) });
 * // → "[email:…]" (8 hex), the same in every function and run with the same secret
 * ```
 */
export function redactionKey(secret: string): string {
  if (secret.length < 16) throw new InvalidEventError("at least 16 characters", "PHIWATCH_HASH_KEY");
  return createHmac("sha256", secret).update(REDACTION_KEY_LABEL).digest("hex");
}

/**
 * The redaction options of a function: keyed tokens with `PHIWATCH_REDACTION_KEY` when set, else
 * kind-only tokens (`[email]`). Never a key derived from something public (a table name): a token keyed
 * with a guessable key is as reversible as an unkeyed hash.
 *
 * @example
 * ```ts
 * const redaction = redactionOptions(process.env); // { hashKey: "…" } or {}
 * ```
 */
export function redactionOptions(env: Record<string, string | undefined>): RedactionOptions {
  const key = env[REDACTION_KEY_ENV];
  if (key === undefined || key === "") return {};
  if (key.length < 32) throw new InvalidEventError("at least 32 characters", REDACTION_KEY_ENV);
  return { hashKey: key };
}

/** Kinds of values that are redacted, in the order they are applied. */
export type RedactedKind = "email" | "ssn" | "card" | "phone" | "dob" | "mrn";

interface Rule {
  kind: RedactedKind;
  re: RegExp;
  /** Optional extra check on the match (Luhn for cards). */
  accept?: (match: string) => boolean;
}

// Boundaries: a match must not be glued to letters or digits, so ARNs, hex digests and 12-digit
// AWS account ids are left alone while free-standing numbers are caught.
const NB = "(?<![A-Za-z0-9])";
const NA = "(?![A-Za-z0-9])";
/** "DOB", "date of birth", "birth date", "born" and what separates the label from its value. */
const DOB_LABEL = "\\b(?:dob|date[\\s_-]*of[\\s_-]*birth|birth[\\s_-]*date|born)\\b\\s*[:=]?\\s*";

/** Redaction kind of each `PHI_VALUE_PATTERNS` id. */
const SHAPE_KINDS: Record<string, RedactedKind> = {
  "ssn-value": "ssn",
  "email-value": "email",
  "phone-value": "phone",
  "mrn-value": "mrn",
  "dob-value": "dob",
};

const RULES: readonly Rule[] = [
  // Labelled identifiers first: "MRN: 12345", "member id 8812", "DOB 01/02/1980", "SSN 123456789".
  {
    kind: "mrn",
    re: /\b(?:mrn|medical[\s_-]*record(?:[\s_-]*(?:number|no|#))?|member[\s_-]*(?:id|number|no)|insurance[\s_-]*(?:id|number|no)|patient[\s_-]*(?:id|number|no))\b\s*[:=#]?\s*[A-Za-z0-9-]{3,}/gi,
  },
  {
    // The date itself (numeric, or with a month name), ending where it ends: "DOB 01/02/1980",
    // "born 1980-02-01", "date of birth March 3, 1984". Free-text forms are caught by the last rule.
    kind: "dob",
    re: new RegExp(
      `${DOB_LABEL}(?:\\d{1,4}[./-]\\d{1,2}[./-]\\d{1,4}|\\d{8}|(?:\\d{1,2}(?:st|nd|rd|th)?[\\s,]+)?[A-Za-z]{3,9}\\.?[\\s,]+(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s+)?\\d{2,4})${NA}`,
      "gi",
    ),
  },
  {
    kind: "ssn",
    re: /\b(?:ssn|social[\s_-]*security(?:[\s_-]*(?:number|no))?)\b\s*[:=#]?\s*\d[\d -]{7,10}\d/gi,
  },
  { kind: "email", re: /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  { kind: "ssn", re: new RegExp(`${NB}\\d{3}[- ]\\d{2}[- ]\\d{4}${NA}`, "g") },
  {
    kind: "card",
    re: new RegExp(`${NB}\\d(?:[ -]?\\d){12,18}${NA}`, "g"),
    accept: (m) => luhn(m.replace(/\D/g, "")),
  },
  {
    kind: "phone",
    re: new RegExp(
      `(?:\\+\\d{1,3}[\\s.-]?)?${NB}\\(?\\d{3}\\)?[\\s.-]\\d{3}[\\s.-]\\d{4}${NA}|\\+\\d{10,15}${NA}|${NB}1?\\d{10}${NA}`,
      "g",
    ),
  },
  // Dates that are not full ISO-8601 timestamps (phiwatch's own times always carry a time part).
  {
    kind: "dob",
    re: new RegExp(
      `${NB}(?:\\d{1,2}[/.-]\\d{1,2}[/.-](?:19|20)\\d{2}|(?:19|20)\\d{2}[/.-]\\d{1,2}[/.-]\\d{1,2}(?![T\\d]))${NA}`,
      "g",
    ),
  },
  { kind: "ssn", re: new RegExp(`${NB}\\d{9}${NA}`, "g") },
  // Last, every value shape `no-phi-in-metadata` calls PHI (an SSN glued to letters, "(555)123-4567",
  // "dob_84-2-11"): a resource that control flags by its name is the finding's subject, so whatever
  // the control recognises must not leave in clear either.
  ...PHI_VALUE_PATTERNS.map((p): Rule => {
    const kind = SHAPE_KINDS[p.id];
    if (!kind) throw new Error(`redact: no redaction kind for value pattern ${p.id}`);
    return { kind, re: new RegExp(p.re.source, p.re.flags.includes("g") ? p.re.flags : `${p.re.flags}g`) };
  }),
  // A labelled date of birth in free text ("born the 3rd of March 84") last: its value runs to the last
  // digit within reach, so run earlier it read on into the next value and cut it in two
  // ("dob 01/02/1980 ssn 123-45-6789" → "[dob]-6789"). Every value the rules above recognise is by now
  // a placeholder, which the date's text cannot cross.
  {
    kind: "dob",
    re: new RegExp(`${DOB_LABEL}[0-9A-Za-z][0-9A-Za-z ,./-]{4,20}[0-9]`, "gi"),
  },
];

/**
 * Replace PHI-looking substrings (e-mail, SSN, card, phone, dates of birth, MRN/member ids) in one
 * string. Text redacted without a key stays unchanged, so that redaction is idempotent; redact
 * once with a key (a keyed `[mrn:…]` or `[dob:…]` token read again is a labelled value).
 *
 * @example
 * ```ts
 * redactText("read by jane.doe@example.org, caller SSN 123-45-6789")
 * // → "read by [email], caller [ssn]"
 * ```
 */
export function redactText(text: string, options: RedactionOptions = {}): string {
  // Each token is held as a placeholder until every rule has run: a later rule must not read a
  // token made by an earlier one (`[mrn:1234abcd]` is "MRN" and four digits to the mrn-value shape).
  const tokens: string[] = [];
  let out = text.replace(PLACEHOLDER_CHARS, "?");
  for (const rule of RULES) {
    out = out.replace(rule.re, (match) => {
      if (rule.accept && !rule.accept(match)) return match;
      tokens.push(token(rule.kind, match, options));
      return placeholder(tokens.length - 1);
    });
  }
  return tokens.length === 0 ? out : out.replace(PLACEHOLDER, (p) => tokens[placeholderIndex(p)] ?? "?");
}

// Placeholders are private-use characters: no rule matches them (not letters, digits, spaces or
// separators), and caller text carrying them is rewritten first so it cannot forge one.
const PLACEHOLDER_CHARS = /[\uE000-\uE011]/g;
const PLACEHOLDER = /\uE010[\uE000-\uE00F]+\uE011/g;

function placeholder(i: number): string {
  let digits = "";
  do {
    digits = String.fromCharCode(0xe000 + (i % 16)) + digits;
    i = Math.floor(i / 16);
  } while (i > 0);
  return `\uE010${digits}\uE011`;
}

function placeholderIndex(p: string): number {
  let i = 0;
  for (const c of p.slice(1, -1)) i = i * 16 + (c.charCodeAt(0) - 0xe000);
  return i;
}

/** Longest text {@link printableText} returns by default, in characters. */
export const PRINTABLE_MAX_CHARS = 300;

/**
 * Text from outside (a SIEM's answer quoted in a delivery failure, a reason read back from a queue)
 * made fit to print on a terminal or write in a log line: control and invisible format characters
 * removed (terminal escapes, C1 controls, bidi overrides, zero-width characters: they can rewrite a
 * terminal or hide what a line says), line breaks and tabs as spaces, PHI-shaped substrings redacted
 * ({@link redactText}), and at most `maxChars` characters (cut with "…"). Characters are removed
 * before redaction, so one cannot split a PHI-shaped value to slip it past; the cut comes after it,
 * so it cannot leave part of a value unrecognised.
 *
 * @example
 * ```ts
 * printableText("HEC code 6: \u001b[2Jbad event for SSN 123-45-6789") // → "HEC code 6: [2Jbad event for SSN [ssn]"
 * ```
 */
export function printableText(
  text: string,
  maxChars: number = PRINTABLE_MAX_CHARS,
  options: RedactionOptions = {},
): string {
  const plain = text
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, " ")
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/gu, "");
  const chars = Array.from(redactText(plain, options));
  return chars.length <= maxChars ? chars.join("") : `${chars.slice(0, Math.max(0, maxChars - 1)).join("")}…`;
}

/**
 * Redact every string inside a JSON value (object keys included: a contact-attribute key can be PHI
 * too). Numbers, booleans and null pass unchanged; depth and size are bounded so hostile evidence
 * cannot blow the stack or the payload.
 *
 * @example
 * ```ts
 * redactValue({ sessionName: "jane@example.org", count: 3 }) // → { sessionName: "[email]", count: 3 }
 * ```
 */
export function redactValue(value: unknown, options: RedactionOptions = {}, depth = 0): unknown {
  if (typeof value === "string") return redactText(value, options);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (depth >= MAX_DEPTH) return "[truncated]";
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => redactValue(v, options, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (n++ >= MAX_ITEMS) break;
      out[redactText(k, options)] = redactValue(v, options, depth + 1);
    }
    return out;
  }
  // bigint, function, symbol: not JSON — say so rather than guess.
  return `[${typeof value}]`;
}

// The bounds stored evidence is cut to (`boundEvidence`): an outgoing copy never holds more.
const MAX_DEPTH = EVIDENCE_DEPTH;
const MAX_ITEMS = EVIDENCE_LIST_ITEMS;

function token(kind: RedactedKind, value: string, options: RedactionOptions): string {
  if (!options.hashKey) return `[${kind}]`;
  // Normalise so the same value written two ways gives the same token ("+1 (555) 123-4567" = "5551234567").
  const digits = value.replace(/\D/g, "");
  const normalised =
    kind === "email"
      ? value.toLowerCase()
      : kind === "phone"
        ? digits.slice(-10)
        : kind === "ssn" || kind === "card"
          ? digits
          : value.replace(/[^0-9A-Za-z]/g, "").toLowerCase();
  const h = createHmac("sha256", options.hashKey).update(`${kind}:${normalised}`).digest("hex").slice(0, 8);
  return `[${kind}:${h}]`;
}

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
