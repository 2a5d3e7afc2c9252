import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO } from "./config-scenario.ts";

/**
 * The Amazon Connect side of the demo. AWS Config records neither an instance's storage
 * configuration nor its contact flows, so in AWS the hourly sweep reads them from the Connect API
 * (`ListInstanceAttributes`, `ListInstanceStorageConfigs`, `DescribeContactFlow`) and evaluates them
 * as snapshots of the shape documented in `packages/core/src/resource/connect.ts`. The demo ships
 * those reads as configuration items (`configurationItemStatus: OK`, source noted in
 * `supplementaryConfiguration.phiwatchSource`), replayed through the same handler.
 *
 * The nurse-triage flow follows AWS's published health-clinic sample flow: it turns recording and
 * Contact Lens on (without redaction) and then asks the caller for their date of birth.
 */
export const CONNECT = {
  instanceId: "8dab73a7-51ab-4610-8c72-359333b63f10",
  instanceAlias: "northwind-prod",
  flowId: "5f7b2c1e-9d3a-4e61-8b0f-2a6c4d8e1f37",
} as const;

const instanceArn = `arn:aws:connect:${DEMO.region}:${DEMO.accountId}:instance/${CONNECT.instanceId}`;

function triageFlow(): unknown {
  return {
    Version: "2019-10-30",
    StartAction: "set-recording",
    Metadata: { entryPointPosition: { x: 20, y: 20 } },
    Actions: [
      {
        Identifier: "set-recording",
        Type: "UpdateContactRecordingBehavior",
        Parameters: {
          RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] },
          AnalyticsBehavior: {
            Enabled: "True",
            AnalyticsLanguage: "en-US",
            AnalyticsRedactionBehavior: "Disabled",
            AnalyticsRedactionResults: "None",
            ChannelConfiguration: { Chat: { AnalyticsModes: [] }, Voice: { AnalyticsModes: ["RealTime"] } },
          },
        },
        Transitions: { NextAction: "greeting" },
      },
      {
        Identifier: "greeting",
        Type: "MessageParticipant",
        Parameters: { Text: "Thank you for calling the Northwind Health nurse line." },
        Transitions: { NextAction: "ask-dob" },
      },
      {
        Identifier: "ask-dob",
        Type: "GetParticipantInput",
        Parameters: {
          Text: "To find your record, please key in your date of birth as eight digits.",
          StoreInput: "True",
          InputTimeLimitSeconds: "8",
          InputValidation: { CustomValidation: { MaximumLength: "8" } },
        },
        Transitions: {
          NextAction: "save-dob",
          Errors: [{ NextAction: "to-queue", ErrorType: "NoMatchingError" }],
        },
      },
      {
        Identifier: "save-dob",
        Type: "UpdateContactAttributes",
        Parameters: { Attributes: { caller_dob: "$.StoredCustomerInput" }, TargetContact: "Current" },
        Transitions: {
          NextAction: "to-queue",
          Errors: [{ NextAction: "to-queue", ErrorType: "NoMatchingError" }],
        },
      },
      {
        Identifier: "to-queue",
        Type: "TransferContactToQueue",
        Parameters: {},
        Transitions: { Errors: [{ NextAction: "disconnect", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "disconnect", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

function item(
  resourceType: string,
  resourceId: string,
  name: string,
  capturedAt: string,
  configuration: unknown,
  supplementary: unknown,
): unknown {
  return {
    relatedEvents: [],
    relationships: [],
    configuration,
    supplementaryConfiguration: supplementary,
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: capturedAt,
    configurationStateId: Date.parse(capturedAt),
    awsAccountId: DEMO.accountId,
    configurationItemStatus: "OK",
    resourceType,
    resourceId,
    resourceName: name,
    ARN:
      resourceType === "AWS::Connect::Instance" ? instanceArn : `${instanceArn}/contact-flow/${resourceId}`,
    awsRegion: DEMO.region,
    availabilityZone: "Regional",
    configurationStateMd5Hash: "",
  };
}

/** Writes the instance and the flow as sweep reads; returns the file paths. */
export function writeConnectScenario(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const at = "2026-03-03T15:00:00.000Z";
  const instance = item(
    "AWS::Connect::Instance",
    CONNECT.instanceId,
    CONNECT.instanceAlias,
    at,
    {
      Id: CONNECT.instanceId,
      Arn: instanceArn,
      InstanceAlias: CONNECT.instanceAlias,
      InstanceStatus: "ACTIVE",
      IdentityManagementType: "SAML",
    },
    {
      phiwatchSource: "sweep: ListInstanceAttributes + ListInstanceStorageConfigs",
      Attributes: [
        { AttributeType: "CONTACT_LENS", Value: "true" },
        { AttributeType: "INBOUND_CALLS", Value: "true" },
      ],
      StorageConfigs: {
        CALL_RECORDINGS: [
          {
            StorageType: "S3",
            S3Config: {
              BucketName: DEMO.recordingsBucket,
              BucketPrefix: `connect/${CONNECT.instanceAlias}/CallRecordings`,
            },
          },
        ],
        CHAT_TRANSCRIPTS: [
          {
            StorageType: "S3",
            S3Config: {
              BucketName: DEMO.transcriptsBucket,
              BucketPrefix: `connect/${CONNECT.instanceAlias}/ChatTranscripts`,
              EncryptionConfig: {
                EncryptionType: "KMS",
                KeyId: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/${DEMO.phiKeyId}`,
              },
            },
          },
        ],
        // The sweep reads every type; none of these is associated in the demo instance.
        SCHEDULED_REPORTS: [],
        SCREEN_RECORDINGS: [],
        CONTACT_TRACE_RECORDS: [],
        MEDIA_STREAMS: [],
        CONTACT_EVALUATIONS: [],
        ATTACHMENTS: [],
        EMAIL_MESSAGES: [],
      },
    },
  );
  const flow = item(
    "AWS::Connect::ContactFlow",
    CONNECT.flowId,
    "Nurse triage inbound",
    at,
    {
      Arn: `${instanceArn}/contact-flow/${CONNECT.flowId}`,
      Id: CONNECT.flowId,
      Name: "Nurse triage inbound",
      Type: "CONTACT_FLOW",
      State: "ACTIVE",
      Status: "PUBLISHED",
      InstanceId: CONNECT.instanceId,
      Content: JSON.stringify(triageFlow()),
    },
    { phiwatchSource: "sweep: DescribeContactFlow" },
  );
  const files = [
    [`06-sweep-connect-instance-${CONNECT.instanceAlias}.json`, instance],
    ["07-sweep-connect-flow-nurse-triage.json", flow],
  ] as const;
  return files.map(([name, body]) => {
    const file = join(outDir, name);
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
    return file;
  });
}
