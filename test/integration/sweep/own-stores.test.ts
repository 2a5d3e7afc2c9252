// The sweep reads what AWS Config does not record of phiwatch's OWN findings table and alerts topic
// (the recovery period, DescribeContinuousBackups; the message data-protection policy,
// GetDataProtectionPolicy), so phiwatch-self-protection judges them; no other table or topic is read.
// Config items: the real awslabs/aws-config-rdk table and topic items, renamed as the deploy names them
// (test/fixtures/README.md); findings in DynamoDB Local (the local stack).
import { readFileSync } from "node:fs";
import { DescribeContinuousBackupsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetDataProtectionPolicyCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BatchReadFindingStore,
  ensureTable,
  InventoryStore,
  OWN_STORE_COMMANDS,
  PostureStore,
  runSweep,
  SWEEP_COMMANDS,
  type SweepDeps,
} from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { allFindings, CONTROLS, ControlSet, parseBaseline } from "../../../packages/core/src/index.ts";
import {
  DENY_POLICY,
  type Json,
  tableArn as storeTableArn,
  storeTableItem,
  topicArn as storeTopicArn,
  storeTopicItem,
} from "../../helpers/own-stores.ts";
import { clientsFor, demoEvents, type Mocks, mockAccount } from "./account.ts";

const CMK = `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d`;
const STORES = { accountId: DEMO.accountId, region: DEMO.region, cmk: CMK };
const tableArn = (name: string) => storeTableArn(STORES, name);
const topicArn = (name: string) => storeTopicArn(STORES, name);
const OWN_TABLE = "phiwatch-prod-findings";
const OWN_TOPIC = "phiwatch-prod-alerts";
const tableItem = (name: string): Json => storeTableItem(STORES, name);
const topicItem = (name: string): Json => storeTopicItem(STORES, name);
const DENY = DENY_POLICY;

let stack: LocalStack;
let mocks: Mocks | undefined;
let tables = 0;
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
const controls = new ControlSet(CONTROLS);

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(() => {
  mocks?.restore();
  mocks = undefined;
});

/** The mocked account's clients, with DynamoDB and SNS clients mocked by instance (DynamoDB Local stays real). */
function ownClients() {
  const dynamodb = new DynamoDBClient({ region: DEMO.region });
  const sns = new SNSClient({ region: DEMO.region });
  const ddbMock = mockClient(dynamodb);
  const snsMock = mockClient(sns);
  return { ddbMock, snsMock, clientsFor: (region: string) => ({ ...clientsFor(region), dynamodb, sns }) };
}

async function deps(
  clients: SweepDeps["clientsFor"],
): Promise<SweepDeps & { findings: BatchReadFindingStore }> {
  const table = `own-stores-${++tables}`;
  await ensureTable(stack.ddb, table);
  return {
    baseline,
    controls,
    findings: new BatchReadFindingStore(stack.ddb, table),
    inventory: new InventoryStore(stack.ddb, table),
    posture: new PostureStore(stack.ddb, table),
    clientsFor: clients,
    backoff: { sleep: async () => {} },
    ownStores: [tableArn(OWN_TABLE), topicArn(OWN_TOPIC)],
  };
}
const request = (sweepId: string) => ({
  accountId: DEMO.accountId,
  regions: [DEMO.region],
  sweepId,
  now: new Date("2026-03-03T15:00:00.000Z"),
});
const items = () => [
  ...demoEvents().items,
  tableItem(OWN_TABLE),
  topicItem(OWN_TOPIC),
  // Another stage's stores in the same account, and an application table: not this sweep's to read.
  tableItem("phiwatch-dev-findings"),
  topicItem("phiwatch-dev-alerts"),
  tableItem("orders"),
];

describe("sweep: phiwatch's own table and topic", () => {
  it("reads the table's recovery period and the topic's data-protection policy, and fails 7 days and a Deny", async () => {
    mocks = mockAccount({ items: items() });
    const c = ownClients();
    c.ddbMock.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 7 },
      },
    });
    c.snsMock.on(GetDataProtectionPolicyCommand).resolves({ DataProtectionPolicy: DENY });
    const d = await deps(c.clientsFor);
    const { posture, evaluations } = await runSweep(d, request("own-1"));
    expect(c.ddbMock.calls().map((x) => x.args[0].input)).toEqual([{ TableName: OWN_TABLE }]);
    expect(c.snsMock.calls().map((x) => x.args[0].input)).toEqual([{ ResourceArn: topicArn(OWN_TOPIC) }]);
    expect(posture.unable).toEqual([]);
    // The two reads are the own-store commands (the functions' roles, on those ARNs), no others.
    const sent = [
      ...mocks.sent(),
      ...[...c.ddbMock.calls(), ...c.snsMock.calls()].map((x) => (x.args[0] as object).constructor.name),
    ];
    for (const name of sent) expect({ ...SWEEP_COMMANDS, ...OWN_STORE_COMMANDS }, name).toHaveProperty(name);
    expect(Object.keys(OWN_STORE_COMMANDS).filter((n) => !sent.includes(n))).toEqual([]);
    const self = (id: string) =>
      evaluations.find((e) => e.controlId === "phiwatch-self-protection" && e.resourceId === id)!;
    expect([self(OWN_TABLE).status, self(OWN_TABLE).evidence.recoveryPeriodInDays]).toEqual([
      "NON_COMPLIANT",
      7,
    ]);
    expect(self(topicArn(OWN_TOPIC)).status).toBe("NON_COMPLIANT");
    // Another stage's table: not read, judged on what Config recorded (PITR on, period not recorded).
    expect(self("phiwatch-dev-findings").evidence.recoveryPeriodInDays).toBe("not recorded");
    expect(self(topicArn("phiwatch-dev-alerts")).evidence.dataProtectionPolicy).toBe("not recorded");
    const open = (await allFindings(d.findings)).filter(
      (f) => f.status === "OPEN" && f.ruleId === "phiwatch-self-protection",
    );
    expect(open.map((f) => f.subject.resourceId).sort()).toEqual([OWN_TABLE, topicArn(OWN_TOPIC)].sort());
    expect(open.find((f) => f.subject.resourceId === OWN_TABLE)!.summary).toContain("recovery period 7 days");
  });

  it("reports a denied read as unable, and the control says the period and policy were not recorded", async () => {
    mocks = mockAccount({ items: items() });
    const c = ownClients();
    const denied = Object.assign(new Error("User is not authorized to perform this operation"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    c.ddbMock.on(DescribeContinuousBackupsCommand).rejects(denied);
    c.snsMock.on(GetDataProtectionPolicyCommand).rejects(denied);
    const { posture, evaluations } = await runSweep(await deps(c.clientsFor), request("own-2"));
    expect(posture.unable.map((u) => [u.resourceId, u.operation, u.reason.split(":")[0]])).toEqual([
      [OWN_TABLE, "dynamodb:DescribeContinuousBackups", "AccessDeniedException"],
      [topicArn(OWN_TOPIC), "sns:GetDataProtectionPolicy", "AccessDeniedException"],
    ]);
    const self = (id: string) =>
      evaluations.find((e) => e.controlId === "phiwatch-self-protection" && e.resourceId === id)!;
    expect([self(OWN_TABLE).status, self(OWN_TABLE).evidence.recoveryPeriodInDays]).toEqual([
      "COMPLIANT",
      "not recorded",
    ]);
    expect(self(topicArn(OWN_TOPIC)).evidence.dataProtectionPolicy).toBe("not recorded");
  });
});
