// The tamper handler end to end on the local stack: each event is routed by the tamper rule's own
// pattern (`dispatch`), judged by its detector (with the stored inventory where the detector needs
// it) and recorded as a finding in DynamoDB Local. Records: the published or documented samples of
// test/fixtures/activity (sources in test/fixtures/README.md), adapted to the demo account.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { Plan } from "../../../packages/core/src/index.ts";

const ACCOUNT = "111122223333";
let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

function record(file: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const rec = JSON.parse(readFileSync(`test/fixtures/activity/${file}`, "utf8"));
  return { ...rec, recipientAccountId: ACCOUNT, ...patch };
}

/** Dispatch one record as EventBridge delivers it; the open findings of `ruleId` on `resourceId` after. */
async function tamper(rec: Record<string, unknown>, ruleId: string, resourceId: string) {
  const routes = await stack.dispatch(Plan.cloudTrailEnvelope(rec));
  const found = (await store.listFindings({ ruleId, accountId: ACCOUNT })).items.filter(
    (f) => f.subject.resourceId === resourceId && f.status === "OPEN",
  );
  return { routes, found };
}

describe("tamper-key: KMS alias named by a PHI bucket's default encryption (inventory read)", () => {
  const ALIAS = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/northwind-recordings`;

  it("opens a high finding naming the bucket when the alias a PHI bucket names is re-pointed", async () => {
    await stack.dispatch(
      configChangeEvent(
        bucketConfigurationItem({
          name: "northwind-connect-recordings",
          capturedAt: "2026-03-03T15:00:00.000Z",
          sse: { algorithm: "aws:kms", kmsKeyId: "alias/northwind-recordings" },
        }),
      ),
    );
    const { routes, found } = await tamper(
      record("awsdocs_kms__UpdateAlias.json", {
        awsRegion: "us-east-1",
        eventTime: "2026-03-03T16:00:00Z",
        requestParameters: {
          aliasName: "alias/northwind-recordings",
          targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        responseElements: {
          keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
        resources: [],
      }),
      "tamper-key",
      ALIAS,
    );
    expect(routes).toEqual(["tamper"]);
    expect(found.map((f) => f.severity)).toEqual(["high"]);
    expect(found[0]!.evidence).toMatchObject({
      phiBucketsNamingAlias: ["northwind-connect-recordings"],
      inventory: "complete",
    });
  });

  it("opens nothing for an alias no PHI bucket names (the stored inventory is complete)", async () => {
    const { routes, found } = await tamper(
      record("awsdocs_kms__DeleteAlias.json", {
        eventTime: "2026-03-03T16:00:00Z",
        requestParameters: { aliasName: "alias/unrelated" },
      }),
      "tamper-key",
      `arn:aws:kms:us-east-1:${ACCOUNT}:alias/unrelated`,
    );
    expect(routes).toEqual(["tamper"]);
    expect(found).toEqual([]);
  });

  it("opens a critical finding when that alias is deleted", async () => {
    const { found } = await tamper(
      record("awsdocs_kms__DeleteAlias.json", {
        eventTime: "2026-03-03T17:00:00Z",
        requestParameters: { aliasName: "alias/northwind-recordings" },
      }),
      "tamper-key",
      ALIAS,
    );
    expect(found.map((f) => f.severity)).toContain("critical");
  });
});

describe("tamper-phiwatch: the alerts topic", () => {
  const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:phiwatch-prod-alerts`;
  const open = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Subscribe"}]}';
  const deny = JSON.stringify({
    Name: "drop",
    Version: "2021-06-01",
    Statement: [
      {
        Sid: "drop",
        DataDirection: "Outbound",
        Principal: ["*"],
        DataIdentifier: ["arn:aws:dataprotection::aws:data-identifier/IpAddress"],
        Operation: { Deny: {} },
      },
    ],
  });
  // One finding per action, resource and UTC day (the discriminator): each case is on its own day.
  it.each([
    ["2026-03-10", "SetTopicAttributes", { attributeName: "KmsMasterKeyId", attributeValue: "" }, "medium"],
    ["2026-03-11", "SetTopicAttributes", { attributeName: "Policy", attributeValue: open }, "critical"],
    ["2026-03-12", "SetTopicAttributes", { attributeName: "DeliveryPolicy", attributeValue: "{}" }, "medium"],
    ["2026-03-13", "RemovePermission", { label: "__default_statement_ID" }, "high"],
    // No published PutDataProtectionPolicy record: the SNS API reference's members, camelCase.
    ["2026-03-14", "PutDataProtectionPolicy", { resourceArn: TOPIC, dataProtectionPolicy: deny }, "critical"],
  ] as const)("%s: routes %s (%j) and opens a %s finding", async (day, eventName, params, severity) => {
    const at = `${day}T09:00:00Z`;
    const { routes, found } = await tamper(
      record("awsdocs-schema__sns_Unsubscribe.json", {
        eventName,
        eventTime: at,
        requestParameters: { topicArn: TOPIC, ...params },
      }),
      "tamper-phiwatch",
      "phiwatch-prod-alerts",
    );
    expect(routes).toEqual(["tamper"]);
    expect(found.filter((f) => f.evidence.eventTime === at).map((f) => f.severity)).toEqual([severity]);
  });
});

describe("tamper-phiwatch: the findings table", () => {
  const T = "phiwatch-prod-findings";
  it.each([
    ["2026-03-20", "UpdateTable", { streamSpecification: { streamEnabled: false } }, "critical"],
    ["2026-03-21", "UpdateTable", { deletionProtectionEnabled: false }, "high"],
    [
      "2026-03-22",
      "UpdateContinuousBackups",
      { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false } },
      "high",
    ],
    [
      "2026-03-23",
      "UpdateTimeToLive",
      { timeToLiveSpecification: { enabled: true, attributeName: "count" } },
      "high",
    ],
    ["2026-03-24", "UpdateTable", { sSESpecification: { enabled: false } }, "medium"],
    [
      "2026-03-25",
      "UpdateContinuousBackups",
      { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 1 } },
      "high",
    ],
  ] as const)("%s: routes %s (%j) and opens a %s finding", async (day, eventName, params, severity) => {
    const at = `${day}T09:00:00Z`;
    const { routes, found } = await tamper(
      record("awsdocs-schema__dynamodb_DeleteTable.json", {
        eventName,
        eventTime: at,
        requestParameters: { tableName: T, ...params },
        responseElements: null,
      }),
      "tamper-phiwatch",
      T,
    );
    expect(routes).toEqual(["tamper"]);
    expect(found.filter((f) => f.evidence.eventTime === at).map((f) => f.severity)).toEqual([severity]);
  });
});

describe("tamper-phiwatch: the findings table put under another key (published UpdateTable record)", () => {
  it("routes the record re-issued on phiwatch's table and opens a high finding", async () => {
    const T = "phiwatch-prod-findings";
    const rec = record("cloudsploit__UpdateTable_sSESpecification_KMS.json", {
      eventTime: "2026-03-26T09:00:00Z",
    });
    const { routes, found } = await tamper(
      { ...rec, requestParameters: { ...(rec.requestParameters as object), tableName: T } },
      "tamper-phiwatch",
      T,
    );
    expect(routes).toEqual(["tamper"]);
    const at = found.filter((f) => f.evidence.eventTime === "2026-03-26T09:00:00Z");
    expect(at.map((f) => f.severity)).toEqual(["high"]);
    expect(at[0]!.evidence.change).toMatch(/encryption key changed to e400fb3c-7bb5-4e7e-8ecc-25098282573a/);
  });
});

describe("tamper-phiwatch: the notifier's stream trigger", () => {
  const STREAM = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/phiwatch-prod-findings/stream/2026-01-05T10:00:00.000`;
  const UUID = "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE";
  it.each([
    ["2026-03-30", { functionName: "drain" }, "drain", "critical"],
    [
      "2026-03-31",
      { filterCriteria: { filters: [{ pattern: '{"x":["y"]}' }] } },
      "phiwatch-prod-notify",
      "high",
    ],
  ] as const)(
    "%s: routes UpdateEventSourceMapping20150331 (%j; response names %s) and opens a %s finding",
    async (day, params, fn, severity) => {
      const at = `${day}T09:00:00Z`;
      const { routes, found } = await tamper(
        record("awsdocs-schema__lambda_UpdateEventSourceMapping_disabled.json", {
          eventTime: at,
          requestParameters: { uUID: UUID, ...params },
          responseElements: {
            uUID: UUID,
            eventSourceArn: STREAM,
            functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`,
          },
        }),
        "tamper-phiwatch",
        fn === "drain" ? UUID : fn,
      );
      expect(routes).toEqual(["tamper"]);
      expect(found.filter((f) => f.evidence.eventTime === at).map((f) => f.severity)).toEqual([severity]);
    },
  );
});

describe("tamper-audit-logging: a Config recorder narrowed outside the baseline's regions", () => {
  it.each([
    ["2026-04-01", "us-west-2", "medium", true],
    ["2026-04-02", "us-east-2", "critical", undefined],
  ] as const)("%s: in %s opens a %s finding", async (day, awsRegion, severity, outside) => {
    const at = `${day}T09:00:00Z`;
    const { routes, found } = await tamper(
      record("awsdocs-schema__config_PutConfigurationRecorder_inclusion.json", { eventTime: at, awsRegion }),
      "tamper-audit-logging",
      "default",
    );
    expect(routes).toEqual(["tamper"]);
    const mine = found.filter((f) => f.evidence.eventTime === at);
    expect(mine.map((f) => [f.severity, f.evidence.regionOutsideBaseline])).toEqual([[severity, outside]]);
  });
});
