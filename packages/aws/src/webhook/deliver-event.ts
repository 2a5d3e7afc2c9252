import { type Baseline, Delivery, Format } from "@phiwatch/core";
import { confirmHecAck, hecChannel } from "./hec-ack.ts";
import type { SecretSource } from "./secrets.ts";
import { deliverWebhook } from "./sender.ts";

type Target = Baseline["webhooks"][number];

/** The target's retry policy (baseline `webhooks[].retry`) over phiwatch's defaults. */
export function retryPolicyOf(target: Target): Delivery.RetryPolicy {
  return { ...Delivery.DEFAULT_RETRY_POLICY, ...target.retry };
}

/**
 * Deliver one finding event to one target, in its format, signed; for Splunk HEC with indexer
 * acknowledgement, delivered means indexed. Returns what to do next (delivered, retry after a delay,
 * or dead-letter with the reason) — never throws for delivery problems.
 *
 * @example
 * ```ts
 * const step = await deliverEvent(target, event, Number(record.attributes.ApproximateReceiveCount), secrets);
 * ```
 */
export async function deliverEvent(
  target: Target,
  event: Format.FindingEvent,
  attempt: number,
  secrets: Pick<SecretSource, "get">,
): Promise<Delivery.RetryDecision> {
  const policy = retryPolicyOf(target);
  const failed = (message: string) =>
    Delivery.nextStep(attempt, { kind: "network-error", message }, { policy });
  try {
    const keys = await secrets.get(target.secret);
    const token = target.token ? (await secrets.get(target.token))[0] : undefined;
    const channel = target.format === "hec" ? hecChannel(target.name) : undefined;
    let step: Delivery.RetryDecision = { action: "delivered" };
    const options = target.index ? { index: target.index } : {};
    for (const request of Format.encodeEvents(target.format, [event], options)) {
      const result = await deliverWebhook({
        target,
        request,
        secrets: keys,
        ...(token ? { hecToken: token } : {}),
        ...(channel ? { hecChannel: channel } : {}),
      });
      step = Delivery.nextStep(attempt, result.outcome, { policy });
      if (step.action !== "delivered") return step;
      const ackId = channel && token ? Format.parseHecResponse(result.responseBody ?? "").ackId : undefined;
      if (ackId !== undefined && channel && token) {
        const acked = await confirmHecAck({
          url: target.url,
          token,
          channel,
          ackId,
          policy: { allowInsecureLocal: target.allowInsecureLocal === true },
        });
        if (!acked) return failed(`HEC ack ${ackId} not confirmed`);
      }
    }
    return step;
  } catch (error) {
    // A secret that cannot be read is a configuration problem: retry (it may be fixed), then DLQ.
    return failed(`${(error as Error).name}: ${(error as Error).message}`);
  }
}
