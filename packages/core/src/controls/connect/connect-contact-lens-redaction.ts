import type { Baseline } from "../../baseline/schema.ts";
import { analyticsSettings } from "../../connect/analyze.ts";
import { parseFlow } from "../../connect/flow.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import {
  CONNECT_FLOW,
  CONNECT_FLOW_MODULE,
  CONNECT_INSTANCE,
  connectInstanceId,
  contactLensEnabled,
  flowContentOf,
  inConnectScope,
} from "../../resource/connect.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

interface RedactionProblem {
  block: string;
  channel: string;
  problem: string;
}

/** Blocks of one flow that enable Contact Lens without the redaction the baseline asks for. */
function redactionProblems(
  content: unknown,
  baseline: Baseline,
  field: string,
): { enabling: number; problems: RedactionProblem[] } {
  const flow = parseFlow(content, field);
  const enabled = analyticsSettings(flow).filter((s) => s.enabled);
  const problems: RedactionProblem[] = [];
  const required = baseline.connect.redactionEntities;
  for (const s of enabled) {
    const at = { block: s.id, channel: s.channel };
    if (!s.redaction.enabled) {
      problems.push({ ...at, problem: "analytics on, redaction off" });
      continue;
    }
    const listed = s.redaction.entities;
    if (listed && !listed.includes("ALL")) {
      const missing = required.filter((e) => !listed.includes(e));
      if (missing.length > 0)
        problems.push({ ...at, problem: `redaction entities omit ${missing.join(", ")}` });
    }
    // Connect documents no default for the output setting: left out, RedactedOnly is not proven.
    if (baseline.connect.requireRedactedOnly && s.redaction.results === undefined)
      problems.push({ ...at, problem: "redaction output not set: RedactedOnly not proven" });
    else if (baseline.connect.requireRedactedOnly && s.redaction.results === "RedactedAndOriginal")
      problems.push({ ...at, problem: "keeps the original, unredacted output (RedactedAndOriginal)" });
    // The results setting "can be set dynamically" (Flow language): a reference proves nothing.
    else if (baseline.connect.requireRedactedOnly && s.redaction.results?.trim().startsWith("$."))
      problems.push({
        ...at,
        problem: `redaction output set at run time (${s.redaction.results.slice(0, 80)}): RedactedOnly not proven`,
      });
  }
  return { enabling: enabled.length, problems };
}

function evaluateFlow(resource: ResourceSnapshot, baseline: Baseline) {
  const content = flowContentOf(resource);
  if (content === undefined || content === null)
    return fail("cannot prove: flow content not read", {
      proof: "cannot prove",
      field: "configuration.Content",
    });
  const { enabling, problems } = redactionProblems(content, baseline, "configuration.Content");
  if (enabling === 0) return notApplicable("the flow enables no Contact Lens analytics");
  if (problems.length > 0)
    return fail(`Contact Lens without required redaction in ${problems.length} block(s)`, { problems });
  return pass(`redaction on in all ${enabling} block(s) that enable Contact Lens`, {
    analyticsBlocks: enabling,
    requiredEntities: baseline.connect.redactionEntities,
  });
}

export default defineControl({
  id: "connect-contact-lens-redaction",
  title: "Contact Lens analytics redact sensitive data",
  resourceTypes: [CONNECT_INSTANCE, CONNECT_FLOW, CONNECT_FLOW_MODULE],
  hipaa: ["164.502(b)"],
  severity: "high",
  rationale:
    "Contact Lens transcribes every analysed call; without redaction, names, dates of birth, member ids and card " +
    "numbers spoken on the call are copied into transcripts, search and analytics that QA and analytics roles read.",
  remediation: {
    console:
      "Connect › Routing › Flows › flow › 'Set recording and analytics behavior' › Contact Lens › Redact sensitive " +
      "data › Enabled (entities: all, or at least the baseline's list; output: redacted only); publish.",
    cli:
      "aws connect update-contact-flow-content --instance-id INSTANCE --contact-flow-id FLOW --content file://flow.json " +
      '# AnalyticsBehavior.AnalyticsRedactionBehavior "Enabled", or ConversationalAnalyticsRedactionConfiguration.Enabled "True"',
  },
  // An instance's verdict is the roll-up of its flows: re-evaluate it when a flow changes.
  dependsOn: [CONNECT_FLOW, CONNECT_FLOW_MODULE],
  facts(resource) {
    if (resource.resourceType !== CONNECT_INSTANCE) return [];
    return [
      { kind: "inventory", resourceType: CONNECT_FLOW, accountId: resource.accountId },
      { kind: "inventory", resourceType: CONNECT_FLOW_MODULE, accountId: resource.accountId },
    ];
  },
  evaluate(resource, ctx) {
    if (!inConnectScope(ctx.baseline, resource))
      return notApplicable("instance not in the baseline's connect.instances");
    if (!ctx.baseline.connect.requireRedaction)
      return notApplicable("the baseline does not require redaction");
    if (resource.resourceType !== CONNECT_INSTANCE) return evaluateFlow(resource, ctx.baseline);
    const lens = contactLensEnabled(resource);
    if (lens === false) return notApplicable("Contact Lens is off for the instance", { contactLens: false });
    const id = connectInstanceId(resource);
    const flowsOf = (type: string) =>
      ctx.facts
        .inventory(type, resource.accountId)
        ?.filter((f) => f.state === "present" && connectInstanceId(f) === id);
    const flows = flowsOf(CONNECT_FLOW);
    const modules = flowsOf(CONNECT_FLOW_MODULE) ?? [];
    const contactLens = lens ?? "unknown";
    if (flows === undefined)
      return fail("cannot prove: the instance's flows are not known", { contactLens, proof: "cannot prove" });
    const failing: Array<{ flow: string; name?: string; problems: string[] }> = [];
    const unreadable: string[] = [];
    let enabling = 0;
    for (const f of [...flows, ...modules]) {
      const content = flowContentOf(f);
      const name = typeof f.configuration.Name === "string" ? f.configuration.Name.slice(0, 80) : undefined;
      try {
        if (content === undefined || content === null) throw new Error("no content");
        const r = redactionProblems(content, ctx.baseline, "configuration.Content");
        if (r.enabling > 0) enabling++;
        if (r.problems.length > 0)
          failing.push({
            flow: f.resourceId,
            ...(name ? { name } : {}),
            problems: r.problems.map((p) => `${p.block}: ${p.problem}`),
          });
      } catch {
        unreadable.push(f.resourceId);
      }
    }
    const evidence = {
      contactLens,
      flowsChecked: flows.length + modules.length,
      flowsEnablingAnalytics: enabling,
    };
    if (failing.length > 0)
      return fail(`${failing.length} flow(s) enable Contact Lens without the required redaction`, {
        ...evidence,
        flows: failing.slice(0, 20),
        ...(unreadable.length > 0 ? { unreadable: unreadable.slice(0, 20) } : {}),
      });
    if (unreadable.length > 0)
      return fail(`cannot prove: ${unreadable.length} flow(s) could not be read`, {
        ...evidence,
        unreadable: unreadable.slice(0, 20),
        proof: "cannot prove",
      });
    return pass("every flow that enables Contact Lens redacts sensitive data", evidence);
  },
});
