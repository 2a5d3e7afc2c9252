/**
 * What counts as sensitive, in one place: the words that say a flow block asks for (or an attribute
 * holds) protected health information, and the value shapes that say a string *is* PHI. Flow
 * analysis, `connect-flow-pause-recording` and `no-phi-in-metadata` all read these lists.
 */

/** A named pattern. `id` goes into evidence; the matched text never does. */
export interface SensitivePattern {
  id: string;
  label: string;
  re: RegExp;
}

/**
 * Words that name sensitive data, matched against {@link normaliseWords} output (lower case, words
 * separated by single spaces, camelCase and snake_case split), so `dateOfBirth`, `date_of_birth`
 * and "Date of birth" all match.
 */
export const SENSITIVE_TOPICS: readonly SensitivePattern[] = [
  {
    id: "date-of-birth",
    label: "date of birth",
    re: /\b(date of birth|birth ?date|dob|d o b|birthday)\b/,
  },
  {
    id: "ssn",
    label: "social security number",
    re: /\b(ssn|social security|last (4|four) (digits )?of your social)\b/,
  },
  {
    id: "member-id",
    label: "member / insurance id",
    re: /\b((member|membership|subscriber|insurance|insured|medicare|medicaid|health plan) ?(id|number|no|num)|insurance policy ?(id|number|no))\b/,
  },
  {
    id: "mrn",
    label: "medical record number",
    re: /\b(mrn|medical record|patient (id|number|no))\b/,
  },
  {
    id: "card-number",
    label: "payment card",
    re: /\b((credit|debit|payment) ?card|card ?(number|no|num)|cvv|cvc|card security code|expiration date|expiry date)\b/,
  },
];

/**
 * Value shapes that are PHI themselves (a tag value that *is* an SSN or an e-mail address). Applied
 * to raw strings, not to normalised words.
 */
export const PHI_VALUE_PATTERNS: readonly SensitivePattern[] = [
  {
    id: "ssn-value",
    label: "SSN-shaped number",
    // Not part of a longer run of digit groups (`2024-123-45-6789`, `123-45-6789-0001`), but between
    // hyphens it counts: S3 bucket names allow no other separator (`exports-123-45-6789-audio`).
    re: /(?<!\d)(?<!\d-)\d{3}-\d{2}-\d{4}(?!\d)(?!-\d)/,
  },
  {
    id: "email-value",
    label: "e-mail address",
    re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/,
  },
  {
    id: "phone-value",
    label: "phone number",
    // NANP with separators, or E.164: bare digit runs (account ids, timestamps) do not match.
    re: /(?<![\w+])(\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?!\d)|(?<![\w+])\+[1-9]\d{9,14}(?!\d)/,
  },
  {
    id: "mrn-value",
    label: "medical record number",
    // No word boundary before the label: `PatientMRN=…` and `pt_mrn:…` glue it to a word.
    re: /MRN[\s:#=_-]*\d{4,}/i,
  },
  {
    id: "dob-value",
    label: "date of birth",
    // No word boundary before the label (`PatientDOB=…`, `patient_dob:…`): the date after it decides.
    re: /(dob|birth ?date|date[ _-]?of[ _-]?birth)[\s:=_-]*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/i,
  },
];

/**
 * Lower-case words separated by single spaces: camelCase and PascalCase split, `_ - . / : $ #`
 * and SSML tags become spaces. `"$.Lex.Slots.DateOfBirth"` → `"lex slots date of birth"`.
 *
 * @example
 * ```ts
 * normaliseWords("memberIdNumber"); // "member id number"
 * ```
 */
export function normaliseWords(text: string): string {
  return text
    .slice(0, 10_000)
    .replace(/<[^>]{0,200}>/g, " ")
    .replace(/([a-z\d])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Ids of the sensitive topics a text names (none → empty array).
 *
 * @example
 * ```ts
 * sensitiveTopics("Please enter your date of birth"); // ["date-of-birth"]
 * ```
 */
export function sensitiveTopics(text: string): string[] {
  const words = normaliseWords(text);
  if (words === "") return [];
  return SENSITIVE_TOPICS.filter((p) => p.re.test(words)).map((p) => p.id);
}

/**
 * The value shapes whose regexes `mayMatchPhiValueShape` was derived from (id → source and flags). The
 * shortcut holds only while `PHI_VALUE_PATTERNS` is exactly these: a changed or added shape turns it off.
 */
const SHORTCUT_SHAPES: Readonly<Record<string, string>> = {
  "ssn-value": "/(?<!\\d)(?<!\\d-)\\d{3}-\\d{2}-\\d{4}(?!\\d)(?!-\\d)/",
  "email-value": "/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}/",
  "phone-value":
    "/(?<![\\w+])(\\(\\d{3}\\) ?|\\d{3}[-. ])\\d{3}[-. ]\\d{4}(?!\\d)|(?<![\\w+])\\+[1-9]\\d{9,14}(?!\\d)/",
  "mrn-value": "/MRN[\\s:#=_-]*\\d{4,}/i",
  "dob-value": "/(dob|birth ?date|date[ _-]?of[ _-]?birth)[\\s:=_-]*\\d{1,4}[-/.]\\d{1,2}[-/.]\\d{1,4}/i",
};
const SHORTCUT_HOLDS =
  PHI_VALUE_PATTERNS.length === Object.keys(SHORTCUT_SHAPES).length &&
  PHI_VALUE_PATTERNS.every((p) => SHORTCUT_SHAPES[p.id] === String(p.re));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * False only when no value shape can match `text` (its first 10,000 characters, as `phiValueShapes`
 * reads): one pass over the characters, for the many names and ids with digits that are no shape
 * (`sg-0a1b2c3d`, account ids in ARNs, bucket names). Each shape needs something this looks for:
 * an e-mail an `@`; an SSN, a NANP phone number and a date of birth a digit followed by a separator
 * (`-`, `.`, ` ` or `/`) and a digit; an E.164 number a `+` and a digit; an MRN four digits in a row
 * and the letters `MRN` (any case). True whenever any of these is present (then the regexes decide).
 */
export function mayMatchPhiValueShape(text: string): boolean {
  if (!SHORTCUT_HOLDS) return true;
  const n = Math.min(text.length, 10_000);
  let run = 0; // digits in a row just before i
  let fourDigits = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (++run >= 4) fourDigits = true;
      continue;
    }
    if (c === 64 /* @ */) return true;
    if (i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
      if (c === 43 /* + */) return true;
      if (run > 0 && (c === 45 /* - */ || c === 46 /* . */ || c === 32 /*   */ || c === 47) /* / */)
        return true;
    }
    run = 0;
  }
  return fourDigits && hasMrn(text, n);
}

/** Whether the first `n` characters of `s` hold `mrn` in any (ASCII) case, as the `i` flag reads it. */
function hasMrn(s: string, n: number): boolean {
  for (let i = 0; i + 2 < n; i++)
    if (
      (s.charCodeAt(i) | 32) === 109 /* m */ &&
      (s.charCodeAt(i + 1) | 32) === 114 /* r */ &&
      (s.charCodeAt(i + 2) | 32) === 110 /* n */
    )
      return true;
  return false;
}

/**
 * Ids of the PHI value shapes a raw string contains (none → empty array).
 *
 * @example
 * ```ts
 * phiValueShapes("owner 123-45-6789"); // ["ssn-value"]
 * ```
 */
export function phiValueShapes(text: string): string[] {
  const s = text.slice(0, 10_000);
  return PHI_VALUE_PATTERNS.filter((p) => p.re.test(s)).map((p) => p.id);
}
