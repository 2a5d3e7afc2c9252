// The member-account forwarding template forwards every event the security account's rules would
// match (evaluated on the published samples), and its pattern is the planned one.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compilePattern, type EventPattern } from "../../../packages/core/src/eventpattern/index.ts";
import {
  cloudTrailEnvelope,
  eventRules,
  memberForwardPattern,
  OWN_DEPLOYMENT_SOURCES,
} from "../../../packages/core/src/plan/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";

const template = parse(readFileSync("infra/member-account.yaml", "utf8"));

/** Resolve `{ Ref: Param }` with the given parameter values (the only intrinsic in the pattern). */
function resolveRefs(v: unknown, params: Record<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, params));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === "string" && Object.keys(o).length === 1) return params[o.Ref];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveRefs(x, params)]));
  }
  return v;
}

function events(): Array<[string, Record<string, unknown>]> {
  return readdirSync("test/fixtures/infra")
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      let json = JSON.parse(readFileSync(`test/fixtures/infra/${f}`, "utf8"));
      if (Array.isArray(json)) json = json[0];
      if (json.Log) json = json.Log;
      return [f, json["detail-type"] ? json : cloudTrailEnvelope(json)];
    });
}

describe("member-account template", () => {
  const params = { TrailBucketName: "org-trail-logs", SecurityAccountId: "999988887777" };
  const pattern = resolveRefs(template.Resources.ForwardRule.Properties.EventPattern, params) as EventPattern;

  it("forwards with the planned pattern", () => {
    expect(pattern).toEqual(memberForwardPattern("org-trail-logs"));
  });

  it("targets the security account's default bus through a role that may only PutEvents there", () => {
    const target = template.Resources.ForwardRule.Properties.Targets[0];
    // phiwatch's rules and this account's bus permission exist in the region phiwatch is deployed in
    // only: every region's stack forwards there, not to the security account's bus in its own region.
    expect(target.Arn["Fn::Sub"]).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
      "arn:${AWS::Partition}:events:${SecurityRegion}:${SecurityAccountId}:event-bus/default",
    );
    expect(template.Parameters.SecurityRegion.Default).toBeUndefined();
    const region = new RegExp(template.Parameters.SecurityRegion.AllowedPattern);
    for (const r of ["us-east-1", "eu-central-2", "us-gov-west-1"]) expect(r).toMatch(region);
    for (const r of ["", "us-east-1 ", "arn:aws:events:us-east-1"]) expect(r).not.toMatch(region);
    const statement = template.Resources.ForwardRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statement).toEqual([{ Effect: "Allow", Action: "events:PutEvents", Resource: target.Arn }]);
  });

  it("forwards every published event a phiwatch rule matches (no event is lost at the member)", () => {
    const forward = compilePattern(pattern);
    const accounts = [
      ...new Set(
        events()
          .map(([, e]) => String(e.account))
          .filter((a) => /^\d{12}$/.test(a)),
      ),
    ];
    const b = testBaseline({
      accounts,
      phiBuckets: [{ tag: { key: "phi" } }],
      phiKeys: ["arn:aws:kms:*:*:key/*"],
    });
    const rules = eventRules(b).map((r) => compilePattern(r.pattern));
    let checked = 0;
    for (const [file, e] of events()) {
      if (!rules.some((r) => r.matches(e))) continue;
      // phiwatch's own functions, topic and table live in the security account only: not forwarded.
      if (OWN_DEPLOYMENT_SOURCES.has(String((e.detail as { eventSource?: unknown }).eventSource))) {
        expect(forward.matches(e), file).toBe(false);
        continue;
      }
      checked++;
      expect(forward.matches(e), file).toBe(true);
    }
    expect(checked).toBeGreaterThan(10);
  });
});
