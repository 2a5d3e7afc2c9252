import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ResourceSnapshot } from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { apiSnapshot, evaluate } from "../../helpers/facts.ts";

/*
 * An independent, concrete reference for the two flow controls, written from the Flow language pages
 * (UpdateContactRecordingBehavior, UpdateContactRecordingAndAnalyticsBehavior, GetParticipantInput,
 * ConnectParticipantWithLexBot, InvokeFlowModule, TransferToFlow, Loop, Compare) and not from
 * packages/core/src/connect: it knows which blocks are sensitive because it built them, walks concrete
 * paths from StartAction depth first, exploring each block × recording state × pending question once (so
 * cycles end; what a path finds at a block depends only on that triple, so every concrete path's outcome
 * is found, where enumerating the simple paths themselves is exponential), and keeps a three-valued
 * switch per recorded part (agent, customer, IVR). Both controls run end to end on
 * the flow snapshot the sweep builds (DescribeContactFlow, Content as a JSON string).
 *
 * The question an input answers may be asked before it: along a concrete path, a play-prompt block asking
 * for a date of birth leaves that question pending; an input block answers it when left by a success
 * branch and leaves it (or its own sensitive question) pending when left by an error branch (timeout,
 * invalid entry: the caller is asked again); any other block leaves it as it was. Stored input and Lex
 * input reached with a sensitive question pending capture a sensitive value; a one-key menu does not.
 */

// biome-ignore lint/suspicious/noExplicitAny: Flow-language JSON built freely in tests
type Json = Record<string, any>;
type Participants = undefined | string[];
type Ivr = undefined | "Enabled" | "Disabled";
interface Analytics {
  enabled: boolean;
  redaction: undefined | "Enabled" | "Disabled";
  entities: undefined | string[];
}
type Block =
  | { kind: "rec"; participants: Participants; ivr: Ivr; analytics?: Analytics; errors: boolean }
  | { kind: "rec2"; participants: Participants; ivr: Ivr; analytics?: Analytics; errors: boolean }
  | { kind: "input"; sensitive: boolean }
  | { kind: "storeAudio" }
  | { kind: "storeNeutral" }
  | { kind: "setAttr"; flow: boolean; sensitive: boolean }
  | { kind: "lex"; sensitive: boolean }
  | { kind: "module" }
  | { kind: "transfer" }
  | { kind: "loop" }
  | { kind: "compare" }
  | { kind: "play" }
  | { kind: "ask" }
  | { kind: "disconnect" };

const DOB = "Please key in your date of birth, month first.";
const MENU = "Press 1 for appointments, 2 for billing.";
const REQUIRED = ["NAME", "ADDRESS", "PHONE", "EMAIL", "SSN", "CREDIT_DEBIT_NUMBER"];

const participants = fc.constantFrom<Participants>(
  undefined,
  [],
  ["Agent"],
  ["Customer"],
  ["Agent", "Customer"],
);
const ivr = fc.constantFrom<Ivr>(undefined, "Enabled", "Disabled");
const analytics: fc.Arbitrary<Analytics | undefined> = fc.option(
  fc.record({
    enabled: fc.boolean(),
    redaction: fc.constantFrom<Analytics["redaction"]>(undefined, "Enabled", "Disabled"),
    entities: fc.constantFrom<Analytics["entities"]>(undefined, ["ALL"], REQUIRED, ["SSN"]),
  }),
  { nil: undefined },
);
const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({
    kind: fc.constant("rec" as const),
    participants,
    ivr,
    analytics,
    errors: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("rec2" as const),
    participants,
    ivr,
    analytics,
    errors: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("input" as const), sensitive: fc.boolean() }),
  fc.constant({ kind: "storeAudio" as const }),
  fc.constant({ kind: "storeNeutral" as const }),
  fc.record({ kind: fc.constant("setAttr" as const), flow: fc.boolean(), sensitive: fc.boolean() }),
  fc.record({ kind: fc.constant("lex" as const), sensitive: fc.boolean() }),
  fc.constantFrom<Block>(
    { kind: "module" },
    { kind: "transfer" },
    { kind: "loop" },
    { kind: "compare" },
    { kind: "play" },
    { kind: "ask" },
    { kind: "disconnect" },
  ),
);

/** Targets: an index of the flow, or -1 = a NextAction naming no action of the flow. */
const flows = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    blocks: fc.array(block, { minLength: n, maxLength: n }),
    targets: fc.array(
      fc.array(
        fc.oneof(
          { weight: 30, arbitrary: fc.nat({ max: n - 1 }) },
          { weight: 1, arbitrary: fc.constant(-1) },
        ),
        {
          minLength: 3,
          maxLength: 3,
        },
      ),
      { minLength: n, maxLength: n },
    ),
    assumeOn: fc.boolean(),
  }),
);

const idOf = (i: number) => (i < 0 ? "missing" : `a${i}`);

function recordingBehavior(b: { participants: Participants; ivr: Ivr }): Json {
  return {
    ...(b.participants ? { RecordedParticipants: b.participants } : {}),
    ...(b.ivr ? { IVRRecordingBehavior: b.ivr } : {}),
  };
}

/** The Flow-language action for one generated block (parameters and transitions as the docs give them). */
function toAction(b: Block, i: number, t: number[]): Json {
  const [x, y, z] = t.map(idOf) as [string, string, string];
  const base = { Identifier: idOf(i) };
  switch (b.kind) {
    case "rec":
      return {
        ...base,
        Type: "UpdateContactRecordingBehavior",
        Parameters: {
          RecordingBehavior: recordingBehavior(b),
          ...(b.analytics
            ? {
                AnalyticsBehavior: {
                  Enabled: b.analytics.enabled ? "True" : "False",
                  AnalyticsLanguage: "en-US",
                  ...(b.analytics.redaction ? { AnalyticsRedactionBehavior: b.analytics.redaction } : {}),
                  ...(b.analytics.entities ? { AnalyticsRedactionEntities: b.analytics.entities } : {}),
                  AnalyticsRedactionResults: "RedactedOnly",
                },
              }
            : {}),
        },
        Transitions: {
          NextAction: x,
          ...(b.errors ? { Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] } : {}),
        },
      };
    case "rec2":
      return {
        ...base,
        Type: "UpdateContactRecordingAndAnalyticsBehavior",
        Parameters: {
          VoiceBehavior: {
            VoiceRecordingBehavior: recordingBehavior(b),
            ...(b.analytics
              ? {
                  VoiceAnalyticsBehavior: {
                    Enabled: b.analytics.enabled ? "True" : "False",
                    AnalyticsLanguage: "en-US",
                    ...(b.analytics.redaction
                      ? {
                          ConversationalAnalyticsRedactionConfiguration: {
                            Enabled: b.analytics.redaction === "Enabled" ? "True" : "False",
                            RedactionResults: "RedactedOnly",
                            ...(b.analytics.entities ? { RedactionEntities: b.analytics.entities } : {}),
                          },
                        }
                      : {}),
                  },
                }
              : {}),
          },
        },
        Transitions: {
          NextAction: x,
          ...(b.errors ? { Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] } : {}),
        },
      };
    case "input":
      return {
        ...base,
        Type: "GetParticipantInput",
        Parameters: { Text: b.sensitive ? DOB : MENU, StoreInput: "False", InputTimeLimitSeconds: "5" },
        Transitions: {
          NextAction: x,
          Conditions: [
            { NextAction: x, Condition: { Operator: "Equals", Operands: ["1"] } },
            { NextAction: y, Condition: { Operator: "Equals", Operands: ["2"] } },
          ],
          Errors: [
            { NextAction: z, ErrorType: "InputTimeLimitExceeded" },
            { NextAction: y, ErrorType: "NoMatchingCondition" },
            { NextAction: z, ErrorType: "NoMatchingError" },
          ],
        },
      };
    case "storeAudio":
      return {
        ...base,
        Type: "GetParticipantInput",
        Parameters: {
          PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p",
          StoreInput: "True",
          InputTimeLimitSeconds: "5",
          DTMFConfiguration: { DisableCancelKey: "False", InputTerminationSequence: "#" },
          InputValidation: { CustomValidation: { MaximumLength: "12" } },
        },
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    case "storeNeutral":
      return {
        ...base,
        Type: "GetParticipantInput",
        Parameters: { Text: "Please enter the number now.", StoreInput: "True", InputTimeLimitSeconds: "5" },
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    case "setAttr": {
      const key = b.sensitive ? "dateOfBirth" : "tier";
      return {
        ...base,
        ...(b.flow
          ? {
              Type: "UpdateFlowAttributes",
              Parameters: { FlowAttributes: { [key]: { Value: "$.StoredCustomerInput" } } },
            }
          : {
              Type: "UpdateContactAttributes",
              Parameters: { Attributes: { [key]: "$.StoredCustomerInput" }, TargetContact: "Current" },
            }),
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    }
    case "lex":
      return {
        ...base,
        Type: "ConnectParticipantWithLexBot",
        Parameters: {
          Text: "How can I help you today?",
          LexV2Bot: { AliasArn: "arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID/ALIASID" },
        },
        Transitions: {
          NextAction: x,
          Conditions: [
            {
              NextAction: y,
              Condition: { Operator: "Equals", Operands: [b.sensitive ? "VerifyDateOfBirth" : "CheckHours"] },
            },
          ],
          Errors: [
            { NextAction: z, ErrorType: "NoMatchingCondition" },
            { NextAction: z, ErrorType: "NoMatchingError" },
          ],
        },
      };
    case "module":
      return {
        ...base,
        Type: "InvokeFlowModule",
        Parameters: { FlowModuleId: "module-1" },
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    case "transfer":
      return {
        ...base,
        Type: "TransferToFlow",
        Parameters: { ContactFlowId: "arn:aws:connect:us-east-1:111122223333:instance/i/contact-flow/f" },
        Transitions: { Errors: [{ NextAction: x, ErrorType: "NoMatchingError" }] },
      };
    case "loop":
      return {
        ...base,
        Type: "Loop",
        Parameters: { LoopCount: "2" },
        Transitions: {
          NextAction: y,
          Conditions: [
            { NextAction: x, Condition: { Operator: "Equals", Operands: ["ContinueLooping"] } },
            { NextAction: y, Condition: { Operator: "Equals", Operands: ["DoneLooping"] } },
          ],
        },
      };
    case "compare":
      return {
        ...base,
        Type: "Compare",
        Parameters: { ComparisonValue: "$.Attributes.tier" },
        Transitions: {
          NextAction: z,
          Conditions: [{ NextAction: x, Condition: { Operator: "Equals", Operands: ["gold"] } }],
          Errors: [{ NextAction: y, ErrorType: "NoMatchingCondition" }],
        },
      };
    case "play":
      return {
        ...base,
        Type: "MessageParticipant",
        Parameters: { Text: "Thank you for calling." },
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    case "ask":
      return {
        ...base,
        Type: "MessageParticipant",
        Parameters: { Text: DOB },
        Transitions: { NextAction: x, Errors: [{ NextAction: y, ErrorType: "NoMatchingError" }] },
      };
    case "disconnect":
      return { ...base, Type: "DisconnectParticipant", Parameters: {}, Transitions: {} };
  }
}

type Switch = "on" | "off" | "maybe";
interface State {
  agent: Switch;
  customer: Switch;
  ivr: Switch;
}

/** The documented effect of a recording block: absent settings leave that part as it was. */
function applyRecording(s: State, b: { participants: Participants; ivr: Ivr }): State {
  const out = { ...s };
  if (b.participants) {
    out.agent = b.participants.includes("Agent") ? "on" : "off";
    out.customer = b.participants.includes("Customer") ? "on" : "off";
  }
  if (b.ivr) out.ivr = b.ivr === "Enabled" ? "on" : "off";
  return out;
}

interface Reference {
  /**
   * Sensitive blocks reached on some concrete path with some part not off: `known` / `knownOn` if on a
   * path where a topic is named (some part certainly recorded, for `knownOn`), `unreadableOn` if on a
   * path where only the prompt is unreadable and some part is certainly recorded.
   */
  recorded: Map<number, { known: boolean; knownOn: boolean; unreadableOn: boolean }>;
  reachable: Set<number>;
  dangling: boolean;
}

/** Every block × recording state × pending question reachable by a concrete path from StartAction. */
function reference(doc: Json, blocks: Block[], assumeOn: boolean): Reference {
  const start: State = assumeOn
    ? { agent: "maybe", customer: "maybe", ivr: "maybe" }
    : { agent: "off", customer: "off", ivr: "off" };
  const actions = doc.Actions as Json[];
  const out: Reference = { recorded: new Map(), reachable: new Set(), dangling: false };
  let budget = 2_000_000;
  const targetsOf = (i: number): number[] => {
    const t = actions[i]!.Transitions as Json;
    return [t.NextAction, ...(t.Conditions ?? []), ...(t.Errors ?? [])]
      .map((x: Json | string | undefined) => (typeof x === "object" ? x.NextAction : x))
      .filter((to: unknown): to is string => typeof to === "string" && to !== "missing")
      .map((to: string) => Number(to.slice(1)));
  };
  // Input blocks that name a sensitive topic themselves, or whose input a block at most three
  // transitions on stores under a sensitive attribute key.
  const named = new Set<number>();
  blocks.forEach((b, i) => {
    if (b.kind !== "input" && b.kind !== "lex" && b.kind !== "storeAudio" && b.kind !== "storeNeutral")
      return;
    if ((b.kind === "input" || b.kind === "lex") && b.sensitive) named.add(i);
    const dist = new Map([[i, 0]]);
    const queue = [i];
    while (queue.length > 0) {
      const at = queue.shift()!;
      if (dist.get(at)! >= 3) continue;
      for (const to of targetsOf(at)) {
        if (dist.has(to)) continue;
        dist.set(to, dist.get(at)! + 1);
        queue.push(to);
        const c = blocks[to]!;
        if (c.kind === "setAttr" && c.sensitive) named.add(i);
      }
    }
  });
  const isInput = (b: Block) =>
    b.kind === "input" || b.kind === "lex" || b.kind === "storeAudio" || b.kind === "storeNeutral";
  const explored = new Set<string>();
  const walk = (i: number, s: State, asked: boolean) => {
    if (--budget < 0) throw new Error("path budget exhausted");
    const key = `${i}|${s.agent}${s.customer}${s.ivr}|${asked}`;
    if (explored.has(key)) return;
    out.reachable.add(i);
    const b = blocks[i]!;
    const known = named.has(i) || (asked && b.kind !== "input" && isInput(b));
    const sensitive = known || b.kind === "storeAudio";
    const parts = [s.agent, s.customer, s.ivr];
    if (sensitive && parts.some((p) => p !== "off")) {
      const prev = out.recorded.get(i) ?? { known: false, knownOn: false, unreadableOn: false };
      const on = parts.includes("on");
      out.recorded.set(i, {
        known: prev.known || known,
        knownOn: prev.knownOn || (known && on),
        unreadableOn: prev.unreadableOn || (!known && on),
      });
    }
    // The question pending after this block, by the kind of branch taken.
    const pending = (branch: "success" | "error") =>
      b.kind === "ask" ? true : isInput(b) ? branch === "error" && (asked || named.has(i)) : asked;
    const t = actions[i]!.Transitions as Json;
    const next: Array<{ to: string; states: State[]; asked: boolean }> = [];
    const after: State[] =
      b.kind === "rec" || b.kind === "rec2"
        ? [applyRecording(s, b)]
        : b.kind === "module"
          ? [{ agent: "maybe", customer: "maybe", ivr: "maybe" }]
          : [s];
    if (typeof t.NextAction === "string")
      next.push({ to: t.NextAction, states: after, asked: pending("success") });
    for (const c of (t.Conditions ?? []) as Json[])
      next.push({ to: c.NextAction, states: after, asked: pending("success") });
    // A recording block that errs may not have applied its change; a module that errs may have run.
    for (const e of (t.Errors ?? []) as Json[])
      next.push({
        to: e.NextAction,
        states: b.kind === "rec" || b.kind === "rec2" ? [...after, s] : after,
        asked: pending("error"),
      });
    explored.add(key);
    // The same successor reached by two transitions is one concrete continuation.
    const tried = new Set<string>();
    for (const { to, states, asked: nextAsked } of next) {
      if (to === "missing") {
        out.dangling = true;
        continue;
      }
      for (const st of states) {
        const k = `${to}|${st.agent}${st.customer}${st.ivr}|${nextAsked}`;
        if (tried.has(k)) continue;
        tried.add(k);
        walk(Number(to.slice(1)), st, nextAsked);
      }
    }
  };
  walk(0, start, false);
  return out;
}

function snapshot(doc: Json): ResourceSnapshot {
  return apiSnapshot("AWS::Connect::ContactFlow", "flow-1", {
    Arn: "arn:aws:connect:us-east-1:111122223333:instance/8dab73a7-51ab-4610-8c72-359333b63f10/contact-flow/flow-1",
    Id: "flow-1",
    Name: "Inbound",
    Type: "CONTACT_FLOW",
    Content: JSON.stringify(doc),
  });
}

const build = (blocks: Block[], targets: number[][]): Json => ({
  Version: "2019-10-30",
  StartAction: "a0",
  Actions: blocks.map((b, i) => toAction(b, i, targets[i]!)),
});

describe("connect flow controls against an independent concrete-path reference (property)", () => {
  it("connect-flow-pause-recording: sound (no pass with a recorded path) and precise (definite fails are real)", () => {
    fc.assert(
      fc.property(flows, ({ blocks, targets, assumeOn }) => {
        const doc = build(blocks, targets);
        const ref = reference(doc, blocks, assumeOn);
        const baseline = testBaseline({
          connect: { recordingAtFlowStart: assumeOn ? "assume-on" : "assume-off" },
        } as never);
        const e = evaluate("connect-flow-pause-recording", snapshot(doc), undefined, baseline);
        const recorded = [...ref.recorded.values()];
        if (ref.recorded.size > 0 || ref.dangling) expect(e.status).toBe("NON_COMPLIANT");
        else expect(e.status).toBe("COMPLIANT");
        const definite = /^\d+ sensitive input block\(s\) reachable with recording on$/.test(e.summary);
        // Each block is shown on its worst path: one naming a topic if there is one, then recording on.
        const refDefinite =
          recorded.some((r) => r.known) && recorded.some((r) => (r.known ? r.knownOn : r.unreadableOn));
        expect(definite).toBe(refDefinite);
      }),
      { numRuns: 1500 },
    );
  });

  it("connect-contact-lens-redaction: fails exactly when a reachable block enables analytics without redaction", () => {
    fc.assert(
      fc.property(flows, ({ blocks, targets }) => {
        const doc = build(blocks, targets);
        const ref = reference(doc, blocks, true);
        let enabling = 0;
        let problems = 0;
        for (const i of ref.reachable) {
          const b = blocks[i]!;
          if ((b.kind !== "rec" && b.kind !== "rec2") || !b.analytics?.enabled) continue;
          enabling++;
          const a = b.analytics;
          const listed = a.entities;
          if (a.redaction !== "Enabled") problems++;
          else if (listed && !listed.includes("ALL") && REQUIRED.some((x) => !listed.includes(x))) problems++;
        }
        const e = evaluate("connect-contact-lens-redaction", snapshot(doc));
        expect(e.status).toBe(problems > 0 ? "NON_COMPLIANT" : enabling > 0 ? "COMPLIANT" : "NOT_APPLICABLE");
      }),
      { numRuns: 1000 },
    );
  });
});
