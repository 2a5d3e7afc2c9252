// `phiwatch forward redrive --target NAME` must move the deliveries of that target and no other, and
// refuse a name that is no target of the baseline (a typo must not read as "nothing to redrive").
import { describe, expect, it } from "vitest";
import { deliveryTargetFilter, knownTargets } from "../../../packages/cli/src/commands/forward.ts";
import { parseBaseline } from "../../../packages/core/src/index.ts";

const delivery = (target: string, evidence: Record<string, unknown>) =>
  JSON.stringify({ target, event: { eventId: "e-1", finding: { findingId: "f-1", evidence } } });

describe("forward redrive --target", () => {
  it("matches the delivery's own target, not a target-shaped string inside the finding's evidence", () => {
    const forSiem = deliveryTargetFilter("siem");
    expect(forSiem(delivery("siem", {}))).toBe(true);
    // An access finding's evidence names the PHI target it concerns under the same key.
    expect(forSiem(delivery("splunk", { target: "siem" }))).toBe(false);
    expect(forSiem("not json")).toBe(false);
  });

  it("lists the baseline's webhook targets", () => {
    const yaml = `version: 1
organisation: { name: Northwind Health }
accounts: ["111122223333"]
allowedRegions: [us-east-1]
phiBuckets: [{ name: northwind-connect-recordings }]
webhooks:
  - { name: splunk, url: "https://siem.example.com/hec", format: hec, secret: { env: HEC_SECRET } }
  - { name: siem, url: "https://siem.example.com/in", secret: { env: SIEM_SECRET } }
`;
    expect(knownTargets(parseBaseline(yaml, "b.yaml"))).toEqual(["splunk", "siem"]);
  });
});
