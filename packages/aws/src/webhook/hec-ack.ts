import { createHash } from "node:crypto";
import { type Delivery, Format } from "@phiwatch/core";
import { type Resolver, sendWebhook } from "./sender.ts";

/**
 * Splunk HEC indexer acknowledgement. When the HEC token has acknowledgement on, a 2xx carries an
 * `ackId`; the event is only known to be indexed once `POST /services/collector/ack?channel=…` says so.
 * Each target uses one stable channel (derived from its name), sent as `X-Splunk-Request-Channel`.
 */
export function hecChannel(targetName: string): string {
  const h = createHash("sha256").update(`phiwatch-hec-channel:${targetName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The ack endpoint next to a HEC event endpoint (`…/services/collector[/event|/raw]` → `…/services/collector/ack`). */
export function hecAckUrl(eventUrl: string, channel: string): string {
  const u = new URL(eventUrl);
  u.pathname = u.pathname.replace(
    /\/services\/collector(\/(event|raw)(\/1\.0)?)?\/?$/,
    "/services/collector/ack",
  );
  if (!u.pathname.endsWith("/services/collector/ack")) u.pathname = `${u.pathname.replace(/\/$/, "")}/ack`;
  u.search = `channel=${encodeURIComponent(channel)}`;
  return u.toString();
}

/**
 * Poll the ack endpoint until `ackId` is confirmed or the attempts run out. `true` = indexed;
 * `false` = not confirmed in time (the caller retries the delivery: the SIEM may then see the event
 * twice, and deduplicates on its `eventId`).
 */
export async function confirmHecAck(opts: {
  url: string;
  token: string;
  channel: string;
  ackId: number;
  policy?: Delivery.TargetPolicy;
  resolver?: Resolver;
  attempts?: number;
  intervalMs?: number;
}): Promise<boolean> {
  const attempts = opts.attempts ?? 5;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1_000));
    const r = await sendWebhook({
      url: hecAckUrl(opts.url, opts.channel),
      body: Format.hecAckRequest([opts.ackId]),
      headers: {
        "Content-Type": "application/json",
        Authorization: `Splunk ${opts.token}`,
        "X-Splunk-Request-Channel": opts.channel,
      },
      ...(opts.policy ? { policy: opts.policy } : {}),
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
    });
    if (
      r.status !== undefined &&
      r.status >= 200 &&
      r.status < 300 &&
      Format.hecAcked(r.responseBody ?? "").has(opts.ackId)
    ) {
      return true;
    }
  }
  return false;
}
