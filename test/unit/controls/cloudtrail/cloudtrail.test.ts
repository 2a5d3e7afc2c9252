import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  fromConfigurationItem,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import {
  bucketReadCoverage,
  recordsManagementEvents,
  s3ReadCoverage,
  trailView,
} from "../../../../packages/core/src/resource/cloudtrail.ts";
import { apiSnapshot, evaluate, recorded, testFacts } from "../../../helpers/facts.ts";

const read = (p: string) => readFileSync(p, "utf8");
const T = "AWS::CloudTrail::Trail";
const B = "AWS::S3::Bucket";

/** The real RDK trail CI (CI version 1.3 names the account `accountId`). */
function rdkTrail(): ResourceSnapshot {
  const ci = JSON.parse(read("test/fixtures/config/rdk__AWS_Cloudtrail_Trail.json"));
  return fromConfigurationItem({ ...ci, awsAccountId: "111122223333" });
}

/** The real DescribeTrails trail, with the real GetEventSelectors / GetTrailStatus responses. */
function custodianTrail(
  opts: {
    logging?: boolean;
    selectors?: unknown[];
    advanced?: unknown[];
    status?: Record<string, unknown>;
  } = {},
): ResourceSnapshot {
  const t = recorded(
    read("test/fixtures/api/custodian__cloudtrail.DescribeTrails_multiregion_kms_validation.json"),
  ).trailList[0];
  const selectors = recorded(
    read("test/fixtures/api/custodian__cloudtrail.GetEventSelectors_S3_data_events.json"),
  ).EventSelectors;
  const status = recorded(
    read("test/fixtures/api/custodian__cloudtrail.GetTrailStatus_IsLogging_false.json"),
  );
  return apiSnapshot(T, t.Name, t, {
    arn: t.TrailARN,
    supplementary: {
      // The real classic selector (all buckets) stays alongside advanced ones: CloudTrail must ignore it.
      EventSelectors: opts.selectors ?? selectors,
      ...(opts.advanced ? { AdvancedEventSelectors: opts.advanced } : {}),
      TrailStatus: { ...status, IsLogging: opts.logging ?? true, ...opts.status },
    },
  });
}

const bucket = (name: string, region = "us-east-1", tags: Record<string, string> = {}) =>
  apiSnapshot(B, name, {}, { resourceName: name, region, tags });

const adv = (...fields: Array<Record<string, unknown>>) => [{ Name: "phi", FieldSelectors: fields }];
const DATA = { Field: "eventCategory", Equals: ["Data"] };
const OBJ = { Field: "resources.type", Equals: ["AWS::S3::Object"] };

describe("trail coverage of S3 object reads", () => {
  it("reads the real classic selector arn:aws:s3::: as every bucket", () => {
    expect(s3ReadCoverage(trailView(custodianTrail()), "phi-recordings")).toMatchObject({
      coverage: "full",
      selector: "EventSelectors[0]",
    });
  });
  it.each([
    ["arn:aws:s3", "full"],
    ["arn:aws:s3:::phi-recordings/", "full"],
    ["arn:aws:s3:::phi-recordings/connect/", "partial"],
    ["arn:aws:s3:::other-bucket/", "none"],
  ])("classic DataResources value %s → %s", (value, coverage) => {
    const t = custodianTrail({
      selectors: [{ ReadWriteType: "All", DataResources: [{ Type: "AWS::S3::Object", Values: [value] }] }],
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe(coverage);
  });
  it("WriteOnly classic selectors record no reads", () => {
    const t = custodianTrail({
      selectors: [
        { ReadWriteType: "WriteOnly", DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3"] }] },
      ],
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("none");
  });
  it.each([
    ["all S3 data events", adv(DATA, OBJ), "full"],
    [
      "StartsWith the bucket",
      adv(DATA, OBJ, { Field: "resources.ARN", StartsWith: ["arn:aws:s3:::phi-recordings/"] }),
      "full",
    ],
    ["readOnly true", adv(DATA, OBJ, { Field: "readOnly", Equals: ["true"] }), "full"],
    ["readOnly false (writes only)", adv(DATA, OBJ, { Field: "readOnly", Equals: ["false"] }), "none"],
    ["eventName PutObject only", adv(DATA, OBJ, { Field: "eventName", Equals: ["PutObject"] }), "none"],
    // SelectObjectContent reads are still recorded: part of the reads, a definite miss of the others.
    [
      "eventName NotEquals GetObject",
      adv(DATA, OBJ, { Field: "eventName", NotEquals: ["GetObject"] }),
      "partial",
    ],
    [
      "eventName Equals GetObject and SelectObjectContent",
      adv(DATA, OBJ, { Field: "eventName", Equals: ["GetObject", "SelectObjectContent", "HeadObject"] }),
      "full",
    ],
    [
      "NotStartsWith the bucket",
      adv(DATA, OBJ, { Field: "resources.ARN", NotStartsWith: ["arn:aws:s3:::phi-recordings/"] }),
      "none",
    ],
    [
      "NotStartsWith a sub-prefix",
      adv(DATA, OBJ, { Field: "resources.ARN", NotStartsWith: ["arn:aws:s3:::phi-recordings/connect/"] }),
      "partial",
    ],
    [
      "Equals one object",
      adv(DATA, OBJ, { Field: "resources.ARN", Equals: ["arn:aws:s3:::phi-recordings/a.wav"] }),
      "partial",
    ],
    [
      "another bucket",
      adv(DATA, OBJ, { Field: "resources.ARN", StartsWith: ["arn:aws:s3:::other/"] }),
      "none",
    ],
    [
      "a userIdentity filter",
      adv(DATA, OBJ, {
        Field: "userIdentity.arn",
        NotStartsWith: ["arn:aws:sts::111122223333:assumed-role/etl"],
      }),
      "partial",
    ],
    ["management events", adv({ Field: "eventCategory", Equals: ["Management"] }), "none"],
    ["Lambda data events", adv(DATA, { Field: "resources.type", Equals: ["AWS::Lambda::Function"] }), "none"],
  ])("advanced selector: %s", (_n, advanced, coverage) => {
    expect(s3ReadCoverage(trailView(custodianTrail({ advanced })), "phi-recordings").coverage).toBe(coverage);
  });
  it("ignores classic selectors when advanced ones exist, as CloudTrail does", () => {
    const t = custodianTrail({ advanced: adv({ Field: "eventCategory", Equals: ["Management"] }) });
    expect(trailView(t).eventSelectors).toBeDefined();
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("none");
  });
  it("a single-region trail does not reach a bucket in another region; a stopped trail covers nothing", () => {
    const single = custodianTrail();
    single.configuration = { ...single.configuration, IsMultiRegionTrail: false };
    expect(bucketReadCoverage([single], { name: "phi-recordings", region: "eu-west-1" }).coverage).toBe(
      "none",
    );
    expect(
      bucketReadCoverage([custodianTrail({ logging: false })], {
        name: "phi-recordings",
        region: "us-east-1",
      }).coverage,
    ).toBe("none");
  });
  it("Config items carry no selectors: coverage unknown, never full", () => {
    expect(
      bucketReadCoverage([rdkTrail()], { name: "phi-recordings", region: "ap-southeast-1" }).coverage,
    ).toBe("unknown");
  });
});

describe("control cloudtrail-log-validation", () => {
  it("passes on the real RDK trail item (logFileValidationEnabled true)", () => {
    expect(evaluate("cloudtrail-log-validation", rdkTrail()).status).toBe("COMPLIANT");
  });
  it("fails when validation is off", () => {
    const t = rdkTrail();
    t.configuration = { ...t.configuration, logFileValidationEnabled: false };
    const e = evaluate("cloudtrail-log-validation", t);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ logFileValidationEnabled: false });
  });
});

describe("control cloudtrail-log-validation: digest delivery", () => {
  // GetTrailStatus: LatestDigestDeliveryError is the S3 error of a failed digest delivery,
  // LatestDigestDeliveryTime the last digest delivered; no attempt time exists for digests.
  const judge = (status: Record<string, unknown>) =>
    evaluate("cloudtrail-log-validation", custodianTrail({ status }));

  it("fails when digest files were never delivered (an error, no digest delivery time)", () => {
    const e = judge({ LatestDigestDeliveryTime: undefined, LatestDigestDeliveryError: "AccessDenied" });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ logFileValidationEnabled: true, digestDeliveryError: "AccessDenied" });
    expect(e.evidence.proof).toBeUndefined();
  });
  // The status was read at the snapshot's capture time (2026-01-05T14:00:00Z); CloudTrail delivers a
  // digest file for every hour, so a last digest more than two hours before the read means the error is
  // current, and one within two hours means digests still arrive (the error may be an old one).
  it("fails when a digest error is recorded and no digest arrived in the two hours before the read", () => {
    const e = judge({
      LatestDigestDeliveryError: "NoSuchBucket",
      LatestDigestDeliveryTime: "2026-01-05T09:00:00.411Z",
    });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ digestDeliveryError: "NoSuchBucket" });
    expect(e.evidence.proof).toBeUndefined();
  });
  it("passes, naming the recorded error, when a digest arrived within two hours of the read", () => {
    const e = judge({
      LatestDigestDeliveryError: "NoSuchBucket",
      LatestDigestDeliveryTime: "2026-01-05T13:05:00.000Z",
    });
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence).toMatchObject({ digestDeliveryError: "NoSuchBucket" });
  });
  it("says cannot prove when a digest error is recorded and the read time is unknown", () => {
    const t = custodianTrail({
      status: { LatestDigestDeliveryError: "NoSuchBucket", LatestDigestDeliveryTime: "2026-01-05T13:05:00Z" },
    });
    const e = evaluate("cloudtrail-log-validation", { ...t, capturedAt: "not a time" });
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ digestDeliveryError: "NoSuchBucket", proof: "cannot prove" });
  });
  it("passes on the real status without a digest error", () => {
    expect(judge({}).status).toBe("COMPLIANT");
  });
});

describe("control cloudtrail-kms", () => {
  const key = recorded(read("test/fixtures/api/custodian__kms.DescribeKey_CUSTOMER.json")).KeyMetadata;
  it("fails on the real RDK trail item (no kmsKeyId: SSE-S3)", () => {
    expect(evaluate("cloudtrail-kms", rdkTrail()).status).toBe("NON_COMPLIANT");
  });
  it("passes on the real DescribeTrails trail with the real DescribeKey (KeyManager CUSTOMER)", () => {
    const facts = testFacts({ keys: { [key.Arn]: { arn: key.Arn, keyManager: key.KeyManager } } });
    expect(evaluate("cloudtrail-kms", custodianTrail(), facts).status).toBe("COMPLIANT");
  });
  it("says cannot prove when DescribeKey is denied", () => {
    const e = evaluate("cloudtrail-kms", custodianTrail());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
  // S3 asks KMS for a data key (GenerateDataKey) for every log file CloudTrail puts; KMS refuses it for a key
  // in these states, so the trail delivers nothing while GetTrailStatus still says IsLogging.
  it.each(["Disabled", "PendingDeletion", "PendingImport", "Unavailable"])(
    "fails when the real customer key is %s: no log file can be encrypted, so none is delivered",
    (state) => {
      const facts = testFacts({
        keys: { [key.Arn]: { arn: key.Arn, keyManager: key.KeyManager, keyState: state } },
      });
      const e = evaluate("cloudtrail-kms", custodianTrail(), facts);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.summary).toBe(
        `the trail's key is ${state}: KMS refuses the data key for each log file, so CloudTrail delivers none`,
      );
      expect(e.evidence).toMatchObject({ trail: "skunk-trails", keyArn: key.Arn, keyState: state });
      expect(e.evidence.proof).toBeUndefined();
    },
  );
  it("a key change re-evaluates the trails that name the key (by ARN, key id or alias), no other", () => {
    const control = CONTROLS.find((c) => c.id === "cloudtrail-kms")!;
    expect(control.dependsOn).toContain("AWS::KMS::Key");
    const keyItem = (arn: string) =>
      apiSnapshot("AWS::KMS::Key", arn.split("/")[1]!, { arn, keyId: arn.split("/")[1] }, { arn });
    const trailOn = (kmsKeyId?: string) =>
      apiSnapshot(T, "skunk-trails", { name: "skunk-trails", ...(kmsKeyId ? { kmsKeyId } : {}) });
    const other = "arn:aws:kms:us-east-1:644160558196:key/00000000-daaf-49b1-a24b-0eef254ffe41";
    const moves = (trail: ResourceSnapshot, k: ResourceSnapshot) => control.affectedBy!(trail, k, null);
    expect(moves(custodianTrail(), keyItem(key.Arn))).toBe(true);
    expect(moves(trailOn(key.KeyId), keyItem(key.Arn))).toBe(true);
    expect(moves(trailOn("alias/trail-logs"), keyItem(other))).toBe(true); // any key can be behind an alias
    expect(moves(custodianTrail(), keyItem(other))).toBe(false);
    expect(moves(trailOn(), keyItem(key.Arn))).toBe(false); // SSE-S3: no key
  });
  it("passes on the real DescribeKey state Enabled", () => {
    const facts = testFacts({
      keys: { [key.Arn]: { arn: key.Arn, keyManager: key.KeyManager, keyState: key.KeyState } },
    });
    const e = evaluate("cloudtrail-kms", custodianTrail(), facts);
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.keyState).toBe("Enabled");
  });
});

describe("control cloudtrail-enabled", () => {
  it("passes on the real multi-region trail that is logging with default-ish selectors", () => {
    const t = custodianTrail({
      selectors: [{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [] }],
    });
    expect(evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } })).status).toBe(
      "COMPLIANT",
    );
  });
  it("fails on the real stopped trail (GetTrailStatus IsLogging false) when no other trail covers", () => {
    const t = custodianTrail({ logging: false });
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.trails).toEqual([{ trail: "skunk-trails", reason: "not logging" }]);
  });
  it("fails on the real selector that excludes management events (IncludeManagementEvents false)", () => {
    const t = custodianTrail();
    expect(evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } })).status).toBe(
      "NON_COMPLIANT",
    );
  });
  it("passes a single-region trail when another trail of the account covers", () => {
    const single = apiSnapshot(
      T,
      "local",
      { Name: "local", IsMultiRegionTrail: false },
      { supplementary: { TrailStatus: { IsLogging: true } } },
    );
    const good = custodianTrail({ selectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }] });
    const e = evaluate("cloudtrail-enabled", single, testFacts({ inventory: { [T]: [single, good] } }));
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.coveredBy).toBe("skunk-trails");
  });
  describe("delivery of log files to S3 (GetTrailStatus)", () => {
    // GetTrailStatus (CloudTrail API reference): LatestDeliveryError is the S3 error of a failed delivery
    // (the bucket deleted, its policy or the key refusing CloudTrail); LatestDeliveryAttemptTime is the
    // latest attempt and LatestDeliveryAttemptSucceeded the time of the latest successful one (equal when
    // the latest attempt succeeded: the aws-cli example and Custodian's recording). The failing values
    // follow a published get-trail-status output of a bucket policy refusing CloudTrail.
    const all = [{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [] }];
    const failing = {
      LatestDeliveryError: "AccessDenied",
      LatestDeliveryTime: "2026-01-05T09:32:50.527Z",
      LatestDeliveryAttemptTime: "2026-01-05T09:39:19Z",
      LatestDeliveryAttemptSucceeded: "2026-01-05T09:32:50Z",
    };
    const judge = (status: Record<string, unknown>) => {
      const t = custodianTrail({ selectors: all, status });
      return evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    };

    it("fails a logging trail whose latest delivery attempt failed, with the S3 error code", () => {
      const e = judge(failing);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.trails).toEqual([
        {
          trail: "skunk-trails",
          reason: "log files not delivered: the latest delivery attempt failed (AccessDenied)",
          deliveryError: "AccessDenied",
        },
      ]);
    });
    it("fails a trail that never delivered (NoSuchBucket, no delivery time, no successful attempt)", () => {
      const e = judge({
        LatestDeliveryError: "NoSuchBucket",
        LatestDeliveryTime: undefined,
        LatestDeliveryAttemptTime: "",
        LatestDeliveryAttemptSucceeded: "",
      });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.trails).toEqual([expect.objectContaining({ deliveryError: "NoSuchBucket" })]);
    });
    it("passes when a delivery succeeded after the recorded error (the latest attempt succeeded)", () => {
      const e = judge({
        ...failing,
        LatestDeliveryAttemptTime: "2026-01-05T10:05:12Z",
        LatestDeliveryAttemptSucceeded: "2026-01-05T10:05:12Z",
        LatestDeliveryTime: "2026-01-05T10:05:12.301Z",
      });
      expect(e.status).toBe("COMPLIANT");
    });
    it("passes on the SDK's epoch-seconds delivery time after the last attempt", () => {
      const e = judge({
        LatestDeliveryError: "AccessDenied",
        LatestDeliveryAttemptTime: "2016-01-28T23:02:24Z",
        LatestDeliveryAttemptSucceeded: "",
        LatestDeliveryTime: 1454022144.869,
      });
      expect(e.status).toBe("COMPLIANT");
    });
    it("says cannot prove when an error is recorded and nothing orders it against the last delivery", () => {
      const e = judge({
        LatestDeliveryError: "AccessDenied",
        LatestDeliveryTime: "2026-01-05T09:32:50.527Z",
        LatestDeliveryAttemptTime: "",
        LatestDeliveryAttemptSucceeded: "",
      });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.trails).toEqual([
        expect.objectContaining({ trail: "skunk-trails", deliveryError: "AccessDenied" }),
      ]);
    });
    it("puts only a bounded error code in the evidence, never free text", () => {
      const long = judge({ ...failing, LatestDeliveryError: `Access${"X".repeat(300)}` });
      const text = judge({ ...failing, LatestDeliveryError: "The bucket phi-123-45-6789 was not found" });
      expect(long.status).toBe("NON_COMPLIANT");
      expect(text.status).toBe("NON_COMPLIANT");
      const codeOf = (e: typeof long) =>
        (e.evidence.trails as Array<{ deliveryError: string }>)[0]!.deliveryError;
      expect(codeOf(long).length).toBeLessThanOrEqual(64);
      expect(codeOf(text)).toBe("(not an error code: withheld)");
    });
    it("does not let a trail that cannot deliver cover another trail of the account", () => {
      const single = apiSnapshot(
        T,
        "local",
        { Name: "local", IsMultiRegionTrail: false },
        { supplementary: { TrailStatus: { IsLogging: true } } },
      );
      const broken = custodianTrail({ selectors: all, status: failing });
      const e = evaluate("cloudtrail-enabled", single, testFacts({ inventory: { [T]: [single, broken] } }));
      expect(e.status).toBe("NON_COMPLIANT");
    });
  });
  it("cannot prove from a Config item alone (no logging status)", () => {
    const e = evaluate("cloudtrail-enabled", rdkTrail(), testFacts({ inventory: { [T]: [] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
});

describe("control cloudtrail-phi-data-events", () => {
  const inv = (trails: ResourceSnapshot[], buckets: ResourceSnapshot[]) =>
    testFacts({ inventory: { [T]: trails, [B]: buckets } });
  it("passes when the real all-buckets selector covers every PHI bucket", () => {
    const t = custodianTrail();
    const e = evaluate(
      "cloudtrail-phi-data-events",
      t,
      inv([t], [bucket("phi-recordings"), bucket("phi-transcripts-2026")]),
    );
    expect(e.status).toBe("COMPLIANT");
  });
  it("fails naming the PHI bucket no selector covers", () => {
    const t = custodianTrail({
      advanced: adv(DATA, OBJ, { Field: "resources.ARN", StartsWith: ["arn:aws:s3:::phi-recordings/"] }),
    });
    const e = evaluate(
      "cloudtrail-phi-data-events",
      t,
      inv([t], [bucket("phi-recordings"), bucket("phi-transcripts-2026"), bucket("marketing")]),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.uncovered).toEqual([
      expect.objectContaining({ bucket: "phi-transcripts-2026", coverage: "none" }),
    ]);
  });
  it("takes the union of the account's trails", () => {
    const a = custodianTrail({
      advanced: adv(DATA, OBJ, { Field: "resources.ARN", StartsWith: ["arn:aws:s3:::phi-recordings/"] }),
    });
    const b = apiSnapshot(
      T,
      "second",
      { Name: "second", IsMultiRegionTrail: true },
      {
        supplementary: {
          TrailStatus: { IsLogging: true },
          AdvancedEventSelectors: adv(DATA, OBJ, {
            Field: "resources.ARN",
            StartsWith: ["arn:aws:s3:::phi-transcripts-"],
          }),
        },
      },
    );
    const e = evaluate(
      "cloudtrail-phi-data-events",
      a,
      inv([a, b], [bucket("phi-recordings"), bucket("phi-transcripts-2026")]),
    );
    expect(e.status).toBe("COMPLIANT");
  });
  it("is not applicable when the account has no PHI bucket", () => {
    const t = custodianTrail();
    expect(evaluate("cloudtrail-phi-data-events", t, inv([t], [bucket("marketing")])).status).toBe(
      "NOT_APPLICABLE",
    );
  });
});

describe("control cloudtrail-phi-data-events: a trail that cannot deliver", () => {
  // The failing GetTrailStatus values of the cloudtrail-enabled delivery tests (a bucket policy refusing
  // CloudTrail): data events a trail cannot deliver to S3 are recorded nowhere.
  const failing = {
    LatestDeliveryError: "AccessDenied",
    LatestDeliveryTime: "2026-01-05T09:32:50.527Z",
    LatestDeliveryAttemptTime: "2026-01-05T09:39:19Z",
    LatestDeliveryAttemptSucceeded: "2026-01-05T09:32:50Z",
  };
  const judge = (trails: ResourceSnapshot[]) =>
    evaluate(
      "cloudtrail-phi-data-events",
      trails[0]!,
      testFacts({ inventory: { [T]: trails, [B]: [bucket("phi-recordings")] } }),
    );

  it("fails a PHI bucket whose only covering trail's latest delivery failed, naming the trail and S3 error", () => {
    const e = judge([custodianTrail({ status: failing })]);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.covered).toEqual([]);
    expect(e.evidence.uncovered).toEqual([
      {
        bucket: "phi-recordings",
        coverage: "none",
        best: "skunk-trails",
        reason: "log files not delivered: the latest delivery attempt failed (AccessDenied)",
        deliveryError: "AccessDenied",
      },
    ]);
  });
  it("names the failing trail, not a trail that selects nothing, as the bucket's best trail", () => {
    const none = apiSnapshot(
      T,
      "mgmt-only",
      { Name: "mgmt-only", IsMultiRegionTrail: true },
      { supplementary: { TrailStatus: { IsLogging: true }, EventSelectors: [] } },
    );
    const e = judge([none, custodianTrail({ status: failing })]);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.uncovered).toEqual([
      expect.objectContaining({ best: "skunk-trails", coverage: "none", deliveryError: "AccessDenied" }),
    ]);
  });
  it("says cannot prove when a delivery error is recorded and nothing orders it against the last delivery", () => {
    const e = judge([
      custodianTrail({
        status: { ...failing, LatestDeliveryAttemptTime: "", LatestDeliveryAttemptSucceeded: "" },
      }),
    ]);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.uncovered).toEqual([
      expect.objectContaining({ coverage: "unknown", best: "skunk-trails", deliveryError: "AccessDenied" }),
    ]);
  });
  it("passes once a delivery succeeded after the error, and on another trail that delivers", () => {
    const recovered = custodianTrail({
      status: {
        ...failing,
        LatestDeliveryAttemptTime: "2026-01-05T10:05:12Z",
        LatestDeliveryAttemptSucceeded: "2026-01-05T10:05:12Z",
      },
    });
    expect(judge([recovered]).status).toBe("COMPLIANT");
    const healthy = apiSnapshot(
      T,
      "second",
      { Name: "second", IsMultiRegionTrail: true },
      {
        supplementary: {
          TrailStatus: { IsLogging: true },
          AdvancedEventSelectors: adv(DATA, OBJ, {
            Field: "resources.ARN",
            StartsWith: ["arn:aws:s3:::phi-recordings/"],
          }),
        },
      },
    );
    const e = judge([custodianTrail({ status: failing }), healthy]);
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.covered).toEqual([expect.objectContaining({ trail: "second" })]);
  });
});

describe("trail coverage of S3 object reads: AWS edge cases", () => {
  /** A logging multi-region trail with the given selectors, in `partition`. */
  const trailIn = (partition: string, region: string, supplementary: Record<string, unknown>) => {
    const arn = `arn:${partition}:cloudtrail:${region}:111122223333:trail/phi`;
    return apiSnapshot(
      T,
      arn,
      { Name: "phi", TrailARN: arn, HomeRegion: region, IsMultiRegionTrail: true },
      { arn, region, supplementary: { TrailStatus: { IsLogging: true }, ...supplementary } },
    );
  };
  // API_AdvancedFieldSelector: S3 object ARNs are `arn:<partition>:s3:::<bucket_name>/`; a trail
  // records the events of its own partition (GovCloud: aws-us-gov, China: aws-cn).
  it.each([
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ])("reads selectors written in the trail's partition (%s)", (partition, region) => {
    const advanced = trailIn(partition, region, {
      AdvancedEventSelectors: adv(DATA, OBJ, {
        Field: "resources.ARN",
        StartsWith: [`arn:${partition}:s3:::phi-recordings/`],
      }),
    });
    const classic = trailIn(partition, region, {
      EventSelectors: [
        {
          ReadWriteType: "All",
          DataResources: [{ Type: "AWS::S3::Object", Values: [`arn:${partition}:s3`] }],
        },
      ],
    });
    for (const t of [advanced, classic])
      expect(bucketReadCoverage([t], { name: "phi-recordings", region }).coverage).toBe("full");
  });
  it.each([
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-cn", "cn-north-1"],
  ])(
    "reads a trail known by its region only (no ARN recorded) in its region's partition (%s)",
    (p, region) => {
      const selectors = (prefix: string) => ({
        AdvancedEventSelectors: adv(DATA, OBJ, {
          Field: "resources.ARN",
          StartsWith: [`${prefix}:s3:::phi-recordings/`],
        }),
      });
      const bare = (supplementary: Record<string, unknown>) =>
        apiSnapshot(
          T,
          "phi",
          { Name: "phi", HomeRegion: region, IsMultiRegionTrail: true },
          { region, supplementary: { TrailStatus: { IsLogging: true }, ...supplementary } },
        );
      expect(trailView(bare({})).arn).toBeUndefined();
      expect(
        bucketReadCoverage([bare(selectors(`arn:${p}`))], { name: "phi-recordings", region }).coverage,
      ).toBe("full");
      expect(
        bucketReadCoverage([bare(selectors("arn:aws"))], { name: "phi-recordings", region }).coverage,
      ).toBe("none");
    },
  );
  it("still records nothing for a selector of another partition", () => {
    const t = trailIn("aws-us-gov", "us-gov-west-1", {
      AdvancedEventSelectors: adv(DATA, OBJ, {
        Field: "resources.ARN",
        StartsWith: ["arn:aws:s3:::phi-recordings/"],
      }),
    });
    expect(bucketReadCoverage([t], { name: "phi-recordings", region: "us-gov-west-1" }).coverage).toBe(
      "none",
    );
  });
  // NotEquals excludes one exact object ARN. `arn:aws:s3:::bucket/` would be the object with an empty
  // key, which S3 cannot hold, so it excludes nothing (terraform-provider-aws#28582: events of the
  // "excluded" buckets kept being logged until NotStartsWith was used).
  it("NotEquals on the bucket's own prefix excludes no object", () => {
    const t = custodianTrail({
      advanced: adv(DATA, OBJ, { Field: "resources.ARN", NotEquals: ["arn:aws:s3:::phi-recordings/"] }),
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("full");
  });
});

// Found by test/unit/resource/trail-coverage-differential.test.ts (concrete reference: trail-reference.ts).
describe("trail coverage: what the selectors do not prove", () => {
  // AWS documents OR between the values of one operator, not how two positive operators of ONE field
  // selector combine: under AND, StartsWith bucket/ + EndsWith .wav records only the .wav objects.
  it.each([
    [
      "resources.ARN StartsWith the bucket and EndsWith .wav",
      { Field: "resources.ARN", StartsWith: ["arn:aws:s3:::phi-recordings/"], EndsWith: [".wav"] },
    ],
    [
      "resources.ARN Equals one object and StartsWith every bucket",
      { Field: "resources.ARN", Equals: ["arn:aws:s3:::phi-recordings/a.wav"], StartsWith: ["arn:aws:s3"] },
    ],
    [
      "eventName Equals SelectObjectContent and StartsWith GetObject",
      { Field: "eventName", Equals: ["SelectObjectContent"], StartsWith: ["GetObject"] },
    ],
  ])("%s: cannot prove, never full", (_n, fs) => {
    const t = custodianTrail({ advanced: adv(DATA, OBJ, fs) });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("unknown");
    const e = evaluate(
      "cloudtrail-phi-data-events",
      t,
      testFacts({ inventory: { [T]: [t], [B]: [bucket("phi-recordings")] } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
  it("values of one operator stay alternatives (documented OR): still full", () => {
    const t = custodianTrail({
      advanced: adv(DATA, OBJ, {
        Field: "resources.ARN",
        StartsWith: ["arn:aws:s3:::marketing/", "arn:aws:s3:::phi-recordings/"],
        NotStartsWith: ["arn:aws:s3:::marketing/tmp/"],
      }),
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("full");
  });
});

// The access detectors count GetObject and SelectObjectContent on a PHI object as reads
// (activity/access-event.ts): a selector that records one of them leaves the other unaudited.
describe("trail coverage: every read the access detectors count", () => {
  const inv = (t: ResourceSnapshot) =>
    testFacts({ inventory: { [T]: [t], [B]: [bucket("phi-recordings")] } });
  it.each([
    ["eventName Equals GetObject only", { Field: "eventName", Equals: ["GetObject"] }, "partial"],
    [
      "eventName Equals GetObject and HeadObject",
      { Field: "eventName", Equals: ["GetObject", "HeadObject"] },
      "partial",
    ],
    ["eventName StartsWith Get", { Field: "eventName", StartsWith: ["Get"] }, "partial"],
    [
      "eventName NotEquals SelectObjectContent",
      { Field: "eventName", NotEquals: ["SelectObjectContent"] },
      "partial",
    ],
    [
      "eventName Equals SelectObjectContent only",
      { Field: "eventName", Equals: ["SelectObjectContent"] },
      "partial",
    ],
    [
      "eventName Equals GetObject and SelectObjectContent",
      { Field: "eventName", Equals: ["GetObject", "SelectObjectContent"] },
      "full",
    ],
    ["eventName NotEquals PutObject", { Field: "eventName", NotEquals: ["PutObject"] }, "full"],
  ])("%s → %s", (_n, fs, coverage) => {
    const t = custodianTrail({ advanced: adv(DATA, OBJ, fs) });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe(coverage);
  });
  it("fails cloudtrail-phi-data-events and s3-access-audited definitely (not 'cannot prove') on GetObject only", () => {
    const t = custodianTrail({ advanced: adv(DATA, OBJ, { Field: "eventName", Equals: ["GetObject"] }) });
    const e = evaluate("cloudtrail-phi-data-events", t, inv(t));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.uncovered).toEqual([
      expect.objectContaining({
        bucket: "phi-recordings",
        coverage: "partial",
        reason: expect.stringContaining("SelectObjectContent"),
      }),
    ]);
    const a = evaluate("s3-access-audited", bucket("phi-recordings"), inv(t));
    expect(a.status).toBe("NON_COMPLIANT");
    expect(a.evidence.proof).toBeUndefined();
  });
  it("two selectors that each record one of the reads record them all together", () => {
    const t = custodianTrail({
      advanced: [
        ...adv(DATA, OBJ, { Field: "eventName", Equals: ["GetObject"] }),
        ...adv(DATA, OBJ, { Field: "eventName", Equals: ["SelectObjectContent"] }),
      ],
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("full");
  });
});

describe("trail coverage: partial selectors that may add up", () => {
  // EndsWith .wav records the .wav objects, NotEquals one object records all the others: together,
  // every read. phiwatch does not compute unions, so it must not call the bucket definitely uncovered.
  it("two partial selectors: cannot prove, not a definite partial", () => {
    const t = custodianTrail({
      advanced: [
        ...adv(DATA, OBJ, { Field: "resources.ARN", EndsWith: [".wav"] }),
        ...adv(DATA, OBJ, { Field: "resources.ARN", NotEquals: ["arn:aws:s3:::phi-recordings/a.wav"] }),
      ],
    });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("unknown");
  });
  it("two partial trails: cannot prove, not a definite partial", () => {
    const wav = custodianTrail({ advanced: adv(DATA, OBJ, { Field: "resources.ARN", EndsWith: [".wav"] }) });
    const rest = custodianTrail({
      advanced: adv(DATA, OBJ, { Field: "resources.ARN", NotEndsWith: [".wav"] }),
    });
    rest.resourceId = "second";
    expect(bucketReadCoverage([wav, rest], { name: "phi-recordings", region: "us-east-1" }).coverage).toBe(
      "unknown",
    );
  });
  it("one partial selector stays a definite partial", () => {
    const t = custodianTrail({ advanced: adv(DATA, OBJ, { Field: "resources.ARN", EndsWith: [".wav"] }) });
    expect(s3ReadCoverage(trailView(t), "phi-recordings").coverage).toBe("partial");
  });
});

describe("management events with an event source excluded", () => {
  // ExcludeManagementEventSources / eventSource NotEquals kms.amazonaws.com drop every KMS management
  // event: DisableKey, ScheduleKeyDeletion, PutKeyPolicy (tamper-key) and Decrypt (kms-decrypt-anomaly).
  const classic = [
    {
      ReadWriteType: "All",
      IncludeManagementEvents: true,
      ExcludeManagementEventSources: ["kms.amazonaws.com"],
      DataResources: [],
    },
  ];
  const advanced = [
    {
      Name: "mgmt",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Management"] },
        { Field: "eventSource", NotEquals: ["kms.amazonaws.com"] },
      ],
    },
  ];
  it.each([
    ["classic ExcludeManagementEventSources", { selectors: classic }],
    ["advanced eventSource NotEquals", { advanced }],
  ])("%s: not all management events, cloudtrail-enabled fails", (_n, opts) => {
    const t = custodianTrail(opts);
    expect(recordsManagementEvents(trailView(t))).toBe(false);
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.trails).toEqual([
      { trail: "skunk-trails", reason: "management events of kms.amazonaws.com excluded" },
    ]);
  });
  it("two selectors that exclude different sources still record every source together", () => {
    const t = custodianTrail({
      advanced: [
        advanced[0],
        {
          Name: "rest",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "eventSource", NotEquals: ["rdsdata.amazonaws.com"] },
          ],
        },
      ],
    });
    expect(recordsManagementEvents(trailView(t))).toBe(true);
  });
});

describe("management events: read-only ones too (KMS Decrypt)", () => {
  // A PHI key's Decrypt, GenerateDataKey and the console's Get*/List*/Describe* calls are management events
  // with readOnly true (test/fixtures/activity/awsdocs_kms__Decrypt_symmetric.json): a trail that records only
  // writes leaves kms-decrypt-anomaly blind. CIS AWS Foundations 2.1 / Security Hub CloudTrail.1 ask for a
  // multi-Region trail with read and write management events, as this control's remediation does.
  /** The selector of the real PutEventSelectors record (camelCase, as CloudTrail records it), turned to management events. */
  const realSelector = (readWriteType: string) => {
    const rec = JSON.parse(read("test/fixtures/activity/stratus__detonation_PutEventSelectors.json"))[0];
    return { ...rec.requestParameters.eventSelectors[0], includeManagementEvents: true, readWriteType };
  };
  const writesOnly = [
    {
      Name: "management writes",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Management"] },
        { Field: "readOnly", Equals: ["false"] },
      ],
    },
  ];
  it.each([
    [
      "classic readWriteType WriteOnly (the real record's casing)",
      { selectors: [realSelector("WriteOnly")] },
    ],
    ["advanced readOnly Equals false", { advanced: writesOnly }],
  ])("%s: read-only management events unrecorded, cloudtrail-enabled fails definitely", (_n, opts) => {
    const t = custodianTrail(opts);
    expect(recordsManagementEvents(trailView(t))).toBe(false);
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.evidence.trails).toEqual([
      { trail: "skunk-trails", reason: "read-only management events (KMS Decrypt among them) not recorded" },
    ]);
  });
  it("classic readWriteType ReadOnly: write management events unrecorded", () => {
    const t = custodianTrail({ selectors: [realSelector("ReadOnly")] });
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.trails).toEqual([
      { trail: "skunk-trails", reason: "write management events not recorded" },
    ]);
  });
  it.each([
    [
      "classic ReadOnly and WriteOnly selectors",
      { selectors: [realSelector("ReadOnly"), realSelector("WriteOnly")] },
    ],
    ["classic All", { selectors: [realSelector("All")] }],
    [
      "advanced readOnly true and readOnly false selectors",
      {
        advanced: [
          ...writesOnly,
          {
            Name: "management reads",
            FieldSelectors: [
              { Field: "eventCategory", Equals: ["Management"] },
              { Field: "readOnly", Equals: ["true"] },
            ],
          },
        ],
      },
    ],
  ])("%s: every management event recorded, cloudtrail-enabled passes", (_n, opts) => {
    const t = custodianTrail(opts);
    expect(recordsManagementEvents(trailView(t))).toBe(true);
    expect(evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } })).status).toBe(
      "COMPLIANT",
    );
  });
  it("the CLI remediation repairs a write-only trail too, keeping its data-event selectors", () => {
    // update-trail and start-logging change neither ReadWriteType nor readOnly: the selectors must be put again.
    const cli = CONTROLS.find((c) => c.id === "cloudtrail-enabled")!.remediation.cli;
    expect(cli).toContain("aws cloudtrail put-event-selectors --trail-name TRAIL");
    expect(cli).toMatch(/ReadWriteType All/);
    expect(cli).toMatch(/readOnly/);
    expect(cli).toMatch(/data-event selectors/);
  });
  it("an exclusion in the read half alone is still an excluded source", () => {
    const reads = { ...realSelector("ReadOnly"), excludeManagementEventSources: ["kms.amazonaws.com"] };
    const t = custodianTrail({ selectors: [reads, realSelector("WriteOnly")] });
    const e = evaluate("cloudtrail-enabled", t, testFacts({ inventory: { [T]: [t] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.trails).toEqual([
      { trail: "skunk-trails", reason: "management events of kms.amazonaws.com excluded" },
    ]);
  });
});
