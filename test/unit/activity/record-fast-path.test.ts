import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CloudTrailEnvelopeSchema } from "../../../packages/core/src/activity/record.ts";
import { parseWith } from "../../../packages/core/src/events/eventbridge.ts";
import { Activity, InvalidEventError } from "../../../packages/core/src/index.ts";

// readCloudTrail validates records with a hand-written fast path and falls back to the zod schema.
// These properties hold it to the schema: same accepted inputs, same result (keys in the same order),
// same error field and message.

/** Keys in order at every level, so a different key order fails where toEqual would not. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === "object")
    return Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])]);
  return v;
}

function zodOutcome(rec: unknown, path: string) {
  try {
    return { ok: parseWith(Activity.CloudTrailRecordSchema, rec, path) };
  } catch (error) {
    return { error: error as InvalidEventError };
  }
}

function readOutcome(input: unknown) {
  try {
    return { ok: Activity.readCloudTrail(input) };
  } catch (error) {
    return { error: error as InvalidEventError };
  }
}

const garbage = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(""),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 3 }),
  fc.constant("x".repeat(4097)),
);
/** A field that is usually valid, sometimes absent, sometimes garbage. */
const maybe = <T>(valid: fc.Arbitrary<T>, ...invalid: unknown[]) =>
  fc.oneof(
    { weight: 60, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: garbage },
    ...invalid.map((v) => ({ weight: 1, arbitrary: fc.constant(v) })),
  );
const text = fc.string({ maxLength: 12 });
const identity = fc.record({
  type: maybe(fc.constantFrom("AssumedRole", "IAMUser", "AWSService", "Root"), "x".repeat(65)),
  arn: maybe(fc.constantFrom("arn:aws:sts::111122223333:assumed-role/r/s", "arn:aws:iam::1:user/u")),
  accountId: maybe(fc.constant("111122223333")),
  principalId: maybe(text),
  invokedBy: maybe(fc.constant("transcribe.amazonaws.com")),
  sessionContext: maybe(
    fc.record(
      {
        sessionIssuer: maybe(fc.record({ arn: maybe(text), type: maybe(text) }, { requiredKeys: [] })),
        attributes: maybe(fc.dictionary(text, fc.jsonValue({ maxDepth: 1 }))),
        extra: text,
      },
      { requiredKeys: [] },
    ),
  ),
  other: fc.jsonValue({ maxDepth: 1 }),
  more: text,
});
const recordArb = fc.record({
  eventVersion: maybe(fc.constant("1.10")),
  eventTime: maybe(
    fc.constantFrom("2026-02-03T07:00:00Z", "2026-02-03T07:00:00.123Z"),
    "not a time",
    "2026-02-03T07:00:00.123456789012345678901234567890123456789012345678901234567Z",
  ),
  eventSource: maybe(fc.constantFrom("s3.amazonaws.com", "kms.amazonaws.com")),
  eventName: maybe(fc.constantFrom("GetObject", "Decrypt"), "x".repeat(257)),
  awsRegion: maybe(fc.constant("us-east-1")),
  eventID: maybe(fc.uuid()),
  managementEvent: maybe(fc.boolean()),
  readOnly: maybe(fc.boolean()),
  sourceIPAddress: maybe(text),
  errorCode: maybe(text),
  userIdentity: maybe(identity),
  requestParameters: maybe(fc.oneof(fc.constant(null), fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })))),
  responseElements: fc.jsonValue({ maxDepth: 1 }),
  additionalEventData: maybe(fc.oneof(fc.constant(null), fc.dictionary(text, fc.jsonValue({ maxDepth: 1 })))),
  resources: maybe(
    fc.oneof(
      fc.constant(null),
      fc.array(maybe(fc.record({ ARN: maybe(text), type: maybe(text), x: text }, { requiredKeys: [] })), {
        maxLength: 3,
      }),
    ),
  ),
  tlsDetails: maybe(
    fc.oneof(fc.constant(null), fc.record({ tlsVersion: maybe(text) }, { requiredKeys: [] })),
  ),
  unknownKey: fc.jsonValue({ maxDepth: 1 }),
  "1": text,
  anotherKey: text,
});

let accepted = 0;
describe("CloudTrail record parser fast path", () => {
  it("accepts, returns and rejects exactly what the zod schema does (log files)", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 3 }), (recs) => {
        // Through JSON, as records arrive (drops undefined members), and as JS objects.
        for (const input of [JSON.parse(JSON.stringify({ Records: recs })), { Records: recs }]) {
          const got = readOutcome(input);
          let expected: { ok?: unknown[]; error?: InvalidEventError } = { ok: [] };
          for (let i = 0; i < input.Records.length; i++) {
            const z = zodOutcome(input.Records[i], `Records.${i}`);
            if (z.error) {
              expected = { error: z.error };
              break;
            }
            expected.ok!.push(z.ok);
          }
          if (expected.error) {
            expect(got.error).toBeInstanceOf(InvalidEventError);
            expect(got.error!.field).toBe(expected.error.field);
            expect(got.error!.message).toBe(expected.error.message);
          } else {
            expect(got.error).toBeUndefined();
            expect(shape(got.ok)).toEqual(shape(expected.ok));
            accepted++;
          }
        }
      }),
      { numRuns: 400 },
    );
    // Both outcomes are exercised (a generator of only-invalid records would prove nothing).
    expect(accepted).toBeGreaterThan(50);
  });

  it("reads an EventBridge envelope exactly as the zod schema does", () => {
    const envelope = fc.record(
      {
        version: maybe(fc.constant("0")),
        id: maybe(fc.uuid()),
        "detail-type": fc.constantFrom("AWS API Call via CloudTrail", "Object Created", ""),
        source: maybe(fc.constant("aws.s3")),
        account: maybe(fc.constantFrom("111122223333"), "1234", "1234567890", "1111222233334"),
        time: maybe(fc.constant("2026-02-03T07:00:00Z")),
        region: maybe(fc.constant("us-east-1")),
        resources: maybe(fc.array(fc.oneof(text, fc.integer()), { maxLength: 2 })),
        detail: maybe(recordArb),
      },
      { requiredKeys: ["detail-type"] },
    );
    fc.assert(
      fc.property(envelope, (env) => {
        const input = JSON.parse(JSON.stringify(env));
        const got = readOutcome(input);
        const schema = CloudTrailEnvelopeSchema;
        let expected: { ok?: unknown; error?: Error };
        try {
          const e = parseWith(schema, input);
          if (!(Activity.CLOUDTRAIL_DETAIL_TYPES as readonly string[]).includes(e["detail-type"]))
            throw new Error("unsupported");
          expected = { ok: [parseWith(Activity.CloudTrailRecordSchema, e.detail, "event.detail")] };
        } catch (error) {
          expected = { error: error as Error };
        }
        if (expected.error) {
          expect(got.error).toBeDefined();
          if (expected.error instanceof InvalidEventError) {
            expect(got.error!.field).toBe(expected.error.field);
            expect(got.error!.message).toBe(expected.error.message);
          } else expect(got.error!.name).toBe("UnsupportedEventError");
        } else {
          expect(got.error).toBeUndefined();
          expect(shape(got.ok)).toEqual(shape(expected.ok));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("drops an own __proto__ key like zod and never changes the result's prototype", () => {
    const rec = JSON.parse(
      '{"eventTime":"2026-02-03T07:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"e","userIdentity":{"type":"IAMUser","__proto__":{"x":1}},"requestParameters":{"__proto__":{"y":1},"key":"k"},"__proto__":{"polluted":true}}',
    );
    const [out] = Activity.readCloudTrail({ Records: [rec] });
    expect(shape(out)).toEqual(shape(parseWith(Activity.CloudTrailRecordSchema, rec, "Records.0")));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as Record<string, unknown>).polluted).toBeUndefined();
  });
});
