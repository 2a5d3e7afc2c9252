import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { phiValueShapes } from "../../../packages/core/src/connect/sensitive.ts";
import {
  buildAlert,
  encodeWebhook,
  redactText,
  redactValue,
  snsPublishInput,
  type Transition,
  toHec,
  toOcsf,
} from "../../../packages/core/src/format/index.ts";
import { driftFinding, PHI_NEEDLES, phiLadenFinding } from "./finding-fixtures.ts";

const TRANSITIONS: Transition[] = [
  "OPENED",
  "REOPENED",
  "RESOLVED",
  "ESCALATED",
  "SUPPRESSED",
  "STILL_HAPPENING",
];

function payloadsOf(
  kind: "drift" | "activity",
  transition: Transition,
  hashKey?: string,
): Record<string, string> {
  const f = phiLadenFinding(kind);
  const old = { ...f, severity: "low" as const, count: 1 };
  const redaction = hashKey ? { hashKey } : {};
  const alert = buildAlert(old, f, transition, "page", {
    rationale: "Patient jane.doe@example.org DOB 01/02/1980",
    remediation: "call (555) 123-4567",
    redaction,
  });
  return {
    "sns input": JSON.stringify(snsPublishInput(alert)),
    "sns text": alert.text,
    "sns subject": alert.subject,
    "sns attributes": JSON.stringify(alert.attributes),
    ocsf: JSON.stringify(toOcsf(old, f, transition, { redaction })),
    hec: JSON.stringify(toHec(old, f, transition, { redaction })),
    json: encodeWebhook("json", [{ old, next: f, transition }], { redaction })[0]!.body,
  };
}

describe("no PHI in any payload", () => {
  describe.each(["drift", "activity"] as const)("%s findings", (kind) => {
    it.each(TRANSITIONS)("%s: every payload is free of the PHI put in every caller-supplied field", (t) => {
      for (const hashKey of [undefined, "org-key"]) {
        for (const [name, text] of Object.entries(payloadsOf(kind, t, hashKey))) {
          for (const needle of PHI_NEEDLES) expect(text, `${name} leaks ${needle}`).not.toContain(needle);
          expect(text.toLowerCase(), name).not.toContain("jane.doe");
        }
      }
    });
  });

  it("keeps what a responder needs: account, role, bucket, rule, ISO times", () => {
    const p = payloadsOf("activity", "OPENED");
    expect(p.json).toContain("111122223333");
    expect(p.json).toContain("AWSReservedSSO_QA_0123456789abcdef");
    expect(p.json).toContain("access-volume-spike");
    expect(p.json).toContain("2026-03-03T02:00:00.000Z");
    expect(p.json).toContain('"observed":2000');
  });

  it("gives a keyed, stable token so one person can be correlated across findings", () => {
    const a = redactText("jane.doe@example.org", { hashKey: "k" });
    expect(a).toMatch(/^\[email:[0-9a-f]{8}\]$/);
    expect(redactText("Jane.Doe@Example.org", { hashKey: "k" })).toBe(a);
    expect(redactText("jane.doe@example.org", { hashKey: "other" })).not.toBe(a);
    expect(redactText("+1 (555) 123-4567", { hashKey: "k" })).toBe(
      redactText("555.123.4567", { hashKey: "k" }),
    );
  });

  it.each([
    ["arn:aws:iam::111122223333:role/qa-analytics", "arn:aws:iam::111122223333:role/qa-analytics"],
    ["f-0123456789abcdef01234567", "f-0123456789abcdef01234567"],
    ["key 1234abcd-12ab-34cd-56ef-123456789012", "key 1234abcd-12ab-34cd-56ef-123456789012"],
    ["2026-03-03T10:00:00.000Z", "2026-03-03T10:00:00.000Z"],
    [
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
    ["SSE-S3 (AES256) instead of aws:kms", "SSE-S3 (AES256) instead of aws:kms"],
    ["10.0.1.25 via vpce-0a1b2c3d", "10.0.1.25 via vpce-0a1b2c3d"],
    ["ssn: 123 45 6789", "[ssn]"],
    ["Date of birth 2/3/1975", "[dob]"],
    ["medical record number A1234567", "[mrn]"],
    ["card 5500-0000-0000-0004", "card [card]"],
    ["card 5500-0000-0000-0005", "card 5500-0000-0000-0005"],
  ])("redacts %j as %j", (input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it("redacts keys and values at any depth, bounded", () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 20; i++) {
      cur.next = { email: "a@b.co" };
      cur = cur.next as Record<string, unknown>;
    }
    const out = JSON.stringify(redactValue(deep));
    expect(out).not.toContain("a@b.co");
    expect(out).toContain("[truncated]");
    expect(redactValue({ "x@y.org": 1n as unknown })).toEqual({ "[email]": "[bigint]" });
    expect(redactValue(Array.from({ length: 500 }, () => 1))).toHaveLength(200);
  });

  it("redaction is idempotent and never lets a generated e-mail or SSN through (property)", () => {
    const email = fc
      .tuple(
        fc.stringMatching(/^[a-z][a-z0-9._]{0,15}$/),
        fc.stringMatching(/^[a-z]{2,10}$/),
        fc.constantFrom("org", "com", "health"),
      )
      .map(([u, d, t]) => `${u}@${d}.${t}`);
    const ssn = fc
      .tuple(
        fc.integer({ min: 100, max: 899 }),
        fc.integer({ min: 10, max: 99 }),
        fc.integer({ min: 1000, max: 9999 }),
      )
      .map(([a, b, c]) => `${a}-${b}-${c}`);
    fc.assert(
      fc.property(fc.string(), fc.oneof(email, ssn), fc.string(), (pre, secret, post) => {
        const text = `${pre} ${secret} ${post}`;
        const once = redactText(text);
        expect(once).not.toContain(secret);
        expect(redactText(once)).toBe(once);
      }),
    );
  });
});

describe("labelled values side by side", () => {
  // A labelled date of birth must end with its date: read on into the next words, it cut an SSN in two
  // and left its last digits ("dob 01/02/1980 ssn 123-45-6789" → "[dob]-6789").
  it.each([
    ["dob 01/02/1980 ssn 123-45-6789", ["123", "45", "6789", "1980"]],
    ["DOB: 1980-01-02, SSN 123456789", ["123456789", "6789", "1980"]],
    ["born March 3, 1984 ssn 123-45-6789", ["6789", "1984"]],
    ["date of birth 02.11.1984 phone 555-123-4567", ["4567", "1984"]],
    ["dob 01/02/1980 mrn 4455667", ["4455667", "1980"]],
  ])("%j keeps no digit of either value", (text, needles) => {
    for (const options of [{}, { hashKey: "k".repeat(64) }]) {
      const out = redactText(text, options);
      for (const n of needles) expect(out, `${out} (${n})`).not.toContain(n);
    }
  });

  it("never leaves a tail of a generated SSN after a labelled date of birth (property)", () => {
    const date = fc
      .tuple(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1930, max: 2020 }),
      )
      .map(([m, d, y]) => `${String(m).padStart(2, "0")}/${String(d).padStart(2, "0")}/${y}`);
    const ssn = fc
      .tuple(
        fc.integer({ min: 100, max: 899 }),
        fc.integer({ min: 10, max: 99 }),
        fc.integer({ min: 1000, max: 9999 }),
      )
      .map(([a, b, c]) => ({ text: `${a}-${b}-${c}`, last4: String(c) }));
    fc.assert(
      fc.property(
        fc.constantFrom("dob", "DOB:", "born", "date of birth"),
        date,
        fc.constantFrom(" ssn ", ", SSN: ", " / ", " "),
        ssn,
        (label, d, sep, s) => {
          const out = redactText(`${label} ${d}${sep}${s.text}`);
          expect(out).not.toContain(s.last4);
        },
      ),
    );
  });
});

describe("redaction covers every value shape no-phi-in-metadata calls PHI", () => {
  // The control flags these in a resource name (an IAM role, a DynamoDB table, a Connect flow): the
  // finding's subject is that resource, so the same text reaches the SNS alert and SIEM payloads.
  it.each([
    ["jdoe123-45-6789", "123-45-6789"],
    ["Callback (555)123-4567", "123-4567"],
    ["intake-dob_84-2-11", "84-2-11"],
  ])("%j: the shape the control finds is not in any payload", (name, needle) => {
    expect(phiValueShapes(name).length).toBeGreaterThan(0);
    const f = driftFinding({
      ruleId: "no-phi-in-metadata",
      subject: { ...driftFinding().subject, resourceType: "AWS::IAM::Role", resourceId: name },
      summary: "PHI patterns in resourceName",
    });
    const payloads = [
      JSON.stringify(toOcsf(undefined, f, "OPENED")),
      JSON.stringify(toHec(undefined, f, "OPENED")),
      JSON.stringify(snsPublishInput(buildAlert(undefined, f, "OPENED", "notify"))),
    ];
    for (const p of payloads) expect(p).not.toContain(needle);
  });

  it("redactText leaves no value shape behind (property)", () => {
    const shaped = fc.oneof(
      fc.stringMatching(/^[a-z]{0,3}\d{3}-\d{2}-\d{4}[a-z]{0,3}$/),
      fc.stringMatching(/^\(\d{3}\) ?\d{3}[-. ]\d{4}$/),
      fc.stringMatching(/^(dob|DOB|birthdate|date_of_birth)[_:= -]?\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/),
      fc.stringMatching(/^MRN[\s:#=_-]?\d{4,9}$/),
    );
    fc.assert(
      fc.property(fc.string(), shaped, fc.string(), (pre, secret, post) => {
        expect(phiValueShapes(redactText(`${pre} ${secret} ${post}`))).toEqual([]);
      }),
    );
  });
});
