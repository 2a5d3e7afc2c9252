import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  analyticsSettings,
  analyzeRecording,
  type Flow,
  type FlowAction,
  parseFlow,
  type RecordingState,
  recordingChange,
  sensitiveTopics,
} from "../../../packages/core/src/connect/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: recorded AWS JSON, navigated freely in tests
type Json = Record<string, any>;
const health = (): Json =>
  JSON.parse(readFileSync("test/fixtures/connect/awssamples_health_clinical__contact-flow.json", "utf8"));
const action = (doc: Json, id: string): Json => doc.Actions.find((a: Json) => a.Identifier === id);
const recording = (id: string, next: string, participants: string[], ivr?: "Enabled" | "Disabled"): Json => ({
  Identifier: id,
  Type: "UpdateContactRecordingBehavior",
  Parameters: {
    RecordingBehavior: { RecordedParticipants: participants, ...(ivr ? { IVRRecordingBehavior: ivr } : {}) },
  },
  Transitions: { NextAction: next },
});
const DOB_PROMPT = "Please enter your date of birth as eight digits, month first.";

/** The real health-clinic flow with recording turned on first and block 2 asking for a date of birth. */
function recordedDobFlow(): Json {
  const doc = health();
  doc.Actions.push(recording("rec", "1", ["Agent", "Customer"], "Enabled"));
  doc.StartAction = "rec";
  action(doc, "2").Parameters.Text = DOB_PROMPT;
  return doc;
}

describe("sensitive input detection", () => {
  it.each([
    ["Please enter your date of birth", ["date-of-birth"]],
    ["dateOfBirth", ["date-of-birth"]],
    ["$.Lex.Slots.DOB", ["date-of-birth"]],
    ["Enter your 9 digit member ID", ["member-id"]],
    ["insurance_id", ["member-id"]],
    ["Say the last four digits of your social", ["ssn"]],
    ["Key in your credit card number", ["card-number"]],
    ["What is your MRN?", ["mrn"]],
    ["Please make your selection now.", []],
    ["Press 1 for Elena Rodriguez", []],
    ["vmx3_rejected_offer", []],
  ])("%s → %j", (text, topics) => {
    expect(sensitiveTopics(text)).toEqual(topics);
  });
});

describe("analyzeRecording", () => {
  it("finds no sensitive block in the real health-clinic flow (menu input only)", () => {
    const r = analyzeRecording(parseFlow(health()), { assumeOnAtStart: true });
    expect(r.sensitiveBlocks).toEqual([]);
    expect(r.violations).toEqual([]);
  });

  it("reports a date-of-birth prompt reached with recording on, with the path and no prompt text", () => {
    const r = analyzeRecording(parseFlow(recordedDobFlow()), { assumeOnAtStart: false });
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.block).toMatchObject({
      id: "2",
      type: "GetParticipantInput",
      topics: ["date-of-birth"],
      sources: ["prompt"],
    });
    expect(v.recording).toBe("on");
    expect(v.path).toEqual(["rec", "1", "2"]);
    expect(v.recordingBlocks).toEqual([{ id: "rec", conversation: "on", ivr: "on" }]);
    expect(JSON.stringify(v)).not.toContain("eight digits");
  });

  it("reports the block when only an error branch skips the pause (every path counts)", () => {
    const doc = recordedDobFlow();
    doc.Actions.push(recording("pause", "2", [], "Disabled"));
    action(doc, "1").Transitions = {
      NextAction: "pause",
      Errors: [{ NextAction: "2", ErrorType: "NoMatchingError" }],
    };
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.violations.map((v) => v.path)).toEqual([["rec", "1", "2"]]);
  });

  it("passes when recording is paused on every path", () => {
    const doc = recordedDobFlow();
    doc.Actions.push(recording("pause", "2", [], "Disabled"));
    action(doc, "1").Transitions.NextAction = "pause";
    action(doc, "1").Transitions.Errors = [{ NextAction: "pause", ErrorType: "NoMatchingError" }];
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: true });
    expect(r.sensitiveBlocks.map((b) => b.id)).toEqual(["2"]);
    expect(r.violations).toEqual([]);
  });

  it("reports a retry loop that resumes recording before asking again", () => {
    const doc = recordedDobFlow();
    doc.Actions.push(
      recording("pause", "2", [], "Disabled"),
      recording("resume", "2", ["Agent", "Customer"]),
    );
    action(doc, "1").Transitions = { NextAction: "pause" };
    action(doc, "2").Transitions.Errors = [{ NextAction: "resume", ErrorType: "InputTimeLimitExceeded" }];
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]!.path).toEqual(["rec", "1", "pause", "2", "resume", "2"]);
  });

  it("pausing only agent recording leaves IVR recording on", () => {
    const doc = recordedDobFlow();
    doc.Actions.push(recording("pause", "2", []));
    action(doc, "1").Transitions = { NextAction: "pause" };
    const v = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v[0]?.state).toEqual({ conversation: "off", ivr: "on" });
  });

  it("treats a flow without recording blocks as inherited (assume-on) or off (assume-off)", () => {
    const doc = health();
    action(doc, "2").Parameters.Text = DOB_PROMPT;
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: true }).violations[0]?.recording).toBe(
      "inherited",
    );
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations).toEqual([]);
  });

  it("finds sensitive input by the attribute key it is stored under", () => {
    const doc = recordedDobFlow();
    action(doc, "2").Parameters.Text = "Please enter the number now.";
    action(doc, "3").Parameters.LambdaInvocationAttributes = { memberId: "$.StoredCustomerInput" };
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({
      id: "2",
      topics: ["member-id"],
      sources: ["stored as attribute"],
      attributeKeys: ["memberId"],
    });
  });

  it("finds sensitive input stored as a flow attribute (UpdateFlowAttributes, values are {Value})", () => {
    const doc = recordedDobFlow();
    action(doc, "2").Parameters.Text = "Please enter the number now.";
    action(doc, "2").Parameters.StoreInput = "True";
    // "Set contact attributes" with the Flow destination: the shape of the real VMX core module.
    doc.Actions.push({
      Identifier: "keep",
      Type: "UpdateFlowAttributes",
      Parameters: { FlowAttributes: { dateOfBirth: { Value: "$.StoredCustomerInput" } } },
      Transitions: { NextAction: action(doc, "2").Transitions.NextAction },
    });
    action(doc, "2").Transitions.NextAction = "keep";
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({
      id: "2",
      topics: ["date-of-birth"],
      sources: ["stored as attribute"],
      attributeKeys: ["dateOfBirth"],
    });
  });

  it("finds a Lex bot block by its intent names", () => {
    const doc = recordedDobFlow();
    Object.assign(action(doc, "2"), {
      Type: "ConnectParticipantWithLexBot",
      Parameters: {
        Text: "How can I help?",
        LexV2Bot: { AliasArn: "arn:aws:lex:us-east-1:111122223333:bot-alias/B/A" },
      },
      Transitions: {
        NextAction: "8",
        Conditions: [{ NextAction: "3", Condition: { Operator: "Equals", Operands: ["VerifyDateOfBirth"] } }],
        Errors: [{ NextAction: "8", ErrorType: "NoMatchingCondition" }],
      },
    });
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({ type: "ConnectParticipantWithLexBot", sources: ["condition operand"] });
  });

  it("counts recording as unknown after a flow module returns (the real VMX core module can return with IVR recording on)", () => {
    // The real VMX test flow invokes the real VMX core module, whose error path ("Set recording timestamp"
    // → "Was the vmx3_flag already set?" → "Error messaging." → EndFlowModuleExecution) returns to the
    // caller after "Enable Automated Interaction Recording". A pause before the module proves nothing after it.
    const doc: Json = JSON.parse(readFileSync("test/fixtures/connect/vmx3__VMXAWSTestFlow.json", "utf8"));
    doc.Actions.push(recording("pause", doc.StartAction, [], "Disabled"));
    doc.StartAction = "pause";
    Object.assign(action(doc, "Error message"), {
      Type: "GetParticipantInput",
      Parameters: { StoreInput: "False", InputTimeLimitSeconds: "5", Text: DOB_PROMPT },
    });
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.block.id).toBe("Error message");
    expect(v.recording).toBe("unknown");
    expect(v.path).toContain("Invoke the core VMX3 module");
    expect(v.recordingBlocks).toEqual([
      { id: "pause", conversation: "off", ivr: "off" },
      { id: "Invoke the core VMX3 module", conversation: "unknown", ivr: "unknown" },
    ]);
  });

  it("does not count a pause whose error branch leads to the capture block (the change may not have applied)", () => {
    const flow = parseFlow({
      Version: "2019-10-30",
      StartAction: "pause",
      Actions: [
        {
          Identifier: "pause",
          Type: "UpdateContactRecordingAndAnalyticsBehavior",
          Parameters: {
            VoiceBehavior: {
              VoiceRecordingBehavior: { RecordedParticipants: [], IVRRecordingBehavior: "Disabled" },
            },
          },
          Transitions: {
            NextAction: "dob",
            Errors: [
              { NextAction: "dob", ErrorType: "NoMatchingError" },
              { NextAction: "dob", ErrorType: "ChannelMismatch" },
            ],
          },
        },
        { Identifier: "dob", Type: "GetParticipantInput", Parameters: { Text: DOB_PROMPT }, Transitions: {} },
      ],
    });
    const [v, ...rest] = analyzeRecording(flow, { assumeOnAtStart: true }).violations;
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ recording: "inherited", path: ["pause", "dob"] });
    expect(v?.recordingBlocks).toEqual([{ id: "pause", conversation: "off", ivr: "off", viaError: true }]);
  });

  it("treats encrypted input (InputEncryption) as sensitive even when the prompt is an audio prompt", () => {
    const doc = recordedDobFlow();
    action(doc, "2").Parameters = {
      PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p",
      StoreInput: "True",
      InputTimeLimitSeconds: "5",
      InputValidation: { CustomValidation: { MaximumLength: "16" } },
      InputEncryption: { EncryptionKeyId: "key-1", Key: "-----BEGIN CERTIFICATE-----" },
    };
    action(doc, "2").Transitions = {
      NextAction: "3",
      Errors: [{ NextAction: "8", ErrorType: "NoMatchingError" }],
    };
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({ id: "2", topics: ["encrypted-input"], sources: ["input encryption"] });
  });

  it.each([
    ["an audio prompt", { PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p" }],
    ["a prompt from an attribute", { Text: "$.Attributes.nextPrompt" }],
    ["SSML with no words", { SSML: '<speak><audio src="s3://b/k.wav"/></speak>' }],
  ])("does not call stored input behind %s harmless: it is reported as unreadable", (_n, prompt) => {
    const doc = recordedDobFlow();
    action(doc, "2").Parameters = {
      ...prompt,
      StoreInput: "True",
      InputTimeLimitSeconds: "5",
      InputValidation: { CustomValidation: { MaximumLength: "10" } },
    };
    action(doc, "2").Transitions = {
      NextAction: "3",
      Errors: [{ NextAction: "8", ErrorType: "NoMatchingError" }],
    };
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({
      id: "2",
      topics: ["unreadable-prompt"],
      sources: ["prompt not readable"],
    });
  });

  it("leaves a menu (StoreInput False) behind an audio prompt alone", () => {
    const doc = recordedDobFlow();
    action(doc, "2").Parameters = { PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p" };
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).sensitiveBlocks).toEqual([]);
  });

  it("reads the real VMX core module: IVR recording on while waiting for the voicemail (not sensitive)", () => {
    const flow = parseFlow(readFileSync("test/fixtures/connect/vmx3__VMXCoreFlowModule.json", "utf8"));
    expect(recordingChange(flow.actions.get("Enable Automated Interaction Recording")!)).toEqual({
      conversation: "off",
      ivr: "on",
    });
    expect(analyzeRecording(flow, { assumeOnAtStart: true }).violations).toEqual([]);
  });
});

/**
 * The real health-clinic flow's shape with the question asked by the play-prompt block before the input
 * (repost.aws "Store customer input" best practices describe this shape): block 1 (MessageParticipant)
 * asks for the date of birth, block 2 (GetParticipantInput, StoreInput True) only says how to key it in.
 * Recording is turned on first, as in `recordedDobFlow`.
 */
const ASK_DOB = "Welcome to the clinic. To verify your identity, please key in your date of birth.";
function askedBeforeFlow(): Json {
  const doc = health();
  doc.Actions.push(recording("rec", "1", ["Agent", "Customer"], "Enabled"));
  doc.StartAction = "rec";
  action(doc, "1").Parameters.Text = ASK_DOB;
  Object.assign(action(doc, "2").Parameters, {
    Text: "Enter eight digits, followed by the pound key.",
    StoreInput: "True",
    DTMFConfiguration: { InputTerminationSequence: "#" },
    InputValidation: { CustomValidation: { MaximumLength: "8" } },
  });
  return doc;
}

describe("analyzeRecording: the question asked by a prompt block before the input", () => {
  it("reports stored input whose preceding prompt asks for the date of birth (its own prompt is neutral)", () => {
    const r = analyzeRecording(parseFlow(askedBeforeFlow()), { assumeOnAtStart: false });
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.block).toMatchObject({
      id: "2",
      type: "GetParticipantInput",
      topics: ["date-of-birth"],
      sources: ["preceding prompt"],
      promptedBy: ["1"],
    });
    expect(v.recording).toBe("on");
    expect(v.path).toEqual(["rec", "1", "2"]);
    expect(JSON.stringify(r)).not.toContain("verify your identity");
  });

  it("leaves stored input after the real, neutral welcome prompt alone", () => {
    const doc = askedBeforeFlow();
    action(doc, "1").Parameters.Text = health().Actions[0].Parameters.Text;
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: true }).sensitiveBlocks).toEqual([]);
  });

  it("passes through blocks that ask nothing (attributes, a pause, a neutral prompt) back to the question", () => {
    const doc = askedBeforeFlow();
    doc.Actions.push(
      recording("pause", "attrs", [], "Disabled"),
      {
        Identifier: "attrs",
        Type: "UpdateContactAttributes",
        Parameters: { Attributes: { step: "verify" }, TargetContact: "Current" },
        Transitions: { NextAction: "hint", Errors: [{ NextAction: "8", ErrorType: "NoMatchingError" }] },
      },
      {
        Identifier: "hint",
        Type: "MessageParticipant",
        Parameters: { Text: "Use two digits for the month." },
        Transitions: { NextAction: "2", Errors: [{ NextAction: "8", ErrorType: "NoMatchingError" }] },
      },
    );
    action(doc, "1").Transitions = {
      NextAction: "pause",
      Errors: [{ NextAction: "pause", ErrorType: "NoMatchingError" }],
    };
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.sensitiveBlocks).toEqual([expect.objectContaining({ id: "2", promptedBy: ["1"] })]);
    expect(r.violations).toEqual([]);
  });

  it("reports the path through the question when only that path is recorded", () => {
    // Two ways into block 2: the date-of-birth question with recording on, and a neutral prompt after a pause.
    const doc = askedBeforeFlow();
    doc.Actions.push(
      {
        Identifier: "route",
        Type: "Compare",
        Parameters: { ComparisonValue: "$.Attributes.verified" },
        Transitions: {
          NextAction: "1",
          Conditions: [{ NextAction: "pause", Condition: { Operator: "Equals", Operands: ["yes"] } }],
          Errors: [{ NextAction: "1", ErrorType: "NoMatchingCondition" }],
        },
      },
      recording("pause", "neutral", [], "Disabled"),
      {
        Identifier: "neutral",
        Type: "MessageParticipant",
        Parameters: { Text: "Please enter your extension." },
        Transitions: { NextAction: "2" },
      },
    );
    action(doc, "rec").Transitions.NextAction = "route";
    const [v, ...rest] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ recording: "on", path: ["rec", "route", "1", "2"] });
    expect(v?.block.promptedBy).toEqual(["1"]);
  });

  it("does not carry the question onto a path that never asked it", () => {
    // The same two ways in, the other way round: the question after a pause, the neutral prompt recorded.
    const doc = askedBeforeFlow();
    doc.Actions.push(
      recording("pause", "1", [], "Disabled"),
      {
        Identifier: "route",
        Type: "Compare",
        Parameters: { ComparisonValue: "$.Attributes.verified" },
        Transitions: {
          NextAction: "pause",
          Conditions: [{ NextAction: "neutral", Condition: { Operator: "Equals", Operands: ["yes"] } }],
          Errors: [{ NextAction: "pause", ErrorType: "NoMatchingCondition" }],
        },
      },
      {
        Identifier: "neutral",
        Type: "MessageParticipant",
        Parameters: { Text: "Please enter your extension." },
        Transitions: { NextAction: "2" },
      },
    );
    action(doc, "rec").Transitions.NextAction = "route";
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.sensitiveBlocks.map((b) => b.id)).toEqual(["2"]);
    expect(r.violations).toEqual([]);
  });

  it("stops at an answered input block: a menu between the question and the stored input", () => {
    const doc = askedBeforeFlow();
    doc.Actions.push({
      Identifier: "menu",
      Type: "GetParticipantInput",
      Parameters: { Text: "Press 1 to continue.", StoreInput: "False", InputTimeLimitSeconds: "5" },
      Transitions: {
        NextAction: "2",
        Conditions: [{ NextAction: "2", Condition: { Operator: "Equals", Operands: ["1"] } }],
        Errors: [{ NextAction: "8", ErrorType: "NoMatchingCondition" }],
      },
    });
    action(doc, "1").Transitions.NextAction = "menu";
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: true }).sensitiveBlocks).toEqual([]);
  });

  it("does not make a one-key menu after the question sensitive (one digit is no date of birth)", () => {
    const doc = askedBeforeFlow();
    Object.assign(action(doc, "2").Parameters, { StoreInput: "False" });
    expect(analyzeRecording(parseFlow(doc), { assumeOnAtStart: true }).sensitiveBlocks).toEqual([]);
  });

  it("reports the retry loop: an invalid entry, a neutral 'try again' and recording resumed before asking again", () => {
    const doc = askedBeforeFlow();
    doc.Actions.push(
      recording("pause", "2", [], "Disabled"),
      {
        Identifier: "again",
        Type: "MessageParticipant",
        Parameters: { Text: "Sorry, that entry was not valid. Please try again." },
        Transitions: { NextAction: "resume" },
      },
      recording("resume", "2", ["Agent", "Customer"], "Enabled"),
    );
    action(doc, "1").Transitions = { NextAction: "pause" };
    action(doc, "2").Transitions.Errors = [{ NextAction: "again", ErrorType: "NoMatchingError" }];
    const r = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({
      recording: "on",
      path: ["rec", "1", "pause", "2", "again", "resume", "2"],
    });
    expect(r.violations[0]!.block.promptedBy).toEqual(["1"]);
  });

  it("names a known topic, not an unreadable prompt, for an audio-prompt input after the question", () => {
    const doc = askedBeforeFlow();
    action(doc, "2").Parameters = {
      PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p",
      StoreInput: "True",
      InputTimeLimitSeconds: "5",
    };
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({ topics: ["date-of-birth"], sources: ["preceding prompt"] });
  });

  it("asks a Lex bot block the question too (the caller speaks the answer)", () => {
    const doc = askedBeforeFlow();
    Object.assign(action(doc, "2"), {
      Type: "ConnectParticipantWithLexBot",
      Parameters: {
        Text: "Go ahead.",
        LexV2Bot: { AliasArn: "arn:aws:lex:us-east-1:111122223333:bot-alias/B/A" },
      },
    });
    const [v] = analyzeRecording(parseFlow(doc), { assumeOnAtStart: false }).violations;
    expect(v?.block).toMatchObject({ id: "2", topics: ["date-of-birth"], promptedBy: ["1"] });
  });
});

describe("analyticsSettings", () => {
  it("reads Contact Lens on with redaction Disabled from the real GitLab CI/CD flow", () => {
    const flow = parseFlow(
      JSON.parse(readFileSync("test/fixtures/connect/gitlabcicd__acme_outbound_flow1_AUTO.json", "utf8")),
    );
    expect(analyticsSettings(flow)).toEqual([
      {
        id: "c2a77b6b-1579-4870-abf1-bf45f7fa6197",
        type: "UpdateContactRecordingBehavior",
        channel: "any",
        enabled: true,
        redaction: { enabled: false, results: "RedactedAndOriginal" },
      },
    ]);
  });

  it("reads voice and chat redaction of UpdateContactRecordingAndAnalyticsBehavior", () => {
    const flow = parseFlow({
      Version: "2019-10-30",
      StartAction: "a",
      Actions: [
        {
          Identifier: "a",
          Type: "UpdateContactRecordingAndAnalyticsBehavior",
          Parameters: {
            VoiceBehavior: {
              VoiceRecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] },
              VoiceAnalyticsBehavior: {
                Enabled: "True",
                ConversationalAnalyticsRedactionConfiguration: {
                  Enabled: "True",
                  RedactionResults: "RedactedOnly",
                  RedactionEntities: ["SSN"],
                },
              },
            },
          },
          Transitions: {},
        },
      ],
    });
    expect(analyticsSettings(flow)).toEqual([
      {
        id: "a",
        type: "UpdateContactRecordingAndAnalyticsBehavior",
        channel: "voice",
        enabled: true,
        redaction: { enabled: true, results: "RedactedOnly", entities: ["SSN"] },
      },
    ]);
  });
});

// --- property: the breadth-first analysis agrees with a set-based fixpoint, and its paths replay ---

const KINDS = ["dob", "menu", "recOn", "recOff", "ivrOn", "ivrOff", "msg", "module", "ask", "store"] as const;
function buildFlow(kinds: (typeof KINDS)[number][], edges: number[][]): Json {
  return {
    Version: "2019-10-30",
    StartAction: "n0",
    Actions: kinds.map((k, i) => {
      const next = (edges[i] ?? []).filter((t) => t < kinds.length).map((t) => `n${t}`);
      const base = {
        Identifier: `n${i}`,
        Transitions: {
          ...(next[0] ? { NextAction: next[0] } : {}),
          Errors: next.slice(1).map((n) => ({ NextAction: n, ErrorType: "NoMatchingError" })),
        },
      };
      if (k === "dob") return { ...base, Type: "GetParticipantInput", Parameters: { Text: "date of birth" } };
      if (k === "menu") return { ...base, Type: "GetParticipantInput", Parameters: { Text: "press 1" } };
      if (k === "msg") return { ...base, Type: "MessageParticipant", Parameters: { Text: "hello" } };
      if (k === "ask") return { ...base, Type: "MessageParticipant", Parameters: { Text: "your member ID" } };
      if (k === "store")
        return { ...base, Type: "GetParticipantInput", Parameters: { Text: "then #", StoreInput: "True" } };
      if (k === "module") return { ...base, Type: "InvokeFlowModule", Parameters: { FlowModuleId: "m" } };
      const rb =
        k === "recOn"
          ? { RecordedParticipants: ["Agent"] }
          : k === "recOff"
            ? { RecordedParticipants: [] }
            : { IVRRecordingBehavior: k === "ivrOn" ? "Enabled" : "Disabled" };
      return { ...base, Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: rb } };
    }),
  };
}

/**
 * Every (recording state, pending question) a block is entered with. The pending question is the id of
 * the nearest "ask" block (or "dob" input left by an error branch) since the last answered input, or "".
 */
function fixpoint(flow: Flow, initial: RecordingState): Map<string, Set<string>> {
  const states = new Map<string, Set<string>>();
  const work: Array<[string, RecordingState, string]> = [[flow.startAction, initial, ""]];
  while (work.length > 0) {
    const [id, s, asked] = work.pop()!;
    const set = states.get(id) ?? new Set();
    const key = `${s.conversation}/${s.ivr}/${asked}`;
    if (set.has(key)) continue;
    set.add(key);
    states.set(id, set);
    const a = flow.actions.get(id)!;
    const input = a.type === "GetParticipantInput";
    for (const e of a.edges) {
      if (!flow.actions.has(e.to)) continue;
      const next =
        a.parameters.Text === "your member ID"
          ? a.id
          : !input
            ? asked
            : e.via !== "error"
              ? ""
              : a.parameters.Text === "date of birth"
                ? a.id
                : asked;
      for (const t of successors(a, s, e.via)) work.push([e.to, t, next]);
    }
  }
  return states;
}

/** States an edge can carry: the change applied, and on an error branch also the change not applied. */
function successors(a: FlowAction, s: RecordingState, via: string): RecordingState[] {
  if (a.type === "InvokeFlowModule") return [{ conversation: "unknown", ivr: "unknown" }];
  const change = recordingChange(a);
  const after = { ...s, ...change };
  return via === "error" && Object.keys(change).length > 0 ? [after, s] : [after];
}

describe("analyzeRecording (property)", () => {
  it("terminates on cyclic flows, agrees with a fixpoint, and every reported path replays to its state", () => {
    const arb = fc
      .integer({ min: 1, max: 9 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.constantFrom(...KINDS), { minLength: n, maxLength: n }),
          fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }),
          fc.boolean(),
        ),
      );
    fc.assert(
      fc.property(arb, ([kinds, edges, assumeOn]) => {
        const flow = parseFlow(buildFlow(kinds, edges));
        const r = analyzeRecording(flow, { assumeOnAtStart: assumeOn });
        const initial: RecordingState = assumeOn
          ? { conversation: "inherited", ivr: "inherited" }
          : { conversation: "off", ivr: "off" };
        const states = fixpoint(flow, initial);
        const expected = new Map<string, "on" | "unknown" | "inherited">();
        const askedBy = new Map<string, string[]>();
        for (const [id, set] of states) {
          const text = flow.actions.get(id)!.parameters.Text;
          // A stored input answers the question pending on the path; a "dob" input asks its own.
          const entries = [...set]
            .map((k) => k.split("/"))
            .filter(([, , asked]) => text === "date of birth" || (text === "then #" && asked !== ""));
          if (text === "then #") {
            const by = [
              ...new Set([...set].map((k) => k.split("/")[2]!).filter((x) => x !== "" && x !== id)),
            ];
            if (by.length > 0) askedBy.set(id, by.sort());
          }
          const parts = entries.flatMap((e) => e.slice(0, 2)); // the two recording parts, not the question
          if (parts.includes("on")) expected.set(id, "on");
          else if (parts.includes("unknown")) expected.set(id, "unknown");
          else if (parts.includes("inherited")) expected.set(id, "inherited");
        }
        expect(new Map(r.violations.map((v) => [v.block.id, v.recording]))).toEqual(expected);
        // The backward walk names exactly the questions some path leaves pending.
        expect(
          new Map(r.sensitiveBlocks.filter((b) => b.promptedBy).map((b) => [b.id, b.promptedBy])),
        ).toEqual(askedBy);
        for (const v of r.violations) {
          expect(v.path[0]).toBe("n0");
          expect(v.path.at(-1)).toBe(v.block.id);
          let possible = [initial];
          for (let i = 0; i < v.path.length - 1; i++) {
            const a = flow.actions.get(v.path[i]!)!;
            const edges = a.edges.filter((e) => e.to === v.path[i + 1]);
            expect(edges.length).toBeGreaterThan(0);
            possible = possible.flatMap((s) => edges.flatMap((e) => successors(a, s, e.via)));
          }
          expect(possible).toContainEqual(v.state);
        }
      }),
      { numRuns: 400 },
    );
  });
});
