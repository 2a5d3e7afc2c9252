import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Delivery, Format, type WebhookTarget } from "@phiwatch/core";

/**
 * The webhook sender: resolve → check every address with the SSRF guard → connect to the pinned
 * address (TLS still verifies the host name) → POST once, with a connect and an overall timeout.
 * It never retries by itself and never follows redirects: the queue owns retries (backoff, DLQ),
 * and a redirect could lead inside.
 */

/** Resolves a host name to every address it has (A and AAAA). Tests pass a stub. */
export type Resolver = (host: string) => Promise<string[]>;

/** `dns.lookup` with `all: true`: what the operating system would connect to (hosts file included). */
export const systemResolver: Resolver = async (host) => {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

export interface SendOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** SSRF policy for this target (`allowInsecureLocal` for loopback receivers in local mode). */
  policy?: Delivery.TargetPolicy;
  resolver?: Resolver;
  /** Time to establish the connection (TCP + TLS), ms. Default 5 s. */
  connectTimeoutMs?: number;
  /** Deadline for the whole request, response body included, ms. Default 15 s. */
  timeoutMs?: number;
  /** Keep at most this much of the response body (for HEC codes and error messages). Default 64 KiB. */
  maxResponseBytes?: number;
  /** Extra TLS options (tests: a private CA). */
  tls?: Pick<https.RequestOptions, "ca" | "rejectUnauthorized">;
}

export interface SendResult {
  /** What the retry policy needs (`Delivery.nextStep(attempt, result.outcome)`). */
  outcome: Delivery.AttemptOutcome;
  status?: number;
  /** Response body, truncated to `maxResponseBytes`. */
  responseBody?: string;
  /** The address actually connected to (pinned). */
  address?: string;
  durationMs: number;
}

/**
 * POST one webhook request. Never throws for delivery problems: refusals (SSRF guard, bad URL) and
 * network failures come back as `outcome`, so the caller has one code path to the retry policy.
 *
 * @example
 * ```ts
 * const result = await sendWebhook({ url: target.url, body: req.body, headers });
 * const step = Delivery.nextStep(receiveCount, result.outcome);
 * ```
 */
export async function sendWebhook(options: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, "durationMs">): SendResult => ({
    ...r,
    durationMs: Date.now() - started,
  });
  const policy = options.policy ?? {};
  const checked = Delivery.checkUrl(options.url, policy);
  if (!checked.ok) return done({ outcome: { kind: "refused", message: checked.message } });

  let addresses: string[] = [];
  if (!checked.literal) {
    try {
      addresses = await (options.resolver ?? systemResolver)(checked.host);
    } catch (error) {
      // NXDOMAIN or a resolver outage: the name may come back, so it is a retriable network error.
      return done({
        outcome: { kind: "network-error", message: `DNS lookup of ${checked.host} failed: ${code(error)}` },
      });
    }
  }
  const pinned = Delivery.checkResolved(checked, addresses, policy);
  if (!pinned.ok) return done({ outcome: { kind: "refused", message: pinned.message } });

  try {
    const response = await post(pinned, options);
    return done({
      outcome: { kind: "response", status: response.status, retryAfter: response.retryAfter ?? null },
      status: response.status,
      responseBody: response.body,
      address: pinned.address,
    });
  } catch (error) {
    return done({ outcome: { kind: "network-error", message: code(error) }, address: pinned.address });
  }
}

function post(
  target: Delivery.PinnedTarget,
  options: SendOptions,
): Promise<{ status: number; retryAfter?: string; body: string }> {
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const deadline = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxResponseBytes ?? 65_536;
  // The connection goes to the address the guard checked, never to a second resolution of the name
  // (DNS rebinding); `all` is answered too, because Node's autoSelectFamily asks for every address.
  const pinnedLookup: LookupFunction = (_hostname, opts, callback) => {
    const cb = callback as (
      err: Error | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    if ((opts as { all?: boolean }).all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  const body = Buffer.from(options.body, "utf8");
  const requestOptions: https.RequestOptions = {
    method: "POST",
    host: target.host,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers: { ...options.headers, "Content-Length": String(body.length), Connection: "close" },
    lookup: pinnedLookup,
    // A fresh socket per request: a pooled one could be bound to an address checked for another call.
    agent: false,
    ...(target.secure
      ? { servername: isIpLiteral(target.host) ? undefined : target.host, ...options.tls }
      : {}),
  };
  const transport = target.secure ? https : http;

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: { status: number; retryAfter?: string; body: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = transport.request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk.subarray(0, maxBytes - size));
        size += chunk.length;
      });
      res.on("end", () => {
        const retryAfter = res.headers["retry-after"];
        finish(null, {
          status: res.statusCode ?? 0,
          ...(typeof retryAfter === "string" ? { retryAfter } : {}),
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", (e) => finish(e));
    });
    const overall = setTimeout(
      () => req.destroy(timeoutError(`no response within ${deadline} ms`)),
      deadline,
    );
    req.on("socket", (socket) => {
      const connectTimer = setTimeout(
        () => req.destroy(timeoutError(`could not connect within ${connectTimeout} ms`)),
        connectTimeout,
      );
      const clear = () => clearTimeout(connectTimer);
      socket.once(target.secure ? "secureConnect" : "connect", clear);
      socket.once("close", clear);
    });
    req.on("error", (e) => finish(e));
    req.end(body);
  });
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: "ETIMEDOUT" });
}

function isIpLiteral(host: string): boolean {
  return Delivery.parseIPv6(host) !== undefined || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** A short, secret-free description of a network error (never the request, never headers). */
function code(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { code?: unknown; message?: unknown };
    const c = typeof e.code === "string" ? e.code : undefined;
    const m = typeof e.message === "string" ? e.message.slice(0, 200) : undefined;
    return [c, m].filter(Boolean).join(": ") || "unknown error";
  }
  return String(error).slice(0, 200);
}

export interface DeliverOptions {
  target: Pick<WebhookTarget, "name" | "url" | "format" | "allowInsecureLocal">;
  request: Format.WebhookRequest;
  /** HMAC secrets, current first. */
  secrets: readonly string[];
  /** Splunk HEC token (format `hec`). */
  hecToken?: string;
  hecChannel?: string;
  resolver?: Resolver;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  /** Unix seconds for the signature (tests). */
  now?: number;
  tls?: SendOptions["tls"];
  /** Extra SSRF policy (allowed ports, allowed internal CIDRs). */
  policy?: Omit<Delivery.TargetPolicy, "allowInsecureLocal">;
}

/**
 * Sign and send one encoded request to one baseline target. For HEC, a 2xx whose body carries a
 * non-zero HEC code is not a delivery (busy → retriable, bad data/token → permanent).
 *
 * @example
 * ```ts
 * for (const request of Format.encodeWebhook(target.format, changes)) {
 *   const result = await deliverWebhook({ target, request, secrets: await secrets.get(target.secret) });
 *   const step = Delivery.nextStep(attempt, result.outcome);
 * }
 * ```
 */
export async function deliverWebhook(options: DeliverOptions): Promise<SendResult & { deliveryId: string }> {
  const headers = Format.webhookHeaders(options.request, {
    secrets: options.secrets,
    target: options.target.name,
    ...(options.hecToken ? { hecToken: options.hecToken } : {}),
    ...(options.hecChannel ? { hecChannel: options.hecChannel } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const result = await sendWebhook({
    url: options.target.url,
    body: options.request.body,
    headers,
    policy: { ...options.policy, allowInsecureLocal: options.target.allowInsecureLocal === true },
    ...(options.resolver ? { resolver: options.resolver } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const id = headers[Format.DELIVERY_HEADER]!;
  if (
    options.target.format === "hec" &&
    result.status !== undefined &&
    result.status >= 200 &&
    result.status < 300
  ) {
    const verdict = Format.hecOutcome(result.status, result.responseBody ?? "");
    if (verdict !== "ok") {
      const r = Format.parseHecResponse(result.responseBody ?? "");
      const message = `HEC code ${r.code ?? "?"}: ${r.text ?? "no text"}`;
      return {
        ...result,
        deliveryId: id,
        outcome: verdict === "retry" ? { kind: "network-error", message } : { kind: "refused", message },
      };
    }
  }
  return { ...result, deliveryId: id };
}
