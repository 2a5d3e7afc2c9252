// enrichSnapshot reads what Config does not record of phiwatch's OWN stores: the findings table's
// point-in-time recovery period (DescribeContinuousBackups) and the alerts topic's message
// data-protection policy (GetDataProtectionPolicy). Only for the stores the function's role may read
// (its own table and topic, by ARN, docs/deploy.md): no other table or topic costs a request, not even
// another stage's phiwatch store. A failed read is reported, and the control then says "not recorded".
import { DescribeContinuousBackupsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetDataProtectionPolicyCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { enrichSnapshot } from "../../../packages/aws/src/index.ts";
import {
  fromConfigurationItem,
  type Report,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import { evaluate, testFacts } from "../../helpers/facts.ts";
import {
  DENY_POLICY,
  tableArn as storeTableArn,
  storeTableItem,
  topicArn as storeTopicArn,
  storeTopicItem,
} from "../../helpers/own-stores.ts";

const ACCOUNT = "111122223333";
const CMK = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d`;
const facts = testFacts({ keys: { [CMK]: { arn: CMK, keyManager: "CUSTOMER" } } });
const STORES = { accountId: ACCOUNT, region: "us-east-1", cmk: CMK };
const tableArn = (name: string) => storeTableArn(STORES, name);
const topicArn = (name: string) => storeTopicArn(STORES, name);
const OWN = [tableArn("phiwatch-prod-findings"), topicArn("phiwatch-prod-alerts")];

/** phiwatch's table as Config records it (the real rdk item renamed, on a CMK, PITR on). */
const table = (name = "phiwatch-prod-findings"): ResourceSnapshot =>
  fromConfigurationItem(storeTableItem(STORES, name));

/** phiwatch's topic as Config records it (the real rdk item renamed, on a CMK). */
const topic = (name = "phiwatch-prod-alerts"): ResourceSnapshot =>
  fromConfigurationItem(storeTopicItem(STORES, name));

/** DescribeContinuousBackups' answer (DynamoDB API reference) with this recovery period. */
const backups = (days: number) => ({
  ContinuousBackupsDescription: {
    ContinuousBackupsStatus: "ENABLED" as const,
    PointInTimeRecoveryDescription: {
      PointInTimeRecoveryStatus: "ENABLED" as const,
      RecoveryPeriodInDays: days,
      EarliestRestorableDateTime: new Date("2026-03-01T00:00:00Z"),
      LatestRestorableDateTime: new Date("2026-03-03T00:00:00Z"),
    },
  },
});
const DENY = DENY_POLICY;

function clients() {
  const dynamodb = new DynamoDBClient({ region: "us-east-1" });
  const sns = new SNSClient({ region: "us-east-1" });
  return { dynamodb, sns, ddbMock: mockClient(dynamodb), snsMock: mockClient(sns) };
}
const now = new Date("2026-03-03T15:00:00.000Z");

describe("enrichSnapshot: phiwatch's own stores", () => {
  it("reads the findings table's recovery period, keeping what Config recorded, and the control fails 7 days", async () => {
    const c = clients();
    c.ddbMock.on(DescribeContinuousBackupsCommand).resolves(backups(7));
    const unable: Report.UnableToEvaluate[] = [];
    const s = await enrichSnapshot(table(), c, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    expect(c.ddbMock.commandCalls(DescribeContinuousBackupsCommand).map((x) => x.args[0].input)).toEqual([
      { TableName: "phiwatch-prod-findings" },
    ]);
    expect(unable).toEqual([]);
    expect(s.source).toBe("api");
    expect(s.supplementary.ContinuousBackupsDescription).toEqual({
      continuousBackupsStatus: "ENABLED",
      pointInTimeRecoveryDescription: {
        pointInTimeRecoveryStatus: "ENABLED",
        earliestRestorableDateTime: 1642087688890,
        recoveryPeriodInDays: 7,
      },
    });
    const e = evaluate("phiwatch-self-protection", s, facts);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.recoveryPeriodInDays).toBe(7);
    // 35 days, as deployed: compliant, and the evidence shows the period read.
    c.ddbMock.on(DescribeContinuousBackupsCommand).resolves(backups(35));
    const full = await enrichSnapshot(table(), c, { now, ownStores: OWN });
    const ok = evaluate("phiwatch-self-protection", full, facts);
    expect([ok.status, ok.evidence.recoveryPeriodInDays]).toEqual(["COMPLIANT", 35]);
  });

  it("reads the alerts topic's data-protection policy, and the control fails a Deny statement", async () => {
    const c = clients();
    c.snsMock.on(GetDataProtectionPolicyCommand).resolves({ DataProtectionPolicy: DENY });
    const s = await enrichSnapshot(topic(), c, { now, ownStores: OWN });
    expect(c.snsMock.commandCalls(GetDataProtectionPolicyCommand).map((x) => x.args[0].input)).toEqual([
      { ResourceArn: topicArn("phiwatch-prod-alerts") },
    ]);
    expect(s.supplementary.DataProtectionPolicy).toBe(DENY);
    expect(evaluate("phiwatch-self-protection", s, facts).status).toBe("NON_COMPLIANT");
    // No policy: SNS answers an empty string, and the evidence says none (not "not recorded").
    c.snsMock.on(GetDataProtectionPolicyCommand).resolves({ DataProtectionPolicy: "" });
    const none = evaluate(
      "phiwatch-self-protection",
      await enrichSnapshot(topic(), c, { now, ownStores: OWN }),
      facts,
    );
    expect([none.status, none.evidence.dataProtectionPolicy]).toEqual(["COMPLIANT", "none"]);
  });

  it.each([
    ["another table", table("orders")],
    ["another topic", topic("orders-events")],
    ["another stage's findings table (not this role's to read)", table("phiwatch-dev-findings")],
    ["another stage's alerts topic", topic("phiwatch-dev-alerts")],
  ])("sends no extra read for %s", async (_, snap) => {
    const c = clients();
    c.ddbMock.on(DescribeContinuousBackupsCommand).resolves(backups(7));
    c.snsMock.on(GetDataProtectionPolicyCommand).resolves({ DataProtectionPolicy: DENY });
    const unable: Report.UnableToEvaluate[] = [];
    const s = await enrichSnapshot(snap, c, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    expect([c.ddbMock.calls().length, c.snsMock.calls().length, unable]).toEqual([0, 0, []]);
    expect(s).toBe(snap);
  });

  it("sends no read without the own stores named (phiwatch scan, a member account's clients)", async () => {
    const c = clients();
    await enrichSnapshot(table(), c, { now });
    await enrichSnapshot(topic(), c, { now });
    expect([c.ddbMock.calls().length, c.snsMock.calls().length]).toEqual([0, 0]);
  });

  it("reports a failed read as unable with its operation, and the control still says not recorded", async () => {
    const c = clients();
    const denied = Object.assign(new Error("User is not authorized to perform this operation"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    c.ddbMock.on(DescribeContinuousBackupsCommand).rejects(denied);
    c.snsMock.on(GetDataProtectionPolicyCommand).rejects(denied);
    const unable: Report.UnableToEvaluate[] = [];
    const t = await enrichSnapshot(table(), c, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    const p = await enrichSnapshot(topic(), c, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    expect(unable.map((u) => [u.resourceId, u.operation, u.reason.split(":")[0]])).toEqual([
      ["phiwatch-prod-findings", "dynamodb:DescribeContinuousBackups", "AccessDeniedException"],
      [topicArn("phiwatch-prod-alerts"), "sns:GetDataProtectionPolicy", "AccessDeniedException"],
    ]);
    expect(evaluate("phiwatch-self-protection", t, facts).evidence.recoveryPeriodInDays).toBe("not recorded");
    expect(evaluate("phiwatch-self-protection", p, facts).evidence.dataProtectionPolicy).toBe("not recorded");
  });

  it("reports a missing client as unable", async () => {
    const unable: Report.UnableToEvaluate[] = [];
    await enrichSnapshot(table(), {}, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    await enrichSnapshot(topic(), {}, { now, ownStores: OWN, unable: (u) => unable.push(u) });
    expect(unable.map((u) => u.operation)).toEqual([
      "dynamodb:DescribeContinuousBackups",
      "sns:GetDataProtectionPolicy",
    ]);
  });
});
