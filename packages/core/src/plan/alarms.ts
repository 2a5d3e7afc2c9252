import type { FunctionName } from "./permissions.ts";
import { FUNCTION_NAMES } from "./permissions.ts";

export interface AlarmPlan {
  id: string;
  namespace: "AWS/Lambda" | "AWS/SQS";
  metric: string;
  dimension: {
    name: "FunctionName" | "QueueName";
    of: FunctionName | "AccessDlq" | "DeliveriesDlq" | "DeadLetter";
  };
  statistic: "Sum" | "Maximum";
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  /** Missing data is normal (no invocations, empty queue): it is not an alarm. */
  treatMissingData: "notBreaching";
  description: string;
}

/**
 * CloudWatch alarms, routed to the alerts topic: any message in a dead-letter queue, any function
 * error, any throttle. Thresholds are deliberately zero-tolerance: each of these means an event that
 * phiwatch has not (yet) evaluated, which a compliance monitor must not hide.
 *
 * @example
 * ```ts
 * alarmPlans().length; // 7 functions × 2 + 3 queues = 17
 * ```
 */
export function alarmPlans(): AlarmPlan[] {
  const plans: AlarmPlan[] = [];
  for (const fn of FUNCTION_NAMES) {
    const lambda = (metric: string, description: string) =>
      anyInFiveMinutes(
        `${fn}-${metric.toLowerCase()}`,
        "AWS/Lambda",
        metric,
        "FunctionName",
        fn,
        "Sum",
        description,
      );
    plans.push(
      lambda("Errors", `phiwatch ${fn}: invocations failed (events may be retried or dead-lettered)`),
      lambda(
        "Throttles",
        `phiwatch ${fn}: invocations throttled (raise reserved concurrency or account limits)`,
      ),
    );
  }
  for (const q of ["AccessDlq", "DeliveriesDlq", "DeadLetter"] as const) {
    plans.push(
      anyInFiveMinutes(
        `${q.toLowerCase()}-depth`,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        q,
        "Maximum",
        `phiwatch ${q}: messages waiting (inspect, fix, then \`phiwatch forward redrive\` or replay)`,
      ),
    );
  }
  return plans;
}

/** An alarm on any non-zero value of the metric over one 5-minute period (no data is not breaching). */
function anyInFiveMinutes(
  id: string,
  namespace: AlarmPlan["namespace"],
  metric: string,
  dimensionName: AlarmPlan["dimension"]["name"],
  of: AlarmPlan["dimension"]["of"],
  statistic: AlarmPlan["statistic"],
  description: string,
): AlarmPlan {
  return {
    id,
    namespace,
    metric,
    dimension: { name: dimensionName, of },
    statistic,
    periodSeconds: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    description,
  };
}

/**
 * A log line that must page: a CloudWatch Logs metric filter on the function's log group counts the
 * line (Powertools JSON logs: matched on `message`), and an alarm on the count goes to the alerts topic.
 */
export interface LogAlarmPlan {
  id: string;
  fn: FunctionName;
  /** The exact `message` the function logs (the code uses this constant). */
  message: string;
  namespace: string;
  metric: string;
  periodSeconds: number;
  description: string;
}

/** Logged (ERROR) by the sweep for a member account whose read role cannot be assumed. */
export const MEMBER_UNREADABLE_MESSAGE = "cannot read member account: its findings are left as they are";

/**
 * Log-based alarms. A member account the sweep cannot enter is not an invocation error (the deploy-time
 * sweep must not fail a deploy for a member role deployed later), so it alarms from the log line: one
 * period per hourly sweep, so the alarm stays in ALARM while the account stays unreadable.
 *
 * @example
 * ```ts
 * logAlarmPlans("prod")[0].namespace; // "phiwatch/prod"
 * ```
 */
export function logAlarmPlans(stage: string): LogAlarmPlan[] {
  return [
    {
      id: "sweep-member-unreadable",
      fn: "sweep",
      message: MEMBER_UNREADABLE_MESSAGE,
      namespace: `phiwatch/${stage}`,
      metric: "MemberAccountUnreadable",
      periodSeconds: 3600,
      description:
        "phiwatch sweep: a member account's read role cannot be assumed, so its findings are not re-evaluated " +
        "(deploy infra/member-read-role.yaml there, or fix its PhiwatchStage); the posture report lists the reason",
    },
  ];
}

/**
 * The CloudWatch Logs filter pattern matching a JSON log line whose `message` is exactly `message`.
 *
 * @example
 * ```ts
 * logFilterPattern("a b"); // '{ $.message = "a b" }'
 * ```
 */
export function logFilterPattern(message: string): string {
  return `{ $.message = ${JSON.stringify(message)} }`;
}
