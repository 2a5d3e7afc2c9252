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
type Field = <T>(valid: fc.Arbitrary<T>, ...invalid: unknown[]) => fc.Arbitrary<unknown>;
/** A field that is usually valid, sometimes absent, sometimes garbage. */
const maybe: Field = (valid, ...invalid) =>
  fc.oneof(
    { weight: 40, arbitrary: valid },
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: garbage },
    ...invalid.map((v) => ({ weight: 1, arbitrary: fc.constant(v) })),
  );
/** A field that is valid or absent (`undefined`: a present undefined key, or absent after JSON). */
const optional: Field = (valid) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(undefined) });
const always: Field = (valid) => valid;

/** The same keys in a random order (zod's result has the schema's order, whatever the input's). */
const shuffled = (arb: fc.Arbitrary<Record<string, unknown>>) =>
  arb.chain((o) => {
    const keys = Object.keys(o);
    return fc
      .shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length })
      .map((ks) => Object.fromEntries(ks.map((k) => [k, o[k]])));
  });
const text = fc.string({ maxLength: 12 });
const dict = (depth: number) => fc.dictionary(text, fc.jsonValue({ maxDepth: depth }), { maxKeys: 3 });

/** Records whose optional fields come from `opt` and required ones from `req`. */
function recordOf(opt: Field, req: Field) {
  const identity = shuffled(
    fc.record({
      type: req(fc.constantFrom("AssumedRole", "IAMUser", "AWSService", "Root"), "x".repeat(65)),
      principalId: opt(text),
      arn: opt(fc.constantFrom("arn:aws:sts::111122223333:assumed-role/r/s", "arn:aws:iam::1:user/u")),
      accountId: opt(fc.constant("111122223333")),
      userName: opt(text),
      invokedBy: opt(fc.constant("transcribe.amazonaws.com")),
      identityProvider: opt(text),
      sessionContext: opt(
        shuffled(
          fc.record({
            sessionIssuer: opt(
              shuffled(
                fc.record({
                  type: opt(text),
                  arn: opt(text),
                  accountId: opt(text),
                  userName: opt(text),
                  extra: text,
                }),
              ),
            ),
            attributes: opt(dict(1)),
            extra: text,
          }),
        ),
      ),
      other: fc.jsonValue({ maxDepth: 1 }),
      more: text,
    }),
  );
  return shuffled(
    fc.record({
      eventVersion: opt(fc.constant("1.10")),
      eventTime: req(
        fc.constantFrom("2026-02-03T07:00:00Z", "2026-02-03T07:00:00.123Z"),
        "not a time",
        "2026-02-03T07:00:00.123456789012345678901234567890123456789012345678901234567Z",
      ),
      eventSource: req(fc.constantFrom("s3.amazonaws.com", "kms.amazonaws.com"), ""),
      eventName: req(fc.constantFrom("GetObject", "Decrypt"), "x".repeat(257)),
      awsRegion: req(fc.constant("us-east-1")),
      eventID: req(fc.uuid()),
      eventType: opt(text),
      eventCategory: opt(text),
      managementEvent: opt(fc.boolean()),
      readOnly: opt(fc.boolean()),
      recipientAccountId: opt(text),
      sharedEventID: opt(text),
      sourceIPAddress: opt(text),
      userAgent: opt(text),
      vpcEndpointId: opt(text),
      errorCode: opt(text),
      errorMessage: opt(text),
      userIdentity: req(identity),
      requestParameters: opt(fc.oneof(fc.constant(null), dict(2))),
      responseElements: opt(fc.jsonValue({ maxDepth: 1 })),
      additionalEventData: opt(fc.oneof(fc.constant(null), dict(1))),
      resources: opt(
        fc.oneof(
          fc.constant(null),
          fc.array(
            opt(shuffled(fc.record({ type: opt(text), ARN: opt(text), accountId: opt(text), x: text }))),
            { maxLength: 3 },
          ),
        ),
      ),
      tlsDetails: opt(
        fc.oneof(
          fc.constant(null),
          shuffled(fc.record({ tlsVersion: opt(text), cipherSuite: opt(text), y: text })),
        ),
      ),
      unknownKey: fc.jsonValue({ maxDepth: 1 }),
      "1": text,
      anotherKey: text,
    }),
  );
}
/** Half valid records (every present field valid), half with some garbage. */
const recordArb = fc.oneof(recordOf(optional, always), recordOf(maybe, maybe));

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
    expect(accepted).toBeGreaterThan(200);
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

  const base = {
    eventVersion: "1.10",
    eventTime: "2026-02-03T07:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    eventID: "e-1",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::111122223333:assumed-role/r/s",
      sessionContext: { sessionIssuer: { arn: "arn:aws:iam::111122223333:role/r" }, attributes: {} },
    },
    requestParameters: { bucketName: "b", key: "k" },
    resources: [{ type: "AWS::S3::Object", ARN: "arn:aws:s3:::b/k" }],
    tlsDetails: { tlsVersion: "TLSv1.3" },
  };
  const long = (n: number) => "x".repeat(n);
  it.each<[string, (r: typeof base & Record<string, unknown>) => void]>([
    [
      "an empty identity type",
      (r) => {
        r.userIdentity.type = "";
      },
    ],
    [
      "a 64-character identity type",
      (r) => {
        r.userIdentity.type = long(64);
      },
    ],
    [
      "a 65-character identity type",
      (r) => {
        r.userIdentity.type = long(65);
      },
    ],
    [
      "1000 resources",
      (r) => {
        r.resources = Array(1000).fill({ ARN: "a" });
      },
    ],
    [
      "1001 resources",
      (r) => {
        r.resources = Array(1001).fill({ ARN: "a" });
      },
    ],
    [
      "a 64-character event time",
      (r) => {
        r.eventTime = `2026-02-03T07:00:00.${"1".repeat(43)}Z`;
      },
    ],
    [
      "a 65-character event time",
      (r) => {
        r.eventTime = `2026-02-03T07:00:00.${"1".repeat(44)}Z`;
      },
    ],
    [
      "an empty event source",
      (r) => {
        r.eventSource = "";
      },
    ],
    [
      "a 256-character event name",
      (r) => {
        r.eventName = long(256);
      },
    ],
    [
      "a 257-character event name",
      (r) => {
        r.eventName = long(257);
      },
    ],
    [
      "a 64-character region",
      (r) => {
        r.awsRegion = long(64);
      },
    ],
    [
      "a 65-character region",
      (r) => {
        r.awsRegion = long(65);
      },
    ],
    [
      "a 257-character event id",
      (r) => {
        r.eventID = long(257);
      },
    ],
    [
      "a 4096-character user agent",
      (r) => {
        r.userAgent = long(4096);
      },
    ],
    [
      "a 4097-character user agent",
      (r) => {
        r.userAgent = long(4097);
      },
    ],
    [
      "a 4097-character session issuer ARN",
      (r) => {
        r.userIdentity.sessionContext.sessionIssuer.arn = long(4097);
      },
    ],
    [
      "array request parameters",
      (r) => {
        r.requestParameters = [] as never;
      },
    ],
    [
      "a null session context",
      (r) => {
        r.userIdentity.sessionContext = null as never;
      },
    ],
    [
      "a string readOnly",
      (r) => {
        r.readOnly = "true";
      },
    ],
    [
      "a numeric cipher suite",
      (r) => {
        r.tlsDetails = { cipherSuite: 1 } as never;
      },
    ],
    [
      "a Date as request parameters",
      (r) => {
        r.requestParameters = new Date() as never;
      },
    ],
    [
      "an object with a null prototype",
      (r) => {
        r.tlsDetails = Object.create(null);
      },
    ],
  ])("agrees with zod on %s", (_name, change) => {
    const rec = structuredClone(base) as typeof base & Record<string, unknown>;
    change(rec);
    const got = readOutcome({ Records: [rec] });
    const z = zodOutcome(rec, "Records.0");
    if (z.error) {
      expect(got.error?.field).toBe(z.error.field);
      expect(got.error?.message).toBe(z.error.message);
    } else expect(shape(got.ok)).toEqual(shape([z.ok]));
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
