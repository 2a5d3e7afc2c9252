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
    plans.push(
      {
        id: `${fn}-errors`,
        namespace: "AWS/Lambda",
        metric: "Errors",
        dimension: { name: "FunctionName", of: fn },
        statistic: "Sum",
        periodSeconds: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        description: `phiwatch ${fn}: invocations failed (events may be retried or dead-lettered)`,
      },
      {
        id: `${fn}-throttles`,
        namespace: "AWS/Lambda",
        metric: "Throttles",
        dimension: { name: "FunctionName", of: fn },
        statistic: "Sum",
        periodSeconds: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        description: `phiwatch ${fn}: invocations throttled (raise reserved concurrency or account limits)`,
      },
    );
  }
  for (const q of ["AccessDlq", "DeliveriesDlq", "DeadLetter"] as const) {
    plans.push({
      id: `${q.toLowerCase()}-depth`,
      namespace: "AWS/SQS",
      metric: "ApproximateNumberOfMessagesVisible",
      dimension: { name: "QueueName", of: q },
      statistic: "Maximum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      description: `phiwatch ${q}: messages waiting (inspect, fix, then \`phiwatch forward redrive\` or replay)`,
    });
  }
  return plans;
}
