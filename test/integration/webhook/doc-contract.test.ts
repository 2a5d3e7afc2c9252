import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliverEvent,
  type ReceivedDelivery,
  type Receiver,
  SecretSource,
  startReceiver,
} from "../../../packages/aws/src/webhook/index.ts";
import { type Finding, Format, parseBaseline } from "../../../packages/core/src/index.ts";
import { activityFinding, driftFinding } from "../../unit/format/finding-fixtures.ts";

/**
 * A SIEM engineer writes a receiver from docs/webhooks.md alone. This test is that receiver: real
 * deliveries, sent by the forward function's own code (`deliverEvent`, targets parsed from a baseline
 * as the function parses them) and captured by the local webhook receiver, are checked with nothing
 * but what the page says — its header table, its signature scheme, its field mappings. No phiwatch
 * verifier or encoder is used on the receiving side.
 */

const DOC = readFileSync("docs/webhooks.md", "utf8");
const SECRET = "doc-contract-secret-0123456789";
const HEC_TOKEN = "doc-contract-hec-token-0123456789";

/** The header names of the page's "Headers" table, as a reader copies them. */
function documentedHeaders(): { name: string; value: string }[] {
  const section = /### Headers\n([\s\S]*?)\n###/.exec(DOC)?.[1] ?? "";
  return [...section.matchAll(/^\| `([A-Za-z-]+)` \| (.*) \|$/gm)].map((m) => ({
    name: m[1]!,
    value: m[2]!,
  }));
}

/**
 * The page's verification recipe, written from its words: "split the header on `,`; take `t` and
 * every `v1`; refuse if |now − t| > 300; compute hex(hmac_sha256(secret, t + "." + raw_body)) for
 * each secret and compare to each `v1` with a constant-time comparison; accept on any match. Ignore
 * schemes you do not know".
 */
function docVerify(header: string, body: Buffer, secrets: string[], now = Date.now() / 1000): boolean {
  const parts = header.split(",").map((p) => {
    const i = p.indexOf("=");
    return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
  });
  const t = parts.filter(([k]) => k === "t").map(([, v]) => v);
  const sigs = parts.filter(([k]) => k === "v1").map(([, v]) => v.toLowerCase());
  if (t.length !== 1 || !/^\d+$/.test(t[0]!) || sigs.length === 0) return false;
  if (Math.abs(now - Number(t[0])) > 300) return false;
  let ok = false;
  for (const s of secrets) {
    const expected = Buffer.from(createHmac("sha256", s).update(`${t[0]}.`).update(body).digest("hex"));
    for (const sig of sigs) {
      const given = Buffer.from(sig);
      if (given.length === expected.length && timingSafeEqual(expected, given)) ok = true;
    }
  }
  return ok;
}

let plain: Receiver;
let hec: Receiver;
const env = { DOC_SECRET: SECRET, DOC_HEC_TOKEN: HEC_TOKEN };

beforeAll(async () => {
  plain = await startReceiver({ secrets: [SECRET] });
  hec = await startReceiver({ secrets: [SECRET], hecToken: HEC_TOKEN });
});
afterAll(async () => {
  await plain.stop();
  await hec.stop();
});

/** The targets as the functions read them: from a baseline, through its schema. */
function targets() {
  const yaml = `
version: 1
organisation: { name: Doc Contract Health }
accounts: ["111122223333"]
allowedRegions: [us-east-1]
phiBuckets: [{ name: phi-recordings }]
webhooks:
  - { name: lake, url: "${plain.url}", format: ocsf, secret: { env: DOC_SECRET }, allowInsecureLocal: true }
  - { name: raw, url: "${plain.url}", format: json, secret: { env: DOC_SECRET }, allowInsecureLocal: true }
  - name: splunk
    url: "${hec.url}"
    format: hec
    index: security
    secret: { env: DOC_SECRET }
    token: { env: DOC_HEC_TOKEN }
    allowInsecureLocal: true
`;
  const b = parseBaseline(yaml, "doc-contract.yaml");
  return Object.fromEntries(b.webhooks.map((t) => [t.name, t]));
}

let serial = 0;

// biome-ignore lint/suspicious/noExplicitAny: a receiver reads arbitrary JSON as the page describes it
type Received = Record<string, any>;

/**
 * Deliver one finding change to one target through the forward function's code; the capture. Each
 * call is a finding of its own (a fresh id), so the receiver's deduplication never hides it.
 */
async function deliver(
  name: "lake" | "raw" | "splunk",
  oldFinding: Finding | undefined,
  nextFinding: Finding,
  transition: Format.Transition,
): Promise<{ delivery: ReceivedDelivery; events: Received[]; next: Finding }> {
  const findingId = `f-${(++serial).toString(16).padStart(24, "0")}`;
  const old = oldFinding && { ...oldFinding, findingId };
  const next = { ...nextFinding, findingId };
  const target = targets()[name]!;
  const receiver = name === "splunk" ? hec : plain;
  const before = receiver.deliveries.length;
  const step = await deliverEvent(
    target,
    Format.findingEvent(old, next, transition),
    1,
    new SecretSource({ env, cacheMs: 0 }),
  );
  expect(step).toEqual({ action: "delivered" });
  const delivery = receiver.deliveries[before]!;
  expect(delivery).toBeDefined();
  return { delivery, events: delivery.events as Received[], next };
}

const drift = driftFinding();
const suppressed = driftFinding({
  status: "SUPPRESSED",
  transitions: 2,
  statusChangedAt: "2026-03-03T11:00:00.000Z",
  suppression: { reason: "CMK migration CHG-1234", until: "2026-04-30T04:00:00.000Z", by: "arn:aws:sts::1" },
});
const resolved = driftFinding({
  status: "RESOLVED",
  transitions: 3,
  statusChangedAt: "2026-03-03T12:00:00.000Z",
});
const activity = activityFinding();

describe("docs/webhooks.md, read by a receiver: headers and signature", () => {
  it("documents the headers this test checks", () => {
    expect(documentedHeaders().map((h) => h.name)).toEqual([
      "Content-Type",
      "X-Phiwatch-Signature",
      "X-Phiwatch-Delivery",
      "X-Phiwatch-Event-Count",
      "Authorization",
      "X-Splunk-Request-Channel",
      "User-Agent",
    ]);
  });

  it.each(["lake", "raw", "splunk"] as const)("%s: every documented header, as documented", async (name) => {
    const { delivery, events } = await deliver(name, undefined, drift, "OPENED");
    const h = delivery.headers;
    for (const { name: header } of documentedHeaders()) {
      // The receiver keeps no Authorization (it checked `Splunk <token>` and refused anything else);
      // the HEC channel is "when used", which phiwatch does for HEC targets.
      if (header === "Authorization") continue;
      if (header === "X-Splunk-Request-Channel" && name !== "splunk") continue;
      expect(h[header.toLowerCase()], `${name}: ${header}`).toBeDefined();
    }
    expect(h["content-type"]).toBe("application/json");
    expect(h["user-agent"]).toBe("phiwatch-webhook/1");
    expect(h["x-phiwatch-delivery"]).toMatch(/^d-[0-9a-f]{32}$/);
    expect(Number(h["x-phiwatch-event-count"])).toBe(events.length);
    expect(h["x-phiwatch-signature"]).toMatch(/^t=\d+(,v1=[0-9a-f]{64})+$/);
    expect(docVerify(h["x-phiwatch-signature"]!, Buffer.from(delivery.body, "utf8"), [SECRET])).toBe(true);
    // …and the same recipe refuses a wrong secret, a changed body and an old timestamp.
    expect(
      docVerify(h["x-phiwatch-signature"]!, Buffer.from(delivery.body), ["another-secret-0123456"]),
    ).toBe(false);
    expect(docVerify(h["x-phiwatch-signature"]!, Buffer.from(`${delivery.body} `), [SECRET])).toBe(false);
    expect(
      docVerify(h["x-phiwatch-signature"]!, Buffer.from(delivery.body), [SECRET], Date.now() / 1000 + 301),
    ).toBe(false);
  });

  it("Authorization is `Splunk <token>` on HEC targets: the HEC receiver refuses any other", async () => {
    const rejected = hec.rejected.length;
    await deliver("splunk", undefined, drift, "OPENED");
    expect(hec.rejected.length).toBe(rejected);
  });
});

describe("docs/webhooks.md, read by a receiver: formats", () => {
  it("json: one event per request, the documented envelope and event id", async () => {
    const { events, next } = await deliver("raw", undefined, drift, "OPENED");
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.schema).toBe("phiwatch.finding-event/1");
    expect(e.eventId).toBe(`${next.findingId}:${next.transitions}:OPENED`);
    expect(e.transition).toBe("OPENED");
    expect(e.at).toBe(drift.statusChangedAt);
    expect(Object.keys(e.finding)).toEqual(
      expect.arrayContaining([
        "findingId",
        "kind",
        "ruleId",
        "title",
        "severity",
        "status",
        "subject",
        "hipaa",
        "summary",
        "evidence",
        "firstSeen",
        "lastSeen",
        "statusChangedAt",
        "transitions",
      ]),
    );
    expect(Object.keys(e.finding.subject)).toEqual(
      expect.arrayContaining(["accountId", "region", "resourceType", "resourceId"]),
    );
  });

  it("ocsf: a drift finding is a Compliance Finding mapped as the table says", async () => {
    const { events, next } = await deliver("lake", undefined, drift, "OPENED");
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect([e.class_uid, e.category_uid, e.activity_id, e.type_uid]).toEqual([2003, 2, 1, 200301]);
    expect(e.severity_id).toBe(4);
    expect(e.status_id).toBe(1);
    expect(e.time).toBe(Date.parse(drift.statusChangedAt));
    expect(e.finding_info).toMatchObject({
      uid: next.findingId,
      title: drift.title,
      desc: drift.summary,
      analytic: { uid: drift.ruleId, type: "Rule" },
    });
    expect(e.compliance).toMatchObject({
      control: drift.ruleId,
      standards: ["HIPAA Security Rule (45 CFR Part 164)"],
      requirements: ["45 CFR 164.312(a)(2)(iv)"],
      status_id: 3,
    });
    expect(e.cloud).toMatchObject({
      provider: "AWS",
      region: "us-east-1",
      account: { uid: "111122223333", type_id: 10 },
    });
    expect(e.resources[0]).toMatchObject({
      uid: "phi-recordings",
      type: "AWS::S3::Bucket",
      region: "us-east-1",
      cloud_partition: "aws",
    });
    expect(e.metadata).toMatchObject({
      version: "1.3.0",
      profiles: ["cloud"],
      uid: `${next.findingId}:1:OPENED`,
      correlation_uid: next.findingId,
    });
    // "`metadata.product` is `{ name: "phiwatch", vendor_name: "phiwatch", version }`"
    expect(e.metadata.product).toEqual({
      name: "phiwatch",
      vendor_name: "phiwatch",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(e.unmapped.phiwatch).toMatchObject({ transition: "OPENED", evidence: drift.evidence });
  });

  it("ocsf: suppressed is status 3 and still a failing check; resolved is Close, status 4, a passing check", async () => {
    const s = (await deliver("lake", drift, suppressed, "SUPPRESSED")).events[0]!;
    expect([s.activity_id, s.type_uid, s.status_id, s.compliance.status_id]).toEqual([2, 200302, 3, 3]);
    expect(s.unmapped.phiwatch.suppression).toMatchObject({ until: "2026-04-30T04:00:00.000Z" });
    const r = (await deliver("lake", suppressed, resolved, "RESOLVED")).events[0]!;
    expect([r.activity_id, r.type_uid, r.status_id, r.compliance.status_id]).toEqual([3, 200303, 4, 1]);
  });

  it("ocsf: an activity finding is a Detection Finding with count, start_time and end_time", async () => {
    const e = (await deliver("lake", undefined, activity, "OPENED")).events[0]!;
    expect([e.class_uid, e.type_uid]).toEqual([2004, 200401]);
    expect(e.count).toBe(2000);
    expect(e.start_time).toBe(Date.parse(activity.windowStart!));
    expect(e.end_time).toBe(Date.parse(activity.lastSeen));
    expect(e.resources.map((r: { uid: string }) => r.uid)).toEqual([
      "phi-recordings",
      "arn:aws:iam::111122223333:role/qa-analytics",
    ]);
  });

  it("hec: the documented envelope, with the index the target sets", async () => {
    const { delivery, events } = await deliver("splunk", undefined, drift, "OPENED");
    expect(delivery.path).toBe("/hook");
    const env0 = events[0]!;
    expect(Object.keys(env0).sort()).toEqual(
      ["event", "fields", "host", "index", "source", "sourcetype", "time"].sort(),
    );
    expect(env0.time).toBe(Date.parse(drift.statusChangedAt) / 1000);
    expect(env0.host).toBe("aws:111122223333:us-east-1");
    expect(env0.source).toBe("phiwatch:drift");
    expect(env0.sourcetype).toBe("phiwatch");
    expect(env0.index).toBe("security");
    expect(env0.fields).toEqual({
      severity: "high",
      kind: "drift",
      controlId: "s3-encryption-cmk",
      transition: "OPENED",
      status: "OPEN",
      account: "111122223333",
      region: "us-east-1",
    });
    expect(env0.event.schema).toBe("phiwatch.finding-event/1");
  });
});

/**
 * The page's Node receiver, run as written (only its port, its `store` and its import path are
 * filled in): what it does with a replayed request and with a body too large to be phiwatch's.
 */
describe("docs/webhooks.md, the receiver recipe as written", () => {
  let server: import("node:http").Server;
  let stored: unknown[];
  let url: string;
  beforeAll(async () => {
    const section = /## Verifying requests \(receivers\)\n([\s\S]*?)\n## /.exec(DOC)?.[1] ?? "";
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(code).toContain("http.createServer(");
    const module = [
      "export const stored: unknown[] = [];",
      "const store = (v: unknown) => stored.push(v);",
      code
        .replace('from "@phiwatch/core"', `from "${process.cwd()}/packages/core/src/index.ts"`)
        .replace("http.createServer(", "export const server = http.createServer(")
        .replace(/\.listen\(\d+\)/, '.listen(0, "127.0.0.1")'),
    ].join("\n");
    const file = join(mkdtempSync(join(tmpdir(), "phiwatch-doc-receiver-")), "receiver.ts");
    writeFileSync(file, module);
    process.env.PHIWATCH_SECRET = SECRET;
    const m = (await import(file)) as { server: typeof server; stored: unknown[] };
    server = m.server;
    stored = m.stored;
    if (!server.listening) await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    delete process.env.PHIWATCH_SECRET;
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it("stores a request replayed inside the window under a new delivery id once", async () => {
    const [request] = Format.encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);
    const headers = Format.webhookHeaders(request!, { secrets: [SECRET], target: "siem" });
    for (const id of [headers[Format.DELIVERY_HEADER]!, "d-replayed-1", "d-replayed-2"]) {
      const res = await fetch(url, {
        method: "POST",
        headers: { ...headers, [Format.DELIVERY_HEADER]: id },
        body: request!.body,
      });
      expect(res.status).toBe(200);
    }
    expect(stored).toHaveLength(1);
  });

  it("refuses a body larger than phiwatch ever sends before reading it, signed or not", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.alloc(8 * 1024 * 1024, 0x20),
    }).catch(() => undefined);
    // Refused: 413, or the connection closed on the sender.
    expect(res === undefined || res.status === 413).toBe(true);
  });
});
