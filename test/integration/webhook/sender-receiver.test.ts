import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  deliverWebhook,
  type Receiver,
  type Resolver,
  sendWebhook,
  startReceiver,
} from "../../../packages/aws/src/webhook/index.ts";
import { Delivery, type Finding, Format } from "../../../packages/core/src/index.ts";
import { activityFinding, driftFinding } from "../../unit/format/finding-fixtures.ts";

const SECRET = "local-webhook-secret-0123456789";
const HEC_TOKEN = "11111111-2222-3333-4444-555555555555";
const FAST: Delivery.RetryPolicy = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 };

let receivers: Receiver[] = [];
async function receiver(options: Partial<Parameters<typeof startReceiver>[0]> = {}): Promise<Receiver> {
  const r = await startReceiver({ secrets: [SECRET], ...options });
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  receivers = [];
});

const target = (url: string, format: Format.WebhookFormat = "json") => ({
  name: "siem",
  url,
  format,
  allowInsecureLocal: true,
});

/** The lifecycle of one finding as the stream delivers it: opened, resolved, reopened. */
function lifecycle(base: Finding): Format.FindingChangeEvent[] {
  const resolved: Finding = {
    ...base,
    status: "RESOLVED",
    transitions: 2,
    statusChangedAt: "2026-03-03T11:00:00.000Z",
  };
  const reopened: Finding = {
    ...base,
    status: "OPEN",
    transitions: 3,
    statusChangedAt: "2026-03-03T12:00:00.000Z",
  };
  return [
    { next: base, transition: "OPENED" },
    { old: base, next: resolved, transition: "RESOLVED" },
    { old: resolved, next: reopened, transition: "REOPENED" },
  ];
}

interface Job {
  request: Format.WebhookRequest;
  attempt: number;
}

/**
 * A miniature of functions/forward over a FIFO queue: one request at a time per finding, retried
 * with the policy's delays, dead-lettered when the budget is spent. Returns the dead letters.
 */
async function drain(t: ReturnType<typeof target>, jobs: Job[], policy = FAST): Promise<Job[]> {
  const dlq: Job[] = [];
  for (const job of jobs) {
    for (;;) {
      job.attempt++;
      const result = await deliverWebhook({
        target: t,
        request: job.request,
        secrets: [SECRET],
        hecToken: HEC_TOKEN,
      });
      const step = Delivery.nextStep(job.attempt, result.outcome, { policy });
      if (step.action === "delivered") break;
      if (step.action === "dead-letter") {
        dlq.push(job);
        break;
      }
      await new Promise((r) => setTimeout(r, step.delayMs));
    }
  }
  return dlq;
}

const jobsOf = (format: Format.WebhookFormat, changes: Format.FindingChangeEvent[]): Job[] =>
  Format.encodeWebhook(format, changes).map((request) => ({ request, attempt: 0 }));

const eventIdsReceived = (r: Receiver) =>
  r.deliveries.flatMap((d) =>
    d.events.map(
      (e) =>
        (e as { eventId?: string; metadata?: { uid: string } }).eventId ??
        (e as { metadata: { uid: string } }).metadata.uid,
    ),
  );

describe("webhook sender ↔ receiver (loopback)", () => {
  it("delivers a signed JSON event the receiver verifies", async () => {
    const r = await receiver();
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const result = await deliverWebhook({ target: target(r.url), request: request!, secrets: [SECRET] });
    expect(result.outcome).toEqual({ kind: "response", status: 200, retryAfter: null });
    expect(result.address).toBe("127.0.0.1");
    expect(r.deliveries).toHaveLength(1);
    expect(r.deliveries[0]!.events[0]).toMatchObject({
      transition: "OPENED",
      finding: { ruleId: "s3-encryption-cmk" },
    });
    expect(r.deliveries[0]!.headers["x-phiwatch-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(r.deliveries[0]!.deliveryId).toBe(result.deliveryId);
  });

  it("a target down for the first N attempts then up: every finding delivered exactly once, in order", async () => {
    const r = await receiver({ failFirst: 3, retryAfter: "0" });
    const changes = [...lifecycle(driftFinding()), ...lifecycle(activityFinding())];
    const jobs = jobsOf("json", changes);
    const dlq = await drain(target(r.url), jobs);
    expect(dlq).toEqual([]);
    expect(r.rejected.map((x) => x.status)).toEqual([503, 503, 503]);
    expect(eventIdsReceived(r)).toEqual(changes.map((c) => Format.eventId(c.next, c.transition)));
    expect(new Set(eventIdsReceived(r)).size).toBe(6);
  });

  it("a target down past the retry budget: everything dead-lettered, and a redrive delivers it once", async () => {
    const r = await receiver({ failFirst: 1_000 });
    const changes = lifecycle(driftFinding());
    const dlq = await drain(target(r.url, "ocsf"), jobsOf("ocsf", changes));
    expect(dlq).toHaveLength(3);
    expect(dlq.every((j) => j.attempt === FAST.maxAttempts)).toBe(true);
    expect(r.deliveries).toHaveLength(0);

    r.failNext(0);
    const redriven = dlq.map((j) => ({ request: j.request, attempt: 0 }));
    expect(await drain(target(r.url, "ocsf"), redriven)).toEqual([]);
    // Redriving twice (an operator runs it again) does not duplicate anything.
    await drain(
      target(r.url, "ocsf"),
      dlq.map((j) => ({ request: j.request, attempt: 0 })),
    );
    expect(eventIdsReceived(r)).toEqual(changes.map((c) => Format.eventId(c.next, c.transition)));
    expect(r.duplicates).toBe(3);
    expect(r.deliveries.map((d) => (d.events[0] as { class_uid: number }).class_uid)).toEqual([
      2003, 2003, 2003,
    ]);
  });

  it("duplicate deliveries of one request are recorded once", async () => {
    const r = await receiver();
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    for (let i = 0; i < 3; i++)
      await deliverWebhook({ target: target(r.url), request: request!, secrets: [SECRET] });
    expect(r.deliveries).toHaveLength(1);
    expect(r.duplicates).toBe(2);
  });

  it("a captured request replayed inside the window under a new delivery id is recorded once", async () => {
    // X-Phiwatch-Delivery is not signed: whoever holds one request can send it again, signature and
    // all, with any delivery id. The signed part (t, v1) is what a replay must repeat.
    const r = await receiver();
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const headers = Format.webhookHeaders(request!, { secrets: [SECRET], target: "siem" });
    for (const id of [headers[Format.DELIVERY_HEADER]!, "d-replayed-1", "d-replayed-2"]) {
      const res = await fetch(r.url, {
        method: "POST",
        headers: { ...headers, [Format.DELIVERY_HEADER]: id },
        body: request!.body,
      });
      expect(res.status).toBe(200);
    }
    expect(r.deliveries).toHaveLength(1);
    expect(r.duplicates).toBe(2);
  });

  it("batches HEC envelopes with the token and the receiver splits them", async () => {
    const r = await receiver({ hecToken: HEC_TOKEN });
    const changes = [...lifecycle(driftFinding()), ...lifecycle(activityFinding())];
    const requests = Format.encodeWebhook("hec", changes, { index: "phi" });
    expect(requests).toHaveLength(1);
    const dlq = await drain(
      target(r.url, "hec"),
      requests.map((request) => ({ request, attempt: 0 })),
    );
    expect(dlq).toEqual([]);
    expect(r.deliveries[0]!.events).toHaveLength(6);
    expect(r.deliveries[0]!.events[0]).toMatchObject({
      sourcetype: "phiwatch",
      index: "phi",
      event: { transition: "OPENED" },
    });
  });

  it("a wrong secret or HEC token is a permanent failure (dead letter, no retry storm)", async () => {
    const r = await receiver({ secrets: ["another-secret-0123456789"] });
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const result = await deliverWebhook({ target: target(r.url), request: request!, secrets: [SECRET] });
    expect(result.status).toBe(401);
    expect(Delivery.nextStep(1, result.outcome)).toMatchObject({ action: "dead-letter" });
    expect(r.rejected[0]).toMatchObject({ status: 401, reason: "signature mismatch" });
  });

  it("accepts either secret during a rotation", async () => {
    const r = await receiver({ secrets: ["previous-secret-0123456789"] });
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const result = await deliverWebhook({
      target: target(r.url),
      request: request!,
      secrets: [SECRET, "previous-secret-0123456789"],
    });
    expect(result.status).toBe(200);
  });

  it("honours Retry-After from the receiver", async () => {
    const r = await receiver({ failFirst: 1, failStatus: 429, retryAfter: "30" });
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const result = await deliverWebhook({ target: target(r.url), request: request!, secrets: [SECRET] });
    expect(result.outcome).toEqual({ kind: "response", status: 429, retryAfter: "30" });
    expect(Delivery.nextStep(1, result.outcome, { random: () => 0 })).toMatchObject({
      action: "retry",
      delayMs: 30_000,
    });
  });
});

describe("webhook sender SSRF guard", () => {
  it("refuses loopback unless the target allows insecure local, and never connects", async () => {
    const r = await receiver();
    const result = await sendWebhook({ url: r.url, body: "{}", headers: {} });
    expect(result.outcome).toMatchObject({ kind: "refused" });
    expect(r.requests).toBe(0);
    const https = await sendWebhook({ url: r.url.replace("http:", "https:"), body: "{}", headers: {} });
    expect(https.outcome).toMatchObject({ kind: "refused", message: expect.stringContaining("loopback") });
  });

  it.each([
    ["an internal address", ["10.0.0.7"]],
    ["the metadata service", ["169.254.169.254"]],
    ["IPv6 loopback", ["::1"]],
    ["a rebinding mix", ["93.184.216.34", "127.0.0.1"]],
  ])("refuses a name resolving to %s (stub resolver)", async (_name, addrs) => {
    let calls = 0;
    const resolver: Resolver = async () => {
      calls++;
      return addrs;
    };
    const result = await sendWebhook({
      url: "https://hooks.example.test/x",
      body: "{}",
      headers: {},
      resolver,
    });
    expect(result.outcome).toMatchObject({ kind: "refused" });
    expect(calls).toBe(1);
  });

  it("connects to the checked address only: a name resolving to loopback is pinned there", async () => {
    const r = await receiver();
    let calls = 0;
    // A rebinding resolver: first answer loopback (allowed in local mode), then something else.
    const resolver: Resolver = async () => (calls++ === 0 ? ["127.0.0.1"] : ["10.0.0.1"]);
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const url = `http://receiver.localtest:${r.port}/hook`;
    const result = await deliverWebhook({
      target: target(url),
      request: request!,
      secrets: [SECRET],
      resolver,
    });
    expect(result.status).toBe(200);
    expect(result.address).toBe("127.0.0.1");
    expect(calls).toBe(1);
    expect(r.deliveries[0]!.headers.host).toBe(`receiver.localtest:${r.port}`);
  });

  it("treats a DNS failure as retriable", async () => {
    const resolver: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    const result = await sendWebhook({
      url: "https://nowhere.example.test/",
      body: "{}",
      headers: {},
      resolver,
    });
    expect(result.outcome).toMatchObject({
      kind: "network-error",
      message: expect.stringContaining("ENOTFOUND"),
    });
    expect(Delivery.nextStep(1, result.outcome)).toMatchObject({ action: "retry" });
  });

  it("times out a receiver that accepts the connection but never answers", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const result = await sendWebhook({
        url: `http://127.0.0.1:${port}/`,
        body: "{}",
        headers: {},
        policy: { allowInsecureLocal: true },
        timeoutMs: 300,
      });
      expect(result.outcome).toMatchObject({
        kind: "network-error",
        message: expect.stringContaining("ETIMEDOUT"),
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("reports a refused connection as a retriable network error", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      body: "{}",
      headers: {},
      policy: { allowInsecureLocal: true },
    });
    expect(result.outcome).toMatchObject({
      kind: "network-error",
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });
});
