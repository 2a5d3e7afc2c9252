import { contactAttributeKeys } from "../../connect/analyze.ts";
import { parseFlow } from "../../connect/flow.ts";
import {
  mayMatchPhiValueShape,
  PHI_VALUE_PATTERNS,
  phiValueShapes,
  sensitiveTopics,
} from "../../connect/sensitive.ts";
import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import { CONNECT_FLOW, CONNECT_FLOW_MODULE, flowContentOf } from "../../resource/connect.ts";

/** Tag keys that name the people who run a resource: their e-mail or phone there is workforce data. */
const WORKFORCE_TAG_KEY = /owner|contact|created|author|team|maintainer|e-?mail|support|on-?call|requester/i;
/** …unless the key is about the people the contact center serves (`PatientContact`, `member_email`). */
const SERVED_PERSON_KEY = /patient|member|caller|customer|beneficiar|enrollee|subscriber|guarantor/i;
/** Resource types whose identity is a phone number. */
const PHONE_IS_IDENTITY = new Set(["AWS::Connect::PhoneNumber"]);

const NONE: readonly string[] = Object.freeze([]);

/**
 * All value shapes as one case-insensitive alternation: one scan tells whether any shape can match,
 * so the common string that matches none (ids, names with digits) costs one regex pass instead of
 * one per shape. It matches whenever some shape matches (an alternation of unanchored patterns, and
 * case-insensitivity only widens them), so it only decides when to skip `phiValueShapes`, which still
 * gives the answer. Built only when every pattern's flags are at most `i` (others could change meaning).
 */
const ANY_VALUE_SHAPE = PHI_VALUE_PATTERNS.every((p) => p.re.flags === "" || p.re.flags === "i")
  ? new RegExp(PHI_VALUE_PATTERNS.map((p) => `(?:${p.re.source})`).join("|"), "i")
  : undefined;
function valueShapes(s: string): readonly string[] {
  // Most names, ids and tag values hold no character some shape needs (see mayMatchPhiValueShape).
  if (!mayMatchPhiValueShape(s)) return NONE;
  // phiValueShapes looks at the first 10,000 characters: so does the pre-check.
  if (ANY_VALUE_SHAPE && !ANY_VALUE_SHAPE.test(s.length > 10_000 ? s.slice(0, 10_000) : s)) return NONE;
  return phiValueShapes(s);
}

/**
 * Sensitive topics of a tag key. Tag keys repeat across nearly every resource of an account (tag
 * policies: `team`, `env`, `cost-center`), so the answer of this pure function is remembered per key
 * (bounded).
 */
const topicsOfKey = new Map<string, readonly string[]>();
function keyTopics(key: string): readonly string[] {
  let t = topicsOfKey.get(key);
  if (!t) {
    t = Object.freeze(sensitiveTopics(key));
    if (topicsOfKey.size >= 2_000) topicsOfKey.clear();
    topicsOfKey.set(key, t);
  }
  return t;
}

/**
 * The value shapes of `s` a finding reports: no phone when a phone number is the resource's identity;
 * under a workforce tag key (`owner`, `team`, …), no e-mail or phone (the people who run it).
 */
function shapesOf(s: string, skipPhone: boolean, tagKey: string | undefined): readonly string[] {
  const found = valueShapes(s);
  if (found.length === 0) return NONE;
  const allowWorkforce =
    tagKey !== undefined && WORKFORCE_TAG_KEY.test(tagKey) && !SERVED_PERSON_KEY.test(tagKey);
  return found.filter(
    (p) =>
      !(skipPhone && p === "phone-value") &&
      !(allowWorkforce && (p === "email-value" || p === "phone-value")),
  );
}

/**
 * Whether a tag key may be printed in evidence: only when it holds no digit or `@`. A PHI-named key
 * may carry a value no shape matches (`PatientSSN=123456789`): such a key is named by position.
 */
const printableKey = (key: string): boolean => !/[\d@]/.test(key);

interface Hit {
  field: string;
  patterns: readonly string[];
}

export default defineControl({
  id: "no-phi-in-metadata",
  title: "Resource names, tags, descriptions and contact-attribute keys hold no PHI",
  resourceTypes: ["*"],
  hipaa: ["164.514(b)"],
  severity: "medium",
  rationale:
    "Names, tags and descriptions are copied into Config, CloudTrail, billing reports, dashboards and tickets that " +
    "nobody treats as PHI stores. An SSN, date of birth, MRN, e-mail or phone number there leaks to all of them; a " +
    "contact attribute named for PHI puts that PHI into every contact trace record.",
  remediation: {
    console:
      "Rename the resource or edit its tags / description to remove the identifier; for flows, stop writing the " +
      "value to a contact attribute (keep it in the flow or a Lambda) and republish.",
    cli: "aws resourcegroupstaggingapi untag-resources --resource-arn-list ARN --tag-keys KEY",
  },
  evaluate(resource) {
    const hits: Hit[] = [];
    const skipPhone = PHONE_IS_IDENTITY.has(resource.resourceType);
    const shapes = (s: string): readonly string[] => shapesOf(s, skipPhone, undefined);
    // The resource name, then its id when it differs (no closures or copies: this runs on every item).
    const name = resource.resourceName;
    const id = resource.resourceId;
    let names = 0;
    if (name) {
      names++;
      const p = shapes(name);
      if (p.length > 0) hits.push({ field: "resourceName", patterns: p });
    }
    if (id && id !== name) {
      names++;
      const p = shapes(id);
      if (p.length > 0) hits.push({ field: "resourceId", patterns: p });
    }
    const tags = resource.tags;
    const tagKeys = Object.keys(tags);
    for (let i = 0; i < tagKeys.length; i++) {
      const key = tagKeys[i]!;
      const value = tags[key]!;
      const keyShapes = shapes(key);
      // A key that *is* an identifier is named by position only, never printed.
      if (keyShapes.length > 0) hits.push({ field: `tag key #${i + 1}`, patterns: keyShapes });
      const topics = keyTopics(key);
      if (topics.length > 0 && keyShapes.length === 0)
        hits.push({
          field: printableKey(key) ? `tag key ${key.slice(0, 64)}` : `tag key #${i + 1}`,
          patterns: [...topics],
        });
      const valueShapes = shapesOf(value, skipPhone, key);
      if (valueShapes.length > 0)
        hits.push({
          field:
            keyShapes.length > 0 || !printableKey(key) ? `tag value #${i + 1}` : `tag ${key.slice(0, 64)}`,
          patterns: valueShapes,
        });
    }
    // Keys first: a value is read only under a description key (reading every value would parse every
    // embedded document of the item, which the normaliser leaves to the first read).
    for (const k of Object.keys(resource.configuration)) {
      if (!/description/i.test(k)) continue;
      const v = resource.configuration[k];
      if (typeof v !== "string") continue;
      const p = shapes(v);
      if (p.length > 0) hits.push({ field: `configuration.${k}`, patterns: p });
    }
    let attributeKeys = 0;
    if (resource.resourceType === CONNECT_FLOW || resource.resourceType === CONNECT_FLOW_MODULE) {
      const content = flowContentOf(resource);
      if (content !== undefined && content !== null) {
        let keys: string[] = [];
        try {
          keys = contactAttributeKeys(parseFlow(content, "configuration.Content"));
        } catch {
          // An unreadable flow is reported (ERROR) by the flow controls; here it has no keys to check.
          keys = [];
        }
        attributeKeys = keys.length;
        for (const key of keys) {
          const keyShapes = shapes(key);
          const topics = sensitiveTopics(key);
          if (keyShapes.length > 0)
            hits.push({ field: "contact attribute key (value-shaped)", patterns: keyShapes });
          else if (topics.length > 0)
            hits.push({ field: `contact attribute ${key.slice(0, 64)}`, patterns: topics });
        }
      }
    }
    const checked = {
      names,
      tags: tagKeys.length,
      contactAttributeKeys: attributeKeys,
    };
    if (hits.length > 0)
      return fail(`PHI patterns in ${hits.map((h) => h.field).join(", ")}`.slice(0, 300), {
        hits: hits.slice(0, 30),
        checked,
      });
    return pass("no PHI patterns in names, tags or descriptions", { checked });
  },
});
