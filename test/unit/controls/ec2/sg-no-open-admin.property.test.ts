import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import control from "../../../../packages/core/src/controls/ec2/sg-no-open-admin.ts";
import { fromConfigurationItem, type ResourceSnapshot } from "../../../../packages/core/src/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";
import { testFacts } from "../../../helpers/facts.ts";
import { hunt } from "../hunt.ts";
import { type RefRule, type RefVerdict, referenceVerdict } from "./sg-reference.ts";

/** The Cloud Custodian rule event's item (Config change notification, camelCase, ipRanges + ipv4Ranges). */
const base = (): Record<string, unknown> =>
  JSON.parse(
    JSON.parse(
      readFileSync("test/fixtures/config/custodian__rule_event_SecurityGroup_open_ssh_0.0.0.0.json", "utf8"),
    ).invokingEvent,
  ).configurationItem;

const V4 = [
  "0.0.0.0/0",
  "0.0.0.0/1",
  "128.0.0.0/1",
  "0.0.0.0/2",
  "64.0.0.0/2",
  "128.0.0.0/2",
  "192.0.0.0/2",
  "1.2.3.4/0",
  "10.0.0.0/8",
  "203.0.113.7/32",
  "192.168.0.0/16",
  "not-a-cidr",
];
const V6 = [
  "::/0",
  "::/1",
  "8000::/1",
  "::0/0",
  "0:0:0:0:0:0:0:0/0",
  "2001:db8::/32",
  "fe80::/10",
  "4000::/2",
  "::/2",
  "c000::/2",
  "::ffff:0.0.0.0/96",
];
const PORT = fc.constantFrom<unknown>(-1, 0, 1, 21, 22, 23, 1024, 3388, 3389, 3390, 65535, undefined, "22");

const rule: fc.Arbitrary<RefRule> = fc.record({
  protocol: fc.constantFrom<unknown>(
    "-1",
    "tcp",
    "6",
    "udp",
    "17",
    "TCP",
    "icmp",
    "58",
    "50",
    "all",
    6,
    -1,
    undefined,
    "",
  ),
  from: PORT,
  to: PORT,
  v4: fc.subarray(V4, { maxLength: 3 }),
  v6: fc.subarray(V6, { maxLength: 2 }),
  prefixLists: fc.constantFrom([], [], [], ["pl-63a5400a"], ["pl-0a1b2c3d"], ["pl-63a5400a", "pl-0a1b2c3d"]),
  groups: fc.constantFrom([], ["sg-0f1e2d3c"]),
});

/** Config's shape: both ipRanges (strings) and ipv4Ranges, or the older ipRanges only. */
function configShape(r: RefRule, older: boolean): Record<string, unknown> {
  return {
    ...(r.protocol !== undefined ? { ipProtocol: r.protocol } : {}),
    ...(r.from !== undefined ? { fromPort: r.from } : {}),
    ...(r.to !== undefined ? { toPort: r.to } : {}),
    ipRanges: r.v4,
    ...(older ? {} : { ipv4Ranges: r.v4.map((cidrIp) => ({ cidrIp })) }),
    ipv6Ranges: r.v6.map((cidrIpv6) => ({ cidrIpv6 })),
    prefixListIds: r.prefixLists.map((prefixListId) => ({ prefixListId })),
    userIdGroupPairs: r.groups.map((groupId) => ({ groupId, userId: "123456789012" })),
  };
}
/** DescribeSecurityGroups' shape. */
function apiShape(r: RefRule): Record<string, unknown> {
  return {
    ...(r.protocol !== undefined ? { IpProtocol: r.protocol } : {}),
    ...(r.from !== undefined ? { FromPort: r.from } : {}),
    ...(r.to !== undefined ? { ToPort: r.to } : {}),
    IpRanges: r.v4.map((CidrIp) => ({ CidrIp })),
    Ipv6Ranges: r.v6.map((CidrIpv6) => ({ CidrIpv6 })),
    PrefixListIds: r.prefixLists.map((PrefixListId) => ({ PrefixListId })),
    UserIdGroupPairs: r.groups.map((GroupId) => ({ GroupId, UserId: "123456789012" })),
  };
}

function snapshot(
  rules: Array<RefRule | "unreadable"> | "missing" | "unreadable",
  shape: "config" | "config-older" | "api",
): ResourceSnapshot {
  const ci = base();
  const configuration = { ...(ci.configuration as Record<string, unknown>) };
  const key = shape === "api" ? "IpPermissions" : "ipPermissions";
  delete configuration.ipPermissions;
  if (rules === "unreadable") configuration[key] = "[not, json";
  else if (rules !== "missing")
    configuration[key] = rules.map((r) =>
      r === "unreadable" ? 7 : shape === "api" ? apiShape(r) : configShape(r, shape === "config-older"),
    );
  return fromConfigurationItem({ ...ci, configuration });
}

/**
 * The prefix lists Config recorded: by id, their entries (any mix of families and unparseable text), in
 * the group's region or another one (which the group cannot use).
 */
const recordedLists = fc.record(
  {
    "pl-63a5400a": fc.record({ cidrs: fc.subarray([...V4, ...V6], { maxLength: 3 }), here: fc.boolean() }),
    "pl-0a1b2c3d": fc.record({ cidrs: fc.subarray([...V4, ...V6], { maxLength: 3 }), here: fc.boolean() }),
  },
  { requiredKeys: [] },
);
type RecordedLists = Partial<Record<string, { cidrs: string[]; here: boolean }>>;

/** The lists as Config items (PascalCase configuration, as AWS::EC2::PrefixList is recorded). */
function listItems(group: ResourceSnapshot, lists: RecordedLists): ResourceSnapshot[] {
  return Object.entries(lists).map(([id, l]) =>
    fromConfigurationItem({
      awsAccountId: group.accountId,
      awsRegion: l!.here ? group.region : "eu-central-1",
      resourceType: "AWS::EC2::PrefixList",
      resourceId: id,
      configurationItemStatus: "OK",
      configurationItemCaptureTime: "2026-01-05T13:40:12.518Z",
      configuration: {
        PrefixListId: id,
        AddressFamily: "IPv4",
        OwnerId: group.accountId,
        Entries: l!.cidrs.map((Cidr) => ({ Cidr, Description: "x" })),
      },
    }),
  );
}

function verdictOf(s: ResourceSnapshot, lists: RecordedLists = {}): RefVerdict {
  const v = control.evaluate(s, {
    baseline: testBaseline(),
    facts: testFacts({ inventory: { "AWS::EC2::PrefixList": listItems(s, lists) } }),
    params: {},
    now: new Date(),
  });
  if (v.status === "COMPLIANT") return "pass";
  if (v.status !== "NON_COMPLIANT") return v.status as never;
  return v.evidence.proof === "cannot prove" ? "cannot-prove" : "fail";
}

const permissions = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.array(fc.oneof({ weight: 30, arbitrary: rule }, fc.constant("unreadable" as const)), {
      maxLength: 4,
    }),
  },
  fc.constantFrom("missing" as const, "unreadable" as const),
);

const { params, timeout } = hunt(3000);

describe("control sg-no-open-admin against a reference (property)", () => {
  it(
    "gives the reference's verdict on Config and API shaped groups",
    () => {
      const seen: Record<RefVerdict, number> = { pass: 0, fail: 0, "cannot-prove": 0 };
      fc.assert(
        fc.property(
          permissions,
          fc.constantFrom("config" as const, "config-older" as const, "api" as const),
          recordedLists,
          (rules, shape, lists) => {
            const usable = Object.fromEntries(
              Object.entries(lists)
                .filter(([, l]) => l!.here)
                .map(([id, l]) => [id, l!.cidrs]),
            );
            const want = referenceVerdict(rules, usable);
            seen[want]++;
            expect(verdictOf(snapshot(rules, shape), lists)).toBe(want);
          },
        ),
        params,
      );
      // The generator reaches every verdict often (a property that only ever passes proves nothing).
      for (const n of Object.values(seen)) expect(n).toBeGreaterThan(params.numRuns / 20);
    },
    timeout,
  );
});
