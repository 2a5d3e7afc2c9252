import { analyzeRecording } from "../../connect/analyze.ts";
import { parseFlow, reachableActions } from "../../connect/flow.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { CONNECT_FLOW, CONNECT_FLOW_MODULE, flowContentOf, inConnectScope } from "../../resource/connect.ts";

const MAX_REPORTED = 20;

export default defineControl({
  id: "connect-flow-pause-recording",
  title: "Contact flows pause recording before capturing sensitive input",
  resourceTypes: [CONNECT_FLOW, CONNECT_FLOW_MODULE],
  hipaa: ["164.502(b)"],
  severity: "high",
  rationale:
    "A date of birth, member id, SSN or card number keyed or spoken into the IVR lands in the call recording and " +
    "in every transcript and analytics copy made from it. Minimum necessary means pausing recording on every path " +
    "that reaches the input block, not just the usual one: error and retry branches count. An input block asks for " +
    "such data when its identifier, prompt, Lex bot, intents or the attribute its input is stored under name it " +
    "(date of birth, SSN, member or insurance id, medical record number, payment card), or when it encrypts the " +
    "input. Stored or spoken input (not a one-key menu) also answers the question of a play-prompt block earlier " +
    "on the same path, such as 'Please key in your date of birth' before 'followed by the pound key': the question " +
    "stays open through blocks that ask nothing (attributes, recording, Compare, Lambda, other prompts) and through " +
    "an input block's error branch (an invalid entry is asked again), and is answered by any input block's other " +
    "branches. The finding names that prompt block (promptedBy), never its text.",
  remediation: {
    console:
      "Connect › Routing › Flows › flow › add 'Set recording and analytics behavior' (agent and customer recording " +
      "off, automated interaction recording off) before each sensitive 'Get customer input' / 'Store customer " +
      "input' block on every incoming branch, and one turning recording back on after it; publish.",
    cli:
      "aws connect describe-contact-flow --instance-id INSTANCE --contact-flow-id FLOW --query ContactFlow.Content " +
      "--output text > flow.json  # add UpdateContactRecordingBehavior {RecordedParticipants: [], " +
      "IVRRecordingBehavior: Disabled} before the block, then: aws connect update-contact-flow-content " +
      "--instance-id INSTANCE --contact-flow-id FLOW --content file://flow.json",
  },
  evaluate(resource, ctx) {
    if (!inConnectScope(ctx.baseline, resource))
      return notApplicable("instance not in the baseline's connect.instances");
    const content = flowContentOf(resource);
    if (content === undefined || content === null)
      return fail("cannot prove: flow content not read", {
        proof: "cannot prove",
        field: "configuration.Content",
      });
    // A malformed flow throws InvalidEventError naming the field: the engine records ERROR, never a pass.
    const flow = parseFlow(content, "configuration.Content");
    // A module only runs inside a flow, which may have turned recording on before invoking it: it starts
    // with its caller's recording, whatever the baseline says of how flows start.
    const module = resource.resourceType === CONNECT_FLOW_MODULE;
    const assumeOnAtStart = module || ctx.baseline.connect.recordingAtFlowStart === "assume-on";
    const analysis = analyzeRecording(flow, { assumeOnAtStart });
    const base = {
      blocks: analysis.total,
      reachableBlocks: analysis.reachable,
      recordingAtFlowStart: module
        ? "inherited (a module runs inside a flow)"
        : ctx.baseline.connect.recordingAtFlowStart,
    };
    // A path that leaves the document (a NextAction naming no action) goes where nothing can be checked.
    const reachable = reachableActions(flow);
    const missing = flow.danglingEdges.filter((e) => reachable.has(e.from));
    if (missing.length > 0 && analysis.violations.length === 0)
      return fail("cannot prove: a reachable transition names an action the flow does not contain", {
        ...base,
        proof: "cannot prove",
        missingActions: missing.slice(0, MAX_REPORTED),
      });
    if (analysis.sensitiveBlocks.length === 0)
      return pass("no block captures sensitive input", { ...base, sensitiveBlocks: 0 });
    if (analysis.violations.length === 0)
      return pass(
        `recording is paused on every path to ${analysis.sensitiveBlocks.length} sensitive input block(s)`,
        {
          ...base,
          sensitiveBlocks: analysis.sensitiveBlocks.map((b) => ({
            block: b.id,
            type: b.type,
            topics: b.topics,
            ...(b.promptedBy ? { promptedBy: b.promptedBy.slice(0, MAX_REPORTED) } : {}),
          })),
        },
      );
    const violations = analysis.violations.slice(0, MAX_REPORTED).map((v) => ({
      block: v.block.id,
      type: v.block.type,
      asksFor: v.block.topics,
      foundIn: v.block.sources,
      ...(v.block.attributeKeys.length > 0 ? { storedAs: v.block.attributeKeys } : {}),
      // The block on the path shown whose prompt asked the question this block's input answers.
      ...(v.block.promptedBy ? { promptedBy: v.block.promptedBy } : {}),
      recording:
        v.recording === "on"
          ? `on (${[v.state.conversation === "on" ? "agent/customer" : "", v.state.ivr === "on" ? "IVR" : ""]
              .filter(Boolean)
              .join(" + ")})`
          : v.recording === "unknown"
            ? "unknown: a flow module on this path can change recording"
            : "never paused on this path (state inherited from the caller)",
      recordingBlocksOnPath: v.recordingBlocks,
      path: v.path,
    }));
    const on = analysis.violations.filter((v) => v.recording === "on").length;
    // Blocks flagged only because their prompt cannot be read are unknown, not known sensitive.
    const unknownOnly = analysis.violations.every((v) => v.block.topics.join() === "unreadable-prompt");
    return fail(
      unknownOnly
        ? `cannot prove: ${analysis.violations.length} block(s) store input behind a prompt that cannot be read, reachable with recording ${on > 0 ? "on" : "not paused"}`
        : `${analysis.violations.length} sensitive input block(s) reachable with recording ${on > 0 ? "on" : "not paused"}`,
      {
        ...base,
        ...(unknownOnly ? { proof: "cannot prove" } : {}),
        violations,
        ...(analysis.violations.length > MAX_REPORTED
          ? { moreViolations: analysis.violations.length - MAX_REPORTED }
          : {}),
      },
    );
  },
});
