// Tamper detectors on published real CloudTrail samples (sources in test/fixtures/README.md, section
// activity/). Panther-labelled samples carry the upstream rule's own verdict in `_panther`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Activity, type Baseline, DETECTORS, type InventoryRead } from "../../../packages/core/src/index.ts";
import { watchedResourceTypes } from "../../../packages/core/src/plan/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { apiSnapshot } from "../../helpers/facts.ts";

const DIR = "test/fixtures/activity";

function loadRecord(file: string): Activity.CloudTrailRecord {
  let doc = JSON.parse(readFileSync(`${DIR}/${file}`, "utf8"));
  if (Array.isArray(doc)) doc = doc[0];
  if (doc.Log) doc = doc.Log;
  // Panther normalises eventTime to "2024-11-25 17:51:21.000000000": restore CloudTrail's ISO form.
  if (typeof doc.eventTime === "string")
    doc.eventTime = doc.eventTime.replace(" ", "T").replace(/\.\d+$/, "Z");
  return Activity.readCloudTrail(doc)[0]!;
}

const baseline: Baseline = testBaseline({
  accounts: ["111122223333", "123456789012", "111111111111"],
  phiBuckets: [
    "sensitive-data-bucket",
    "example-bucket",
    "testjcazurebucket",
    "bucket",
    "corporate-documents",
    "critical-data-bucket",
    "important-files-bucket",
    "sample-cloudtrail-bucket-name",
    "elastic-cspm-cloudtrail-test-bucket",
  ].map((name) => ({ name, holds: ["recordings" as const] })),
  phiKeys: ["arn:aws:kms:*"],
});

function fired(record: Activity.CloudTrailRecord, b: Baseline = baseline) {
  const r = Activity.detectManagement(record, b, DETECTORS);
  expect(r.errors).toEqual([]);
  return r.detections;
}

describe("tamper detectors on real CloudTrail samples", () => {
  it.each([
    ["stratus__detonation_StopLogging.json", "tamper-audit-logging"],
    ["panther__AWS.ConfigService.DisabledDeleted__Config_Recorder_Deleted.json", "tamper-audit-logging"],
    ["stratus__detonation_DeleteTrail.json", "tamper-audit-logging"],
    ["stratus__detonation_PutEventSelectors.json", "tamper-audit-logging"],
    ["panther__AWS.CloudTrail.Stopped__CloudTrail_Was_Stopped.json", "tamper-audit-logging"],
    [
      "panther__AWS.CloudTrail.SecurityConfigurationChange__Security_Configuration_Changed.json",
      "tamper-audit-logging",
    ],
    ["panther__AWS.CloudTrail.EventSelectorsDisabled__Event_Selector_Disabled.json", "tamper-audit-logging"],
    ["elastic__UpdateTrail_disable_logfilevalidation_remove_kms.json", "tamper-audit-logging"],
    [
      "panther__AWS.S3.DeleteBucketEncryption__Bucket_Encryption_Deleted_Successfully.json",
      "tamper-bucket-protection",
    ],
    [
      "panther__AWS.CloudTrail.ResourceMadePublic__S3_Made_Publicly_Accessible.json",
      "tamper-bucket-protection",
    ],
    ["cloudbuddy__eventbridge_PutBucketPolicy_public_principal_star.json", "tamper-bucket-protection"],
    ["cloudbuddy__eventbridge_PutBucketPolicy_vpce_restricted.json", "tamper-bucket-protection"],
    ["cloudbuddy__eventbridge_DeleteBucketPolicy.json", "tamper-bucket-protection"],
    ["panther__AWS.S3.BucketPolicyModified__S3_Bucket_Policy_Modified.json", "tamper-bucket-protection"],
    [
      "panther__AWS.S3.DeletePublicAccessBlock__Public_Access_Block_Deleted_Successfully.json",
      "tamper-bucket-protection",
    ],
    [
      "panther__AWS.S3.DisableBucketLogging__Bucket_Logging_Disabled_Successfully.json",
      "tamper-bucket-protection",
    ],
    ["panther__AWS.S3.SuspendVersioning__Versioning_Suspended_Successfully.json", "tamper-bucket-protection"],
    [
      "panther__AWS.CloudTrail.ShortLifecycle__1_Day_Lifecycle_Rule_on_Known_CT_Bucket.json",
      "tamper-bucket-protection",
    ],
    ["awsdocs_kms__ScheduleKeyDeletion.json", "tamper-key"],
    ["awsdocs_kms__DisableKeyRotation.json", "tamper-key"],
    ["panther__AWS.KMS.CustomerManagedKeyLoss__KMS_Key_Scheduled_For_Deletion.json", "tamper-key"],
    ["panther__AWS.KMS.CustomerManagedKeyLoss__KMS_Key_Disabled.json", "tamper-key"],
  ])("fires on %s (%s)", (file, ruleId) => {
    const d = fired(loadRecord(file));
    expect(d.map((x) => x.ruleId)).toEqual([ruleId]);
    const det = d[0]!;
    expect(det.summary.length).toBeGreaterThan(10);
    expect(det.cause).toBe(loadRecord(file).eventID);
  });

  it.each([
    "panther__AWS.CloudTrail.Stopped__Error_Stopping_CloudTrail.json",
    "panther__AWS.CloudTrail.SecurityConfigurationChange__Security_Configuration_Not_Changed_Error.json",
    "awsdocs_cloudtrail__UpdateTrail_error_TrailNotFound.json",
    "panther__AWS.S3.DeleteBucketEncryption__Bucket_Encryption_Deletion_Failed.json",
    "panther__AWS.CloudTrail.ResourceMadePublic__S3_Failed_to_make_Publicly_Accessible.json",
    "panther__AWS.S3.BucketPolicyModified__S3_Bucket_Policy_Modified_Error_Response.json",
    "panther__AWS.S3.DeletePublicAccessBlock__Different_S3_Event.json",
    "panther__AWS.S3.DisableBucketLogging__Bucket_Logging_Enabled.json",
    "elastic__PutBucketLogging_enable.json",
    "panther__AWS.KMS.CustomerManagedKeyLoss__KMS_Key_Non_Deletion_Event.json",
    "panther__AWS.CloudTrail.ResourceMadePublic__KMS_Key_Restricted_Access_Should_Not_Alert.json",
    "awsdocs_kms__PutKeyPolicy.json",
    "awsdocs_kms__Decrypt_symmetric.json",
    "whylabs__eventbridge_PutObject_data_event_SSE_KMS.json",
    "custodian__eventbridge_CreateBucket.json",
  ])("does not fire on benign %s", (file) => {
    expect(fired(loadRecord(file))).toEqual([]);
  });

  it("fires tamper-key critical when a PHI key policy admits Principal * without a condition (AWS docs PutKeyPolicy record, policy of Panther's wildcard test)", () => {
    const rec = loadRecord("awsdocs_kms__PutKeyPolicy.json");
    const wildcard = JSON.parse(
      readFileSync(
        `${DIR}/panther__AWS.CloudTrail.ResourceMadePublic__Wildcard_Principal_No_Conditions_Should_Alert.json`,
        "utf8",
      ),
    ).Log.requestParameters.policy;
    const d = fired({
      ...rec,
      requestParameters: { ...rec.requestParameters, policy: JSON.stringify(wildcard) },
    });
    expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-key", "critical"]]);
  });

  it("fires tamper-key critical when imported key material is deleted from a PHI key (AWS docs DisableKeyRotation record, renamed)", () => {
    const rec = loadRecord("awsdocs_kms__DisableKeyRotation.json");
    const d = fired({ ...rec, eventName: "DeleteImportedKeyMaterial" });
    expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-key", "critical"]]);
    expect(d[0]!.summary).toMatch(/imported key material deleted/);
  });

  it("qualifies a bare key id in the partition of the record's region (GovCloud)", () => {
    const rec = loadRecord("awsdocs_kms__DisableKeyRotation.json");
    const gov = {
      ...rec,
      awsRegion: "us-gov-west-1",
      requestParameters: { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
      resources: undefined,
    };
    const onlyGov = { ...baseline, phiKeys: ["arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/*"] };
    expect(fired(gov, onlyGov).map((x) => [x.ruleId, x.subject.resourceId])).toEqual([
      [
        "tamper-key",
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      ],
    ]);
  });

  describe("on Panther's DeleteBucketEncryption record, re-issued as other bucket calls", () => {
    const base = loadRecord(
      "panther__AWS.S3.DeleteBucketEncryption__Bucket_Encryption_Deleted_Successfully.json",
    );
    const as = (eventName: string, extra: Record<string, unknown>) =>
      fired({ ...base, eventName, requestParameters: { ...base.requestParameters, ...extra } });
    const sse = (keyId: string) => ({
      ServerSideEncryptionConfiguration: {
        Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyId } },
      },
    });

    it("PutBucketEncryption to a key in another account is critical (S3 ransomware pattern)", () => {
      const d = as(
        "PutBucketEncryption",
        sse("arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
      );
      expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-bucket-protection", "critical"]]);
      expect(d[0]!.evidence.weakened).toEqual([
        "default encryption uses a KMS key in account 999999999999 outside the baseline",
      ]);
    });

    it("PutBucketEncryption to a customer-managed key in a baseline account does not fire", () => {
      expect(
        as(
          "PutBucketEncryption",
          sse("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ),
      ).toEqual([]);
    });

    it("PutBucketOwnershipControls away from BucketOwnerEnforced fires; to it does not", () => {
      const rule = (o: string) => ({ OwnershipControls: { Rule: { ObjectOwnership: o } } });
      expect(as("PutBucketOwnershipControls", rule("ObjectWriter"))[0]!.evidence.weakened).toEqual([
        "object ownership no longer BucketOwnerEnforced (ACLs enabled again)",
      ]);
      expect(as("PutBucketOwnershipControls", rule("BucketOwnerEnforced"))).toEqual([]);
    });

    it("DeleteBucketOwnershipControls fires", () => {
      expect(as("DeleteBucketOwnershipControls", {}).map((x) => x.ruleId)).toEqual([
        "tamper-bucket-protection",
      ]);
    });
  });

  describe("phiwatch's own EventBridge rules (Stratus StopLogging record, re-issued as EventBridge calls)", () => {
    const base = loadRecord("stratus__detonation_StopLogging.json");
    const as = (eventName: string, requestParameters: Record<string, unknown>) =>
      fired({ ...base, eventSource: "events.amazonaws.com", eventName, requestParameters });

    it.each([
      ["DisableRule", { name: "phiwatch-prod-access", eventBusName: "default" }, "disabled"],
      ["DeleteRule", { name: "phiwatch-prod-config-change" }, "deleted"],
      ["RemoveTargets", { rule: "phiwatch-forward", ids: ["phiwatch-security-bus"] }, "stripped of targets"],
      [
        "PutRule",
        { name: "phiwatch-prod-tamper", state: "DISABLED", eventPattern: "{}" },
        "disabled (PutRule)",
      ],
    ])("%s on a phiwatch rule fires critical", (eventName, req, what) => {
      const d = as(eventName, req);
      expect(d.map((x) => [x.ruleId, x.severity, x.subject.resourceType])).toEqual([
        ["tamper-audit-logging", "critical", "AWS::Events::Rule"],
      ]);
      expect(d[0]!.summary).toContain(what);
    });

    it("does not fire for other rules, or for PutRule keeping a phiwatch rule enabled", () => {
      expect(as("DisableRule", { name: "billing-nightly" })).toEqual([]);
      expect(as("PutRule", { name: "phiwatch-prod-access", state: "ENABLED" })).toEqual([]);
    });
  });

  it("rejects a hand-written record without eventID, naming the field (Panther's minimal VPCE UpdateTrail test log)", () => {
    expect(() =>
      loadRecord("panther__AWS.CloudTrail.VPCE.SensitiveAPICalls__CloudTrail_API_Call_Via_VPC_Endpoint.json"),
    ).toThrow(/record\.eventID/);
  });

  it("rates a policy that admits everyone critical and a restricted one high", () => {
    const pub = fired(loadRecord("cloudbuddy__eventbridge_PutBucketPolicy_public_principal_star.json"))[0]!;
    const vpce = fired(loadRecord("cloudbuddy__eventbridge_PutBucketPolicy_vpce_restricted.json"))[0]!;
    expect(pub.severity).toBe("critical");
    expect(vpce.severity).toBe("high");
    expect(pub.evidence.weakened).toContain("allows any principal (*) without a condition");
  });

  // The same reading as s3-tls-only: aws:SecureTransport is a Boolean key, and only a Bool test with
  // `false` (or `"false"`) is documented to match plain-HTTP requests.
  it.each([
    ["Bool false", { Bool: { "aws:SecureTransport": false } }, false],
    ['Bool "false"', { Bool: { "aws:SecureTransport": "false" } }, false],
    [
      'StringEquals "false" (a string operator on a Boolean key)',
      { StringEquals: { "aws:SecureTransport": "false" } },
      true,
    ],
    ['Bool "False" (undocumented spelling)', { Bool: { "aws:SecureTransport": "False" } }, true],
    ['StringLike "false"', { StringLike: { "aws:SecureTransport": "false" } }, true],
    ["BoolIfExists false", { BoolIfExists: { "aws:SecureTransport": false } }, false],
    ['ForAnyValue:Bool "false"', { "ForAnyValue:Bool": { "aws:SecureTransport": "false" } }, false],
  ])(
    "PutBucketPolicy with a Deny on %s: reported as no TLS Deny unless a Bool false test",
    (_n, Condition, missing) => {
      const rec = loadRecord("cloudbuddy__eventbridge_PutBucketPolicy_vpce_restricted.json");
      const bucketPolicy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::testjcazurebucket", "arn:aws:s3:::testjcazurebucket/*"],
            Condition,
          },
        ],
      };
      const d = fired({ ...rec, requestParameters: { ...rec.requestParameters, bucketPolicy } })[0]!;
      expect((d.evidence.weakened as string[]).includes("no Deny on aws:SecureTransport=false")).toBe(
        missing,
      );
    },
  );

  it("does not fire on buckets and keys the baseline does not mark as PHI", () => {
    const other = testBaseline({ accounts: ["111111111111"] });
    expect(
      fired(
        loadRecord("panther__AWS.S3.DeleteBucketEncryption__Bucket_Encryption_Deleted_Successfully.json"),
        other,
      ),
    ).toEqual([]);
    expect(fired(loadRecord("awsdocs_kms__ScheduleKeyDeletion.json"), other)).toEqual([]);
  });

  it("fires root-activity on a root call in a monitored account (the Stratus StopLogging capture with a Root identity)", () => {
    const rec = loadRecord("stratus__detonation_StopLogging.json");
    const root = {
      ...rec,
      recipientAccountId: "111122223333",
      userIdentity: {
        type: "Root",
        principalId: "111122223333",
        arn: "arn:aws:iam::111122223333:root",
        accountId: "111122223333",
      },
    };
    const d = fired(root)
      .map((x) => x.ruleId)
      .sort();
    expect(d).toEqual(["root-activity", "tamper-audit-logging"]);
    expect(fired(rec).map((x) => x.ruleId)).not.toContain("root-activity");
  });

  it("one finding per action, resource and day: the discriminator is the API action and its day", () => {
    const d = fired(loadRecord("stratus__detonation_StopLogging.json"))[0]!;
    expect(d.discriminator).toBe("StopLogging:2024-07-31");
    expect(d.subject).toMatchObject({
      resourceType: "AWS::CloudTrail::Trail",
      resourceId: "stratus-red-team-ct-stop-trail-buykxbqejv",
    });
  });
});

// PutEventSelectors as CloudTrail records it: requestParameters in camelCase, nested keys included
// (`advancedEventSelectors[].fieldSelectors[].field/equals`), on the Stratus sample's envelope.
describe("tamper-audit-logging reads the new selectors as the trail control does", () => {
  const rec = loadRecord("stratus__detonation_PutEventSelectors.json");
  const put = (requestParameters: Record<string, unknown>, awsRegion = rec.awsRegion) =>
    fired({ ...rec, awsRegion, requestParameters: { trailName: "org-trail", ...requestParameters } });
  const mgmt = { name: "management", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] };
  const s3Data = (arn?: Record<string, unknown>) => ({
    name: "phi reads",
    fieldSelectors: [
      { field: "eventCategory", equals: ["Data"] },
      { field: "resources.type", equals: ["AWS::S3::Object"] },
      ...(arn ? [{ field: "resources.ARN", ...arn }] : []),
    ],
  });

  it("does not fire when advanced selectors keep management events and every S3 object read", () => {
    expect(put({ advancedEventSelectors: [mgmt, s3Data()] })).toEqual([]);
  });

  it("does not fire when the selectors name each PHI bucket's objects", () => {
    const buckets = baseline.phiBuckets.map((b) => `arn:aws:s3:::${b.name}/`);
    expect(put({ advancedEventSelectors: [mgmt, s3Data({ startsWith: buckets })] })).toEqual([]);
    expect(
      put({
        eventSelectors: [
          {
            readWriteType: "All",
            includeManagementEvents: true,
            dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3:::"] }],
          },
        ],
      }),
    ).toEqual([]);
  });

  it("fires when an advanced selector stops recording GetObject (eventName filter)", () => {
    const writesOnly = s3Data();
    writesOnly.fieldSelectors.push({ field: "eventName", equals: ["PutObject"] } as never);
    const d = put({ advancedEventSelectors: [mgmt, writesOnly] });
    expect(d.map((x) => x.ruleId)).toEqual(["tamper-audit-logging"]);
    expect(String(d[0]!.evidence.weakened)).toMatch(/S3 read data events not recorded/);
  });

  it("fires when management events are limited to reads (StopLogging is a write)", () => {
    const readOnly = {
      ...mgmt,
      fieldSelectors: [...mgmt.fieldSelectors, { field: "readOnly", equals: ["true"] }],
    };
    const d = put({ advancedEventSelectors: [readOnly, s3Data()] });
    expect(d[0]?.evidence.weakened).toContain("write management events no longer recorded");
  });

  it("fires when management events are limited to writes (a PHI key's Decrypt is a read-only management event)", () => {
    const writes = {
      ...mgmt,
      fieldSelectors: [...mgmt.fieldSelectors, { field: "readOnly", equals: ["false"] }],
    };
    const classic = put({
      eventSelectors: [
        {
          readWriteType: "WriteOnly",
          includeManagementEvents: true,
          excludeManagementEventSources: [],
          dataResources: [],
        },
        {
          readWriteType: "ReadOnly",
          includeManagementEvents: false,
          dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }],
        },
      ],
    });
    for (const d of [put({ advancedEventSelectors: [writes, s3Data()] }), classic])
      expect(d[0]?.evidence.weakened).toEqual([
        "read-only management events (KMS Decrypt among them) no longer recorded",
      ]);
  });

  // Found by test/unit/resource/trail-coverage-differential.test.ts (concrete reference: trail-reference.ts).
  it("fires when KMS management events are excluded (classic and advanced)", () => {
    const classic = put({
      eventSelectors: [
        {
          readWriteType: "All",
          includeManagementEvents: true,
          excludeManagementEventSources: ["kms.amazonaws.com"],
          dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }],
        },
      ],
    });
    const noKms = {
      ...mgmt,
      fieldSelectors: [...mgmt.fieldSelectors, { field: "eventSource", notEquals: ["kms.amazonaws.com"] }],
    };
    const advanced = put({ advancedEventSelectors: [noKms, s3Data()] });
    for (const d of [classic, advanced])
      expect(d[0]?.evidence.weakened).toEqual(["management events of kms.amazonaws.com no longer recorded"]);
  });

  it("fires when one bucket of a PHI prefix, or of the PHI tag, is excluded", () => {
    const byPrefixAndTag = testBaseline({
      phiBuckets: [
        { prefix: "phi-transcripts-", holds: ["transcripts"] },
        { tag: { key: "phi", value: "true" }, holds: ["recordings"] },
      ],
    });
    const excluding = (bucket: string) =>
      fired(
        {
          ...rec,
          requestParameters: {
            trailName: "org-trail",
            advancedEventSelectors: [mgmt, s3Data({ notStartsWith: [`arn:aws:s3:::${bucket}/`] })],
          },
        },
        byPrefixAndTag,
      );
    expect(excluding("phi-transcripts-2026")[0]?.evidence.weakened).toEqual([
      "S3 read data events not recorded for phi-transcripts-*, (tagged buckets)",
    ]);
    expect(excluding("marketing")[0]?.evidence.weakened).toEqual([
      "S3 read data events not recorded for (tagged buckets)",
    ]);
  });

  it("reads S3 object ARNs in the partition of the record's region (GovCloud)", () => {
    const gov = (arn: string) =>
      put({ advancedEventSelectors: [mgmt, s3Data({ startsWith: [arn] })] }, "us-gov-west-1");
    expect(gov("arn:aws-us-gov:s3:::")).toEqual([]);
    expect(gov("arn:aws:s3:::").map((x) => x.ruleId)).toEqual(["tamper-audit-logging"]);
  });
});

describe("tamper-connect storage re-pointing", () => {
  // No Connect admin CloudTrail record is published (test/fixtures/README.md): the AWS-docs Connect
  // record (GetContactAttributes) with the eventName and request parameters of
  // UpdateInstanceStorageConfig / DisassociateInstanceStorageConfig as the Connect API reference
  // documents them (InstanceId, AssociationId, ResourceType, StorageConfig).
  const connectRecord = (eventName: string, requestParameters: Record<string, unknown>) => {
    const doc = JSON.parse(readFileSync(`${DIR}/awsdocs_connect__GetContactAttributes.json`, "utf8"));
    return Activity.readCloudTrail({ ...doc, eventName, readOnly: false, requestParameters })[0]!;
  };
  const s3 = {
    BucketName: "exfil-drop-bucket",
    BucketPrefix: "x",
    EncryptionConfig: { EncryptionType: "KMS", KeyId: "arn:aws:kms:us-west-2:123456789012:key/k" },
  };

  // Chat and email attachments and e-mail messages are what patients send: PHI like recordings.
  it.each(["CALL_RECORDINGS", "ATTACHMENTS", "EMAIL_MESSAGES"])(
    "fires when %s storage is re-pointed to a bucket that is not a PHI bucket",
    (type) => {
      const r = connectRecord("UpdateInstanceStorageConfig", {
        InstanceId: "00fbeee1-123e-111e-93e3-11111bfbfcc1",
        AssociationId: "a1",
        ResourceType: type,
        StorageConfig: { StorageType: "S3", S3Config: s3 },
      });
      expect(fired(r).map((d) => d.ruleId)).toEqual(["tamper-connect"]);
    },
  );

  it.each(["ATTACHMENTS", "REAL_TIME_CONTACT_ANALYSIS_VOICE_SEGMENTS"])(
    "fires when %s storage is disassociated",
    (type) => {
      const r = connectRecord("DisassociateInstanceStorageConfig", {
        InstanceId: "00fbeee1-123e-111e-93e3-11111bfbfcc1",
        AssociationId: "a1",
        ResourceType: type,
      });
      expect(fired(r).map((d) => d.ruleId)).toEqual(["tamper-connect"]);
    },
  );

  it("does not fire for agent event streams (no PHI)", () => {
    const r = connectRecord("DisassociateInstanceStorageConfig", {
      InstanceId: "00fbeee1-123e-111e-93e3-11111bfbfcc1",
      AssociationId: "a1",
      ResourceType: "AGENT_EVENTS",
    });
    expect(fired(r)).toEqual([]);
  });
});

// No PutConfigurationRecorder record with a recording group is published (AWS's example predates
// recording groups): test/fixtures/README.md, built from the API reference's RecordingGroup shape.
describe("tamper-audit-logging: a Config recording group that stops recording a watched type", () => {
  const rec = loadRecord("awsdocs-schema__config_PutConfigurationRecorder_inclusion.json");
  const put = (recorder: Record<string, unknown>, eventName = "PutConfigurationRecorder") =>
    fired({
      ...rec,
      eventName,
      requestParameters: { configurationRecorder: { name: "default", ...recorder } },
    });

  it("fires critical on an inclusion list without the S3, trail and other watched types, naming them", () => {
    const d = fired(rec);
    expect(d.map((x) => [x.ruleId, x.severity, x.subject.resourceType])).toEqual([
      ["tamper-audit-logging", "critical", "AWS::Config::ConfigurationRecorder"],
    ]);
    const dropped = d[0]!.evidence.notRecorded as string[];
    expect(dropped).toEqual(expect.arrayContaining(["AWS::S3::Bucket", "AWS::CloudTrail::Trail"]));
    expect(dropped).not.toContain("AWS::KMS::Key"); // still in the list
    // IAM types are recorded in one region by design; Connect is read through its own API.
    expect(dropped.some((t) => t.startsWith("AWS::IAM::") || t.startsWith("AWS::Connect::"))).toBe(false);
    expect(d[0]!.summary).toMatch(/AWS::S3::Bucket/);
  });

  it("fires when an exclusion list excludes S3 buckets (legacy allSupported=false too)", () => {
    const excluding = put({
      recordingGroup: {
        allSupported: false,
        exclusionByResourceTypes: { resourceTypes: ["AWS::S3::Bucket"] },
        recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
      },
    });
    expect(excluding[0]?.evidence.notRecorded).toEqual(["AWS::S3::Bucket"]);
    const legacy = put({ recordingGroup: { allSupported: false, resourceTypes: ["AWS::KMS::Key"] } });
    expect(legacy[0]?.evidence.notRecorded).toContain("AWS::S3::Bucket");
  });

  it("does not fire on all supported types, on no recording group (AWS's role-only example), or on an inclusion list naming every watched type", () => {
    expect(put({ recordingGroup: { allSupported: true, includeGlobalResourceTypes: false } })).toEqual([]);
    expect(put({ roleARN: "arn:aws:iam::111122223333:role/config-role" })).toEqual([]);
    expect(
      put({
        recordingGroup: {
          allSupported: false,
          resourceTypes: watchedResourceTypes(),
          recordingStrategy: { useOnly: "INCLUSION_BY_RESOURCE_TYPES" },
        },
      }),
    ).toEqual([]);
  });

  it("fires medium when watched types are recorded daily instead of continuously", () => {
    const d = put({
      recordingGroup: { allSupported: true },
      recordingMode: {
        recordingFrequency: "CONTINUOUS",
        recordingModeOverrides: [{ resourceTypes: ["AWS::S3::Bucket"], recordingFrequency: "DAILY" }],
      },
    });
    expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-audit-logging", "medium"]]);
    expect(d[0]!.evidence.recordedDaily).toEqual(["AWS::S3::Bucket"]);
  });

  it("fires when DisassociateResourceTypes removes a watched type, not an unwatched one", () => {
    const dis = (types: string[]) =>
      fired({
        ...rec,
        eventName: "DisassociateResourceTypes",
        requestParameters: {
          ConfigurationRecorderArn:
            "arn:aws:config:us-east-1:111122223333:configuration-recorder/default/abcdef0123456789",
          ResourceTypes: types,
        },
      });
    expect(dis(["AWS::S3::Bucket", "AWS::EC2::Volume"])[0]?.evidence.notRecorded).toEqual([
      "AWS::S3::Bucket",
    ]);
    expect(dis(["AWS::EC2::Volume"])).toEqual([]);
  });

  it("does not fire on a failed call", () => {
    expect(fired({ ...rec, errorCode: "AccessDenied" } as Activity.CloudTrailRecord)).toEqual([]);
  });
});

// AWS publishes no PutAccountPublicAccessBlock record: built from the S3 Control API's request shape
// (test/fixtures/README.md).
describe("tamper-bucket-protection: account-level Block Public Access", () => {
  const rec = loadRecord("awsdocs-schema__s3_PutAccountPublicAccessBlock_off.json");

  it("fires when PutAccountPublicAccessBlock turns flags off, naming them", () => {
    const d = fired(rec);
    expect(d.map((x) => [x.ruleId, x.subject.resourceType, x.subject.resourceId])).toEqual([
      ["tamper-bucket-protection", "AWS::S3::AccountPublicAccessBlock", "111122223333"],
    ]);
    expect(d[0]!.evidence.weakened).toEqual([
      "account Block Public Access weakened: BlockPublicPolicy, RestrictPublicBuckets off",
    ]);
  });

  it("does not fire when every flag stays on", () => {
    const cfg = rec.requestParameters!.PublicAccessBlockConfiguration as Record<string, unknown>;
    const on = { ...cfg, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    expect(
      fired({ ...rec, requestParameters: { ...rec.requestParameters, PublicAccessBlockConfiguration: on } }),
    ).toEqual([]);
  });

  it("reads the settings in either casing (no published record shows which CloudTrail keeps)", () => {
    const camel = {
      publicAccessBlockConfiguration: {
        blockPublicAcls: false,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    };
    expect(fired({ ...rec, requestParameters: camel })[0]?.evidence.weakened).toEqual([
      "account Block Public Access weakened: BlockPublicAcls off",
    ]);
  });

  it("fires when DeleteAccountPublicAccessBlock removes it (all four flags off)", () => {
    const d = fired({ ...rec, eventName: "DeleteAccountPublicAccessBlock", requestParameters: {} });
    expect(d.map((x) => x.ruleId)).toEqual(["tamper-bucket-protection"]);
    expect(d[0]!.evidence.weakened).toEqual(["account Block Public Access removed (all four settings off)"]);
  });

  it("fires in any baseline account whatever the PHI buckets are, never outside the baseline", () => {
    const other = testBaseline({ accounts: ["999988887777"] });
    expect(fired(rec, other)).toEqual([]);
  });
});

// phiwatch's own delivery path: no published record of these calls on a phiwatch resource exists;
// the fixtures follow each service's documented request shape and CloudTrail event name (README).
describe("tamper-phiwatch: silencing phiwatch's own functions, alerts topic, table and member role", () => {
  const load = (file: string) => loadRecord(file);
  const as = (file: string, eventName: string, requestParameters: Record<string, unknown>, extra = {}) =>
    fired({ ...load(file), eventName, requestParameters, ...extra });
  const ids = (d: ReturnType<typeof fired>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);

  it("fires critical when a phiwatch function's reserved concurrency is set to 0", () => {
    const d = fired(load("awsdocs-schema__lambda_PutFunctionConcurrency_zero.json"));
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-notify"]]);
    expect(d[0]!.subject.resourceType).toBe("AWS::Lambda::Function");
    expect(d[0]!.summary).toMatch(/reserved concurrency 0/);
  });

  it("does not fire on a concurrency above 0, nor on another account's function", () => {
    const f = "awsdocs-schema__lambda_PutFunctionConcurrency_zero.json";
    expect(
      as(f, "PutFunctionConcurrency20171031", {
        functionName: "phiwatch-prod-notify",
        reservedConcurrentExecutions: 5,
      }),
    ).toEqual([]);
    expect(
      as(f, "PutFunctionConcurrency20171031", {
        functionName: "billing-api",
        reservedConcurrentExecutions: 0,
      }),
    ).toEqual([]);
  });

  it("fires when a phiwatch function is deleted (name or ARN), not another function", () => {
    const f = "awsdocs-schema__lambda_PutFunctionConcurrency_zero.json";
    expect(ids(as(f, "DeleteFunction20150331", { functionName: "phiwatch-prod-tamper" }))).toEqual([
      ["tamper-phiwatch", "critical", "phiwatch-prod-tamper"],
    ]);
    expect(
      ids(
        as(f, "DeleteFunction20150331", {
          functionName: "arn:aws:lambda:us-east-1:111122223333:function:phiwatch-prod-access",
        }),
      ),
    ).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-access"]]);
    expect(as(f, "DeleteFunction20150331", { functionName: "orders-api" })).toEqual([]);
  });

  it("does not fire on routine deploys (UpdateFunctionCode / UpdateFunctionConfiguration are not routed)", () => {
    const f = "awsdocs-schema__lambda_PutFunctionConcurrency_zero.json";
    for (const e of ["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2"])
      expect(as(f, e, { functionName: "phiwatch-prod-notify" })).toEqual([]);
  });

  it("fires when the trigger of a phiwatch function is disabled or deleted, not when it is tuned", () => {
    const f = "awsdocs-schema__lambda_UpdateEventSourceMapping_disabled.json";
    expect(ids(fired(load(f)))).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-notify"]]);
    const rec = load(f);
    expect(
      fired({ ...rec, requestParameters: { uUID: "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", batchSize: 50 } }),
    ).toEqual([]);
    expect(ids(fired({ ...rec, eventName: "DeleteEventSourceMapping20150331" }))).toEqual([
      ["tamper-phiwatch", "critical", "phiwatch-prod-notify"],
    ]);
  });

  it("fires when a subscription of phiwatch's alerts topic is removed or the topic deleted", () => {
    const f = "awsdocs-schema__sns_Unsubscribe.json";
    const d = fired(load(f));
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-alerts"]]);
    expect(JSON.stringify(d[0]!.evidence)).not.toContain("0f1e2d3c"); // no subscription id
    expect(
      ids(as(f, "DeleteTopic", { topicArn: "arn:aws:sns:us-east-1:111122223333:phiwatch-prod-alerts" })),
    ).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-alerts"]]);
    expect(
      as(f, "Unsubscribe", { subscriptionArn: "arn:aws:sns:us-east-1:111122223333:newsletter:0f1e2d3c" }),
    ).toEqual([]);
  });

  it("fires when phiwatch's table is deleted, not another table", () => {
    const f = "awsdocs-schema__dynamodb_DeleteTable.json";
    expect(ids(fired(load(f)))).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-findings"]]);
    expect(as(f, "DeleteTable", { tableName: "orders" })).toEqual([]);
  });

  it("fires when the member read role's trust or policies change, or it is deleted", () => {
    const f = "awsdocs-schema__iam_UpdateAssumeRolePolicy_member_read.json";
    const d = fired(load(f));
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", "phiwatch-member-read"]]);
    expect(d[0]!.subject.resourceType).toBe("AWS::IAM::Role");
    expect(d[0]!.evidence.change).toMatch(/trust policy replaced/);
    const role = { roleName: "phiwatch-member-read" };
    expect(ids(as(f, "DeleteRole", role))).toEqual([["tamper-phiwatch", "critical", "phiwatch-member-read"]]);
    for (const [e, extra] of [
      ["DeleteRolePolicy", { policyName: "phiwatch-read-only-posture" }],
      ["DetachRolePolicy", { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      ["PutRolePolicy", { policyName: "deny-config", policyDocument: "{}" }],
      ["PutRolePermissionsBoundary", { permissionsBoundary: "arn:aws:iam::111122223333:policy/b" }],
    ] as const)
      expect(ids(as(f, e, { ...role, ...extra }))).toEqual([
        ["tamper-phiwatch", "high", "phiwatch-member-read"],
      ]);
    expect(as(f, "DeleteRole", { roleName: "ci-deployer" })).toEqual([]);
  });

  it("does not fire on a failed call", () => {
    const rec = load("awsdocs-schema__dynamodb_DeleteTable.json");
    expect(fired({ ...rec, errorCode: "ResourceInUseException" } as Activity.CloudTrailRecord)).toEqual([]);
  });
});

describe("tamper-key: an alias a PHI bucket's default encryption names, re-pointed or deleted", () => {
  // AWS's published UpdateAlias / DeleteAlias records (test/fixtures/README.md), in us-west-2 / us-east-1.
  const update = () => loadRecord("awsdocs_kms__UpdateAlias.json");
  const del = () => loadRecord("awsdocs_kms__DeleteAlias.json");
  const phiKey = "arn:aws:kms:us-west-2:111122223333:key/0000aaaa-12ab-34cd-56ef-1234567890ab";
  const b = testBaseline({
    accounts: ["111122223333"],
    phiBuckets: [{ prefix: "clinic-", holds: ["recordings"] }],
    phiKeys: [phiKey],
  });
  const bucket = (name: string, kmsKeyId: string | null, region = "us-west-2") =>
    apiSnapshot(
      "AWS::S3::Bucket",
      name,
      {},
      {
        region,
        supplementary: {
          ServerSideEncryptionConfiguration: {
            rules: [
              { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyID: kmsKeyId } },
            ],
          },
        },
      },
    );
  const read = (
    snapshots: ReturnType<typeof bucket>[],
    region = "us-west-2",
    complete = true,
    reason?: string,
  ): InventoryRead => ({
    accountId: "111122223333",
    region,
    resourceType: "AWS::S3::Bucket",
    snapshots,
    complete,
    ...(reason ? { reason } : {}),
  });
  const run = (rec: Activity.CloudTrailRecord, reads: InventoryRead[]) => {
    const r = Activity.detectManagement(rec, b, DETECTORS, reads);
    expect(r.errors).toEqual([]);
    return r.detections;
  };
  const sev = (d: ReturnType<typeof run>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);
  const ALIAS = "arn:aws:kms:us-west-2:111122223333:alias/my_alias";

  it("asks for the account's buckets of the event's region, and only for alias events", () => {
    expect(Activity.inventoryQueries(update(), DETECTORS)).toEqual([
      { accountId: "111122223333", region: "us-west-2", resourceType: "AWS::S3::Bucket" },
    ]);
    expect(Activity.inventoryQueries(loadRecord("awsdocs_kms__ScheduleKeyDeletion.json"), DETECTORS)).toEqual(
      [],
    );
  });

  it("fires high when a PHI bucket names the alias (by name or alias ARN) and its new key is not a PHI key", () => {
    const d = run(update(), [
      read([bucket("clinic-recordings", "alias/my_alias"), bucket("clinic-exports", ALIAS)]),
    ]);
    expect(sev(d)).toEqual([["tamper-key", "high", ALIAS]]);
    expect(d[0]!.subject.resourceType).toBe("AWS::KMS::Alias");
    expect(d[0]!.evidence).toMatchObject({
      aliasName: "alias/my_alias",
      targetKeyArn: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      phiBucketsNamingAlias: ["clinic-exports", "clinic-recordings"],
      inventory: "complete",
    });
  });

  it("fires medium when the alias moves to a PHI key of the baseline (manual rotation), critical to another account's key", () => {
    const named = [read([bucket("clinic-recordings", "alias/my_alias")])];
    const rec = update();
    const toPhi = { ...rec, responseElements: { keyId: phiKey }, resources: [] };
    expect(sev(run(toPhi, named))).toEqual([["tamper-key", "medium", ALIAS]]);
    const outside = {
      ...rec,
      responseElements: {
        keyId: "arn:aws:kms:us-west-2:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
      resources: [],
    };
    const d = run(outside, named);
    expect(sev(d)).toEqual([["tamper-key", "critical", ALIAS]]);
    expect(d[0]!.evidence.targetKeyAccount).toBe("999988887777");
  });

  it("fires critical when a named alias is deleted", () => {
    const d = run(del(), [read([bucket("clinic-recordings", "alias/my_alias", "us-east-1")], "us-east-1")]);
    expect(sev(d)).toEqual([["tamper-key", "critical", "arn:aws:kms:us-east-1:111122223333:alias/my_alias"]]);
    expect(d[0]!.summary).toMatch(/deleted: writes .* fail/);
  });

  it("does not fire when the complete inventory shows no PHI bucket naming the alias", () => {
    const none = [
      read([
        bucket("clinic-recordings", "alias/other"), // another alias
        bucket("marketing-site", "alias/my_alias"), // not a PHI bucket
        bucket("clinic-eu", "alias/my_alias", "eu-west-1"), // another region's alias of that name
        bucket("clinic-x", "arn:aws:kms:us-west-2:444455556666:alias/my_alias"), // another account's alias
      ]),
    ];
    expect(run(update(), none)).toEqual([]);
    expect(run(del(), [read([], "us-east-1")])).toEqual([]);
  });

  it("fires medium saying it could not tell when the inventory was cut short, failed, or not read", () => {
    const capped = run(update(), [read([], "us-west-2", false, "stopped after 4 pages (the read's cap)")]);
    expect(sev(capped)).toEqual([["tamper-key", "medium", ALIAS]]);
    expect(capped[0]!.evidence.inventory).toBe("incomplete: stopped after 4 pages (the read's cap)");
    expect(capped[0]!.summary).toMatch(/cannot tell whether a PHI bucket/);
    const unread = run(update(), []);
    expect(sev(unread)).toEqual([["tamper-key", "medium", ALIAS]]);
    expect(unread[0]!.evidence.inventory).toMatch(/^not read/);
    // A bucket found on the pages that were read still decides it.
    expect(
      sev(run(del(), [read([bucket("clinic-a", "alias/my_alias", "us-east-1")], "us-east-1", false, "x")])),
    ).toEqual([["tamper-key", "critical", "arn:aws:kms:us-east-1:111122223333:alias/my_alias"]]);
  });

  it("does not fire on a failed call, nor on AWS-managed aliases", () => {
    const named = [read([bucket("clinic-recordings", "alias/my_alias")])];
    expect(run({ ...update(), errorCode: "NotFoundException" } as Activity.CloudTrailRecord, named)).toEqual(
      [],
    );
    const rec = update();
    expect(run({ ...rec, requestParameters: { aliasName: "alias/aws/s3" } }, [])).toEqual([]);
  });
});

describe("tamper-phiwatch: the alerts topic's attributes and policy", () => {
  const rec = () => loadRecord("awsdocs-schema__sns_Unsubscribe.json");
  const TOPIC = "arn:aws:sns:us-east-1:111122223333:phiwatch-prod-alerts";
  const set = (attributeName: string, attributeValue: unknown, topicArn = TOPIC) =>
    fired({
      ...rec(),
      eventName: "SetTopicAttributes",
      requestParameters: { topicArn, attributeName, attributeValue },
    });
  const ids = (d: ReturnType<typeof fired>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);

  it("fires high when the topic's access policy is replaced, critical when it admits anyone or an outside account", () => {
    const own = {
      Statement: [{ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "SNS:Publish" }],
    };
    const d = set("Policy", JSON.stringify(own));
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
    expect(d[0]!.evidence.change).toMatch(/access policy replaced/);
    const open = { Statement: [{ Effect: "Allow", Principal: "*", Action: "SNS:Subscribe" }] };
    expect(ids(set("Policy", JSON.stringify(open)))).toEqual([
      ["tamper-phiwatch", "critical", "phiwatch-prod-alerts"],
    ]);
  });

  it("fires when encryption is removed (medium) or set to the AWS-managed key CloudWatch cannot use (high)", () => {
    expect(ids(set("KmsMasterKeyId", ""))).toEqual([["tamper-phiwatch", "medium", "phiwatch-prod-alerts"]]);
    expect(ids(set("KmsMasterKeyId", "alias/aws/sns"))).toEqual([
      ["tamper-phiwatch", "high", "phiwatch-prod-alerts"],
    ]);
    // A customer key by ARN cannot be told from phiwatch's own in the event, and only the deploy sets
    // the topic's key: any other key silences phiwatch's publishes (review s18, below).
    expect(
      ids(
        set("KmsMasterKeyId", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
      ),
    ).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
  });

  it("fires medium on a delivery policy change, not on attributes that do not affect delivery", () => {
    expect(ids(set("DeliveryPolicy", '{"http":{"defaultHealthyRetryPolicy":{"numRetries":0}}}'))).toEqual([
      ["tamper-phiwatch", "medium", "phiwatch-prod-alerts"],
    ]);
    expect(set("DisplayName", "alerts")).toEqual([]);
    expect(set("TracingConfig", "Active")).toEqual([]);
  });

  it("fires high when a statement is removed from the topic policy (RemovePermission), not on another topic", () => {
    const d = fired({
      ...rec(),
      eventName: "RemovePermission",
      requestParameters: { topicArn: TOPIC, label: "qzLABELx" },
    });
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
    expect(JSON.stringify(d)).not.toContain("qzLABELx"); // the caller's label is not kept
    const other = "arn:aws:sns:us-east-1:111122223333:newsletter";
    expect(
      fired({ ...rec(), eventName: "RemovePermission", requestParameters: { topicArn: other, label: "x" } }),
    ).toEqual([]);
    expect(set("Policy", "{}", other)).toEqual([]);
  });

  it("does not fire on a failed call", () => {
    const r = { ...rec(), eventName: "SetTopicAttributes", errorCode: "AuthorizationError" };
    expect(
      fired({
        ...r,
        requestParameters: { topicArn: TOPIC, attributeName: "Policy", attributeValue: "{}" },
      } as Activity.CloudTrailRecord),
    ).toEqual([]);
  });
});

describe("tamper-phiwatch: the findings table's protection, stream, recovery and TTL", () => {
  const rec = () => loadRecord("awsdocs-schema__dynamodb_DeleteTable.json");
  const on = (eventName: string, requestParameters: Record<string, unknown>) =>
    fired({ ...rec(), eventName, requestParameters, responseElements: null });
  const ids = (d: ReturnType<typeof fired>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);
  const T = "phiwatch-prod-findings";

  it("fires critical when the stream the notifier reads is disabled, high when a new one replaces it", () => {
    const d = on("UpdateTable", { tableName: T, streamSpecification: { streamEnabled: false } });
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", T]]);
    expect(d[0]!.evidence.change).toMatch(/stream disabled/);
    expect(
      ids(
        on("UpdateTable", {
          tableName: T,
          streamSpecification: { streamEnabled: true, streamViewType: "KEYS_ONLY" },
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
  });

  it("fires high when deletion protection or point-in-time recovery is turned off (either casing)", () => {
    expect(ids(on("UpdateTable", { tableName: T, deletionProtectionEnabled: false }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
    expect(
      ids(
        on("UpdateContinuousBackups", {
          tableName: T,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
    expect(
      ids(
        on("UpdateContinuousBackups", {
          tableName: T,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
  });

  it("fires high when TTL is put on another attribute, not when it is (re-)enabled on expiresAt or disabled", () => {
    const ttl = (enabled: boolean, attributeName: string) =>
      on("UpdateTimeToLive", { tableName: T, timeToLiveSpecification: { enabled, attributeName } });
    expect(ids(ttl(true, "count"))).toEqual([["tamper-phiwatch", "high", T]]);
    expect(ttl(true, "expiresAt")).toEqual([]); // what the deploy does
    expect(ttl(false, "expiresAt")).toEqual([]);
  });

  it("does not fire on tuning, on protection turned on, on another table, or on a failed call", () => {
    expect(on("UpdateTable", { tableName: T, billingMode: "PAY_PER_REQUEST" })).toEqual([]);
    expect(on("UpdateTable", { tableName: T, deletionProtectionEnabled: true })).toEqual([]);
    expect(
      on("UpdateContinuousBackups", {
        tableName: T,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      }),
    ).toEqual([]);
    expect(on("UpdateTable", { tableName: "orders", streamSpecification: { streamEnabled: false } })).toEqual(
      [],
    );
    const failed = { ...rec(), eventName: "UpdateTable", errorCode: "ValidationException" };
    expect(
      fired({
        ...failed,
        requestParameters: { tableName: T, streamSpecification: { streamEnabled: false } },
      } as Activity.CloudTrailRecord),
    ).toEqual([]);
  });
});

describe("tamper-phiwatch: phiwatch's triggers re-pointed, filtered, or changed without a response", () => {
  const rec = () => loadRecord("awsdocs-schema__lambda_UpdateEventSourceMapping_disabled.json");
  const UUID = "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE";
  const STREAM =
    "arn:aws:dynamodb:us-east-1:111122223333:table/phiwatch-prod-findings/stream/2026-01-05T10:00:00.000";
  const update = (requestParameters: Record<string, unknown>, response: Record<string, unknown> | null) =>
    fired({ ...rec(), requestParameters: { uUID: UUID, ...requestParameters }, responseElements: response });
  const ids = (d: ReturnType<typeof fired>) =>
    d.map((x) => [x.ruleId, x.severity, x.subject.resourceType, x.subject.resourceId]);

  it("fires critical when the notifier's stream trigger is re-pointed to a function outside phiwatch", () => {
    const d = update(
      { functionName: "arn:aws:lambda:us-east-1:111122223333:function:drain" },
      {
        uUID: UUID,
        eventSourceArn: STREAM,
        functionArn: "arn:aws:lambda:us-east-1:111122223333:function:drain",
      },
    );
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", "AWS::Lambda::EventSourceMapping", UUID]]);
    expect(d[0]!.evidence.change).toMatch(/re-pointed to drain, outside phiwatch/);
  });

  it("fires high when filter criteria are set on a phiwatch trigger (a queue's too), not when they are cleared", () => {
    const filter = { filterCriteria: { filters: [{ pattern: '{"eventName":["NONE"]}' }] } };
    const notify = "arn:aws:lambda:us-east-1:111122223333:function:phiwatch-prod-notify";
    expect(ids(update(filter, { eventSourceArn: STREAM, functionArn: notify }))).toEqual([
      ["tamper-phiwatch", "high", "AWS::Lambda::Function", "phiwatch-prod-notify"],
    ]);
    const queue = "arn:aws:sqs:us-east-1:111122223333:phiwatch-prod-deliveries.fifo";
    expect(
      ids(
        update(filter, {
          eventSourceArn: queue,
          functionArn: "arn:aws:lambda:us-east-1:111122223333:function:x",
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", "AWS::Lambda::EventSourceMapping", UUID]]);
    expect(
      update({ filterCriteria: { filters: [] } }, { eventSourceArn: STREAM, functionArn: notify }),
    ).toEqual([]);
  });

  it("does not fire on another application's trigger, nor on a trigger set to its own phiwatch function", () => {
    const other = {
      eventSourceArn: "arn:aws:sqs:us-east-1:111122223333:orders",
      functionArn: "arn:aws:lambda:us-east-1:111122223333:function:orders",
    };
    expect(update({ enabled: false }, other)).toEqual([]);
    expect(update({ functionName: "orders-v2" }, other)).toEqual([]);
    const notify = "arn:aws:lambda:us-east-1:111122223333:function:phiwatch-prod-notify";
    expect(
      update({ functionName: "phiwatch-prod-notify" }, { eventSourceArn: STREAM, functionArn: notify }),
    ).toEqual([]);
  });

  it("fires medium, saying it cannot tell, when a disabling or deleting record carries no response", () => {
    const d = update({ enabled: false }, null);
    expect(ids(d)).toEqual([["tamper-phiwatch", "medium", "AWS::Lambda::EventSourceMapping", UUID]]);
    expect(d[0]!.summary).toMatch(/carries no response/);
    expect(
      ids(
        fired({
          ...rec(),
          eventName: "DeleteEventSourceMapping20150331",
          requestParameters: { uUID: UUID },
          responseElements: null,
        }),
      ),
    ).toEqual([["tamper-phiwatch", "medium", "AWS::Lambda::EventSourceMapping", UUID]]);
    // A tuning change without a response is not a silencing one.
    expect(update({ batchSize: 10 }, null)).toEqual([]);
  });
});

describe("tamper-audit-logging: AWS Config recorder changes in a region outside the baseline", () => {
  // The test baseline allows us-east-1 only.
  const rec = loadRecord("awsdocs-schema__config_PutConfigurationRecorder_inclusion.json");
  const inRegion = (awsRegion: string, patch: Record<string, unknown> = {}) =>
    fired({ ...rec, awsRegion, ...patch });

  it("still alerts a narrowed recorder outside the allowed regions, at medium, saying so in the evidence", () => {
    const d = inRegion("ap-southeast-2");
    expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-audit-logging", "medium"]]);
    expect(d[0]!.evidence).toMatchObject({
      region: "ap-southeast-2",
      regionOutsideBaseline: true,
      allowedRegions: ["us-east-1"],
      notRecorded: expect.arrayContaining(["AWS::S3::Bucket"]),
    });
    expect(d[0]!.summary).toMatch(/outside the baseline's allowedRegions/);
  });

  it("keeps critical, with no region note, inside the allowed regions", () => {
    const d = inRegion("us-east-1");
    expect(d.map((x) => [x.ruleId, x.severity])).toEqual([["tamper-audit-logging", "critical"]]);
    expect(d[0]!.evidence.regionOutsideBaseline).toBeUndefined();
  });

  it("keeps a stopped or deleted recorder critical outside the allowed regions (it may record the global IAM types), saying where", () => {
    for (const eventName of ["StopConfigurationRecorder", "DeleteConfigurationRecorder"]) {
      const stop = { eventName, requestParameters: { configurationRecorderName: "default" } };
      expect(
        inRegion("ap-southeast-2", stop).map((x) => [x.severity, x.evidence.regionOutsideBaseline]),
      ).toEqual([["critical", true]]);
      expect(inRegion("ap-southeast-2", stop)[0]!.summary).toMatch(/outside the baseline's allowedRegions/);
      expect(inRegion("us-east-1", stop).map((x) => [x.severity, x.evidence.regionOutsideBaseline])).toEqual([
        ["critical", undefined],
      ]);
    }
  });
});

describe("tamper-phiwatch: review s18 — the table named by ARN, triggers re-pointed to a phiwatch-named function, the topic's key", () => {
  const table = () => loadRecord("awsdocs-schema__dynamodb_DeleteTable.json");
  const onTable = (eventName: string, requestParameters: Record<string, unknown>) =>
    fired({ ...table(), eventName, requestParameters, responseElements: null });
  const ids = (d: ReturnType<typeof fired>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);
  const T = "phiwatch-prod-findings";
  const ARN = `arn:aws:dynamodb:us-east-1:111122223333:table/${T}`;

  // DynamoDB takes the table's ARN wherever it takes its name (TableName: "You can also provide the
  // Amazon Resource Name (ARN) of the table"), and CloudTrail records the request as sent.
  it("fires on the table's protection, stream, recovery, TTL and deletion when the request names it by ARN", () => {
    expect(
      ids(onTable("UpdateTable", { tableName: ARN, streamSpecification: { streamEnabled: false } })),
    ).toEqual([["tamper-phiwatch", "critical", T]]);
    expect(ids(onTable("UpdateTable", { tableName: ARN, deletionProtectionEnabled: false }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
    expect(
      ids(
        onTable("UpdateContinuousBackups", {
          tableName: ARN,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
    expect(
      ids(
        onTable("UpdateTimeToLive", {
          tableName: ARN,
          timeToLiveSpecification: { enabled: true, attributeName: "count" },
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
    expect(
      ids(
        onTable("DeleteTable", {
          tableName: `arn:aws-us-gov:dynamodb:us-gov-west-1:111122223333:table/${T}`,
        }),
      ),
    ).toEqual([["tamper-phiwatch", "critical", T]]);
    // Another table by ARN, or a phiwatch-like name inside another resource's ARN, is not phiwatch's.
    expect(
      onTable("UpdateTable", {
        tableName: "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        streamSpecification: { streamEnabled: false },
      }),
    ).toEqual([]);
  });

  const mapping = () => loadRecord("awsdocs-schema__lambda_UpdateEventSourceMapping_disabled.json");
  const UUID = "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE";
  const STREAM =
    "arn:aws:dynamodb:us-east-1:111122223333:table/phiwatch-prod-findings/stream/2026-01-05T10:00:00.000";
  const fnArn = (name: string) => `arn:aws:lambda:us-east-1:111122223333:function:${name}`;
  const update = (functionName: string, eventSourceArn: string | undefined) =>
    fired({
      ...mapping(),
      requestParameters: { uUID: UUID, functionName },
      responseElements: eventSourceArn
        ? { uUID: UUID, eventSourceArn, functionArn: fnArn(functionName) }
        : null,
    });

  // A function name is anyone's to take: `phiwatch-prod-drain` is as much outside phiwatch as `drain`,
  // and the sweep is not the notifier.
  it("fires critical when a phiwatch trigger is re-pointed to another function whose name starts phiwatch-", () => {
    const d = update("phiwatch-prod-drain", STREAM);
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", UUID]]);
    expect(d[0]!.evidence.change).toMatch(/re-pointed to phiwatch-prod-drain/);
    expect(ids(update("phiwatch-prod-sweep", STREAM))).toEqual([["tamper-phiwatch", "critical", UUID]]);
    expect(
      ids(update("phiwatch-prod-notify", "arn:aws:sqs:us-east-1:111122223333:phiwatch-prod-deliveries.fifo")),
    ).toEqual([["tamper-phiwatch", "critical", UUID]]);
    // Each trigger's own function (what a deploy sends) is not a re-pointing.
    expect(update("phiwatch-prod-notify", STREAM)).toEqual([]);
    expect(
      update(fnArn("phiwatch-prod-access"), "arn:aws:sqs:us-east-1:111122223333:phiwatch-prod-access"),
    ).toEqual([]);
    expect(
      update("phiwatch-prod-forward", "arn:aws:sqs:us-east-1:111122223333:phiwatch-prod-deliveries.fifo"),
    ).toEqual([]);
  });

  it("without a response, says it cannot tell when the new function is not one phiwatch triggers", () => {
    expect(ids(update("phiwatch-prod-drain", undefined))).toEqual([["tamper-phiwatch", "medium", UUID]]);
    expect(update("phiwatch-prod-notify", undefined)).toEqual([]);
  });

  const TOPIC = "arn:aws:sns:us-east-1:111122223333:phiwatch-prod-alerts";
  const setKey = (attributeValue: string) =>
    fired({
      ...loadRecord("awsdocs-schema__sns_Unsubscribe.json"),
      eventName: "SetTopicAttributes",
      requestParameters: { topicArn: TOPIC, attributeName: "KmsMasterKeyId", attributeValue },
      responseElements: null,
    });

  // SNS makes every publisher use the topic's key (kms:GenerateDataKey*, kms:Decrypt): phiwatch's
  // functions may use only phiwatch's key, so any other key stops their alerts.
  it("fires high when the alerts topic's key is changed to a key other than phiwatch's", () => {
    const other = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const d = setKey(other);
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
    expect(d[0]!.evidence.change).toMatch(/encryption key changed/);
    expect(ids(setKey("alias/someone-else"))).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
    // phiwatch's own key by its alias (name or ARN) is what the deploy means.
    expect(setKey("alias/phiwatch-prod-key")).toEqual([]);
    expect(setKey("arn:aws:kms:us-east-1:111122223333:alias/phiwatch-prod-key")).toEqual([]);
    expect(ids(setKey("alias/phiwatch-dev-key"))).toEqual([
      ["tamper-phiwatch", "high", "phiwatch-prod-alerts"],
    ]);
  });
});

describe("tamper-phiwatch: the table's encryption and recovery period, the alerts topic's data-protection policy", () => {
  const ids = (d: ReturnType<typeof fired>) => d.map((x) => [x.ruleId, x.severity, x.subject.resourceId]);
  const T = "phiwatch-prod-findings";
  // A published UpdateTable record (aquasecurity/cloudsploit#438): CloudTrail spells the request's
  // SSESpecification `sSESpecification` with `kMSMasterKeyId`, `enabled`, `sSEType`.
  const sse = () => loadRecord("cloudsploit__UpdateTable_sSESpecification_KMS.json");
  const onSse = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    fired({ ...sse(), requestParameters: { tableName: T, sSESpecification: spec, ...extra } });

  it("does not fire on the published record itself (another account's table)", () => {
    expect(fired(sse())).toEqual([]);
  });

  it("fires high when phiwatch's table is put under another customer key (the published request, re-issued)", () => {
    const d = fired({ ...sse(), requestParameters: { ...sse().requestParameters, tableName: T } });
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", T]]);
    expect(d[0]!.evidence.change).toMatch(
      /encryption key changed to e400fb3c-7bb5-4e7e-8ecc-25098282573a.*alias\/phiwatch-prod-key/,
    );
    const arn = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    expect(ids(onSse({ enabled: true, sSEType: "KMS", kMSMasterKeyId: arn }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
    expect(ids(onSse({ enabled: true, kMSMasterKeyId: "alias/phiwatch-dev-key" }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
    // A key reference that does not read as one is not echoed.
    const odd = onSse({ enabled: true, kMSMasterKeyId: "not a key <script>" });
    expect(ids(odd)).toEqual([["tamper-phiwatch", "high", T]]);
    expect(JSON.stringify(odd)).not.toContain("<script>");
  });

  it("fires medium when the table goes to an AWS owned or AWS managed key (either casing)", () => {
    const owned = onSse({ enabled: false });
    expect(ids(owned)).toEqual([["tamper-phiwatch", "medium", T]]);
    expect(owned[0]!.evidence.change).toMatch(/AWS owned key/);
    // The API reference: "If disabled (false) or not specified, server-side encryption is set to AWS owned key".
    expect(ids(onSse({ sSEType: "KMS" }))).toEqual([["tamper-phiwatch", "medium", T]]);
    const managed = onSse({ enabled: true, sSEType: "KMS" });
    expect(ids(managed)).toEqual([["tamper-phiwatch", "medium", T]]);
    expect(managed[0]!.evidence.change).toMatch(/AWS managed key alias\/aws\/dynamodb/);
    expect(ids(onSse({ enabled: true, kMSMasterKeyId: "alias/aws/dynamodb" }))).toEqual([
      ["tamper-phiwatch", "medium", T],
    ]);
    expect(
      ids(fired({ ...sse(), requestParameters: { tableName: T, SSESpecification: { Enabled: false } } })),
    ).toEqual([["tamper-phiwatch", "medium", T]]);
  });

  it("does not fire when the table is put back under phiwatch's own key by its alias, or on another table", () => {
    expect(onSse({ enabled: true, sSEType: "KMS", kMSMasterKeyId: "alias/phiwatch-prod-key" })).toEqual([]);
    expect(
      onSse({
        enabled: true,
        sSEType: "KMS",
        kMSMasterKeyId: "arn:aws:kms:us-east-1:111122223333:alias/phiwatch-prod-key",
      }),
    ).toEqual([]);
    expect(
      fired({ ...sse(), requestParameters: { tableName: "orders", sSESpecification: { enabled: false } } }),
    ).toEqual([]);
  });

  it("reports the worst of several changes in one UpdateTable", () => {
    const d = onSse({ enabled: false }, { streamSpecification: { streamEnabled: false } });
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", T]]);
    expect(d[0]!.evidence.change).toMatch(/stream disabled.*AWS owned key/);
    expect(ids(onSse({ enabled: false }, { deletionProtectionEnabled: false }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
  });

  const table = () => loadRecord("awsdocs-schema__dynamodb_DeleteTable.json");
  const pitr = (spec: Record<string, unknown>) =>
    fired({
      ...table(),
      eventName: "UpdateContinuousBackups",
      requestParameters: { tableName: T, pointInTimeRecoverySpecification: spec },
      responseElements: null,
    });

  it("fires high when the recovery period is shortened below the 35 days phiwatch deploys (either casing)", () => {
    const d = pitr({ pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 1 });
    expect(ids(d)).toEqual([["tamper-phiwatch", "high", T]]);
    expect(d[0]!.evidence.change).toMatch(/recovery period shortened to 1 day.*35/);
    expect(ids(pitr({ pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 34 }))).toEqual([
      ["tamper-phiwatch", "high", T],
    ]);
    expect(
      ids(
        fired({
          ...table(),
          eventName: "UpdateContinuousBackups",
          requestParameters: {
            tableName: T,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
          },
          responseElements: null,
        }),
      ),
    ).toEqual([["tamper-phiwatch", "high", T]]);
  });

  it("does not fire on the deployed period (35 days) or on recovery enabled without a period (35 by default)", () => {
    expect(pitr({ pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 })).toEqual([]);
    expect(pitr({ pointInTimeRecoveryEnabled: true })).toEqual([]);
  });

  const TOPIC = "arn:aws:sns:us-east-1:111122223333:phiwatch-prod-alerts";
  const put = (policy: unknown, resourceArn = TOPIC) =>
    fired({
      ...loadRecord("awsdocs-schema__sns_Unsubscribe.json"),
      eventName: "PutDataProtectionPolicy",
      requestParameters: {
        resourceArn,
        dataProtectionPolicy: typeof policy === "string" ? policy : JSON.stringify(policy),
      },
      responseElements: null,
    });
  const statement = (operation: Record<string, unknown>, direction = "Inbound") => ({
    Sid: "s1",
    DataDirection: direction,
    Principal: ["*"],
    DataIdentifier: ["arn:aws:dataprotection::aws:data-identifier/IpAddress"],
    Operation: operation,
  });
  const policy = (...Statement: unknown[]) => ({ Name: "p", Version: "2021-06-01", Statement });

  it("fires critical when the alerts topic's data-protection policy denies messages, either way", () => {
    const d = put(policy(statement({ Deny: {} }, "Outbound")));
    expect(ids(d)).toEqual([["tamper-phiwatch", "critical", "phiwatch-prod-alerts"]]);
    expect(d[0]!.evidence.change).toMatch(/data-protection policy.*denies/);
    expect(ids(put(policy(statement({ Deny: {} }))))).toEqual([
      ["tamper-phiwatch", "critical", "phiwatch-prod-alerts"],
    ]);
  });

  it("fires high when it masks or redacts alert content, low when it only audits", () => {
    expect(
      ids(put(policy(statement({ Deidentify: { MaskConfig: { MaskWithCharacter: "#" } } }, "Outbound")))),
    ).toEqual([["tamper-phiwatch", "high", "phiwatch-prod-alerts"]]);
    expect(ids(put(policy(statement({ Deidentify: { RedactConfig: {} } }))))).toEqual([
      ["tamper-phiwatch", "high", "phiwatch-prod-alerts"],
    ]);
    const audit = statement({ Audit: { SampleRate: "99", FindingsDestination: {} } });
    expect(ids(put(policy(audit)))).toEqual([["tamper-phiwatch", "low", "phiwatch-prod-alerts"]]);
    // The worst statement decides.
    expect(ids(put(policy(audit, statement({ Deny: {} }, "Outbound"))))).toEqual([
      ["tamper-phiwatch", "critical", "phiwatch-prod-alerts"],
    ]);
  });

  it("fires medium, saying it cannot tell, on a policy it cannot read; not on its removal or another topic", () => {
    expect(ids(put("{not json"))).toEqual([["tamper-phiwatch", "medium", "phiwatch-prod-alerts"]]);
    expect(ids(put(policy(statement({ Quarantine: {} }))))).toEqual([
      ["tamper-phiwatch", "medium", "phiwatch-prod-alerts"],
    ]);
    // An empty policy removes it: phiwatch deploys none.
    expect(put("")).toEqual([]);
    expect(put(policy(statement({ Deny: {} })), "arn:aws:sns:us-east-1:111122223333:newsletter")).toEqual([]);
    const failed = {
      ...loadRecord("awsdocs-schema__sns_Unsubscribe.json"),
      eventName: "PutDataProtectionPolicy",
      errorCode: "AuthorizationError",
      requestParameters: {
        resourceArn: TOPIC,
        dataProtectionPolicy: JSON.stringify(policy(statement({ Deny: {} }))),
      },
    };
    expect(fired(failed as Activity.CloudTrailRecord)).toEqual([]);
  });
});
