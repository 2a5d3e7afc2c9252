// sst.config.ts + infra/ evaluated offline (Pulumi mocks, see harness.ts): what `sst deploy --stage prod`
// would create, asserted resource by resource.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseBaseline, parseBaselineJson } from "../../packages/core/src/baseline/index.ts";
import { redactionKey } from "../../packages/core/src/format/redact.ts";
import {
  alarmPlans,
  eventRules,
  FUNCTION_NAMES,
  type FunctionName,
  iamStatements,
  logAlarmPlans,
  MEMBER_UNREADABLE_MESSAGE,
  PROTECTED_STAGES,
  QUEUE_MESSAGE_MAX_BYTES,
} from "../../packages/core/src/plan/index.ts";
import { evaluatePolicies } from "../../packages/core/src/policy/evaluate.ts";
import { parsePolicyDocument } from "../../packages/core/src/policy/index.ts";
import { ACCOUNT, type Evaluation, evaluateApp, REGION, TEST_HASH_KEY } from "./harness.ts";

const BASELINE_FILE = "test/infra/baseline.yaml";
const baseline = parseBaseline(readFileSync(BASELINE_FILE, "utf8"), BASELINE_FILE);
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const q = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

let app: Evaluation;

beforeAll(async () => {
  app = await evaluateApp("prod", BASELINE_FILE);
}, 60_000);

const created = (type: string) => app.of(type).filter((r) => r.readId === undefined);
const lambdas = () => created("aws:lambda/function:Function");

describe("sst app, stage prod", () => {
  it("deploys one Lambda per entry point, on nodejs22.x, with the baseline bundled", () => {
    expect(
      lambdas()
        .map((f) => f.inputs.name)
        .sort(),
    ).toEqual(FUNCTION_NAMES.map((fn) => `phiwatch-prod-${fn}`).sort());
    for (const f of lambdas()) {
      expect(f.inputs.runtime, String(f.inputs.name)).toBe("nodejs22.x");
      expect(f.inputs.environment, String(f.inputs.name)).toBeDefined();
      const env = unsecret(f.inputs.environment) as { variables: Record<string, string> };
      expect(env.variables.PHIWATCH_BASELINE_FILE).toBe("/var/task/baseline.json");
      // The object-key hash secret reaches only the access function, as a Pulumi secret.
      expect("PHIWATCH_HASH_KEY" in env.variables).toBe(f.inputs.name === "phiwatch-prod-access");
      // The redaction key only notify, the one function that formats alerts and SIEM payloads.
      expect("PHIWATCH_REDACTION_KEY" in env.variables).toBe(f.inputs.name === "phiwatch-prod-notify");
    }
  });

  it("gives notify the redaction key derived from the PhiwatchHashKey secret, as a Pulumi secret, never the secret", () => {
    const notify = lambdas().find((f) => f.inputs.name === "phiwatch-prod-notify")!;
    const env = unsecret(notify.inputs.environment) as { variables: Record<string, unknown> };
    const raw = env.variables.PHIWATCH_REDACTION_KEY;
    expect(isSecret(raw) || isSecret(notify.inputs.environment)).toBe(true);
    expect(unsecret(raw)).toBe(redactionKey(TEST_HASH_KEY));
    expect(unsecret(raw)).not.toBe(TEST_HASH_KEY);
    expect(JSON.stringify(unsecret(env.variables))).not.toContain(TEST_HASH_KEY);
    const access = lambdas().find((f) => f.inputs.name === "phiwatch-prod-access")!;
    const accessEnv = unsecret(access.inputs.environment) as { variables: Record<string, unknown> };
    expect(unsecret(accessEnv.variables.PHIWATCH_HASH_KEY)).toBe(TEST_HASH_KEY);
    expect(app.builds.map((b) => b.handler).sort()).toEqual(
      FUNCTION_NAMES.map((fn) => `functions/${fn}.handler`).sort(),
    );
    for (const b of app.builds) {
      expect(b.copyFiles).toEqual([
        expect.objectContaining({
          from: expect.stringMatching(/\/\.sst\/phiwatch\/baseline-[0-9a-f]{16}\.json$/),
          to: "baseline.json",
        }),
      ]);
      // The functions read the JSON rendition of the deployed YAML: the same baseline.
      const from = (b.copyFiles as Array<{ from: string }>)[0]!.from;
      expect(parseBaselineJson(readFileSync(from, "utf8"), from)).toEqual(
        parseBaseline(readFileSync(BASELINE_FILE, "utf8"), BASELINE_FILE),
      );
    }
  });

  it("gives each function its own role with exactly the planned statements (no SST-made roles)", () => {
    for (const fn of FUNCTION_NAMES) {
      const lambda = lambdas().find((f) => f.inputs.name === `phiwatch-prod-${fn}`)!;
      expect(lambda.inputs.role).toBe(`arn:aws:iam::${ACCOUNT}:role/phiwatch-prod-${fn}-role`);
      const policy = JSON.parse(
        app.one("aws:iam/rolePolicy:RolePolicy", `Policy-${fn}`).inputs.policy as string,
      );
      const expected = iamStatements(fn as FunctionName, arnsFor(), baseline).map((s) => ({
        Sid: s.sid,
        Effect: s.effect,
        Action: s.actions,
        Resource: s.resources,
      }));
      expect(policy.Statement).toEqual(expected);
      for (const s of policy.Statement as Array<{ Action: string[] }>) {
        for (const a of s.Action) expect(a).not.toMatch(/\*/);
      }
    }
    // SST only looks the given roles up; it creates none and attaches no managed policy.
    const roles = created("aws:iam/role:Role");
    expect(roles.map((r) => r.name).sort()).toEqual(FUNCTION_NAMES.map((fn) => `Role-${fn}`).sort());
    for (const r of roles) expect(r.inputs.managedPolicyArns ?? []).toEqual([]);
    expect(created("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
  });

  it("encrypts every store with phiwatch's key", () => {
    const table = app.one("aws:dynamodb/table:Table", "Findings");
    expect(table.inputs.serverSideEncryption).toEqual({ enabled: true, kmsKeyArn: KEY_ARN });
    const queues = created("aws:sqs/queue:Queue");
    expect(queues.map((x) => x.name).sort()).toEqual([
      "AccessDlq",
      "AccessQueue",
      "DeadLetter",
      "Deliveries",
      "DeliveriesDlq",
    ]);
    for (const x of queues) expect(x.inputs.kmsMasterKeyId).toBe(KEY_ARN);
    for (const t of created("aws:sns/topic:Topic")) expect(t.inputs.kmsMasterKeyId).toBe(KEY_ARN);
    const logs = created("aws:cloudwatch/logGroup:LogGroup");
    expect(logs).toHaveLength(FUNCTION_NAMES.length);
    for (const l of logs) expect(l.inputs.kmsKeyId).toBe(KEY_ARN);
    for (const f of lambdas()) expect(f.inputs.kmsKeyArn).toBe(KEY_ARN);
  });

  it("rotates the key and separates administration from use", () => {
    const key = app.one("aws:kms/key:Key", "PhiwatchKey");
    expect(key.inputs.enableKeyRotation).toBe(true);
    const policy = JSON.parse(
      app.one("aws:kms/keyPolicy:KeyPolicy", "PhiwatchKeyPolicy").inputs.policy as string,
    );
    const admin = policy.Statement.find((s: { Sid: string }) => s.Sid === "KeyAdministration");
    expect(admin.Action).not.toContain("kms:Decrypt");
    expect(admin.Action.some((a: string) => a.includes("*"))).toBe(false);
    const use = policy.Statement.find((s: { Sid: string }) => s.Sid === "PhiwatchFunctionsUse");
    expect(use.Principal.AWS).toEqual(
      FUNCTION_NAMES.map((fn) => `arn:aws:iam::${ACCOUNT}:role/phiwatch-prod-${fn}-role`).sort(),
    );
    expect(use.Action).not.toContain("kms:PutKeyPolicy");
    for (const s of policy.Statement) {
      expect(s.Principal).not.toBe("*");
      expect(s.Action).not.toContain("kms:*");
    }
  });

  it("lets the deployer encrypt function environments through Lambda, and nothing more (Lambda creates a grant with the deployer's permissions)", () => {
    const doc = parsePolicyDocument(
      JSON.parse(app.one("aws:kms/keyPolicy:KeyPolicy", "PhiwatchKeyPolicy").inputs.policy as string),
    );
    const deployer = { kind: "aws" as const, arn: `arn:aws:iam::${ACCOUNT}:role/deployer` };
    const ask = (action: string, viaService: string) =>
      evaluatePolicies([{ name: "key-policy", document: doc }], {
        action,
        resource: KEY_ARN,
        principal: deployer,
        context: { "kms:ViaService": viaService, "kms:CallerAccount": ACCOUNT },
      }).effect;
    const lambda = `lambda.${REGION}.amazonaws.com`;
    expect(ask("kms:CreateGrant", lambda)).toBe("allow");
    expect(ask("kms:Encrypt", lambda)).toBe("allow");
    // Administrators still cannot read what the key protects, through Lambda or directly.
    expect(ask("kms:Decrypt", lambda)).toBe("implicit-deny");
    expect(ask("kms:CreateGrant", `sqs.${REGION}.amazonaws.com`)).toBe("implicit-deny");
  });

  it("lets CloudWatch Logs use the key for exactly the log groups this stage creates", () => {
    const policy = JSON.parse(
      app.one("aws:kms/keyPolicy:KeyPolicy", "PhiwatchKeyPolicy").inputs.policy as string,
    );
    const logs = policy.Statement.find((s: { Sid: string }) => s.Sid === "LogsEncryptFunctionLogs");
    const groups = created("aws:cloudwatch/logGroup:LogGroup").map(
      (l) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${l.inputs.name}`,
    );
    expect(groups).toHaveLength(FUNCTION_NAMES.length);
    expect([...logs.Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"]].sort()).toEqual(groups.sort());
  });

  it("lets EventBridge and CloudWatch encrypt to the queues and topic without source keys on the request, and no other account's resources", () => {
    const doc = parsePolicyDocument(
      JSON.parse(app.one("aws:kms/keyPolicy:KeyPolicy", "PhiwatchKeyPolicy").inputs.policy as string),
    );
    const ask = (service: string, action: string, sourceAccount: string | null) =>
      evaluatePolicies([{ name: "key-policy", document: doc }], {
        action,
        resource: KEY_ARN,
        principal: { kind: "service", service },
        context: { "aws:SourceAccount": sourceAccount },
      }).effect;
    for (const service of ["events.amazonaws.com", "cloudwatch.amazonaws.com"]) {
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        // A rule delivering to the access queue or its DLQ: SQS asks KMS without aws:SourceAccount.
        expect(ask(service, action, null), `${service} ${action}`).toBe("allow");
        expect(ask(service, action, ACCOUNT), `${service} ${action}`).toBe("allow");
        expect(ask(service, action, "111111111111"), `${service} ${action}`).toBe("implicit-deny");
      }
    }
  });

  it("puts the key policy in place before creating what AWS checks it for (log groups, functions)", () => {
    // The key starts with KMS's default policy: CloudWatch Logs refuses to create a log group on it,
    // and once the key policy replaces it, Lambda needs its LambdaFunctionEnvironments statement.
    const waiting = [...created("aws:cloudwatch/logGroup:LogGroup"), ...lambdas()];
    expect(waiting).toHaveLength(2 * FUNCTION_NAMES.length);
    for (const r of waiting) expect(r.dependsOn, r.name).toContain("PhiwatchKeyPolicy");
    expect(app.one("aws:lambda/invocation:Invocation", "DeploySweep").dependsOn).toContain(
      "PhiwatchKeyPolicy",
    );
  });

  it("builds the table from TABLE: on demand, PITR, TTL, stream with both images, deletion protection", () => {
    const t = app.one("aws:dynamodb/table:Table", "Findings").inputs;
    expect(t).toMatchObject({
      name: "phiwatch-prod-findings",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "PK",
      rangeKey: "SK",
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: "expiresAt", enabled: true },
      deletionProtectionEnabled: true,
    });
    expect((t.globalSecondaryIndexes as unknown[]).length).toBe(4);
  });

  it("deploys the rules derived from the baseline, data events to the access queue", () => {
    const rules = created("aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.eventPattern);
    const planned = eventRules(baseline);
    expect(rules.map((r) => r.name).sort()).toEqual(planned.map((p) => `Rule-${p.id}`).sort());
    for (const p of planned) {
      const r = app.one("aws:cloudwatch/eventRule:EventRule", `Rule-${p.id}`);
      expect(JSON.parse(r.inputs.eventPattern as string)).toEqual(p.pattern);
    }
    expect(app.one("aws:cloudwatch/eventTarget:EventTarget", "Target-access").inputs.arn).toBe(
      q("phiwatch-prod-access"),
    );
    const esm = app.one("aws:lambda/eventSourceMapping:EventSourceMapping", "Esm-access").inputs;
    expect(esm).toMatchObject({ batchSize: 1000, maximumBatchingWindowInSeconds: 30 });
    expect(
      app.one("aws:lambda/eventSourceMapping:EventSourceMapping", "Esm-notify").inputs.startingPosition,
    ).toBe("TRIM_HORIZON");
    const sweep = app.one("aws:cloudwatch/eventRule:EventRule", "Rule-sweep");
    expect(sweep.inputs.scheduleExpression).toBe("rate(1 hour)");
  });

  it("sends asynchronous invocations that still fail after Lambda's retries to the dead-letter queue", () => {
    const configs = created("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    expect(configs.map((c) => c.inputs.functionName).sort()).toEqual([
      "phiwatch-prod-config-change",
      "phiwatch-prod-sweep",
      "phiwatch-prod-tamper",
    ]);
    for (const c of configs)
      expect(c.inputs).toMatchObject({
        maximumRetryAttempts: 2,
        destinationConfig: { onFailure: { destination: q("phiwatch-prod-dead-letter") } },
      });
  });

  it("gives every work queue a DLQ and lets only phiwatch's rules send to the access queue", () => {
    for (const name of ["AccessQueue", "Deliveries"]) {
      const redrive = JSON.parse(app.one("aws:sqs/queue:Queue", name).inputs.redrivePolicy as string);
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    }
    const policy = JSON.parse(
      app.one("aws:sqs/queuePolicy:QueuePolicy", "AccessQueuePolicy").inputs.policy as string,
    );
    expect(policy.Statement[0].Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).toHaveLength(1);
  });

  it("gives every EventBridge target a dead-letter queue that admits its rule (the hourly sweep too)", () => {
    const dlqPolicy = JSON.parse(
      app.one("aws:sqs/queuePolicy:QueuePolicy", "AccessDlqPolicy").inputs.policy as string,
    );
    const admitted: string[] = dlqPolicy.Statement[0].Condition.ArnEquals["aws:SourceArn"];
    const rules = new Map(
      created("aws:cloudwatch/eventRule:EventRule").map((r) => [
        r.inputs.name as string,
        `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:${r.inputs.name}`,
      ]),
    );
    const targets = created("aws:cloudwatch/eventTarget:EventTarget");
    expect(targets.map((t) => t.name)).toContain("Target-sweep");
    for (const t of targets) {
      expect(t.inputs.deadLetterConfig, t.name).toEqual({ arn: q("phiwatch-prod-access-dlq") });
      expect(admitted, t.name).toContain(rules.get(t.inputs.rule as string));
    }
  });

  it("keeps a webhook delivery on its queue for every attempt the baseline allows, so forward dead-letters it with the reason", () => {
    // Baseline schema limits: webhooks[].retry.maxAttempts ≤ 20, maxDelayMs ≤ 12 h.
    const MOST_ATTEMPTS = 20;
    const LONGEST_DELAY_S = 12 * 3600;
    const deliveries = app.one("aws:sqs/queue:Queue", "Deliveries").inputs;
    const redrive = JSON.parse(deliveries.redrivePolicy as string);
    // SQS moves a message after maxReceiveCount receives, without phiwatch's reason and before its
    // last attempts; a message queued behind a failing one in its FIFO group is received (and
    // skipped) once per attempt of the one ahead, so leave room for that too.
    expect(redrive.maxReceiveCount).toBeGreaterThan(2 * MOST_ATTEMPTS);
    // A message older than the retention is deleted by SQS: silently, mid-retry.
    expect(deliveries.messageRetentionSeconds).toBeGreaterThanOrEqual(MOST_ATTEMPTS * LONGEST_DELAY_S);
    // The size notify keeps each delivery (and each batch) within.
    expect(deliveries.maxMessageSize).toBe(QUEUE_MESSAGE_MAX_BYTES);
    expect(app.one("aws:sqs/queue:Queue", "DeliveriesDlq").inputs.maxMessageSize).toBe(
      QUEUE_MESSAGE_MAX_BYTES,
    );
  });

  it("lets the baseline's member accounts put events on the default bus, one statement each", () => {
    const perms = created("aws:cloudwatch/eventPermission:EventPermission").map((p) => p.inputs.principal);
    expect(perms.sort()).toEqual([...baseline.accounts].sort());
    // The member stacks of every region forward to this region's bus (their SecurityRegion).
    expect(app.outputs.region).toBe(REGION);
  });

  it("runs the sweep once on deploy (prerequisite self-check), after the key policy", () => {
    const inv = app.one("aws:lambda/invocation:Invocation", "DeploySweep");
    expect(inv.inputs.functionName).toBe("phiwatch-prod-sweep");
  });

  it("protects the HTTP API with IAM authorisation", () => {
    const route = app.one("aws:apigatewayv2/route:Route", "ApiRoute");
    expect(route.inputs.authorizationType).toBe("AWS_IAM");
  });

  it("alarms on DLQ depth, function errors and throttles, to the alerts topic", () => {
    const alarms = created("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms).toHaveLength(alarmPlans().length + logAlarmPlans("prod").length);
    for (const a of alarms)
      expect(a.inputs.alarmActions).toEqual([`arn:aws:sns:${REGION}:${ACCOUNT}:phiwatch-prod-alerts`]);
    const metrics = new Set(alarms.map((a) => a.inputs.metricName));
    expect(metrics).toEqual(
      new Set(["Errors", "Throttles", "ApproximateNumberOfMessagesVisible", "MemberAccountUnreadable"]),
    );
  });

  it("alarms when the sweep logs a member account it cannot read (metric filter on its log group)", () => {
    const [filter] = created("aws:cloudwatch/logMetricFilter:LogMetricFilter");
    expect(created("aws:cloudwatch/logMetricFilter:LogMetricFilter")).toHaveLength(1);
    expect(filter!.inputs).toMatchObject({
      logGroupName: "/aws/lambda/phiwatch-prod-sweep",
      pattern: `{ $.message = ${JSON.stringify(MEMBER_UNREADABLE_MESSAGE)} }`,
      metricTransformation: { name: "MemberAccountUnreadable", namespace: "phiwatch/prod", value: "1" },
    });
    const alarm = created("aws:cloudwatch/metricAlarm:MetricAlarm").find(
      (a) => a.inputs.metricName === "MemberAccountUnreadable",
    );
    expect(alarm?.inputs).toMatchObject({
      namespace: "phiwatch/prod",
      statistic: "Sum",
      period: 3600,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("names every resource after the stage and tags none with baseline data", () => {
    const secrets = [...baseline.phiBuckets.map((b) => b.name ?? b.prefix ?? ""), ...baseline.phiKeys].filter(
      Boolean,
    );
    for (const r of app.resources.filter(
      (x) => x.readId === undefined && typeof x.inputs.name === "string",
    )) {
      const n = r.inputs.name as string;
      if (r.type.startsWith("aws:") && r.type !== "aws:apigatewayv2/stage:Stage")
        expect(n).toMatch(/^(\/aws\/lambda\/|alias\/)?phiwatch-prod-/);
      for (const s of secrets) expect(n).not.toContain(s);
      for (const v of Object.values((r.inputs.tags as Record<string, string>) ?? {})) {
        for (const s of secrets) expect(v).not.toContain(s);
      }
    }
  });

  it("links the resources the handlers read (functions/lib/links.d.ts)", () => {
    const declared = [...readFileSync("functions/lib/links.d.ts", "utf8").matchAll(/^\s+(\w+): \{/gm)].map(
      (m) => m[1],
    );
    expect(declared.length).toBeGreaterThan(0);
    for (const b of app.builds) {
      for (const name of declared) expect(Object.keys(b.links), `${b.handler} links ${name}`).toContain(name);
      expect(b.links.Findings).toMatchObject({
        name: "phiwatch-prod-findings",
        arn: expect.stringContaining(":table/"),
      });
      expect(b.links.DeadLetter).toMatchObject({ url: expect.stringContaining("phiwatch-prod-dead-letter") });
    }
  });

  it("sst.config.ts protects exactly PROTECTED_STAGES", () => {
    const text = readFileSync("sst.config.ts", "utf8");
    const list = /const PROTECTED = (\[[^\]]*\])/.exec(text)?.[1];
    expect(JSON.parse(list ?? "[]")).toEqual([...PROTECTED_STAGES]);
  });

  it("pins sst exactly and infra/ + sst.config.ts typecheck", () => {
    const pkg = JSON.parse(readFileSync("functions/package.json", "utf8"));
    expect(pkg.dependencies.sst).toMatch(/^\d+\.\d+\.\d+$/);
    const r = spawnSync("npx", ["tsc", "-p", "infra/tsconfig.json"], { encoding: "utf8" });
    expect(r.stdout + r.stderr.replace(/npm warn .*\n/g, "")).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);
});

/** Pulumi mocks pass secrets as `{ <secret signature>: …, value }`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function isSecret(v: unknown): boolean {
  return typeof v === "object" && v !== null && SECRET_SIG in v;
}

function unsecret(v: unknown): unknown {
  const SIG = SECRET_SIG;
  if (v && typeof v === "object" && SIG in v) return unsecret((v as unknown as { value: unknown }).value);
  return v;
}

function arnsFor() {
  return {
    partition: "aws",
    region: REGION,
    accountId: ACCOUNT,
    table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/phiwatch-prod-findings`,
    tableStream: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/phiwatch-prod-findings/stream/2024-01-01T00:00:00.000`,
    key: KEY_ARN,
    logGroup: (fn: FunctionName) =>
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/phiwatch-prod-${fn}`,
    queues: {
      AccessQueue: q("phiwatch-prod-access"),
      Deliveries: q("phiwatch-prod-deliveries.fifo"),
      DeliveriesDlq: q("phiwatch-prod-deliveries-dlq.fifo"),
      DeadLetter: q("phiwatch-prod-dead-letter"),
    },
    topics: { Alerts: `arn:aws:sns:${REGION}:${ACCOUNT}:phiwatch-prod-alerts` },
  };
}
