// The EventBridge rules phiwatch deploys, evaluated on published real events (test/fixtures/infra/,
// cited in test/fixtures/README.md). Raw CloudTrail records are wrapped in the envelope EventBridge
// puts around them ("AWS API Call via CloudTrail", documented in the EventBridge user guide).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ControlSet, FACT_SOURCE_TYPES } from "../../../packages/core/src/control/engine.ts";
import type { Control } from "../../../packages/core/src/control/types.ts";
import { compilePattern } from "../../../packages/core/src/eventpattern/index.ts";
import { CONTROLS, parseBaseline } from "../../../packages/core/src/index.ts";
import { deployRefusals } from "../../../packages/core/src/plan/functions.ts";
import {
  accessPattern,
  cloudTrailEnvelope,
  configChangePattern,
  EVENT_PATTERN_MAX_CHARS,
  eventPatternMax,
  eventRules,
  oversizedRules,
  patternChars,
  tamperEvents,
  tamperPattern,
  trailLogKeyWildcard,
  trailLogPattern,
  watchedResourceTypes,
} from "../../../packages/core/src/plan/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";

const DIR = "test/fixtures/infra";

/** An EventBridge event from a fixture: envelopes as they are, raw records (or wrappers) wrapped. */
function eventOf(file: string): Record<string, unknown> {
  let json = JSON.parse(readFileSync(`${DIR}/${file}`, "utf8"));
  if (Array.isArray(json)) json = json[0];
  if (json.Log) json = json.Log; // panther wrapper
  if (json["detail-type"]) return json;
  return cloudTrailEnvelope(json);
}

const SAMPLE_ACCOUNTS = [
  "012345678901",
  "101010101111",
  "111111111111",
  "111122223333",
  "123456789012",
  "123456789123",
  "143434273843",
  "222222222222",
  "560213429563",
  "847129010505",
  "958312252124",
];

const baseline = testBaseline({
  accounts: SAMPLE_ACCOUNTS,
  phiBuckets: [
    { name: "mordors3stack-s3bucket-llp2yingx64a", holds: ["recordings"] },
    { prefix: "sensitive-data-", holds: ["transcripts"] },
    { name: "development-songbird-20201028054020481800000001", holds: ["exports"] },
  ],
  phiKeys: ["arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
});

describe("rule config-change", () => {
  const rule = compilePattern(configChangePattern(baseline));

  it("watches every resource type a control names, and only those", () => {
    const types = watchedResourceTypes();
    expect(types).toEqual(
      expect.arrayContaining(["AWS::S3::Bucket", "AWS::KMS::Key", "AWS::CloudTrail::Trail"]),
    );
    expect(types).not.toContain("*");
  });

  it.each(["AWS::IAM::Group", "AWS::S3::AccountPublicAccessBlock", "AWS::KMS::Key", "AWS::S3::Bucket"])(
    "delivers changes of %s, a type the handler keeps (evaluated, depended on, or a fact source)",
    (type) => {
      expect(new ControlSet(CONTROLS).watches(type)).toBe(true);
      const event = eventOf("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json");
      (event.detail as { configurationItem: { resourceType: string } }).configurationItem.resourceType = type;
      const own = compilePattern(configChangePattern(testBaseline({ accounts: ["123456789012"] })));
      expect(own.matches(event)).toBe(true);
    },
  );

  it("watches every type the config-change handler keeps", () => {
    const set = new ControlSet(CONTROLS);
    const kept = new Set<string>(FACT_SOURCE_TYPES);
    for (const c of CONTROLS) for (const t of [...c.resourceTypes, ...(c.dependsOn ?? [])]) kept.add(t);
    kept.delete("*");
    for (const t of kept) expect(set.watches(t)).toBe(true);
    expect(watchedResourceTypes()).toEqual([...kept].sort());
  });

  it("matches the published EventBridge Config event when its type is watched (EFS sample, EFS control)", () => {
    const efs = [{ resourceTypes: ["AWS::EFS::FileSystem"] }] as unknown as Control[];
    const only = compilePattern(configChangePattern(testBaseline({ accounts: ["123456789012"] }), efs));
    expect(only.matches(eventOf("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json"))).toBe(true);
    // The oversized notification carries the type in configurationItemSummary ($or branch).
    const ssm = [{ resourceTypes: ["AWS::SSM::ManagedInstanceInventory"] }] as unknown as Control[];
    const oversized = compilePattern(configChangePattern(testBaseline({ accounts: ["123456789012"] }), ssm));
    expect(
      oversized.matches(
        eventOf("custodian_omnissm__eventbridge_OversizedConfigurationItemChangeNotification_SSM.json"),
      ),
    ).toBe(true);
  });

  it("matches a watched type (the EFS sample with its type set to AWS::S3::Bucket)", () => {
    const event = eventOf("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json");
    (event.detail as { configurationItem: { resourceType: string } }).configurationItem.resourceType =
      "AWS::S3::Bucket";
    expect(rule.matches(event)).toBe(true);
    expect(
      compilePattern(configChangePattern(testBaseline({ accounts: ["999999999999"] }))).matches(event),
    ).toBe(false);
  });

  it.each([
    "awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json",
    "custodian_omnissm__eventbridge_ConfigurationItemChangeNotification_EC2Instance.json",
    "custodian_omnissm__eventbridge_OversizedConfigurationItemChangeNotification_SSM.json",
    "cloudbuddy__eventbridge_DeleteBucketPolicy.json",
    "whylabs__eventbridge_PutObject_data_event_SSE_KMS.json",
  ])("rejects %s (unwatched type or not a Config event)", (file) => {
    expect(rule.matches(eventOf(file))).toBe(false);
  });
});

describe("rule tamper", () => {
  const rule = compilePattern(tamperPattern(baseline));

  it("is built from the management detectors' event lists", () => {
    const { bySource } = tamperEvents();
    expect(bySource.get("cloudtrail.amazonaws.com")).toEqual(
      expect.arrayContaining(["StopLogging", "DeleteTrail"]),
    );
    expect(bySource.get("s3.amazonaws.com")).toContain("DeleteBucketEncryption");
    expect(bySource.get("kms.amazonaws.com")).toContain("ScheduleKeyDeletion");
  });

  it.each([
    "cloudbuddy__eventbridge_DeleteBucketPolicy.json",
    "cloudbuddy__eventbridge_PutBucketPolicy_public_principal_star.json",
    "stratus__detonation_StopLogging.json",
    "stratus__detonation_DeleteTrail.json",
    "stratus__detonation_PutEventSelectors.json",
    "awsdocs_kms__DisableKeyRotation.json",
    "awsdocs_kms__PutKeyPolicy.json",
    "awsdocs_kms__ScheduleKeyDeletion.json",
    "awsdocs_kms__UpdateAlias.json",
    "awsdocs_kms__DeleteAlias.json",
    // aquasecurity/cloudsploit#438: an UpdateTable moving a table to a customer key (tamper-phiwatch).
    "cloudsploit__UpdateTable_sSESpecification_KMS.json",
    // A denied attempt is a probe: routed too (the detector decides).
    "panther__AWS.S3.DeleteBucketEncryption__Bucket_Encryption_Deletion_Failed.json",
    // Built from the documented request shapes (test/fixtures/README.md): no published sample.
    "awsdocs-schema__config_PutConfigurationRecorder_inclusion.json",
    "awsdocs-schema__s3_PutAccountPublicAccessBlock_off.json",
    "awsdocs-schema__lambda_PutFunctionConcurrency_zero.json",
    "awsdocs-schema__lambda_UpdateEventSourceMapping_disabled.json",
    "awsdocs-schema__sns_Unsubscribe.json",
    "awsdocs-schema__dynamodb_DeleteTable.json",
    "awsdocs-schema__iam_UpdateAssumeRolePolicy_member_read.json",
  ])("matches %s", (file) => {
    expect(rule.matches(eventOf(file))).toBe(true);
  });

  it.each([
    "custodian__eventbridge_CreateBucket.json",
    "whylabs__eventbridge_PutObject_data_event_SSE_KMS.json",
    "otrf__GetObject_stolen_instance_role.json",
    "awsdocs_kms__Decrypt_symmetric.json",
    "awsdocs_kms__GenerateDataKey.json",
    "panther__AWS.S3.DeleteObject__DeleteObject.json",
    "awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json",
  ])("rejects %s", (file) => {
    expect(rule.matches(eventOf(file))).toBe(false);
  });

  it("routes every event name a management detector reads (named, or by a bucket-configuration prefix)", () => {
    const { bySource } = tamperEvents();
    let checked = 0;
    for (const [eventSource, names] of bySource)
      for (const eventName of names) {
        if (eventName === "*") continue;
        const record = { eventSource, eventName, awsRegion: "us-east-1", recipientAccountId: "111122223333" };
        expect(rule.matches(cloudTrailEnvelope(record)), `${eventSource}:${eventName}`).toBe(true);
        checked += 1;
      }
    expect(checked).toBeGreaterThan(50);
  });

  it("routes no S3 object (data) event through its bucket-configuration prefixes", () => {
    for (const eventName of ["PutObject", "PutObjectAcl", "DeleteObject", "DeleteObjects", "GetObject"]) {
      const record = { eventSource: "s3.amazonaws.com", eventName, recipientAccountId: "111122223333" };
      expect(rule.matches(cloudTrailEnvelope(record)), eventName).toBe(false);
    }
  });

  it("keeps room for 35 baseline accounts within EventBridge's default 2048 characters", () => {
    const accounts = Array.from({ length: 35 }, (_, i) => String(100000000000 + i));
    const tamper = eventRules({ ...baseline, accounts }, { maxPatternChars: 100_000 }).find(
      (r) => r.id === "tamper",
    )!;
    expect(patternChars(tamper)).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
  });

  it("matches any call by the root user (root-activity), and only in the baseline's accounts", () => {
    const event = eventOf("custodian__eventbridge_CreateBucket.json");
    (event.detail as { userIdentity: Record<string, unknown> }).userIdentity = {
      type: "Root",
      principalId: "101010101111",
      arn: "arn:aws:iam::101010101111:root",
      accountId: "101010101111",
    };
    expect(rule.matches(event)).toBe(true);
    expect(compilePattern(tamperPattern(testBaseline())).matches(event)).toBe(false);
  });
});

describe("rule access (path eventbridge)", () => {
  const rule = compilePattern(accessPattern(baseline));

  it.each([
    "otrf__GetObject_stolen_instance_role.json", // PHI bucket by name
    "otrf__ListObjects_stolen_instance_role.json",
    "panther__AWS.CloudTrail.VPCE.S3ExternalIP__External_IP_Access.json", // PHI bucket by prefix
    "awsdocs_kms__Decrypt_symmetric.json", // PHI key
  ])("matches %s", (file) => {
    expect(rule.matches(eventOf(file))).toBe(true);
  });

  it.each([
    "whylabs__eventbridge_PutObject_data_event_SSE_KMS.json", // a write, not a read
    "panther__AWS.S3.DeleteObject__DeleteObject.json", // other bucket
    "panther__AWS.S3.RansomwareNoteUpload__Normal_File_Upload_quarterly_report_pdf.json",
    "panther__AWS.KMS.CustomerManagedKeyLoss__KMS_Key_Non_Deletion_Event.json", // Decrypt on another key
    "awsdocs_kms__GenerateDataKey.json",
    "cloudbuddy__eventbridge_DeleteBucketPolicy.json",
    "stratus__detonation_StopLogging.json",
  ])("rejects %s", (file) => {
    expect(rule.matches(eventOf(file))).toBe(false);
  });

  it("matches a denied data event on a PHI bucket (the PutObject sample, denied)", () => {
    const event = eventOf("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json");
    (event.detail as Record<string, unknown>).errorCode = "AccessDenied";
    expect(rule.matches(event)).toBe(true);
  });

  it("matches a server-side copy whose source is a PHI object, whatever the destination", () => {
    // CopyObject is recorded under the destination; the source is the x-amz-copy-source header
    // (shape: DataDog/stratus-red-team docs, aws.impact.s3-ransomware-client-side-encryption).
    const event = eventOf("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json");
    const detail = event.detail as Record<string, unknown>;
    const copyTo = (source: string, eventName = "CopyObject") => ({
      ...event,
      detail: {
        ...detail,
        eventName,
        requestParameters: { bucketName: "exfil-drop-bucket", key: "k", "x-amz-copy-source": source },
      },
    });
    expect(rule.matches(copyTo("mordors3stack-s3bucket-llp2yingx64a/ring.txt"))).toBe(true);
    expect(rule.matches(copyTo("/mordors3stack-s3bucket-llp2yingx64a/ring.txt", "UploadPartCopy"))).toBe(
      true,
    );
    expect(rule.matches(copyTo("sensitive-data-eu/a.json"))).toBe(true); // PHI bucket by prefix
    expect(rule.matches(copyTo("public-assets/logo.png"))).toBe(false);
    expect(rule.matches(copyTo("mordors3stack-s3bucket-llp2yingx64a-other/x"))).toBe(false);
  });

  it("routes every bucket's reads when a PHI bucket is declared by tag (the function filters)", () => {
    const byTag = compilePattern(accessPattern(testBaseline({ phiBuckets: [{ tag: { key: "phi" } }] })));
    const event = eventOf("panther__AWS.S3.DeleteObject__DeleteObject.json");
    (event.detail as Record<string, unknown>).eventName = "GetObject";
    expect(byTag.matches({ ...event, account: "111122223333" })).toBe(true);
  });

  it("widens ? in PHI key patterns to * (EventBridge has no single-character wildcard)", () => {
    const b = testBaseline({
      accounts: ["111122223333"],
      phiKeys: ["arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890a?"],
    });
    expect(compilePattern(accessPattern(b)).matches(eventOf("awsdocs_kms__Decrypt_symmetric.json"))).toBe(
      true,
    );
  });
});

describe("rule trail-logs (path trail-logs)", () => {
  const b = testBaseline({
    ingest: {
      access: "trail-logs",
      trail: { bucket: "org-trail-logs", prefix: "org", manageNotification: false },
    },
  });
  const pattern = trailLogPattern(b)!;
  const rule = compilePattern(pattern);
  // S3 "Object Created" event as documented in the S3 user guide ("EventBridge event message structure").
  const created = (key: string, bucket = "org-trail-logs") => ({
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "111122223333",
    time: "2021-11-12T00:00:00Z",
    region: "ca-central-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key, size: 5, etag: "b1946ac92492d2347c6235b4d2611184", sequencer: "00617F08299329D189" },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: "cloudtrail.amazonaws.com",
      "source-ip-address": "1.2.3.4",
      reason: "PutObject",
    },
  });

  it("replaces the data-event rule when the baseline chooses trail-logs", () => {
    expect(eventRules(b).map((r) => r.id)).toEqual(["config-change", "tamper", "trail-logs"]);
    expect(eventRules(baseline).map((r) => r.id)).toEqual(["config-change", "tamper", "access"]);
    expect(trailLogPattern(baseline)).toBeUndefined();
  });

  it.each([
    "org/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T0000Z_abc.json.gz",
    "org/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2024/05/01/x.json.gz",
  ])("matches log file %s", (key) => {
    expect(rule.matches(created(key))).toBe(true);
  });

  it.each([
    ["a digest file", "org/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/x.json.gz"],
    ["another prefix", "other/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz"],
    ["an Insights file", "org/AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/05/01/x.json.gz"],
    ["not gzip JSON", "org/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json"],
  ])("rejects %s", (_what, key) => {
    expect(rule.matches(created(key))).toBe(false);
  });

  it("rejects another bucket's objects", () => {
    expect(rule.matches(created("org/AWSLogs/1/CloudTrail/x.json.gz", "someone-else"))).toBe(false);
  });

  it("escapes wildcard characters in the user's prefix", () => {
    expect(trailLogKeyWildcard("")).toBe("AWSLogs/*/CloudTrail/*.json.gz");
    expect(trailLogKeyWildcard("a*b/")).toBe("a\\*b/AWSLogs/*/CloudTrail/*.json.gz");
  });
});

describe("EventBridge pattern size quota", () => {
  // PHI buckets named one by one (a health system listing each clinic's recordings bucket).
  const clinics = (n: number) =>
    testBaseline({
      phiBuckets: Array.from({ length: n }, (_, i) => ({
        name: `northwind-clinic-${String(i).padStart(2, "0")}-connect-recordings`,
        holds: ["recordings" as const],
      })),
    });
  const many = clinics(20);

  it("refuses, naming the rule and its size, a pattern over the default 2048 characters (AWS would refuse it at deploy)", () => {
    expect(() => eventRules(many)).toThrow(
      /EventBridge rule pattern too large: access \d{4} characters .*quota is 2048.*trail-logs/,
    );
    expect(oversizedRules(eventRules(many, { maxPatternChars: 100_000 })).map((r) => r.id)).toEqual([
      "access",
    ]);
  });

  it("accepts the same baseline with bucket prefixes, or a raised quota", () => {
    const byPrefix = testBaseline({ phiBuckets: [{ prefix: "northwind-clinic-", holds: ["recordings"] }] });
    expect(eventRules(byPrefix).map((r) => r.id)).toEqual(["config-change", "tamper", "access"]);
    expect(() => eventRules(clinics(10))).toThrow(/access/);
    expect(eventRules(clinics(10), { maxPatternChars: eventPatternMax("4096") })).toHaveLength(3);
  });

  it("keeps the example baseline's rules within the default quota", () => {
    const example = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
    expect(oversizedRules(eventRules(example, { maxPatternChars: 100_000 }))).toEqual([]);
  });

  it.each(["1024", "5000", "2k"])(
    "refuses PHIWATCH_EVENT_PATTERN_MAX=%s (the quota ranges from 2048 to 4096)",
    (v) => {
      expect(() => eventPatternMax(v)).toThrow(/from 2048 to 4096/);
    },
  );
});

describe("what a deploy refuses", () => {
  it("refuses a webhook target with allowInsecureLocal (local receivers only), naming it", () => {
    const target = (name: string, allowInsecureLocal: boolean) => ({ name, allowInsecureLocal });
    const webhooks = [target("siem", false), target("local-receiver", true)] as never;
    expect(deployRefusals({ webhooks })).toEqual([
      'webhooks "local-receiver": allowInsecureLocal is for local mode only; use an https URL to deploy',
    ]);
    expect(deployRefusals(testBaseline({}))).toEqual([]);
  });
});
