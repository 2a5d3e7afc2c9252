// EventBridge rules derived from the baseline (packages/core/src/plan/patterns.ts) and the access
// queue that batches data events (or trail log-file notifications) for the access function.
import { accountId, baseline, name, Plan, tags } from "./context";
import { key } from "./storage";

export const accessDlq = new aws.sqs.Queue("AccessDlq", {
  name: name("access-dlq"),
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
  messageRetentionSeconds: Plan.DLQ_RETENTION_SECONDS,
  tags,
});

export const accessQueue = new aws.sqs.Queue("AccessQueue", {
  name: name("access"),
  kmsMasterKeyId: key.arn,
  kmsDataKeyReusePeriodSeconds: 300,
  visibilityTimeoutSeconds: Plan.queueVisibilitySeconds("access"),
  redrivePolicy: $jsonStringify({
    deadLetterTargetArn: accessDlq.arn,
    maxReceiveCount: Plan.MAX_RECEIVE_COUNT,
  }),
  tags,
});

export const rules = Object.fromEntries(
  Plan.eventRules(baseline, {
    maxPatternChars: Plan.eventPatternMax(process.env.PHIWATCH_EVENT_PATTERN_MAX),
  }).map((r) => [
    r.id,
    {
      plan: r,
      rule: new aws.cloudwatch.EventRule(`Rule-${r.id}`, {
        name: name(r.id),
        description: r.description,
        eventPattern: JSON.stringify(r.pattern),
        tags,
      }),
    },
  ]),
) as Record<Plan.RulePlan["id"], { plan: Plan.RulePlan; rule: aws.cloudwatch.EventRule } | undefined>;

// EventBridge may send to the access queue only from phiwatch's own rules.
const accessRuleArns = Object.values(rules)
  .filter((r) => r?.plan.target === "access-queue")
  .map((r) => r!.rule.arn);

/** A queue policy letting EventBridge send to `queue` from these rules of this account only. */
function rulesMaySend(id: string, sid: string, queue: aws.sqs.Queue, ruleArns: $util.Input<string>[]) {
  return new aws.sqs.QueuePolicy(id, {
    queueUrl: queue.url,
    policy: $resolve([queue.arn, accountId, ...ruleArns]).apply(([queueArn, account, ...arns]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: sid,
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn,
            Condition: {
              ArnEquals: { "aws:SourceArn": arns },
              StringEquals: { "aws:SourceAccount": account },
            },
          },
        ],
      }),
    ),
  });
}

export const accessQueuePolicy = rulesMaySend(
  "AccessQueuePolicy",
  "EventBridgeRules",
  accessQueue,
  accessRuleArns,
);

/** The hourly sweep's schedule (its target, the sweep function, is in functions.ts). */
export const sweepRule = new aws.cloudwatch.EventRule("Rule-sweep", {
  name: name("sweep"),
  description: "Hourly sweep of every in-scope resource",
  scheduleExpression: "rate(1 hour)",
  tags,
});

// Undeliverable rule events (any target) land in the access DLQ, alarmed like the others.
export const accessDlqPolicy = rulesMaySend("AccessDlqPolicy", "EventBridgeRuleFailures", accessDlq, [
  ...Object.values(rules).map((r) => r!.rule.arn),
  sweepRule.arn,
]);

for (const r of Object.values(rules)) {
  if (r?.plan.target !== "access-queue") continue;
  new aws.cloudwatch.EventTarget(`Target-${r.plan.id}`, {
    rule: r.rule.name,
    arn: accessQueue.arn,
    deadLetterConfig: { arn: accessDlq.arn },
    retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
  });
}

/** Trail bucket: send its events to EventBridge when the baseline lets phiwatch manage it. */
const trail = baseline.ingest.trail;
if (baseline.ingest.access === "trail-logs" && trail?.manageNotification) {
  new aws.s3.BucketNotification("TrailBucketToEventBridge", { bucket: trail.bucket, eventbridge: true });
}

/**
 * Member accounts may put events on this account's default bus (infra/member-account.yaml forwards
 * them). One permission statement per account: added beside, never replacing, the bus's other
 * permissions.
 */
export const memberPermissions = baseline.accounts.map(
  (member) =>
    new aws.cloudwatch.EventPermission(`MemberPutEvents-${member}`, {
      principal: member,
      statementId: `${name("member")}-${member}`,
      action: "events:PutEvents",
      eventBusName: "default",
    }),
);
