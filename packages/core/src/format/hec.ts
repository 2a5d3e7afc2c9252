import type { Finding } from "../finding/types.ts";
import { type FindingEvent, findingEvent } from "./json.ts";
import type { RedactionOptions } from "./redact.ts";
import type { Transition } from "./transition.ts";

/**
 * Splunk HTTP Event Collector (`/services/collector/event`). Each event is an envelope
 * `{ time, host, source, sourcetype, index?, fields?, event }`; a batch is envelopes concatenated
 * in one body (HEC's documented batching — no array, no commas). Authentication is the HEC token in
 * `Authorization: Splunk <token>`; when indexer acknowledgement is on, the request carries an
 * `X-Splunk-Request-Channel` GUID and the response an `ackId`.
 */

export const HEC_SOURCETYPE = "phiwatch";
/** HEC's default `max_content_length` is 1 MB (Splunk Cloud also caps requests near it): stay below. */
export const HEC_MAX_BATCH_BYTES = 1_000_000;

export interface HecOptions {
  /** Target index; omitted = the token's default index. */
  index?: string;
  /** `host` field; default `aws:<account>:<region>` of the finding. */
  host?: string;
  redaction?: RedactionOptions;
}

export interface HecEnvelope {
  /** Epoch seconds, millisecond precision as a decimal fraction. */
  time: number;
  host: string;
  source: string;
  sourcetype: typeof HEC_SOURCETYPE;
  index?: string;
  /** Indexed fields (searchable without extraction): strings only, flat. */
  fields: Record<string, string>;
  event: FindingEvent;
}

/**
 * One HEC envelope for one finding change.
 *
 * @example
 * ```ts
 * toHec(undefined, finding, "OPENED", { index: "security" })
 * // → { time: 1767225600.123, host: "aws:111122223333:us-east-1", source: "phiwatch:drift", sourcetype: "phiwatch", index: "security", fields: {…}, event: {…} }
 * ```
 */
export function toHec(
  old: Finding | undefined,
  next: Finding,
  transition: Transition,
  options: HecOptions = {},
): HecEnvelope {
  return hecFromEvent(findingEvent(old, next, transition, options.redaction), options);
}

/**
 * The same envelope from an already built (and redacted) {@link FindingEvent}, as queued for delivery.
 *
 * @example
 * ```ts
 * hecFromEvent(queued.event, { index: "security" }).sourcetype // → "phiwatch"
 * ```
 */
export function hecFromEvent(event: FindingEvent, options: Omit<HecOptions, "redaction"> = {}): HecEnvelope {
  const f = event.finding;
  return {
    time: Math.round(Date.parse(event.at)) / 1000,
    host: options.host ?? `aws:${f.subject.accountId}:${f.subject.region}`,
    source: `phiwatch:${f.kind}`,
    sourcetype: HEC_SOURCETYPE,
    ...(options.index ? { index: options.index } : {}),
    fields: {
      severity: f.severity,
      kind: f.kind,
      controlId: f.ruleId,
      transition: event.transition,
      status: f.status,
      account: f.subject.accountId,
      region: f.subject.region,
    },
    event,
  };
}

/**
 * Split envelopes into HEC request bodies of at most `maxBytes` (UTF-8), each the concatenation of
 * JSON envelopes separated by newlines, keeping order. An envelope larger than `maxBytes` on its own
 * still gets a body of its own (HEC answers 413 and the delivery dead-letters with that reason).
 *
 * @example
 * ```ts
 * hecBatches([a, b, c]) // → [`${JSON.stringify(a)}\n${JSON.stringify(b)}\n${JSON.stringify(c)}`]
 * ```
 */
export function hecBatches(
  envelopes: readonly HecEnvelope[],
  maxBytes: number = HEC_MAX_BATCH_BYTES,
): { body: string; count: number }[] {
  const out: { body: string; count: number }[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const e of envelopes) {
    const json = JSON.stringify(e);
    const bytes = Buffer.byteLength(json, "utf8") + 1;
    if (parts.length > 0 && size + bytes > maxBytes) {
      out.push({ body: parts.join("\n"), count: parts.length });
      parts = [];
      size = 0;
    }
    parts.push(json);
    size += bytes;
  }
  if (parts.length > 0) out.push({ body: parts.join("\n"), count: parts.length });
  return out;
}

/** A parsed HEC response body (`{"text":"Success","code":0,"ackId":7}`). */
export interface HecResponse {
  code?: number;
  text?: string;
  ackId?: number;
}

/**
 * Read a HEC response. HEC answers 200 with `code: 0` on success; with acknowledgement on, `ackId`
 * identifies the batch to poll at `/services/collector/ack`. A 200 with a non-zero code is not a
 * success (treated as retriable by {@link hecOutcome}).
 *
 * @example
 * ```ts
 * parseHecResponse('{"text":"Success","code":0,"ackId":3}') // → { code: 0, text: "Success", ackId: 3 }
 * ```
 */
export function parseHecResponse(body: string): HecResponse {
  if (body.length === 0 || body.length > 65_536) return {};
  try {
    const v = JSON.parse(body) as unknown;
    if (!v || typeof v !== "object") return {};
    const o = v as Record<string, unknown>;
    return {
      ...(typeof o.code === "number" ? { code: o.code } : {}),
      ...(typeof o.text === "string" ? { text: o.text.slice(0, 200) } : {}),
      ...(typeof o.ackId === "number" ? { ackId: o.ackId } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * HEC-specific reading of an HTTP result: 200 + code 0 is delivered; HEC codes 9 (server busy)
 * and 8/23 (internal / server shutting down) retry; other non-zero codes (bad token, invalid data,
 * disabled index) are permanent.
 *
 * @example
 * ```ts
 * hecOutcome(200, '{"code":0}') // → "ok"
 * hecOutcome(400, '{"code":6,"text":"Invalid data format"}') // → "permanent"
 * ```
 */
export function hecOutcome(status: number, body: string): "ok" | "retry" | "permanent" {
  const r = parseHecResponse(body);
  if (status >= 200 && status < 300) return r.code === undefined || r.code === 0 ? "ok" : "retry";
  if (r.code === 9 || r.code === 8 || r.code === 23 || status === 503 || status === 429 || status >= 500)
    return "retry";
  return "permanent";
}

/** Body of an acknowledgement poll (`POST /services/collector/ack`). */
export function hecAckRequest(ackIds: readonly number[]): string {
  return JSON.stringify({ acks: ackIds });
}

/**
 * Which polled acks are confirmed indexed (`{"acks":{"3":true,"4":false}}`).
 *
 * @example
 * ```ts
 * hecAcked('{"acks":{"3":true,"4":false}}') // → Set { 3 }
 * ```
 */
export function hecAcked(body: string): Set<number> {
  const out = new Set<number>();
  try {
    const v = JSON.parse(body) as { acks?: Record<string, unknown> };
    for (const [k, ok] of Object.entries(v?.acks ?? {}))
      if (ok === true && /^\d+$/.test(k)) out.add(Number(k));
  } catch {
    // Not JSON: nothing is acknowledged.
  }
  return out;
}
