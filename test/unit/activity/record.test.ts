import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Activity, InputTooLargeError, InvalidEventError } from "../../../packages/core/src/index.ts";

const fixture = (f: string) => JSON.parse(readFileSync(`test/fixtures/activity/${f}`, "utf8"));

describe("CloudTrail record parser", () => {
  it("reads an EventBridge envelope, a raw record and a log file", () => {
    expect(
      Activity.readCloudTrail(fixture("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json")),
    ).toHaveLength(1);
    expect(Activity.readCloudTrail(fixture("awsdocs_kms__Decrypt_symmetric.json"))[0]!.eventName).toBe(
      "Decrypt",
    );
    const log = Activity.readCloudTrail(
      fixture("awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json"),
    );
    expect(log.map((r) => r.eventName)).toEqual(["ListBuckets", "PutBucketAcl", "GetBucketVersioning"]);
  });

  it("reads a gzip log file as CloudTrail delivers it to S3", () => {
    const body = gzipSync(
      JSON.stringify(fixture("awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json")),
    );
    expect(Activity.parseCloudTrailLogFile(body, "s3://trail/x.json.gz")).toHaveLength(3);
  });

  it("rejects a Logstash-shipped record without eventTime, naming the field (OTRF GetObject)", () => {
    expect(() => Activity.readCloudTrail(fixture("otrf__GetObject_stolen_instance_role.json"))).toThrow(
      expect.objectContaining({ name: "InvalidEventError", field: "record.eventTime" }),
    );
  });

  it("names the record of a log file that is wrong", () => {
    const log = fixture("awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json");
    log.Records[1].eventName = 42;
    expect(() => Activity.readCloudTrail(log)).toThrow(
      expect.objectContaining({ field: "Records.1.eventName" }),
    );
  });

  it("skips and reports one bad record of a log file when asked, keeping the others (the access function dead-letters it alone)", () => {
    const log = fixture("awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json");
    log.Records[1].eventName = 42;
    const body = gzipSync(JSON.stringify(log));
    expect(() => Activity.parseCloudTrailLogFile(body, "s3://trail/x.json.gz")).toThrow(
      expect.objectContaining({ field: "Records.1.eventName" }),
    );
    const rejected: Array<[number, string | undefined, unknown]> = [];
    const records = Activity.parseCloudTrailLogFile(body, "s3://trail/x.json.gz", {
      onRejected: (i, e, rec) => rejected.push([i, e.field, rec]),
    });
    expect(records.map((r) => r.eventName)).toEqual(["ListBuckets", "GetBucketVersioning"]);
    expect(rejected).toEqual([[1, "Records.1.eventName", log.Records[1]]]);
  });

  it("refuses non-CloudTrail EventBridge events and oversized messages", () => {
    const env = fixture("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json");
    expect(() => Activity.readCloudTrail({ ...env, "detail-type": "Object Created" })).toThrow(
      /not a CloudTrail event/,
    );
    expect(() => Activity.readAccessMessage(" ".repeat(300 * 1024))).toThrow(InputTooLargeError);
    expect(() => Activity.parseCloudTrailLogFile(new TextEncoder().encode('{"a":1}'), "f.json")).toThrow(
      expect.objectContaining({ field: "f.json.Records" }),
    );
  });

  it.each([
    [
      "an S3 event notification (URL-encoded key)",
      {
        Records: [
          {
            eventSource: "aws:s3",
            s3: { bucket: { name: "trail" }, object: { key: "AWSLogs/1/a+b%3D.json.gz" } },
          },
        ],
      },
      [{ bucket: "trail", key: "AWSLogs/1/a b=.json.gz" }],
    ],
    [
      "an EventBridge Object Created event",
      {
        "detail-type": "Object Created",
        source: "aws.s3",
        detail: { bucket: { name: "trail" }, object: { key: "k.json.gz" } },
      },
      [{ bucket: "trail", key: "k.json.gz" }],
    ],
    [
      "CloudTrail's SNS notification",
      { s3Bucket: "trail", s3ObjectKey: ["a.json.gz", "b.json.gz"] },
      [
        { bucket: "trail", key: "a.json.gz" },
        { bucket: "trail", key: "b.json.gz" },
      ],
    ],
  ])("reads %s as log files to fetch", (_name, body, objects) => {
    expect(Activity.readAccessMessage(JSON.stringify(body))).toEqual({ kind: "log-files", objects });
    const sns = { Type: "Notification", Message: JSON.stringify(body) };
    expect(Activity.readAccessMessage(JSON.stringify(sns))).toEqual({ kind: "log-files", objects });
  });

  it("ignores the S3 test event and reads a data-event envelope as records", () => {
    expect(Activity.readAccessMessage('{"Event":"s3:TestEvent"}').kind).toBe("ignore");
    const msg = Activity.readAccessMessage(
      JSON.stringify(fixture("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json")),
    );
    expect(msg.kind === "records" && msg.records[0]!.eventName).toBe("PutObject");
  });
});

const record = fc.record({
  eventVersion: fc.constant("1.08"),
  eventTime: fc
    .date({ min: new Date("2015-01-01"), max: new Date("2035-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  eventSource: fc.constantFrom("s3.amazonaws.com", "kms.amazonaws.com", "cloudtrail.amazonaws.com"),
  eventName: fc.constantFrom("GetObject", "Decrypt", "StopLogging", "ListObjects"),
  awsRegion: fc.constantFrom("us-east-1", "eu-west-1"),
  eventID: fc.uuid(),
  recipientAccountId: fc.constant("111122223333"),
  userIdentity: fc.oneof(
    fc.record({
      type: fc.constant("IAMUser"),
      arn: fc.constant("arn:aws:iam::111122223333:user/a"),
      accountId: fc.constant("111122223333"),
    }),
    fc.record({
      type: fc.constant("AWSService"),
      invokedBy: fc.constantFrom("transcribe.amazonaws.com", "connect.amazonaws.com"),
    }),
  ),
  requestParameters: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), {
    nil: null,
  }),
});

describe("CloudTrail record parser (properties)", () => {
  it("accepts every well-formed log file and keeps every record and event id", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (recs) => {
        const out = Activity.readCloudTrail({ Records: recs });
        expect(out.map((r) => r.eventID)).toEqual(recs.map((r) => r.eventID));
      }),
    );
  });

  it("throws only InvalidEventError (naming a field) on arbitrary JSON, never anything else", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          Activity.readAccessMessage(JSON.stringify(v) ?? "null");
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as InvalidEventError).field.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it("names the broken field of a record with one required field replaced by garbage", () => {
    const required = [
      "eventTime",
      "eventSource",
      "eventName",
      "awsRegion",
      "eventID",
      "userIdentity",
    ] as const;
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(...required),
        fc.oneof(fc.integer(), fc.constant(null), fc.boolean()),
        (recs, i, field, garbage) => {
          const idx = i % recs.length;
          const bad = recs.map((r, j) => (j === idx ? { ...r, [field]: garbage } : r));
          expect(() => Activity.readCloudTrail({ Records: bad })).toThrow(
            expect.objectContaining({
              field: expect.stringMatching(new RegExp(`^Records\\.${idx}\\.${field}`)),
            }),
          );
        },
      ),
    );
  });

  it("parses random bytes as a log file only into InvalidEventError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, gz) => {
        try {
          Activity.parseCloudTrailLogFile(gz ? gzipSync(bytes) : bytes, "f");
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
        }
      }),
    );
  });
});

describe("parseCloudTrailLogFile: a file that is not JSON", () => {
  it("is refused without quoting the file (V8's message quotes it: an object key, terminal escapes)", () => {
    for (const text of ['{"Records": [patients/jane-doe-123-45-6789.wav]}', "\u001b]0;owned\u0007{}"])
      for (const bytes of [Buffer.from(text), gzipSync(text)]) {
        let message = "";
        try {
          Activity.parseCloudTrailLogFile(bytes, "trail.json.gz");
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
          message = (error as Error).message;
        }
        expect(message).toMatch(/^trail\.json\.gz: not valid JSON/);
        expect(message).not.toMatch(/[\p{Cc}\p{Cf}]|owned|patients|jane|6789/u);
      }
  });
});

describe("access queue message that is not JSON", () => {
  // V8's JSON.parse error quotes the input around the unexpected token: here an object key (PHI)
  // that would reach the dead-letter message, the handler's dead-letter and the CLI's output.
  const body = "patients/jane-doe-mrn-4471/intake.wav was uploaded";

  it("dead-letters with the reason, never the text of the body", () => {
    let error: unknown;
    try {
      Activity.readAccessMessage(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).field).toBe("body");
    expect((error as Error).message).toBe("body: not valid JSON (unexpected character)");
  });

  it("quotes no part of an arbitrary non-JSON body", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9/ -]{5,40}$/), (text) => {
        let message = "";
        try {
          Activity.readAccessMessage(text);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).not.toContain(text.slice(0, 6));
      }),
    );
  });
});
