// The event pattern matcher against the examples in AWS's documentation:
// - EventBridge user guide, "Content filtering in Amazon EventBridge event patterns",
//   "Comparison operators for use in event patterns", "Arrays in event patterns",
//   "Matching null values and empty strings"
//   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
//   source github awsdocs/amazon-eventbridge-user-guide @ 4ddcc77a1f44 doc_source/eb-event-patterns-*.md)
// - the README of aws/event-ruler (@ 0816dfb0c777), the library EventBridge matches with.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compilePattern,
  type EventPattern,
  EventPatternError,
  matchesPattern,
} from "../../../packages/core/src/eventpattern/index.ts";

/** The sample event of the event-ruler README ("Ruler by Example"). */
const EC2_EVENT = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

function withDetail(detail: Record<string, unknown>) {
  return { ...EC2_EVENT, detail: { ...EC2_EVENT.detail, ...detail } };
}

describe("event pattern matcher: documented examples", () => {
  it.each<[string, EventPattern]>([
    [
      "simple matching with resources intersection",
      {
        "detail-type": ["EC2 Instance State-change Notification"],
        resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        detail: { state: ["initializing", "running"] },
      },
    ],
    ["prefix", { time: [{ prefix: "2017-10-02" }] }],
    ["suffix", { source: [{ suffix: "ec2" }] }],
    ["equals-ignore-case", { source: [{ "equals-ignore-case": "AWS.EC2" }] }],
    ["prefix ignoring case", { source: [{ prefix: { "equals-ignore-case": "AWS.E" } }] }],
    ["suffix ignoring case", { source: [{ suffix: { "equals-ignore-case": "EC2" } }] }],
    ["wildcard", { "detail-type": [{ wildcard: "EC2*State-change*" }] }],
    ["anything-but string", { detail: { state: [{ "anything-but": "initializing" }] } }],
    ["anything-but number", { detail: { "x-limit": [{ "anything-but": 123 }] } }],
    ["anything-but list of strings", { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }],
    ["anything-but list of numbers", { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }],
    ["anything-but prefix", { detail: { state: [{ "anything-but": { prefix: "init" } }] } }],
    ["anything-but suffix", { detail: { state: [{ "anything-but": { suffix: "ing-x" } }] } }],
    [
      "anything-but ignoring case",
      { detail: { state: [{ "anything-but": { "equals-ignore-case": "STOPPED" } }] } },
    ],
    ["anything-but wildcard", { detail: { state: [{ "anything-but": { wildcard: "*stop*" } }] } }],
    [
      "numeric ranges (all must hold)",
      {
        detail: {
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ numeric: ["=", 3.018e2] }],
        },
      },
    ],
    ["cidr", { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }],
    ["exists true", { detail: { "c-count": [{ exists: true }] } }],
    ["exists false", { detail: { "no-such-field": [{ exists: false }] } }],
    [
      "complex example",
      {
        time: [{ prefix: "2017-10-02" }],
        detail: {
          state: [{ "anything-but": "initializing" }],
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ "anything-but": [100, 200, 300] }],
          "source-ip": [{ cidr: "10.0.0.0/8" }],
        },
      },
    ],
    [
      "$or across fields",
      {
        source: ["aws.ec2"],
        $or: [{ detail: { state: ["stopped"] } }, { detail: { "c-count": [{ numeric: [">=", 5] }] } }],
      },
    ],
  ])("matches the sample event: %s", (_name, pattern) => {
    expect(matchesPattern(pattern, EC2_EVENT)).toBe(true);
  });

  it.each<[string, EventPattern]>([
    ["a different exact value", { detail: { state: ["stopped"] } }],
    ["exact match is case-sensitive", { source: ["AWS.EC2"] }],
    ["prefix that does not start the value", { time: [{ prefix: "2017-10-03" }] }],
    ["suffix", { source: [{ suffix: "s3" }] }],
    ["wildcard that needs the whole value", { "detail-type": [{ wildcard: "EC2*" + "Notification-x" }] }],
    ["anything-but the value itself", { detail: { state: [{ "anything-but": "running" }] } }],
    [
      "anything-but list holding the value",
      { detail: { state: [{ "anything-but": ["stopped", "running"] }] } },
    ],
    ["anything-but prefix of the value", { detail: { state: [{ "anything-but": { prefix: "run" } }] } }],
    ["anything-but suffix of the value", { detail: { state: [{ "anything-but": { suffix: "ning" } }] } }],
    [
      "anything-but ignoring case",
      { detail: { state: [{ "anything-but": { "equals-ignore-case": "RUNNING" } }] } },
    ],
    ["anything-but wildcard", { detail: { state: [{ "anything-but": { wildcard: "r*g" } }] } }],
    ["anything-but on a missing field", { detail: { missing: [{ "anything-but": "x" }] } }],
    ["numeric out of range", { detail: { "c-count": [{ numeric: [">", 5] }] } }],
    ["numeric on a string", { detail: { state: [{ numeric: [">", 0] }] } }],
    ["cidr outside", { detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } }],
    ["exists true on a missing field", { detail: { missing: [{ exists: true }] } }],
    ["exists false on a present field", { detail: { "c-count": [{ exists: false }] } }],
    ["a field the event lacks", { detail: { missing: ["x"] } }],
    ["$or with no true branch", { $or: [{ source: ["aws.s3"] }, { detail: { state: ["stopped"] } }] }],
  ])("rejects the sample event: %s", (_name, pattern) => {
    expect(matchesPattern(pattern, EC2_EVENT)).toBe(false);
  });

  it("numeric equality compares values, not texts (3.018e2 = 301.8)", () => {
    const rule = compilePattern({ detail: { "x-limit": [{ numeric: ["=", 3.018e2] }] } });
    expect(rule.matches(withDetail({ "x-limit": 301.8 }))).toBe(true);
    expect(rule.matches(withDetail({ "x-limit": 301.81 }))).toBe(false);
  });

  it("numeric bounds are inclusive or exclusive as written", () => {
    const rule = compilePattern({ detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } });
    expect([0, 0.5, 5, 5.000001].map((n) => rule.matches(withDetail({ "c-count": n })))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it("exists false matches a non-leaf node (documented: c-count is an object)", () => {
    const rule = compilePattern({ detail: { "c-count": [{ exists: false }] } });
    expect(rule.matches(withDetail({ "c-count": { c1: 100 } }))).toBe(true);
    expect(
      compilePattern({ detail: { "c-count": [{ exists: true }] } }).matches(
        withDetail({ "c-count": { c1: 100 } }),
      ),
    ).toBe(false);
  });

  it("matches null and empty string separately (documented)", () => {
    const event = {
      source: "aws.autoscaling",
      detail: { eventVersion: "", responseElements: null },
    };
    expect(matchesPattern({ detail: { eventVersion: [""] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { responseElements: [""] } }, event)).toBe(false);
  });

  it("an event array matches when the intersection is non-empty (documented resources example)", () => {
    const pattern = {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
      ],
    };
    const event = {
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it("arrays of objects match element by element (event-ruler README employees example)", () => {
    const event = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };
    expect(matchesPattern({ employees: { firstName: ["Anna"] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true);
    // Fields from different elements never combine.
    expect(matchesPattern({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event)).toBe(false);
    const nested = { employees: [[event.employees[0], event.employees[1]], [event.employees[2]]] };
    expect(matchesPattern({ employees: { firstName: ["Peter"] } }, nested)).toBe(true);
  });

  it("$or: normal, parallel, with an And inside, nested (event-ruler README)", () => {
    const normal = {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
    };
    expect(matchesPattern(normal, { source: "aws.cloudwatch", namespace: "AWS/ES" })).toBe(true);
    expect(matchesPattern(normal, { source: "aws.cloudwatch", metricName: "ReadLatency" })).toBe(true);
    expect(matchesPattern(normal, { source: "aws.cloudwatch", namespace: "AWS/S3" })).toBe(false);
    expect(matchesPattern(normal, { source: "aws.ec2", namespace: "AWS/ES" })).toBe(false);

    const parallel = {
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
      detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
    };
    expect(
      matchesPattern(parallel, {
        namespace: "AWS/EC2",
        detail: { "detail-type": "CloudWatch Alarm State Change" },
      }),
    ).toBe(true);
    expect(matchesPattern(parallel, { namespace: "AWS/EC2", detail: { source: "aws.s3" } })).toBe(false);

    const nested = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency"] },
        {
          metricType: ["MetricType"],
          namespace: ["AWS/EC2", "AWS/ES"],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ["Service"] },
      ],
    };
    expect(
      matchesPattern(nested, {
        source: "aws.cloudwatch",
        metricType: "MetricType",
        namespace: "AWS/EC2",
        spaceId: 1000,
      }),
    ).toBe(true);
    expect(
      matchesPattern(nested, {
        source: "aws.cloudwatch",
        metricType: "MetricType",
        namespace: "AWS/EC2",
        spaceId: 1,
      }),
    ).toBe(false);
    expect(matchesPattern(nested, { source: "aws.cloudwatch", scope: "Service" })).toBe(true);
  });

  it('"$or" that is not the primitive is a normal field name (event-ruler backward compatibility)', () => {
    const pattern = { source: ["aws.cloudwatch"], $or: { metricType: ["MetricType"] } };
    expect(matchesPattern(pattern, { source: "aws.cloudwatch", $or: { metricType: "MetricType" } })).toBe(
      true,
    );
    expect(matchesPattern(pattern, { source: "aws.cloudwatch", metricType: "MetricType" })).toBe(false);
  });

  it("wildcard: any run including empty, escapes for * and \\", () => {
    const rule = compilePattern({ source: [{ wildcard: "Simple*Service" }] });
    expect(
      ["SimpleService", "Simple Queue Service", "SimpleXService"].map((s) => rule.matches({ source: s })),
    ).toEqual([true, true, true]);
    expect(rule.matches({ source: "Simple Service!" })).toBe(false);
    const star = compilePattern({ key: [{ wildcard: "a\\*b" }] });
    expect(star.matches({ key: "a*b" })).toBe(true);
    expect(star.matches({ key: "axb" })).toBe(false);
    const slash = compilePattern({ key: [{ wildcard: "a\\\\*" }] });
    expect(slash.matches({ key: "a\\zzz" })).toBe(true);
    expect(compilePattern({ key: [{ wildcard: "*.json.gz" }] }).matches({ key: "AWSLogs/x/y.json.gz" })).toBe(
      true,
    );
  });

  it("equals-ignore-case matches any casing of the whole value", () => {
    const rule = compilePattern({ Name: [{ "equals-ignore-case": "alice" }] });
    expect(["Alice", "ALICE", "alice"].every((n) => rule.matches({ Name: n }))).toBe(true);
    expect(rule.matches({ Name: "Alicia" })).toBe(false);
  });

  it("cidr: IPv4 and IPv6, never a hostname", () => {
    const v4 = compilePattern({ ip: [{ cidr: "192.0.2.0/28" }] });
    expect(
      ["192.0.2.0", "192.0.2.15", "192.0.2.16", "AWS Internal", "connect.amazonaws.com"].map((ip) =>
        v4.matches({ ip }),
      ),
    ).toEqual([true, true, false, false, false]);
    const v6 = compilePattern({ ip: [{ cidr: "2001:db8::/32" }] });
    expect(v6.matches({ ip: "2001:db8:85a3::8a2e:370:7334" })).toBe(true);
    expect(v6.matches({ ip: "2001:db9::1" })).toBe(false);
    expect(v6.matches({ ip: "192.0.2.1" })).toBe(false);
    const mapped = compilePattern({ ip: [{ cidr: "::ffff:0:0/96" }] });
    expect(mapped.matches({ ip: "::ffff:192.0.2.1" })).toBe(true);
  });

  it.each<[string, unknown]>([
    ["a leaf that is not an array", { source: "aws.s3" }],
    ["an empty alternatives array", { source: [] }],
    ["an unknown operator", { source: [{ contains: "s3" }] }],
    ["two operators in one object", { source: [{ prefix: "a", suffix: "b" }] }],
    ["consecutive wildcards", { source: [{ wildcard: "a**b" }] }],
    ["a backslash escaping a letter", { source: [{ wildcard: "a\\b" }] }],
    ["anything-but mixing strings and numbers", { x: [{ "anything-but": ["a", 1] }] }],
    ["anything-but with numeric", { x: [{ "anything-but": { numeric: [">", 1] } }] }],
    ["numeric with an odd argument list", { x: [{ numeric: [">", 1, "<"] }] }],
    ["numeric beyond ±5e9", { x: [{ numeric: [">", 6e9] }] }],
    ["numeric lower above upper", { x: [{ numeric: [">", 10, "<", 1] }] }],
    ["exists with a string", { x: [{ exists: "yes" }] }],
    ["a bad CIDR", { x: [{ cidr: "10.0.0.0/33" }] }],
    ["a pattern that is not an object", ["aws.s3"]],
  ])("refuses %s with an EventPatternError", (_name, pattern) => {
    expect(() => compilePattern(pattern as EventPattern)).toThrow(EventPatternError);
  });

  it("never throws while matching, whatever the event (property)", () => {
    const rule = compilePattern({
      source: [{ prefix: "aws." }],
      detail: {
        eventName: [{ "anything-but": { wildcard: "Get*" } }],
        sourceIPAddress: [{ cidr: "10.0.0.0/8" }, { exists: false }],
        n: [{ numeric: [">=", 0] }],
      },
    });
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        expect(typeof rule.matches(event)).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });

  it("a literal pattern matches exactly its own string value (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(matchesPattern({ k: [a] }, { k: b })).toBe(a === b);
        expect(matchesPattern({ k: [{ prefix: a }] }, { k: a + b })).toBe(true);
        expect(matchesPattern({ k: [{ "anything-but": a }] }, { k: b })).toBe(a !== b);
      }),
    );
  });
});
