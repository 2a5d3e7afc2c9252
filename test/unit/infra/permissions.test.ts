// Least privilege, proved offline: the SDK calls each function's code can make (static import-graph
// scan, see sdk-scan.ts and docs/deploy.md) equal the checked-in manifest SDK_CALLS, and the IAM
// statements built from the manifest grant exactly those actions plus the trigger's and logging's.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { memberReadPolicy, readOnlyPolicy } from "../../../packages/aws/src/sweep/permissions.ts";
import {
  FUNCTION_NAMES,
  type FunctionName,
  iamActionsOf,
  iamStatements,
  type ResourceArns,
  SDK_CALLS,
} from "../../../packages/core/src/plan/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { sdkCallsOf } from "./sdk-scan.ts";

const ARNS: ResourceArns = {
  partition: "aws",
  region: "us-east-1",
  accountId: "999988887777",
  table: "arn:aws:dynamodb:us-east-1:999988887777:table/phiwatch-prod-findings",
  tableStream:
    "arn:aws:dynamodb:us-east-1:999988887777:table/phiwatch-prod-findings/stream/2024-01-01T00:00:00.000",
  key: "arn:aws:kms:us-east-1:999988887777:key/11111111-2222-3333-4444-555555555555",
  logGroup: (fn) => `arn:aws:logs:us-east-1:999988887777:log-group:/aws/lambda/phiwatch-prod-${fn}`,
  queues: {
    AccessQueue: "arn:aws:sqs:us-east-1:999988887777:phiwatch-prod-access",
    Deliveries: "arn:aws:sqs:us-east-1:999988887777:phiwatch-prod-deliveries.fifo",
    DeliveriesDlq: "arn:aws:sqs:us-east-1:999988887777:phiwatch-prod-deliveries-dlq.fifo",
    DeadLetter: "arn:aws:sqs:us-east-1:999988887777:phiwatch-prod-dead-letter",
  },
  topics: { Alerts: "arn:aws:sns:us-east-1:999988887777:phiwatch-prod-alerts" },
};

const baseline = testBaseline({
  webhooks: [
    { name: "siem", url: "https://siem.example.com/hook", secret: { ssm: "/phiwatch/siem-secret" } },
    {
      name: "hec",
      url: "https://hec.example.com/x",
      format: "hec",
      secret: { secretsManager: "phiwatch/hec" },
    },
  ],
});
const trailBaseline = testBaseline({
  webhooks: baseline.webhooks,
  ingest: {
    access: "trail-logs",
    trail: {
      bucket: "org-trail-logs",
      prefix: "",
      kmsKey: "arn:aws:kms:us-east-1:111122223333:key/abcd",
      manageNotification: false,
    },
  },
});

const present = FUNCTION_NAMES.filter((fn) => existsSync(`functions/${fn}.ts`));
const missing = FUNCTION_NAMES.filter((fn) => !present.includes(fn));

describe("function permissions", () => {
  it.skipIf(missing.length === 0)(`functions not written yet: ${missing.join(", ") || "none"}`, () => {
    expect(missing).toEqual([]);
  });

  it.each(present)("%s: the manifest equals the SDK calls its code can send (no missing, no extra)", (fn) => {
    const { calls, modules } = sdkCallsOf(`functions/${fn}.ts`);
    const manifest = new Set(SDK_CALLS[fn].calls);
    const missingFromManifest = [...calls].filter((c) => !manifest.has(c)).sort();
    const extraInManifest = [...manifest].filter((c) => !calls.has(c)).sort();
    expect({ missingFromManifest, extraInManifest, modules }).toEqual({
      missingFromManifest: [],
      extraInManifest: [],
      modules,
    });
  });

  it.each(FUNCTION_NAMES)("%s: every manifest call has an IAM mapping", (fn) => {
    for (const call of SDK_CALLS[fn].calls) expect(() => iamActionsOf(call)).not.toThrow();
  });

  it.each(FUNCTION_NAMES)(
    "%s: no wildcard actions; Resource * only where IAM has no resource scope",
    (fn) => {
      for (const b of [baseline, trailBaseline]) {
        for (const s of iamStatements(fn, ARNS, b)) {
          for (const a of s.actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
          if (s.resources.includes("*")) {
            expect(s.actions.every((a) => UNSCOPED_OK.has(a))).toBe(true);
          }
        }
      }
    },
  );

  it.each(FUNCTION_NAMES)(
    "%s: grants exactly the manifest's actions plus trigger, logs and queue encryption",
    (fn) => {
      const granted = new Set(iamStatements(fn, ARNS, trailBaseline).flatMap((s) => s.actions));
      const expected = new Set(SDK_CALLS[fn].calls.flatMap(iamActionsOf));
      expected.add("logs:CreateLogStream").add("logs:PutLogEvents");
      for (const a of TRIGGER_ACTIONS[fn]) expected.add(a);
      if (
        SDK_CALLS[fn].calls.some((c) => c.startsWith("sqs:") || c.startsWith("sns:")) ||
        TRIGGER_ACTIONS[fn].length
      ) {
        expected.add("kms:GenerateDataKey").add("kms:Decrypt");
      }
      if (SDK_CALLS[fn].calls.includes("s3:GetObject")) expected.add("kms:Decrypt");
      expect([...granted].sort()).toEqual([...expected].sort());
    },
  );

  it("scopes table actions to the table (and its indexes for Query only)", () => {
    const st = iamStatements("tamper", ARNS, baseline);
    const put = st.find((s) => s.actions.includes("dynamodb:PutItem"))!;
    expect(put.resources).toEqual([ARNS.table]);
    const query = st.filter((s) => s.actions.includes("dynamodb:Query")).flatMap((s) => s.resources);
    expect(query.sort()).toEqual([ARNS.table, `${ARNS.table}/index/*`]);
    const indexes = st.filter((s) => s.resources.includes(`${ARNS.table}/index/*`)).flatMap((s) => s.actions);
    expect(indexes).toEqual(["dynamodb:Query"]);
  });

  it("grants BatchGetItem only to the sweep and config-change (a resource's findings at once), on the table only", () => {
    for (const fn of FUNCTION_NAMES) {
      const batch = iamStatements(fn, ARNS, baseline).filter((s) =>
        s.actions.includes("dynamodb:BatchGetItem"),
      );
      if (fn === "sweep" || fn === "config-change")
        expect(
          batch.flatMap((s) => s.resources),
          fn,
        ).toEqual([ARNS.table]);
      else expect(batch, fn).toEqual([]);
    }
  });

  it("reads the recovery period and data-protection policy of phiwatch's own table and topic only, in the sweep and config-change only", () => {
    const own: Record<string, string> = {
      "dynamodb:DescribeContinuousBackups": ARNS.table,
      "sns:GetDataProtectionPolicy": ARNS.topics.Alerts,
    };
    for (const fn of FUNCTION_NAMES)
      for (const [action, arn] of Object.entries(own)) {
        const granted = iamStatements(fn, ARNS, trailBaseline)
          .filter((s) => s.actions.includes(action))
          .flatMap((s) => s.resources);
        expect(granted, `${fn} ${action}`).toEqual(fn === "sweep" || fn === "config-change" ? [arn] : []);
      }
    // Never in the member accounts' read role (nor the scan's policy): phiwatch's stores are in its own account.
    for (const policy of [readOnlyPolicy(), memberReadPolicy()])
      for (const action of Object.keys(own))
        expect((policy.Statement[0] as { Action: string[] }).Action).not.toContain(action);
  });

  it("lets only notify and forward send to the delivery queue; every function to the dead letter", () => {
    const sendsTo = (fn: FunctionName) =>
      iamStatements(fn, ARNS, baseline)
        .filter((s) => s.actions.includes("sqs:SendMessage"))
        .flatMap((s) => s.resources);
    expect(sendsTo("notify")).toContain(ARNS.queues.Deliveries);
    expect(sendsTo("tamper")).toEqual([ARNS.queues.DeadLetter]);
    expect(sendsTo("api")).not.toContain(ARNS.queues.Deliveries);
  });

  it("reads trail log files only under AWSLogs/ and only on the trail-logs path", () => {
    const get = (b: typeof baseline) =>
      iamStatements("access", ARNS, b).filter((s) => s.actions.includes("s3:GetObject"));
    expect(get(baseline)).toEqual([]);
    expect(get(trailBaseline).flatMap((s) => s.resources)).toEqual(["arn:aws:s3:::org-trail-logs/AWSLogs/*"]);
  });

  it("lets only the sweep and config-change assume a role: the read role of each member account, none for a single account", () => {
    const assume = (fn: FunctionName, accounts: string[]) =>
      iamStatements(fn, ARNS, testBaseline({ accounts }))
        .filter((s) => s.actions.includes("sts:AssumeRole"))
        .flatMap((s) => s.resources)
        .sort();
    for (const fn of ["sweep", "config-change"] as const) {
      expect(assume(fn, ["444455556666", "111122223333", ARNS.accountId, "111122223333"]), fn).toEqual([
        "arn:aws:iam::111122223333:role/phiwatch-member-read",
        "arn:aws:iam::444455556666:role/phiwatch-member-read",
      ]);
      expect(assume(fn, [ARNS.accountId]), fn).toEqual([]);
    }
    for (const fn of FUNCTION_NAMES.filter((f) => f !== "sweep" && f !== "config-change"))
      expect(assume(fn, ["111122223333", "444455556666"]), fn).toEqual([]);
  });

  it("reads webhook secrets only at the names the baseline gives", () => {
    const st = iamStatements("forward", ARNS, baseline);
    expect(st.find((s) => s.actions.includes("ssm:GetParameter"))?.resources).toEqual([
      "arn:aws:ssm:us-east-1:999988887777:parameter/phiwatch/siem-secret",
    ]);
    expect(st.find((s) => s.actions.includes("secretsmanager:GetSecretValue"))?.resources).toEqual([
      "arn:aws:secretsmanager:us-east-1:999988887777:secret:phiwatch/hec-??????",
    ]);
  });
});

/** Actions AWS does not scope to resources (Config reads, ListInstances, account PAB, ListStreams). */
const UNSCOPED_OK = new Set([
  "cloudtrail:DescribeTrails",
  "config:GetResourceConfigHistory",
  "config:BatchGetResourceConfig",
  "config:ListDiscoveredResources",
  "config:DescribeConfigurationRecorders",
  "config:DescribeConfigurationRecorderStatus",
  "connect:ListInstances",
  "ds:DescribeDirectories",
  "ec2:DescribeManagedPrefixLists",
  "s3:GetAccountPublicAccessBlock",
  "dynamodb:ListStreams",
]);

const SQS_CONSUMER = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];
const TRIGGER_ACTIONS: Record<FunctionName, string[]> = {
  "config-change": [],
  tamper: [],
  access: SQS_CONSUMER,
  notify: [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
  ],
  forward: SQS_CONSUMER,
  sweep: [],
  api: [],
};
