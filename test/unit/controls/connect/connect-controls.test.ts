import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ResourceSnapshot } from "../../../../packages/core/src/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";
import { apiSnapshot, evaluate, recorded, testFacts } from "../../../helpers/facts.ts";

// biome-ignore lint/suspicious/noExplicitAny: recorded AWS JSON, navigated freely in tests
type Json = Record<string, any>;
const read = (p: string) => readFileSync(p, "utf8");
const INSTANCE = "8dab73a7-51ab-4610-8c72-359333b63f10";
const FLOW = "AWS::Connect::ContactFlow";
const INST = "AWS::Connect::Instance";

/** A flow snapshot as the sweep builds it from DescribeContactFlow (Content stays a JSON string). */
function flowSnapshot(content: unknown, id = "flow-1"): ResourceSnapshot {
  return apiSnapshot(FLOW, id, {
    Arn: `arn:aws:connect:us-east-1:111122223333:instance/${INSTANCE}/contact-flow/${id}`,
    Id: id,
    Name: "Inbound",
    Type: "CONTACT_FLOW",
    Content: typeof content === "string" ? content : JSON.stringify(content),
  });
}
const health = (): Json =>
  JSON.parse(read("test/fixtures/connect/awssamples_health_clinical__contact-flow.json"));
const gitlab = (): Json =>
  JSON.parse(read("test/fixtures/connect/gitlabcicd__acme_outbound_flow1_AUTO.json"));

/** The real ListInstances entry with the real DescribeInstanceAttribute(CONTACT_LENS) answer. */
function instance(
  contactLens: "true" | "false",
  storage?: Record<string, unknown>,
  refused?: Record<string, unknown>,
): ResourceSnapshot {
  const summary = recorded(read("test/fixtures/api/custodian__connect.ListInstances.json"))
    .InstanceSummaryList[0];
  const attr = recorded(
    read(`test/fixtures/api/custodian__connect.DescribeInstanceAttribute_CONTACT_LENS_${contactLens}.json`),
  ).Attribute;
  return apiSnapshot(INST, summary.Id, summary, {
    accountId: "111122223333",
    arn: summary.Arn,
    supplementary: {
      Attributes: [attr],
      ...(storage ? { StorageConfigs: storage } : {}),
      ...(refused ? { StorageConfigsRefused: refused } : {}),
    },
  });
}

describe("control connect-flow-pause-recording", () => {
  it("passes on the real health-clinic flow (no sensitive input)", () => {
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(health()));
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.sensitiveBlocks).toBe(0);
  });
  it("fails when the date-of-birth prompt is reachable with recording on, naming blocks only", () => {
    const doc = health();
    doc.Actions.push({
      Identifier: "rec",
      Type: "UpdateContactRecordingBehavior",
      Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } },
      Transitions: { NextAction: "1" },
    });
    doc.StartAction = "rec";
    doc.Actions.find((a: Json) => a.Identifier === "2").Parameters.Text = "Please key in your date of birth.";
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(doc));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        block: "2",
        asksFor: ["date-of-birth"],
        recording: "on (agent/customer)",
        path: ["rec", "1", "2"],
      }),
    ]);
    expect(JSON.stringify(e.evidence)).not.toContain("key in your");
  });
  it("fails when the play-prompt block before a neutral 'Store customer input' asks for the date of birth", () => {
    // The real flow's shape: block 1 (MessageParticipant) asks, block 2 stores eight digits "followed by
    // the pound key"; recording on first.
    const doc = health();
    doc.Actions.push({
      Identifier: "rec",
      Type: "UpdateContactRecordingBehavior",
      Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } },
      Transitions: { NextAction: "1" },
    });
    doc.StartAction = "rec";
    doc.Actions.find((a: Json) => a.Identifier === "1").Parameters.Text =
      "Welcome to the clinic. Please key in your date of birth.";
    Object.assign(doc.Actions.find((a: Json) => a.Identifier === "2").Parameters, {
      Text: "Eight digits, followed by the pound key.",
      StoreInput: "True",
    });
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(doc));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toBe("1 sensitive input block(s) reachable with recording on");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        block: "2",
        asksFor: ["date-of-birth"],
        foundIn: ["preceding prompt"],
        promptedBy: ["1"],
        path: ["rec", "1", "2"],
      }),
    ]);
    expect(JSON.stringify(e.evidence)).not.toContain("key in your");
  });
  it("passes a sensitive prompt when the baseline says flows start unrecorded and nothing turns recording on", () => {
    const doc = health();
    doc.Actions.find((a: Json) => a.Identifier === "2").Parameters.Text = "Enter your member ID";
    const baseline = testBaseline({ connect: { recordingAtFlowStart: "assume-off" } as never });
    expect(evaluate("connect-flow-pause-recording", flowSnapshot(doc), testFacts(), baseline).status).toBe(
      "COMPLIANT",
    );
    expect(evaluate("connect-flow-pause-recording", flowSnapshot(doc)).status).toBe("NON_COMPLIANT");
  });
  it("judges a flow module as entered with the caller's recording, even when flows start unrecorded", () => {
    // A module only ever runs inside a flow, which may have turned recording on before invoking it:
    // "assume-off" (no flow is entered recording) says nothing about the state a module starts in.
    const doc = health();
    doc.Actions.find((a: Json) => a.Identifier === "2").Parameters.Text = "Enter your member ID";
    const baseline = testBaseline({ connect: { recordingAtFlowStart: "assume-off" } as never });
    const module = apiSnapshot("AWS::Connect::ContactFlowModule", "module-1", {
      Arn: `arn:aws:connect:us-east-1:111122223333:instance/${INSTANCE}/flow-module/module-1`,
      Id: "module-1",
      Name: "Verify member",
      Content: JSON.stringify(doc),
    });
    const e = evaluate("connect-flow-pause-recording", module, testFacts(), baseline);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.recordingAtFlowStart).toBe("inherited (a module runs inside a flow)");
  });
  it("fails, saying why, when a flow module runs between the pause and the sensitive block", () => {
    const doc = health();
    doc.Actions.push(
      {
        Identifier: "pause",
        Type: "UpdateContactRecordingBehavior",
        Parameters: { RecordingBehavior: { RecordedParticipants: [], IVRRecordingBehavior: "Disabled" } },
        Transitions: { NextAction: "module" },
      },
      {
        Identifier: "module",
        Type: "InvokeFlowModule",
        Parameters: { FlowModuleId: "c9ef0aaa-4bd6-4bb9-8a1c-d9f4d2f6f0e1" },
        Transitions: { NextAction: "1", Errors: [{ NextAction: "1", ErrorType: "NoMatchingError" }] },
      },
    );
    doc.StartAction = "pause";
    doc.Actions.find((a: Json) => a.Identifier === "2").Parameters.Text = "Please key in your date of birth.";
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(doc));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({
        block: "2",
        recording: "unknown: a flow module on this path can change recording",
        path: ["pause", "module", "1", "2"],
      }),
    ]);
  });
  it("cannot prove a flow whose reachable NextAction names no action of the flow (never a pass)", () => {
    const doc = health();
    const one = doc.Actions.find((a: Json) => a.Identifier === "1");
    one.Transitions.NextAction = "deleted-block";
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(doc));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({
      proof: "cannot prove",
      missingActions: [{ from: "1", to: "deleted-block" }],
    });
  });
  it("cannot prove, rather than pass, stored input behind an audio prompt with recording not paused", () => {
    const doc = health();
    Object.assign(
      doc.Actions.find((a: Json) => a.Identifier === "2"),
      {
        Parameters: {
          PromptId: "arn:aws:connect:us-east-1:111122223333:instance/i/prompt/p",
          StoreInput: "True",
          InputTimeLimitSeconds: "5",
          InputValidation: { CustomValidation: { MaximumLength: "10" } },
        },
        Transitions: { NextAction: "3", Errors: [{ NextAction: "8", ErrorType: "NoMatchingError" }] },
      },
    );
    const e = evaluate("connect-flow-pause-recording", flowSnapshot(doc));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toMatch(/^cannot prove/);
    expect(e.evidence).toMatchObject({ proof: "cannot prove" });
    expect(e.evidence.violations).toEqual([
      expect.objectContaining({ block: "2", asksFor: ["unreadable-prompt"] }),
    ]);
  });
  it("records ERROR, never a pass, on malformed flow content", () => {
    const e = evaluate("connect-flow-pause-recording", flowSnapshot('{"StartAction":"a"}'));
    expect(e.status).toBe("ERROR");
    expect(e.summary).toContain("configuration.Content.Actions");
  });
});

describe("control connect-contact-lens-redaction", () => {
  it("fails on the real GitLab flow: Contact Lens on, AnalyticsRedactionBehavior Disabled", () => {
    const e = evaluate("connect-contact-lens-redaction", flowSnapshot(gitlab().Content));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.problems).toEqual([
      {
        block: "c2a77b6b-1579-4870-abf1-bf45f7fa6197",
        channel: "any",
        problem: "analytics on, redaction off",
      },
    ]);
  });
  it("passes the same flow with redaction Enabled", () => {
    const doc = JSON.parse(gitlab().Content);
    doc.Actions[0].Parameters.AnalyticsBehavior.AnalyticsRedactionBehavior = "Enabled";
    expect(evaluate("connect-contact-lens-redaction", flowSnapshot(doc)).status).toBe("COMPLIANT");
  });
  it("fails when redaction lists entities that omit the baseline's, or keeps the original when redacted-only is required", () => {
    const doc = JSON.parse(gitlab().Content);
    Object.assign(doc.Actions[0].Parameters.AnalyticsBehavior, {
      AnalyticsRedactionBehavior: "Enabled",
      AnalyticsRedactionEntities: ["SSN"],
    });
    const e = evaluate(
      "connect-contact-lens-redaction",
      flowSnapshot(doc),
      testFacts(),
      testBaseline({ connect: { requireRedactedOnly: true } as never }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.problems as Array<{ problem: string }>).map((p) => p.problem)).toEqual([
      "redaction entities omit NAME, ADDRESS, PHONE, EMAIL, CREDIT_DEBIT_NUMBER",
      "keeps the original, unredacted output (RedactedAndOriginal)",
    ]);
  });
  it("does not take a dynamic AnalyticsRedactionResults for RedactedOnly when redacted-only is required", () => {
    const doc = JSON.parse(gitlab().Content);
    Object.assign(doc.Actions[0].Parameters.AnalyticsBehavior, {
      AnalyticsRedactionBehavior: "Enabled",
      AnalyticsRedactionResults: "$.Attributes.redactionResults",
    });
    const e = evaluate(
      "connect-contact-lens-redaction",
      flowSnapshot(doc),
      testFacts(),
      testBaseline({ connect: { requireRedactedOnly: true } as never }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.problems as Array<{ problem: string }>).map((p) => p.problem)).toEqual([
      "redaction output set at run time ($.Attributes.redactionResults): RedactedOnly not proven",
    ]);
  });
  it("does not take a left-out output setting for RedactedOnly when redacted-only is required (no documented default)", () => {
    const doc = JSON.parse(gitlab().Content);
    const ab = doc.Actions[0].Parameters.AnalyticsBehavior;
    ab.AnalyticsRedactionBehavior = "Enabled";
    delete ab.AnalyticsRedactionResults;
    const strict = testBaseline({ connect: { requireRedactedOnly: true } as never });
    const e = evaluate("connect-contact-lens-redaction", flowSnapshot(doc), testFacts(), strict);
    expect((e.evidence.problems as Array<{ problem: string }>).map((p) => p.problem)).toEqual([
      "redaction output not set: RedactedOnly not proven",
    ]);
    ab.AnalyticsRedactionResults = "RedactedOnly";
    expect(evaluate("connect-contact-lens-redaction", flowSnapshot(doc), testFacts(), strict).status).toBe(
      "COMPLIANT",
    );
  });
  it("is not applicable to the real health flow (no analytics)", () => {
    expect(evaluate("connect-contact-lens-redaction", flowSnapshot(health())).status).toBe("NOT_APPLICABLE");
  });
  it("rolls up an instance with Contact Lens on (real attribute) from its flows", () => {
    const bad = flowSnapshot(gitlab().Content, "outbound");
    const e = evaluate(
      "connect-contact-lens-redaction",
      instance("true"),
      testFacts({ inventory: { [FLOW]: [bad, flowSnapshot(health())] } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.flows).toEqual([expect.objectContaining({ flow: "outbound" })]);
    const good = evaluate(
      "connect-contact-lens-redaction",
      instance("true"),
      testFacts({ inventory: { [FLOW]: [flowSnapshot(health())] } }),
    );
    expect(good.status).toBe("COMPLIANT");
  });
  it("is not applicable to an instance with Contact Lens off (real attribute)", () => {
    expect(evaluate("connect-contact-lens-redaction", instance("false")).status).toBe("NOT_APPLICABLE");
  });
});

describe("control connect-storage-encrypted", () => {
  const CMK = "arn:aws:kms:us-east-1:111122223333:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d";
  const s3 = (BucketName: string, KeyId?: string) => [
    {
      AssociationId: "a1",
      StorageType: "S3",
      S3Config: {
        BucketName,
        BucketPrefix: "connect/c7ntest/CallRecordings",
        ...(KeyId ? { EncryptionConfig: { EncryptionType: "KMS", KeyId } } : {}),
      },
    },
  ];
  const cmk = testFacts({ keys: { [CMK]: { arn: CMK, keyManager: "CUSTOMER" } } });
  /** What the sweep reads: every type it asks ListInstanceStorageConfigs for, [] where none is associated. */
  const read = (types: Record<string, unknown> = {}) => ({
    CALL_RECORDINGS: [],
    CHAT_TRANSCRIPTS: [],
    SCHEDULED_REPORTS: [],
    SCREEN_RECORDINGS: [],
    CONTACT_TRACE_RECORDS: [],
    MEDIA_STREAMS: [],
    CONTACT_EVALUATIONS: [],
    ATTACHMENTS: [],
    EMAIL_MESSAGES: [],
    ...types,
  });
  /** `read()` without these types: the sweep did not get an answer for them. */
  const without = (...types: string[]) => {
    const r: Record<string, unknown> = read();
    for (const t of types) delete r[t];
    return r;
  };
  it("passes recordings and transcripts in PHI buckets under a customer-managed key", () => {
    const e = evaluate(
      "connect-storage-encrypted",
      instance(
        "true",
        read({
          CALL_RECORDINGS: s3("phi-recordings", CMK),
          CHAT_TRANSCRIPTS: s3("phi-transcripts-chat", CMK),
        }),
      ),
      cmk,
    );
    expect(e.status).toBe("COMPLIANT");
  });
  it.each([
    [
      "a type the sweep could not read (ListInstanceStorageConfigs denied for chat transcripts)",
      (() => {
        const r: Record<string, unknown> = read({ CALL_RECORDINGS: s3("phi-recordings", CMK) });
        delete r.CHAT_TRANSCRIPTS;
        return r;
      })(),
      { types: ["CHAT_TRANSCRIPTS"], problem: "storage configuration not read" },
    ],
    [
      "a type recorded as null",
      read({ CALL_RECORDINGS: null }),
      { type: "CALL_RECORDINGS", problem: "storage association unreadable" },
    ],
    [
      "an association that is not an object",
      read({ CALL_RECORDINGS: ["S3"] }),
      { type: "CALL_RECORDINGS", problem: "storage association unreadable" },
    ],
    [
      "a media stream without its Kinesis Video Streams configuration",
      read({ MEDIA_STREAMS: [{ AssociationId: "m1", StorageType: "KINESIS_VIDEO_STREAM" }] }),
      { type: "MEDIA_STREAMS", problem: "Kinesis Video Streams configuration unreadable" },
    ],
  ])("cannot prove, rather than pass, %s", (_n, storage, problem) => {
    const e = evaluate("connect-storage-encrypted", instance("true", storage), cmk);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.problems).toEqual([expect.objectContaining(problem)]);
  });
  it.each([
    [
      "a bucket outside the baseline",
      s3("contact-center-misc", CMK),
      "bucket is not a PHI bucket in the baseline",
    ],
    ["no KMS encryption", s3("phi-recordings"), "no KMS encryption configured"],
    [
      "the AWS-managed aws/connect key",
      s3("phi-recordings", "alias/aws/connect"),
      "AWS-managed key alias/aws/connect",
    ],
  ])("fails on %s", (_n, recordings, problem) => {
    const e = evaluate(
      "connect-storage-encrypted",
      instance("true", read({ CALL_RECORDINGS: recordings })),
      cmk,
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.problems).toEqual(expect.arrayContaining([expect.objectContaining({ problem })]));
  });
  it.each(["ATTACHMENTS", "CONTACT_EVALUATIONS", "EMAIL_MESSAGES"])(
    "fails %s in a bucket outside the baseline, or under the AWS-managed key",
    (type) => {
      const outside = evaluate(
        "connect-storage-encrypted",
        instance("true", read({ [type]: s3("contact-center-misc", CMK) })),
        cmk,
      );
      expect(outside.evidence.proof).toBeUndefined();
      expect(outside.evidence.problems).toEqual([
        expect.objectContaining({ type, problem: "bucket is not a PHI bucket in the baseline" }),
      ]);
      const awsKey = evaluate(
        "connect-storage-encrypted",
        instance("true", read({ [type]: s3("phi-recordings", "alias/aws/connect") })),
        cmk,
      );
      expect(awsKey.status).toBe("NON_COMPLIANT");
      expect(awsKey.evidence.problems).toEqual([
        expect.objectContaining({ type, problem: "AWS-managed key alias/aws/connect" }),
      ]);
    },
  );
  it.each(["ATTACHMENTS", "CONTACT_EVALUATIONS", "EMAIL_MESSAGES"])(
    "cannot prove an instance whose %s were not read",
    (type) => {
      const e = evaluate("connect-storage-encrypted", instance("true", without(type)), cmk);
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.problems).toEqual([
        expect.objectContaining({ types: [type], problem: "storage configuration not read" }),
      ]);
    },
  );
  it("passes an optional type Connect refused as not applying, and says so in the evidence", () => {
    const e = evaluate(
      "connect-storage-encrypted",
      instance("true", without("EMAIL_MESSAGES"), { EMAIL_MESSAGES: "InvalidRequestException" }),
      cmk,
    );
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.refused).toEqual([{ type: "EMAIL_MESSAGES", answer: "InvalidRequestException" }]);
  });
  it("judges what Connect returned for a type, whatever refusal is recorded beside it", () => {
    const e = evaluate(
      "connect-storage-encrypted",
      instance("true", read({ ATTACHMENTS: s3("contact-center-misc", CMK) }), {
        ATTACHMENTS: "InvalidRequestException",
      }),
      cmk,
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.refused).toBeUndefined();
  });
  it.each([
    ["a type every instance has", "CALL_RECORDINGS", "InvalidRequestException"],
    ["an answer that is a read failure", "EMAIL_MESSAGES", "ThrottlingException"],
    ["an answer that is not an error name", "EMAIL_MESSAGES", { name: "InvalidRequestException" }],
  ])("cannot prove a refusal of %s", (_n, type, answer) => {
    const e = evaluate("connect-storage-encrypted", instance("true", without(type), { [type]: answer }), cmk);
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.problems).toEqual([
      expect.objectContaining({ types: [type], problem: "storage configuration not read" }),
    ]);
  });
  it("says cannot prove when the storage configuration was not read", () => {
    const e = evaluate("connect-storage-encrypted", instance("true"));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
});
