import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative } from "node:path";

// One role per function with exactly the statements of packages/core/src/plan/permissions.ts, the
// functions themselves (nodejs22.x, KMS-encrypted environment and logs), their triggers, the key
// policy that names the roles as the key's only users, and the alarms.

import { redactionKey } from "../packages/core/src/format/redact.ts";
import {
  alerts,
  alertsLink,
  deadLetter,
  deadLetterLink,
  deliveries,
  deliveriesDlq,
  deliveriesDlqLink,
  deliveriesLink,
} from "./alerts";
import {
  accountId,
  baseline,
  baselineFile,
  baselineJsonFile,
  keyAdmins,
  name,
  Plan,
  partitionName,
  regionName,
  stage,
  tags,
} from "./context";
import { accessDlq, accessQueue, rules, sweepRule } from "./events";
import { findingsLink, key, keyLink, table } from "./storage";

/** Object-key hashes are keyed (docs/detectors.md): `npx sst secret set PhiwatchHashKey "$(openssl rand -hex 32)"`. */
export const hashKey = new sst.Secret("PhiwatchHashKey");

/**
 * The secrets each function's environment carries, and nothing more: access hashes object keys with
 * the secret itself; notify, the only function that formats outgoing text (SNS alerts, the SIEM
 * payloads forward only signs and sends), gets the redaction key derived from it (docs/webhooks.md).
 * Derived with `apply`, so it stays a Pulumi secret (encrypted in the state, masked in output).
 */
function secretEnvironment(fn: Plan.FunctionName): Record<string, $util.Output<string>> {
  if (fn === "access") return { PHIWATCH_HASH_KEY: hashKey.value };
  if (fn === "notify") return { PHIWATCH_REDACTION_KEY: hashKey.value.apply(redactionKey) };
  return {};
}

const arns = $resolve([
  partitionName,
  regionName,
  accountId,
  table.arn,
  table.streamArn,
  key.arn,
  accessQueue.arn,
  deliveries.arn,
  deliveriesDlq.arn,
  deadLetter.arn,
  alerts.arn,
]).apply(
  ([
    partition,
    region,
    account,
    tableArn,
    streamArn,
    keyArn,
    accessArn,
    delArn,
    delDlqArn,
    dlArn,
    alertsArn,
  ]) =>
    ({
      partition,
      region,
      accountId: account,
      table: tableArn,
      tableStream: streamArn,
      key: keyArn,
      logGroup: (fn: Plan.FunctionName) =>
        `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${name(fn)}`,
      queues: { AccessQueue: accessArn, Deliveries: delArn, DeliveriesDlq: delDlqArn, DeadLetter: dlArn },
      topics: { Alerts: alertsArn },
    }) satisfies Plan.ResourceArns,
);

const LINKS = [findingsLink, keyLink, alertsLink, deliveriesLink, deliveriesDlqLink, deadLetterLink];

/** Each function's role and its inline policy: exactly the statements of Plan.iamStatements. */
function roleFor(fn: Plan.FunctionName) {
  const role = new aws.iam.Role(`Role-${fn}`, {
    name: name(`${fn}-role`),
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    }),
    tags,
  });
  const policy = new aws.iam.RolePolicy(`Policy-${fn}`, {
    role: role.id,
    policy: arns.apply((a) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: Plan.iamStatements(fn, a, baseline).map((s) => ({
          Sid: s.sid,
          Effect: s.effect,
          Action: s.actions,
          Resource: s.resources,
        })),
      }),
    ),
  });
  return { role, policy };
}

const roles = Object.fromEntries(Plan.FUNCTION_NAMES.map((fn) => [fn, roleFor(fn)])) as Record<
  Plan.FunctionName,
  ReturnType<typeof roleFor>
>;

/**
 * The key policy: administrators administer, function roles use, AWS services deliver. It names the
 * roles, so it comes after them, and before everything AWS checks it for when creating it: CloudWatch
 * Logs refuses a log group whose key does not let it in, and Lambda encrypts a function's environment
 * with the deployer's grant (the key is created with KMS's default policy, which allows neither).
 */
export const keyPolicy = new aws.kms.KeyPolicy("PhiwatchKeyPolicy", {
  keyId: key.keyId,
  policy: $resolve([
    $resolve([partitionName, regionName, accountId]),
    keyAdmins,
    $resolve(Plan.FUNCTION_NAMES.map((fn) => roles[fn].role.arn)),
  ]).apply(([[partition, region, account], admins, users]) =>
    JSON.stringify(Plan.keyPolicy({ partition, region, accountId: account, stage, admins, users })),
  ),
});

function lambdaFor(fn: Plan.FunctionName) {
  const settings = Plan.functionSettings(fn);
  const { role, policy } = roles[fn];
  const func = new sst.aws.Function(
    `Fn-${fn}`,
    {
      name: name(fn),
      description: settings.description,
      handler: settings.handler,
      runtime: settings.runtime,
      memory: `${settings.memoryMb} MB`,
      timeout: `${settings.timeoutSeconds} seconds`,
      role: role.arn,
      link: LINKS,
      // SST resolves `from` against the app root.
      copyFiles: [{ from: relative(process.cwd(), baselineJsonFile), to: "baseline.json" }],
      environment: {
        PHIWATCH_BASELINE_FILE: "/var/task/baseline.json",
        PHIWATCH_STAGE: stage,
        ...secretEnvironment(fn),
      },
      logging: { retention: "1 year", format: "json" },
      transform: {
        // SST does not pass the component's dependsOn on to the log group: name the key policy on each.
        function: (args, opts) => {
          args.kmsKeyArn = key.arn;
          args.tags = tags;
          opts.dependsOn = [policy, keyPolicy];
        },
        logGroup: (args, opts) => {
          args.kmsKeyId = key.arn;
          args.tags = tags;
          opts.dependsOn = [keyPolicy];
        },
      },
    },
    { dependsOn: [policy, keyPolicy] },
  );
  return { fn, role, policy, func };
}

export const functions = Object.fromEntries(Plan.FUNCTION_NAMES.map((fn) => [fn, lambdaFor(fn)])) as Record<
  Plan.FunctionName,
  ReturnType<typeof lambdaFor>
>;

// Rules → config-change and tamper.
for (const target of ["config-change", "tamper"] as const) {
  const r = rules[target];
  if (!r) continue;
  const f = functions[target].func;
  new aws.lambda.Permission(`Invoke-${target}`, {
    action: "lambda:InvokeFunction",
    function: f.name,
    principal: "events.amazonaws.com",
    sourceArn: r.rule.arn,
  });
  new aws.cloudwatch.EventTarget(`Target-${target}`, {
    rule: r.rule.name,
    arn: f.arn,
    deadLetterConfig: { arn: accessDlq.arn },
    retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
  });
}

// EventBridge invokes config-change, tamper and sweep asynchronously: the rule's DLQ only catches
// events EventBridge could not hand to Lambda. An invocation that fails (throttled table, an empty
// GetResourceConfigHistory…) is retried twice by Lambda and then sent, with the error, to the dead-letter
// queue (alarmed) instead of being dropped.
for (const target of ["config-change", "tamper", "sweep"] as const) {
  new aws.lambda.FunctionEventInvokeConfig(`InvokeConfig-${target}`, {
    functionName: functions[target].func.name,
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: 6 * 60 * 60,
    destinationConfig: { onFailure: { destination: deadLetter.arn } },
  });
}

// Access queue → access (batched: cost per event falls with the batch size, latency rises by the window).
new aws.lambda.EventSourceMapping("Esm-access", {
  eventSourceArn: accessQueue.arn,
  functionName: functions.access.func.name,
  batchSize: Plan.ACCESS_BATCH.size,
  maximumBatchingWindowInSeconds: Plan.ACCESS_BATCH.windowSeconds,
  functionResponseTypes: ["ReportBatchItemFailures"],
});

// Webhook deliveries → forward (FIFO: batch of 10 at most).
new aws.lambda.EventSourceMapping("Esm-forward", {
  eventSourceArn: deliveries.arn,
  functionName: functions.forward.func.name,
  batchSize: 10,
  functionResponseTypes: ["ReportBatchItemFailures"],
});

// Table stream → notify (the transactional outbox).
new aws.lambda.EventSourceMapping("Esm-notify", {
  eventSourceArn: table.streamArn,
  functionName: functions.notify.func.name,
  startingPosition: "TRIM_HORIZON",
  batchSize: 100,
  maximumRetryAttempts: 10,
  bisectBatchOnFunctionError: true,
  functionResponseTypes: ["ReportBatchItemFailures"],
  destinationConfig: { onFailure: { destinationArn: deadLetter.arn } },
});

// Hourly sweep (its rule is in events.ts, for the dead-letter queue policy).
new aws.lambda.Permission("Invoke-sweep", {
  action: "lambda:InvokeFunction",
  function: functions.sweep.func.name,
  principal: "events.amazonaws.com",
  sourceArn: sweepRule.arn,
});
new aws.cloudwatch.EventTarget("Target-sweep", {
  rule: sweepRule.name,
  arn: functions.sweep.func.arn,
  deadLetterConfig: { arn: accessDlq.arn },
  // A sweep not started within the hour is superseded by the next one.
  retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 185 },
});

// Alarms → alerts topic.
const queueNames = {
  AccessDlq: accessDlq.name,
  DeliveriesDlq: deliveriesDlq.name,
  DeadLetter: deadLetter.name,
};
export const alarms = Plan.alarmPlans().map(
  (a) =>
    new aws.cloudwatch.MetricAlarm(`Alarm-${a.id}`, {
      name: name(a.id),
      alarmDescription: a.description,
      namespace: a.namespace,
      metricName: a.metric,
      dimensions: {
        [a.dimension.name]:
          a.dimension.name === "FunctionName"
            ? functions[a.dimension.of as Plan.FunctionName].func.name
            : queueNames[a.dimension.of as keyof typeof queueNames],
      },
      statistic: a.statistic,
      period: a.periodSeconds,
      evaluationPeriods: a.evaluationPeriods,
      threshold: a.threshold,
      comparisonOperator: a.comparison,
      treatMissingData: a.treatMissingData,
      alarmActions: [alerts.arn],
      okActions: [alerts.arn],
      tags,
    }),
);

// Log lines that must page (a member account the sweep cannot read): metric filter → alarm → alerts topic.
export const logAlarms = Plan.logAlarmPlans(stage).map((a) => {
  const filter = new aws.cloudwatch.LogMetricFilter(`LogMetric-${a.id}`, {
    name: name(a.id),
    logGroupName: functions[a.fn].func.nodes.logGroup.apply((l) => {
      if (!l) throw new Error(`phiwatch: ${a.fn} has no log group for the ${a.id} metric filter`);
      return l.name;
    }),
    pattern: Plan.logFilterPattern(a.message),
    metricTransformation: { name: a.metric, namespace: a.namespace, value: "1" },
  });
  return new aws.cloudwatch.MetricAlarm(
    `Alarm-${a.id}`,
    {
      name: name(a.id),
      alarmDescription: a.description,
      namespace: a.namespace,
      metricName: a.metric,
      statistic: "Sum",
      period: a.periodSeconds,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [alerts.arn],
      okActions: [alerts.arn],
      tags,
    },
    { dependsOn: [filter] },
  );
});

/**
 * Deploy-time self-check: run the sweep once when the baseline changes, so the prerequisites it
 * evaluates (Config recorder on for the watched types, a logging multi-region trail with PHI data
 * events, the controls on phiwatch's own stores) are findings minutes after `sst deploy`, not an hour
 * later. PHIWATCH_DEPLOY_SWEEP=0 skips it (e.g. a first deploy before the Config recorder exists).
 */
export const deploySweep =
  process.env.PHIWATCH_DEPLOY_SWEEP === "0"
    ? undefined
    : new aws.lambda.Invocation(
        "DeploySweep",
        {
          functionName: functions.sweep.func.name,
          input: JSON.stringify({ id: "phiwatch-deploy-check" }),
          triggers: {
            baseline: createHash("sha256").update(readFileSync(baselineFile)).digest("hex"),
          },
        },
        { dependsOn: [functions.sweep.policy, keyPolicy] },
      );
