// The deployment's redaction key: derived from the PhiwatchHashKey secret with its own label (never
// the secret itself), stable across calls, and giving well-formed keyed tokens for every kind.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cliRedaction, cliRedactionKey } from "../../../packages/cli/src/redaction.ts";
import { objectKeyHasher } from "../../../packages/core/src/activity/access-event.ts";
import {
  buildAlert,
  findingEvent,
  REDACTION_KEY_LABEL,
  redactionKey,
  redactionOptions,
  redactText,
  toOcsf,
} from "../../../packages/core/src/format/index.ts";
import { Report } from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { phiLadenFinding } from "./finding-fixtures.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = /^\[(email|ssn|card|phone|dob|mrn):[0-9a-f]{8}\]$/;

describe("redaction key", () => {
  it("is HMAC-SHA256(secret, 'phiwatch:redaction:v1'), never the secret itself", () => {
    const key = redactionKey(SECRET);
    expect(REDACTION_KEY_LABEL).toBe("phiwatch:redaction:v1");
    expect(key).toBe(createHmac("sha256", SECRET).update("phiwatch:redaction:v1").digest("hex"));
    expect(key).not.toBe(SECRET);
    expect(key).not.toContain(SECRET);
    // Domain separation: a token made with the redaction key is not one made with the object-key
    // secret, and the object-key hash of a value is not its token's hash.
    const email = "jane.doe@example.org";
    expect(redactText(email, { hashKey: key })).not.toBe(redactText(email, { hashKey: SECRET }));
    expect(redactText(email, { hashKey: key })).not.toContain(objectKeyHasher(SECRET)(email).slice(4, 12));
  });

  it("is the same on every call (so notify containers, the CLI report and reruns agree), different per secret", () => {
    expect(redactionKey(SECRET)).toBe(redactionKey(SECRET));
    expect(redactionKey(`${SECRET}x`)).not.toBe(redactionKey(SECRET));
    const a = redactText("read by jane.doe@example.org", { hashKey: redactionKey(SECRET) });
    expect(a).toMatch(/^read by \[email:[0-9a-f]{8}\]$/);
    expect(redactText("read by Jane.Doe@example.org", { hashKey: redactionKey(SECRET) })).toBe(a);
  });

  it("refuses a secret shorter than the object-key hasher accepts", () => {
    expect(() => redactionKey("short")).toThrow(/PHIWATCH_HASH_KEY: at least 16 characters/);
  });

  it("is read from PHIWATCH_REDACTION_KEY by the functions, with kind-only tokens when unset", () => {
    expect(redactionOptions({})).toEqual({});
    expect(redactionOptions({ PHIWATCH_REDACTION_KEY: "" })).toEqual({});
    expect(redactionOptions({ PHIWATCH_REDACTION_KEY: redactionKey(SECRET) })).toEqual({
      hashKey: redactionKey(SECRET),
    });
    // The object-key secret alone gives a function no redaction key: it must be derived (infra).
    expect(redactionOptions({ PHIWATCH_HASH_KEY: SECRET })).toEqual({});
    expect(() => redactionOptions({ PHIWATCH_REDACTION_KEY: "tooshort" })).toThrow(/PHIWATCH_REDACTION_KEY/);
  });

  it("is derived the same way by the CLI, and never from the table-derived local fallback", () => {
    expect(cliRedactionKey({ PHIWATCH_HASH_KEY: SECRET })).toBe(redactionKey(SECRET));
    const derived = redactionKey(`${SECRET}-other`);
    expect(cliRedactionKey({ PHIWATCH_HASH_KEY: SECRET, PHIWATCH_REDACTION_KEY: derived })).toBe(derived);
    expect(cliRedactionKey({})).toBeUndefined();
    expect(cliRedaction({})).toEqual({});
  });
});

describe("keyed tokens", () => {
  // A later rule must not read a token an earlier one made: "[mrn:1234abcd]" is "MRN" and four digits
  // to the mrn-value shape, which mangled about one keyed MRN token in seven ("[[mrn:…]abcd]").
  it.each([
    "MRN: 1234567",
    "member id 88123",
    "patient id A12345",
    "DOB 01/02/1980",
    "born 1980-02-01",
    "jane.doe@example.org",
    "SSN 123-45-6789",
    "4111 1111 1111 1111",
    "(555) 123-4567",
  ])("are one well-formed token for %j under every key", (value) => {
    for (let k = 0; k < 400; k++) {
      const out = redactText(value, { hashKey: redactionKey(`${SECRET}-${k}`) });
      expect(out, `key ${k}`).toMatch(TOKEN);
    }
  });

  it("cannot be forged by private-use characters in caller text", () => {
    const out = redactText("a\uE010\uE000\uE011b jane@example.org", { hashKey: redactionKey(SECRET) });
    expect(out).toMatch(/^a\?\?\?b \[email:[0-9a-f]{8}\]$/);
  });

  it("are the same person in the SNS alert, the SIEM payload and the evidence report", () => {
    const redaction = { hashKey: redactionKey(SECRET) };
    const f = phiLadenFinding("activity");
    const person = "jane.doe@example.org";
    expect(f.subject.principal).toContain(person);
    const token = redactText(person, redaction);
    expect(token).toMatch(TOKEN);
    const alert = buildAlert(undefined, f, "OPENED", "page", { redaction });
    const event = findingEvent(undefined, f, "OPENED", redaction);
    const ocsf = toOcsf(undefined, f, "OPENED", { redaction });
    const report = Report.buildReport({
      baseline: testBaseline({}),
      controls: [],
      findings: [f],
      history: [],
      inventory: [],
      generatedAt: "2026-03-03T12:00:00.000Z",
      redaction,
    });
    for (const [name, text] of Object.entries({
      alert: alert.text,
      event: JSON.stringify(event),
      ocsf: JSON.stringify(ocsf),
      report: JSON.stringify(report),
    })) {
      expect(text, name).toContain(token);
      expect(text, name).not.toContain(person);
    }
  });
});
