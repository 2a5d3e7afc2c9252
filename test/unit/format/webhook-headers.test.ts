import { describe, expect, it } from "vitest";
import {
  DELIVERY_HEADER,
  deliveryId,
  encodeWebhook,
  SIGNATURE_HEADER,
  verifySignature,
  webhookHeaders,
} from "../../../packages/core/src/format/index.ts";
import { driftFinding } from "./finding-fixtures.ts";

describe("webhook request headers", () => {
  const [request] = encodeWebhook("json", [{ next: driftFinding(), transition: "OPENED" }]);

  it("signs the exact body and carries a stable delivery id", () => {
    const h = webhookHeaders(request!, {
      secrets: ["secret-0123456789abcdef"],
      target: "siem",
      now: 1_767_225_600,
    });
    expect(h["Content-Type"]).toBe("application/json");
    expect(h["X-Phiwatch-Event-Count"]).toBe("1");
    expect(h.Authorization).toBeUndefined();
    expect(
      verifySignature({
        header: h[SIGNATURE_HEADER],
        body: request!.body,
        secrets: "secret-0123456789abcdef",
        now: 1_767_225_600,
      }),
    ).toMatchObject({ ok: true });
    expect(h[DELIVERY_HEADER]).toBe(deliveryId("siem", request!.eventIds));
    expect(h[DELIVERY_HEADER]).toMatch(/^d-[0-9a-f]{32}$/);
  });

  it("differs per target and per event set, never per attempt", () => {
    expect(deliveryId("a", ["e1"])).toBe(deliveryId("a", ["e1"]));
    expect(deliveryId("a", ["e1"])).not.toBe(deliveryId("b", ["e1"]));
    expect(deliveryId("a", ["e1", "e2"])).not.toBe(deliveryId("a", ["e2", "e1"]));
  });

  it("adds the HEC token and channel when given", () => {
    const h = webhookHeaders(request!, {
      secrets: ["secret-0123456789abcdef"],
      target: "splunk",
      hecToken: "tok",
      hecChannel: "0f0e0d0c-0000-4000-8000-000000000000",
    });
    expect(h.Authorization).toBe("Splunk tok");
    expect(h["X-Splunk-Request-Channel"]).toBe("0f0e0d0c-0000-4000-8000-000000000000");
  });
});
