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
