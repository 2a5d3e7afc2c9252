import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverEvent, hecAckUrl, hecChannel } from "../../../packages/aws/src/index.ts";
import { BaselineSchema, Format } from "../../../packages/core/src/index.ts";
import { driftFinding } from "../../unit/format/finding-fixtures.ts";

// A Splunk HEC stand-in on loopback with indexer acknowledgement on: the event endpoint answers an
// ackId; the ack endpoint confirms it only from its `confirmAfter`-th poll on.
let server: Server;
let url = "";
const seen = { events: 0, polls: 0, channels: new Set<string>(), auth: new Set<string>() };
let confirmAfter = 2;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.channels.add(String(req.headers["x-splunk-request-channel"]));
      seen.auth.add(String(req.headers.authorization));
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/services/collector/ack")) {
        seen.polls++;
        const ids = (JSON.parse(body) as { acks: number[] }).acks;
        res.end(
          JSON.stringify({ acks: Object.fromEntries(ids.map((id) => [id, seen.polls >= confirmAfter])) }),
        );
      } else {
        seen.events++;
        res.end(JSON.stringify({ text: "Success", code: 0, ackId: 7 }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/collector/event`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const target = () =>
  BaselineSchema.shape.webhooks.parse([
    {
      name: "splunk",
      url,
      format: "hec",
      secret: { env: "X" },
      token: { env: "Y" },
      allowInsecureLocal: true,
    },
  ])[0]!;
const secrets = {
  get: async (ref: object) => [
    "env" in ref && ref.env === "Y" ? "hec-token-0123456789" : "signing-secret-0123456789",
  ],
};
const event = Format.findingEvent(undefined, driftFinding(), "OPENED");

describe("Splunk HEC indexer acknowledgement", () => {
  it("derives the ack endpoint and a stable channel per target", () => {
    expect(hecAckUrl("https://splunk.example:8088/services/collector/event", "c-1")).toBe(
      "https://splunk.example:8088/services/collector/ack?channel=c-1",
    );
    expect(hecChannel("splunk")).toBe(hecChannel("splunk"));
    expect(hecChannel("splunk")).not.toBe(hecChannel("other"));
  });

  it("counts a delivery as done only once the ack is confirmed, polling with the token and channel", async () => {
    confirmAfter = 2;
    const step = await deliverEvent(target(), event, 1, secrets);
    expect(step).toEqual({ action: "delivered" });
    expect(seen.events).toBe(1);
    expect(seen.polls).toBe(2);
    expect([...seen.channels]).toEqual([hecChannel("splunk")]);
    expect([...seen.auth]).toEqual(["Splunk hec-token-0123456789"]);
  });

  it("retries when the ack never comes", async () => {
    seen.polls = 0;
    confirmAfter = 1_000;
    const step = await deliverEvent(target(), event, 1, secrets);
    expect(step.action).toBe("retry");
    expect(step.action === "retry" && step.reason).toMatch(/HEC ack 7 not confirmed/);
  }, 20_000);
});
