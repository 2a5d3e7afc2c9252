// Keyed redaction tokens end to end: with the deployment's secret, the person behind an Identity
// Center session (its name is their e-mail) is the same `[email:…]` token in the SNS alert, the signed
// SIEM payload and the evidence report, and never in clear.
import { readFileSync } from "node:fs";
import { type Receiver, startReceiver } from "@phiwatch/aws";
import { parseBaseline } from "@phiwatch/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectReport } from "../../../packages/cli/src/commands/report.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { redactionKey, redactText } from "../../../packages/core/src/format/redact.ts";
import { webhookBaseline } from "../forward/baseline.ts";

const WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef";
const HASH_SECRET = "deploy-secret-0123456789abcdef0123";
const PERSON = "jane.doe@example.org";
const ACCOUNT = "111122223333";
const SSO_ROLE = "AWSReservedSSO_Admin_0123456789abcdef";

let stack: LocalStack;
let receiver: Receiver;
let baselineFile: string;

/** A PHI bucket's policy deleted by a person signed in through IAM Identity Center. */
const deleteBucketPolicy = {
  version: "0",
  id: "45d92967-3480-31f4-f6d7-27604d0ee7e9",
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.s3",
  account: ACCOUNT,
  time: "2026-03-03T15:00:00Z",
  region: "us-east-1",
  resources: [],
  detail: {
    eventVersion: "1.08",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLEID:${PERSON}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE}/${PERSON}`,
      accountId: ACCOUNT,
      accessKeyId: "ASIAEXAMPLEKEY",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLEID",
          arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`,
          accountId: ACCOUNT,
          userName: SSO_ROLE,
        },
        attributes: { mfaAuthenticated: "false", creationDate: "2026-03-03T14:55:00Z" },
      },
    },
    eventTime: "2026-03-03T15:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "DeleteBucketPolicy",
    awsRegion: "us-east-1",
    sourceIPAddress: "192.0.2.10",
    userAgent: "aws-cli/2.15.0",
    requestParameters: { bucketName: "northwind-connect-recordings", policy: [""] },
    responseElements: null,
    requestID: "8771A58064240A89",
    eventID: "7c34e5f5-e711-427a-9186-72dbc300d098",
    eventType: "AwsApiCall",
    recipientAccountId: ACCOUNT,
  },
};

beforeAll(async () => {
  receiver = await startReceiver({ secrets: [WEBHOOK_SECRET] });
  baselineFile = webhookBaseline(receiver.url, 3);
  stack = await LocalStack.start({
    baselineFile,
    logLevel: "ERROR",
    env: { PHIWATCH_TEST_WEBHOOK_SECRET: WEBHOOK_SECRET, PHIWATCH_HASH_KEY: HASH_SECRET },
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

describe("keyed redaction tokens through notify and forward", () => {
  it("puts the same keyed token for one person in the SNS alert, the SIEM payload and the report", async () => {
    const token = redactText(PERSON, { hashKey: redactionKey(HASH_SECRET) });
    expect(token).toMatch(/^\[email:[0-9a-f]{8}\]$/);

    const routes = await stack.dispatch(deleteBucketPolicy);
    expect(routes).toContain("tamper");
    await stack.drain({ maxMs: 30_000 });

    const alerts = await stack.receivedAlerts();
    expect(alerts.length).toBeGreaterThan(0);
    const alertText = JSON.stringify(alerts);
    expect(alertText).toContain(token);
    expect(alertText).not.toContain(PERSON);

    expect(receiver.deliveries.length).toBeGreaterThan(0);
    const payload = JSON.stringify(receiver.deliveries.map((d) => d.events));
    expect(payload).toContain(token);
    expect(payload).not.toContain(PERSON);

    // The CLI report with the same secret: the same token.
    const baseline = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile);
    const report = JSON.stringify(await collectReport(stack.ddb, LOCAL_NAMES.table, baseline));
    expect(report).toContain(token);
    expect(report).not.toContain(PERSON);
  });
});
