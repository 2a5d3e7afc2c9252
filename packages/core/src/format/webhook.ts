import { createHash } from "node:crypto";
import type { Finding } from "../finding/types.ts";
import { hecBatches, hecFromEvent } from "./hec.ts";
import { type FindingEvent, findingEvent } from "./json.ts";
import { ocsfFromEvent } from "./ocsf.ts";
import type { RedactionOptions } from "./redact.ts";
import { type Secret, SIGNATURE_HEADER, signatureHeader } from "./signature.ts";
import type { Transition } from "./transition.ts";

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
  return encodeEvents(
    format,
    changes.map((c) => findingEvent(c.old, c.next, c.transition, options.redaction)),
    options,
  );
}

/**
 * Encode already built (and redacted) finding events — what the delivery queue carries — for a
 * target, in order. Same batching rules as {@link encodeWebhook}.
 *
 * @example
 * ```ts
 * encodeEvents(target.format, records.map((r) => JSON.parse(r.body).event))
 * ```
 */
export function encodeEvents(
  format: WebhookFormat,
  events: readonly FindingEvent[],
  options: Omit<EncodeOptions, "redaction"> = {},
): WebhookRequest[] {
  if (format === "hec") {
    const envelopes = events.map((e) => hecFromEvent(e, options.index ? { index: options.index } : {}));
    const out: WebhookRequest[] = [];
    let i = 0;
    for (const batch of hecBatches(envelopes, options.maxBatchBytes)) {
      const ids = events.slice(i, i + batch.count).map((e) => e.eventId);
      i += batch.count;
      out.push({ body: batch.body, contentType: "application/json", eventIds: ids });
    }
    return out;
  }
  return events.map((e) => ({
    body: JSON.stringify(
      format === "ocsf"
        ? ocsfFromEvent(e, options.productVersion ? { productVersion: options.productVersion } : {})
        : e,
    ),
    contentType: "application/json",
    eventIds: [e.eventId],
  }));
}

/** Header carrying the delivery id receivers deduplicate on (a retry after a timeout repeats it). */
export const DELIVERY_HEADER = "X-Phiwatch-Delivery";

/**
 * Stable id of one delivery of one request body to one target: the same events to the same target
 * always give the same id, however many times the queue redelivers them.
 *
 * @example
 * ```ts
 * deliveryId("splunk", ["f-…:1:OPENED"]) // → "d-3f2a…" (32 hex)
 * ```
 */
export function deliveryId(target: string, eventIds: readonly string[]): string {
  const h = createHash("sha256").update(target).update("\u0000").update(eventIds.join("\n"));
  return `d-${h.digest("hex").slice(0, 32)}`;
}

export interface WebhookHeaderOptions {
  /** HMAC secrets, current first (several during a rotation). */
  secrets: readonly Secret[];
  /** Target name, for the delivery id. */
  target: string;
  /** Splunk HEC token (`Authorization: Splunk <token>`), for the `hec` format. */
  hecToken?: string;
  /** HEC indexer-acknowledgement channel (a GUID), when the token has acknowledgement on. */
  hecChannel?: string;
  /** Unix seconds for the signature (tests); default now. */
  now?: number;
}

/**
 * Every header of a webhook request: content type, signature, delivery id, event count, and the HEC
 * token/channel when given. The signature covers the exact body bytes that will be sent.
 *
 * @example
 * ```ts
 * const headers = webhookHeaders(request, { secrets: [secret], target: "splunk", hecToken });
 * // { "Content-Type": "application/json", "X-Phiwatch-Signature": "t=…,v1=…", "X-Phiwatch-Delivery": "d-…", … }
 * ```
 */
export function webhookHeaders(
  request: WebhookRequest,
  options: WebhookHeaderOptions,
): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": request.contentType,
    "User-Agent": "phiwatch-webhook/1",
    [SIGNATURE_HEADER]: signatureHeader(options.secrets, request.body, options.now),
    [DELIVERY_HEADER]: deliveryId(options.target, request.eventIds),
    "X-Phiwatch-Event-Count": String(request.eventIds.length),
  };
  if (options.hecToken) headers.Authorization = `Splunk ${options.hecToken}`;
  if (options.hecChannel) headers["X-Splunk-Request-Channel"] = options.hecChannel;
  return headers;
}
