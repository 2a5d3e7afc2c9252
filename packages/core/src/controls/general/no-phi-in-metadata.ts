import { contactAttributeKeys } from "../../connect/analyze.ts";
import { parseFlow } from "../../connect/flow.ts";
import { PHI_VALUE_PATTERNS, phiValueShapes, sensitiveTopics } from "../../connect/sensitive.ts";
import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import { CONNECT_FLOW, CONNECT_FLOW_MODULE, flowContentOf } from "../../resource/connect.ts";

/** Tag keys that name the people who run a resource: their e-mail or phone there is workforce data. */
const WORKFORCE_TAG_KEY = /owner|contact|created|author|team|maintainer|e-?mail|support|on-?call|requester/i;
/** Resource types whose identity is a phone number. */
const PHONE_IS_IDENTITY = new Set(["AWS::Connect::PhoneNumber"]);

/**
 * Every value shape known today needs a digit or an `@` (SSN, phone, MRN and date digits; e-mail `@`),
 * so a string with neither cannot match and is not run through the regexes (most names and tag
 * values). Checked against the pattern list at load: an unknown pattern turns the shortcut off.
 */
const SHAPES_NEED_DIGIT_OR_AT = PHI_VALUE_PATTERNS.every((p) =>
  ["ssn-value", "email-value", "phone-value", "mrn-value", "dob-value"].includes(p.id),
);
function mayHoldValueShape(s: string): boolean {
  if (!SHAPES_NEED_DIGIT_OR_AT) return true;
  const n = Math.min(s.length, 10_000);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 64) return true;
  }
  return false;
}
const NONE: readonly string[] = Object.freeze([]);

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
    const shapes = (s: string, allowWorkforce = false): readonly string[] =>
      !mayHoldValueShape(s)
        ? NONE
        : phiValueShapes(s).filter(
            (p) =>
              !(skipPhone && p === "phone-value") &&
              !(allowWorkforce && (p === "email-value" || p === "phone-value")),
          );
    const names = new Set([resource.resourceName, resource.resourceId].filter((n): n is string => !!n));
    for (const [i, name] of [...names].entries()) {
      const p = shapes(name);
      if (p.length > 0)
        hits.push({ field: i === 0 && resource.resourceName ? "resourceName" : "resourceId", patterns: p });
    }
    Object.entries(resource.tags).forEach(([key, value], i) => {
      const keyShapes = shapes(key);
      // A key that *is* an identifier is named by position only, never printed.
      if (keyShapes.length > 0) hits.push({ field: `tag key #${i + 1}`, patterns: keyShapes });
      const topics = keyTopics(key);
      if (topics.length > 0 && keyShapes.length === 0)
        hits.push({ field: `tag key ${key.slice(0, 64)}`, patterns: [...topics] });
      const valueShapes = shapes(value, WORKFORCE_TAG_KEY.test(key));
      if (valueShapes.length > 0)
        hits.push({
          field: keyShapes.length > 0 ? `tag value #${i + 1}` : `tag ${key.slice(0, 64)}`,
          patterns: valueShapes,
        });
    });
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
      names: names.size,
      tags: Object.keys(resource.tags).length,
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
