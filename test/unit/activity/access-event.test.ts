// How CloudTrail data events become PHI access events: which records count as reads of PHI.
import { describe, expect, it } from "vitest";
import { Activity, DETECTORS } from "../../../packages/core/src/index.ts";
import { demoBaseline, HASH } from "./helpers.ts";

const ACCT = "111122223333";
const RECORDINGS = "northwind-connect-recordings";
const RAW_KEY = "connect/northwind-prod/CallRecordings/2026/03/03/c-1.wav";
const b = demoBaseline();

let seq = 0;
/** An S3 data event as CloudTrail records it (fields of the OTRF GetObject capture), with overrides. */
function s3Record(over: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    eventTime: "2026-03-03T15:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    eventID: `ae-${++seq}`,
    eventType: "AwsApiCall",
    eventCategory: "Data",
    managementEvent: false,
    readOnly: true,
    recipientAccountId: ACCT,
    sourceIPAddress: "198.51.100.23",
    userAgent: "[aws-cli/2.17.60 md/awscrt#0.21.2]",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAEXAMPLE:dev-session",
      arn: `arn:aws:sts::${ACCT}:assumed-role/analytics-qa/dev-session`,
      accountId: ACCT,
      sessionContext: {
        sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCT}:role/analytics-qa`, accountId: ACCT },
      },
    },
    requestParameters: { bucketName: RECORDINGS, Host: `${RECORDINGS}.s3.amazonaws.com`, key: RAW_KEY },
    additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256" },
    tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256" },
    ...over,
  };
}
const accessOf = (r: Record<string, unknown>) =>
  Activity.toAccessEvent(Activity.readCloudTrail(r)[0]!, b, HASH);

async function detect(records: Record<string, unknown>[]) {
  const events = records.flatMap((r) => accessOf(r) ?? []);
  const r = await Activity.processAccessEvents(events, {
    store: new Activity.MemoryAccessStore(),
    baseline: b,
    detectors: DETECTORS,
    now: new Date("2026-03-04T00:00:00Z"),
  });
  expect(r.errors).toEqual([]);
  return [...new Set(r.detections.map((d) => d.ruleId))].sort();
}

describe("access events: failed reads", () => {
  it("does not count a GetObject that failed with NoSuchKey as a read of PHI", async () => {
    // The analytics role reading raw audio fires on the first successful read…
    expect(await detect([s3Record({})])).toContain("access-unauthorized-principal");
    // …but a GetObject that returned NoSuchKey read nothing (no object, no bytes).
    const failed = s3Record({ errorCode: "NoSuchKey", errorMessage: "The specified key does not exist." });
    expect(await detect([failed])).toEqual([]);
  });
});

describe("access events: server-side copies out of a PHI bucket", () => {
  // CloudTrail records CopyObject under the destination bucket; the source is only in the
  // `x-amz-copy-source` request header ("bucket/key"), and `resources` names only the destination —
  // shape of the sample CopyObject record in DataDog/stratus-red-team @ aace0f856fe8,
  // docs/attack-techniques/AWS/aws.impact.s3-ransomware-client-side-encryption.md.
  const copy = (source: string, over: Record<string, unknown> = {}) =>
    s3Record({
      eventName: "CopyObject",
      readOnly: false,
      requestParameters: {
        bucketName: "exfil-drop-bucket",
        Host: "exfil-drop-bucket.s3.us-east-1.amazonaws.com",
        "x-amz-copy-source": source,
        key: "loot/c-1.wav",
        "x-id": "CopyObject",
      },
      resources: [
        { type: "AWS::S3::Object", ARN: "arn:aws:s3:::exfil-drop-bucket/loot/c-1.wav" },
        { accountId: "444455556666", type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::exfil-drop-bucket" },
      ],
      ...over,
    });

  it("reads a CopyObject whose source is a PHI object as a read of the source bucket", async () => {
    const ev = accessOf(copy(`${RECORDINGS}/${RAW_KEY}`));
    expect(ev).toMatchObject({ action: "read", target: { type: "AWS::S3::Bucket", id: RECORDINGS } });
    expect(ev?.rawAudio).toBe(true);
    // The same object fetched with GetObject hashes the same: distinct objects count once.
    expect(ev?.objectHash).toBe(accessOf(s3Record({}))?.objectHash);
    // The analytics role copying raw audio out is the same unauthorized read as downloading it.
    expect(await detect([copy(`${RECORDINGS}/${RAW_KEY}`)])).toContain("access-unauthorized-principal");
  });

  it("reads the URL-encoded, slash-led and versioned forms SDKs send (UploadPartCopy too)", () => {
    const encoded = `/${RECORDINGS}/${RAW_KEY.replace(/\//g, "%2F")}?versionId=3HL4kqtJlcpXroDTDmJ`;
    const ev = accessOf(copy(encoded, { eventName: "UploadPartCopy" }));
    expect(ev).toMatchObject({ action: "read", target: { id: RECORDINGS }, rawAudio: true });
    expect(ev?.objectHash).toBe(accessOf(s3Record({}))?.objectHash);
  });

  it("ignores copies between buckets that hold no PHI", () => {
    expect(accessOf(copy("public-assets/logo.png"))).toBeUndefined();
  });
});

describe("access events: which object calls are PHI reads", () => {
  // Trail coverage (resource/cloudtrail.ts) requires a selector to record exactly S3_READ_EVENTS on
  // a PHI bucket's objects: it must be the set toAccessEvent counts as a read of the object named.
  const CANDIDATES = [
    "GetObject",
    "SelectObjectContent",
    "HeadObject",
    "GetObjectAttributes",
    "GetObjectAcl",
    "GetObjectTagging",
    "GetObjectTorrent",
    "GetObjectRetention",
    "GetObjectLegalHold",
    "RestoreObject",
    "PutObject",
    "DeleteObject",
  ];
  it("counts exactly S3_READ_EVENTS as successful reads of the object's bucket", () => {
    const reads = CANDIDATES.filter((eventName) => {
      const ev = accessOf(s3Record({ eventName }));
      return ev?.action === "read" && ev.target.id === RECORDINGS;
    });
    expect(reads).toEqual([...Activity.S3_READ_EVENTS]);
  });
});

describe("access events: denied probes of other object calls", () => {
  // The access rule routes every denied S3 data event on a PHI bucket (eventCategory Data, errorCode
  // AccessDenied), as the AccessDenied ListObjects and VpceAccessDenied GetObject captures show them.
  it("counts denied HeadObject / PutObject / DeleteObject on a PHI bucket towards access-denied-burst", async () => {
    const probes = ["HeadObject", "GetObjectAttributes", "PutObject", "DeleteObject"].flatMap((eventName) =>
      [0, 1, 2].map((i) =>
        s3Record({
          eventName,
          eventTime: `2026-03-03T15:0${i}:00Z`,
          errorCode: "AccessDenied",
          errorMessage: "Access Denied",
          requestParameters: { bucketName: RECORDINGS, key: `${RAW_KEY}.${i}` },
        }),
      ),
    );
    expect(probes.map((p) => accessOf(p)?.denied)).toEqual(probes.map(() => true));
    expect(await detect(probes)).toEqual(["access-denied-burst"]);
  });

  it("still ignores successful calls other than reads and lists, and denied calls on other buckets", () => {
    expect(accessOf(s3Record({ eventName: "HeadObject" }))).toBeUndefined();
    expect(accessOf(s3Record({ eventName: "PutObject", readOnly: false }))).toBeUndefined();
    const other = { bucketName: "public-assets", key: "logo.png" };
    expect(
      accessOf(s3Record({ eventName: "HeadObject", errorCode: "AccessDenied", requestParameters: other })),
    ).toBeUndefined();
  });
});

describe("access events: object key from the resource ARN", () => {
  it("reads the key in the record's partition when requestParameters has none (GovCloud)", () => {
    const rec = (partition: string) =>
      s3Record({
        awsRegion: "us-gov-west-1",
        requestParameters: { bucketName: RECORDINGS },
        resources: [
          { type: "AWS::S3::Object", ARN: `arn:${partition}:s3:::${RECORDINGS}/${RAW_KEY}` },
          { accountId: ACCT, type: "AWS::S3::Bucket", ARN: `arn:${partition}:s3:::${RECORDINGS}` },
        ],
      });
    const gov = accessOf(rec("aws-us-gov"));
    const std = accessOf(s3Record({}));
    expect(gov?.objectHash).toBe(std?.objectHash);
    expect(gov?.rawAudio).toBe(true);
  });
});

describe("access events: a cross-account read delivered to both accounts", () => {
  // CloudTrail delivers a cross-account call to the caller's account and to the owner's, with
  // different eventIDs and one sharedEventID; the bucket's resource entry names its owner.
  const CALLER = "444455556666";
  const copy = (recipient: string, eventID: string) =>
    s3Record({
      eventID,
      sharedEventID: "5f8a0d2c-3b1e-4c7a-9f60-2d4e8b1a7c35",
      recipientAccountId: recipient,
      userIdentity: {
        type: "AssumedRole",
        principalId: "AROAPARTNER:etl",
        arn: `arn:aws:sts::${CALLER}:assumed-role/partner-etl/etl`,
        accountId: CALLER,
        sessionContext: {
          sessionIssuer: { type: "Role", arn: `arn:aws:iam::${CALLER}:role/partner-etl`, accountId: CALLER },
        },
      },
      resources: [
        { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${RECORDINGS}/${RAW_KEY}` },
        { accountId: ACCT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${RECORDINGS}` },
      ],
    });

  it("is one read, of the bucket owner's account, cross-account in both copies", async () => {
    const owners = accessOf(copy(ACCT, "owner-copy"))!;
    const callers = accessOf(copy(CALLER, "caller-copy"))!;
    expect(callers.idHash).toBe(owners.idHash);
    expect([owners.accountId, callers.accountId]).toEqual([ACCT, ACCT]);
    expect([owners.crossAccount, callers.crossAccount]).toEqual([true, true]);
    const store = new Activity.MemoryAccessStore();
    await Activity.processAccessEvents([owners, callers], {
      store,
      baseline: b,
      detectors: DETECTORS,
      now: new Date("2026-03-04T00:00:00Z"),
    });
    const windows = await store.listWindows(
      RECORDINGS,
      owners.principal.id,
      "2026-03-03T00:00:00.000Z",
      "2026-03-04T00:00:00.000Z",
    );
    expect(windows.map((w) => w.reads)).toEqual([1]);
  });
});
