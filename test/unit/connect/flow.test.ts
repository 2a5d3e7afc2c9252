import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeRecording, parseFlow, reachableActions } from "../../../packages/core/src/connect/index.ts";
import { InputTooLargeError, InvalidEventError } from "../../../packages/core/src/errors.ts";

const fixture = (name: string) => readFileSync(`test/fixtures/connect/${name}`, "utf8");

describe("parseFlow", () => {
  it.each([
    ["awssamples_health_clinical__contact-flow.json", 9],
    ["gitlabcicd__acme_outbound_flow1_AUTO.json", 2],
    ["scv__AWS_Sample_SCV_REST_Example.json", 32],
    ["scv__AWS_Sample_SCV_Agent_Transfer.json", 14],
    ["scv__AWS_Sample_SCV_Inbound.json", 21],
    ["vmx3__VMXCoreFlowModule.json", 17],
    ["vmx3__VMXInQueueOption.json", 24],
    ["vmx3__VMXAWSTestFlow.json", 31],
  ])("parses the real flow %s (%i actions), every action reachable", (name, count) => {
    const flow = parseFlow(fixture(name));
    expect(flow.actions.size).toBe(count);
    expect(reachableActions(flow).size).toBe(count);
    expect(flow.danglingEdges).toEqual([]);
  });

  it("reads the content string of an export ({Name,Type,Content}) and of DescribeContactFlow ({ContactFlow})", () => {
    const exported = JSON.parse(fixture("gitlabcicd__acme_outbound_flow1_AUTO.json"));
    expect(typeof exported.Content).toBe("string");
    expect(parseFlow(exported).startAction).toBe("c2a77b6b-1579-4870-abf1-bf45f7fa6197");
    const described = JSON.parse(fixture("scv__AWS_Sample_SCV_Inbound.json"));
    expect(parseFlow(described).startAction).toBe("a2e856a6-b552-40be-a599-9f77fd6eb79a");
  });

  it.each([
    ["not JSON", "{", "Content"],
    ["no Actions", { StartAction: "a" }, "Content.Actions"],
    ["no StartAction", { Actions: [] }, "Content.StartAction"],
    [
      "an action without Type",
      { StartAction: "a", Actions: [{ Identifier: "a" }] },
      "Content.Actions.0.Type",
    ],
    [
      "a StartAction that names nothing",
      { StartAction: "x", Actions: [{ Identifier: "a", Type: "EndFlowExecution" }] },
      "Content.StartAction",
    ],
    [
      "a Conditions entry without NextAction",
      {
        StartAction: "a",
        Actions: [{ Identifier: "a", Type: "Compare", Transitions: { Conditions: [{ Condition: {} }] } }],
      },
      "Content.Actions.0.Transitions.Conditions.0.NextAction",
    ],
    [
      "a duplicate Identifier",
      {
        StartAction: "a",
        Actions: [
          { Identifier: "a", Type: "X" },
          { Identifier: "a", Type: "Y" },
        ],
      },
      "Content.Actions.1.Identifier",
    ],
  ])("rejects %s with InvalidEventError naming the field", (_n, input, field) => {
    const err = (() => {
      try {
        parseFlow(input);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidEventError);
    expect((err as InvalidEventError).field).toBe(field);
  });

  it("rejects oversized content with InputTooLargeError", () => {
    expect(() => parseFlow(" ".repeat(2_000_001))).toThrow(InputTooLargeError);
  });

  it("never throws anything but InvalidEventError on arbitrary JSON (property)", () => {
    const action = fc.record(
      {
        Identifier: fc.oneof(fc.constantFrom("a", "b", "c"), fc.jsonValue()),
        Type: fc.oneof(
          fc.constantFrom("GetParticipantInput", "UpdateContactRecordingBehavior"),
          fc.jsonValue(),
        ),
        Parameters: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
        Transitions: fc.oneof(
          fc.jsonValue(),
          fc.record({
            NextAction: fc.oneof(fc.constantFrom("a", "b", "c"), fc.jsonValue()),
            Conditions: fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue())),
            Errors: fc.oneof(fc.jsonValue(), fc.array(fc.record({ NextAction: fc.jsonValue() }))),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    const doc = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          StartAction: fc.oneof(fc.constantFrom("a", "b"), fc.jsonValue()),
          Actions: fc.oneof(fc.array(action), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
    );
    const input = fc.oneof(
      doc,
      doc.map((d) => JSON.stringify(d)),
      doc.map((d) => ({ ContactFlow: { Content: JSON.stringify(d) } })),
      fc.string(),
    );
    fc.assert(
      fc.property(input, (value) => {
        try {
          const flow = parseFlow(value);
          analyzeRecording(flow, { assumeOnAtStart: true });
        } catch (e) {
          if (!(e instanceof InvalidEventError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
