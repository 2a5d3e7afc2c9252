import http from "node:http";
import type { AddressInfo } from "node:net";
import { Format } from "@phiwatch/core";

/**
 * A small webhook receiver on loopback, for local mode (`npm start`) and tests. It does what a real
 * receiver should: verify the signature over the raw body within a replay window, deduplicate on
 * `X-Phiwatch-Delivery` and on the signatures (a replay may change the unsigned delivery id, never
 * them), and record what it accepted. It can also play a SIEM that is down:
 * fail the first N requests with 503 and a `Retry-After`.
 */

export interface ReceiverOptions {
  /** Secrets accepted (current and previous during a rotation). */
  secrets: readonly string[];
  /** Loopback address to bind. Default 127.0.0.1. */
  host?: "127.0.0.1" | "::1";
  /** Port; default 0 (any free port). */
  port?: number;
  /** Replay window, seconds. Default 300. */
  toleranceSeconds?: number;
  /** Answer the first N requests with `failStatus` (a SIEM that is down). */
  failFirst?: number;
  failStatus?: number;
  /** `Retry-After` value sent with the failures (seconds or HTTP-date). */
  retryAfter?: string;
  /** Require `Authorization: Splunk <token>` (HEC). */
  hecToken?: string;
  /** Largest body accepted (413 above). Default 5 MiB. */
  maxBodyBytes?: number;
  /** Unix seconds (tests). */
  now?: () => number;
}

/** One accepted request. */
export interface ReceivedDelivery {
  at: string;
  path: string;
  deliveryId: string;
  /** The JSON values in the body: one for `json`/`ocsf`, one per envelope for a HEC batch. */
  events: unknown[];
  body: string;
  headers: Record<string, string>;
}

export interface RejectedRequest {
  at: string;
  status: number;
  reason: string;
}

export interface Receiver {
  url: string;
  port: number;
  /** Accepted deliveries, in arrival order, duplicates removed. */
  readonly deliveries: ReceivedDelivery[];
  /** Requests refused (signature, auth, size, simulated outage). */
  readonly rejected: RejectedRequest[];
  /** Requests that repeated an already accepted delivery id (answered 200, not recorded twice). */
  readonly duplicates: number;
  /** Every request seen. */
  readonly requests: number;
  /** Fail the next `n` requests (simulate an outage mid-test). */
  failNext(n: number, status?: number, retryAfter?: string): void;
  /** Resolve once at least `count` deliveries are recorded (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  stop(): Promise<void>;
}

/**
 * Start a receiver on loopback.
 *
 * @example
 * ```ts
 * const receiver = await startReceiver({ secrets: ["local-secret-0123456789"], failFirst: 2, retryAfter: "1" });
 * // baseline webhook: { url: receiver.url, allowInsecureLocal: true, secret: { env: "PHIWATCH_WEBHOOK_SECRET" } }
 * await receiver.waitFor(3);
 * await receiver.stop();
 * ```
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const host = options.host ?? "127.0.0.1";
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const deliveries: ReceivedDelivery[] = [];
  const rejected: RejectedRequest[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let requests = 0;
  let failRemaining = options.failFirst ?? 0;
  let failStatus = options.failStatus ?? 503;
  let retryAfter = options.retryAfter;
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = http.createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      const at = new Date().toISOString();
      const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
        if (status >= 300) rejected.push({ at, status, reason: text });
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify({ text, code: status === 200 ? 0 : status }));
      };
      if (failRemaining > 0) {
        failRemaining--;
        return reply(failStatus, "simulated outage", retryAfter ? { "Retry-After": retryAfter } : {});
      }
      if (req.method !== "POST") return reply(405, "POST only");
      if (tooLarge) return reply(413, "body too large");
      if (options.hecToken && req.headers.authorization !== `Splunk ${options.hecToken}`)
        return reply(401, "invalid HEC token");
      const body = Buffer.concat(chunks);
      const check = Format.verifySignature({
        header: header(req, Format.SIGNATURE_HEADER),
        body,
        secrets: options.secrets,
        ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
        ...(options.now ? { now: options.now() } : {}),
      });
      if (!check.ok) return reply(401, `signature ${check.reason}`);
      const deliveryId = header(req, Format.DELIVERY_HEADER);
      if (!deliveryId) return reply(400, `missing ${Format.DELIVERY_HEADER}`);
      // The delivery id is not signed: a request replayed inside the window can carry any. Its
      // signatures cannot change (they sign t and the body), so one seen before is a duplicate too.
      const parsed = Format.parseSignatureHeader(header(req, Format.SIGNATURE_HEADER));
      const signatures = parsed.ok ? parsed.value.v1 : [];
      if (seen.has(deliveryId) || signatures.some((v) => seen.has(`v1=${v}`))) {
        duplicates++;
        return reply(200, "Success (duplicate)");
      }
      const text = body.toString("utf8");
      let events: unknown[];
      try {
        events = parseConcatenatedJson(text);
      } catch {
        return reply(400, "invalid JSON");
      }
      seen.add(deliveryId);
      for (const v of signatures) seen.add(`v1=${v}`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === "string" && k !== "authorization") headers[k] = v;
      deliveries.push({ at, path: req.url ?? "/", deliveryId, events, body: text, headers });
      for (const w of waiters.splice(0)) {
        if (deliveries.length >= w.count) w.resolve();
        else waiters.push(w);
      }
      return reply(200, "Success");
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = host === "::1" ? `http://[::1]:${port}/hook` : `http://127.0.0.1:${port}/hook`;

  return {
    url,
    port,
    deliveries,
    rejected,
    get duplicates() {
      return duplicates;
    },
    get requests() {
      return requests;
    },
    failNext(n, status = 503, after) {
      failRemaining = n;
      failStatus = status;
      retryAfter = after;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (deliveries.length >= count) return Promise.resolve(deliveries);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver: ${deliveries.length}/${count} deliveries after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(deliveries);
          },
        });
      });
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Split a body of concatenated JSON values (HEC batching: `{…}{…}` or `{…}\n{…}`) into values.
 * Throws on anything that is not a sequence of JSON objects/arrays.
 */
export function parseConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0) throw new SyntaxError("string outside an object");
      inString = true;
    } else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth < 0) throw new SyntaxError("unbalanced JSON");
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new SyntaxError("text outside a JSON value");
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError("truncated JSON");
  if (out.length === 0) throw new SyntaxError("empty body");
  return out;
}
