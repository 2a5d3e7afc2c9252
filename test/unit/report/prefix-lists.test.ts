import { describe, expect, it } from "vitest";
import type { Evaluation } from "../../../packages/core/src/control/types.ts";
import { NOT_RECORDED_REASON, prefixListUnable } from "../../../packages/core/src/index.ts";
import type { ResourceSnapshot } from "../../../packages/core/src/resource/snapshot.ts";

const entry = (region: string) => ({
  resourceType: "AWS::EC2::PrefixList",
  region,
  operation: "config:ListDiscoveredResources",
  reason: NOT_RECORDED_REASON,
});
const group = (id: string, region: string, prefixListId?: string): ResourceSnapshot => ({
  accountId: "111122223333",
  region,
  resourceType: "AWS::EC2::SecurityGroup",
  resourceId: id,
  capturedAt: "2026-03-03T10:00:00.000Z",
  state: "present",
  configuration: {
    groupId: id,
    ipPermissions: [
      {
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        ipRanges: prefixListId ? [] : ["10.0.0.0/8"],
        prefixListIds: prefixListId ? [{ prefixListId }] : [],
      },
    ],
  },
  supplementary: {},
  tags: {},
  source: "config",
});
const verdict = (g: ResourceSnapshot, status: Evaluation["status"], evidence = {}): Evaluation => ({
  controlId: "sg-no-open-admin",
  title: "t",
  resourceType: g.resourceType,
  resourceId: g.resourceId,
  accountId: g.accountId,
  region: g.region,
  status,
  severity: "high",
  hipaa: [],
  summary: "s",
  evidence,
  capturedAt: g.capturedAt,
});

describe("prefixListUnable", () => {
  const other = {
    resourceType: "AWS::S3::Bucket",
    region: "us-east-1",
    operation: "x",
    reason: NOT_RECORDED_REASON,
  };

  it("drops the entry of a region where no group names a prefix list, keeps every other entry", () => {
    const g = group("sg-0000000000000000a", "us-east-1");
    expect(
      prefixListUnable([entry("us-east-1"), other], [verdict(g, "COMPLIANT")], { resources: [g] }),
    ).toEqual([other]);
  });

  it("keeps it, with the count, where a group cannot be proven for a list not recorded", () => {
    const g = group("sg-0000000000000000b", "us-east-2", "pl-0123456789abcdef0");
    const out = prefixListUnable(
      [entry("us-east-1"), entry("us-east-2")],
      [
        verdict(g, "NON_COMPLIANT", {
          proof: "cannot prove",
          unknown: ["prefix list pl-0123456789abcdef0 (not recorded in the group's account and region)"],
        }),
      ],
      { resources: [g] },
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ region: "us-east-2" });
    expect(out[0]!.reason).toContain("1 security group(s) name a prefix list not recorded here");
  });

  it("keeps it where a group naming a list was not judged: not evaluated, failed, or not read", () => {
    const g = group("sg-0000000000000000c", "us-east-1", "pl-0123456789abcdef0");
    for (const [evaluations, notRead] of [
      [[], []],
      [[verdict(g, "ERROR")], []],
    ] as const)
      expect(prefixListUnable([entry("us-east-1")], evaluations, { resources: [g], notRead })).toHaveLength(
        1,
      );
    expect(
      prefixListUnable([entry("eu-west-1")], [], { resources: [], notRead: ["eu-west-1"] }),
    ).toHaveLength(1);
  });

  it("drops it where the only lists named were resolved (AWS's EC2 Instance Connect list passes)", () => {
    const g = group("sg-0000000000000000d", "us-east-1", "pl-0e4bcff02b13bef1e");
    expect(prefixListUnable([entry("us-east-1")], [verdict(g, "COMPLIANT")], { resources: [g] })).toEqual([]);
  });
});
