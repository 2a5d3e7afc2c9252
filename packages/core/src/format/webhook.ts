import type { Finding } from "../finding/types.ts";
import { hecBatches, toHec } from "./hec.ts";
import { findingEvent } from "./json.ts";
import { toOcsf } from "./ocsf.ts";
import type { RedactionOptions } from "./redact.ts";
import { eventId, type Transition } from "./transition.ts";

/** Payload formats a webhook target can ask for (the baseline's `webhooks[].format`). */
export type WebhookFormat = "hec" | "ocsf" | "json";

/** One finding change to deliver. */
export interface FindingChangeEvent {
  old?: Finding;
  next: Finding;
  transition: Transition;
}

/** One HTTP request body to send to a target. */
export interface WebhookRequest {
  body: string;
  contentType: string;
  /** The announcement ids inside, in order (for logs, dedup and the DLQ record). */
  eventIds: string[];
}

export interface EncodeOptions {
  /** HEC index. */
  index?: string;
  productVersion?: string;
  redaction?: RedactionOptions;
  /** HEC batch limit in bytes. */
  maxBatchBytes?: number;
}

/**
 * Encode finding changes for a target, in order. HEC batches (concatenated envelopes, up to the
 * byte limit); JSON and OCSF send one event per request, so each request is signed and
 * acknowledged on its own and a receiver never has to split a body.
 *
 * @example
 * ```ts
 * encodeWebhook("hec", [{ next, transition: "OPENED" }]) // → [{ body: "{\"time\":…}", contentType: "application/json", eventIds: ["f-…:1:OPENED"] }]
 * ```
 */
export function encodeWebhook(
  format: WebhookFormat,
  changes: readonly FindingChangeEvent[],
  options: EncodeOptions = {},
): WebhookRequest[] {
  if (format === "hec") {
    const envelopes = changes.map((c) =>
      toHec(c.old, c.next, c.transition, {
        ...(options.index ? { index: options.index } : {}),
        ...(options.redaction ? { redaction: options.redaction } : {}),
      }),
    );
    const out: WebhookRequest[] = [];
    let i = 0;
    for (const batch of hecBatches(envelopes, options.maxBatchBytes)) {
      const ids = changes.slice(i, i + batch.count).map((c) => eventId(c.next, c.transition));
      i += batch.count;
      out.push({ body: batch.body, contentType: "application/json", eventIds: ids });
    }
    return out;
  }
  return changes.map((c) => {
    const payload =
      format === "ocsf"
        ? toOcsf(c.old, c.next, c.transition, {
            ...(options.productVersion ? { productVersion: options.productVersion } : {}),
            ...(options.redaction ? { redaction: options.redaction } : {}),
          })
        : findingEvent(c.old, c.next, c.transition, options.redaction);
    return {
      body: JSON.stringify(payload),
      contentType: "application/json",
      eventIds: [eventId(c.next, c.transition)],
    };
  });
}
