import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  fromConfigurationItem,
  type PrefixListFacts,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import { testBaseline } from "../../../helpers/baseline.ts";
import { apiSnapshot, evaluate, testFacts } from "../../../helpers/facts.ts";

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const rdk = () =>
  fromConfigurationItem({
    ...json("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json"),
    awsAccountId: "111122223333",
  });
const custodian = () =>
  fromConfigurationItem(
    JSON.parse(
      json("test/fixtures/config/custodian__rule_event_SecurityGroup_open_ssh_0.0.0.0.json").invokingEvent,
    ).configurationItem,
  );
/** The AWS docs history item: configuration as a JSON string, 3389 from a /19 only, 80 and 1433 open. */
function awsDocs(): ResourceSnapshot {
  const ci = json("test/fixtures/api/awsdocs__GetResourceConfigHistory_SecurityGroup.json")
    .configurationItems[0];
  return fromConfigurationItem({
    ...ci,
    awsAccountId: "012345678912",
    awsRegion: "us-east-2",
    configurationItemStatus: "OK",
    configurationItemCaptureTime: new Date(ci.configurationItemCaptureTime * 1000).toISOString(),
  });
}
const sg = (perm: Record<string, unknown>) =>
  apiSnapshot("AWS::EC2::SecurityGroup", "sg-1", { GroupId: "sg-1", IpPermissions: [perm] });

describe("control sg-no-open-admin", () => {
  it.each([
    ["the RDK sample (tcp/22 from 0.0.0.0/0)", rdk],
    ["the Cloud Custodian rule event (tcp/22, ipv4Ranges)", custodian],
  ])("fails on %s", (_n, make) => {
    const e = evaluate("sg-no-open-admin", make());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.openRules).toEqual([
      expect.objectContaining({
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidr: "0.0.0.0/0",
        exposes: "SSH (22)",
      }),
    ]);
  });
  it("passes on the AWS docs group: RDP only from a /19, 80 and 1433 are not admin ports", () => {
    expect(evaluate("sg-no-open-admin", awsDocs()).status).toBe("COMPLIANT");
  });
  it.each([
    [
      "all traffic from ::/0 (API casing)",
      { IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
      "all ports",
    ],
    [
      "RDP over UDP",
      { IpProtocol: "udp", FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "RDP (3389)",
    ],
    [
      "a range spanning 22",
      { IpProtocol: "6", FromPort: 20, ToPort: 30, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "SSH (22)",
    ],
  ])("fails on %s", (_n, perm, exposes) => {
    const e = evaluate("sg-no-open-admin", sg(perm));
    expect(e.status).toBe("NON_COMPLIANT");
    expect((e.evidence.openRules as Array<{ exposes: string }>)[0]!.exposes).toBe(exposes);
  });
  it("passes on SSH from a private range", () => {
    expect(
      evaluate(
        "sg-no-open-admin",
        sg({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }),
      ).status,
    ).toBe("COMPLIANT");
  });
  const sgs = (...perms: Array<Record<string, unknown>>) =>
    apiSnapshot("AWS::EC2::SecurityGroup", "sg-1", { GroupId: "sg-1", IpPermissions: perms });
  it.each([
    [
      "SSH from 0.0.0.0/1 and 128.0.0.0/1 (the whole IPv4 internet in two halves)",
      sgs({
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "0.0.0.0/1" }, { CidrIp: "128.0.0.0/1" }],
      }),
      "SSH (22)",
    ],
    [
      "the two halves in two rules, one a port range",
      sgs(
        { IpProtocol: "tcp", FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: "0.0.0.0/1" }] },
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "128.0.0.0/1" }] },
      ),
      "SSH (22)",
    ],
    [
      "RDP from ::/1 and 8000::/1",
      sgs({
        IpProtocol: "tcp",
        FromPort: 3389,
        ToPort: 3389,
        Ipv6Ranges: [{ CidrIpv6: "::/1" }, { CidrIpv6: "8000::/1" }],
      }),
      "RDP (3389)",
    ],
    [
      "tcp with the CLI's --port all (-1)",
      sgs({ IpProtocol: "tcp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      "all ports",
    ],
  ])("fails on %s", (_n, snapshot, exposes) => {
    const e = evaluate("sg-no-open-admin", snapshot);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.summary).toBe(`ingress from the internet to ${exposes}`);
  });
  it.each([
    [
      "SSH from a prefix list (a customer-managed list may hold 0.0.0.0/0)",
      sgs({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: "pl-63a5400a" }] }),
      ["prefix list pl-63a5400a (prefix lists not read)"],
    ],
    [
      "a rule from 0.0.0.0/0 without a protocol",
      sgs({ FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      ["rule with an unreadable protocol"],
    ],
    [
      "a tcp rule from 0.0.0.0/0 without ports",
      sgs({ IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      ["rule with unreadable ports"],
    ],
    [
      "an unparseable CIDR",
      sgs({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/O" }] }),
      ["unparseable CIDR"],
    ],
    [
      "no inbound rules recorded at all",
      apiSnapshot("AWS::EC2::SecurityGroup", "sg-1", { GroupId: "sg-1" }),
      undefined,
    ],
  ])("cannot prove, rather than pass, %s", (_n, snapshot, unknown) => {
    const e = evaluate("sg-no-open-admin", snapshot);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    if (unknown) expect(e.evidence.unknown).toEqual(unknown);
  });
  it("passes SSH from another security group and an empty rule list", () => {
    expect(
      evaluate(
        "sg-no-open-admin",
        sgs({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: "sg-2" }] }),
      ).status,
    ).toBe("COMPLIANT");
    expect(evaluate("sg-no-open-admin", sgs()).status).toBe("COMPLIANT");
  });
});

describe("control sg-no-open-admin with prefix lists", () => {
  const ACCOUNT = "111122223333";
  /** The two recorded lists (Config item shape, test/fixtures/README.md), in the group's account. */
  const lists = (region = "us-east-1") =>
    (json("test/fixtures/config/awsdocs-schema__AWS_EC2_PrefixList_ssh_sources.json") as object[]).map((ci) =>
      fromConfigurationItem({ ...ci, awsAccountId: ACCOUNT, awsRegion: region }),
    );
  const OPEN = "pl-0a1b2c3d4e5f60718"; // 10.20.0.0/16 and 0.0.0.0/0
  const OFFICE = "pl-09f8e7d6c5b4a3921"; // 10.20.0.0/16 and 192.168.100.0/24
  /** The RDK group (Config shape), its tcp/22 rule from prefix lists instead of 0.0.0.0/0. */
  const group = (ids: string[], ipRanges: string[] = []) => {
    const ci = json("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json");
    const [rule] = ci.configuration.ipPermissions;
    rule.ipRanges = ipRanges;
    rule.prefixListIds = ids.map((prefixListId) => ({ prefixListId }));
    return fromConfigurationItem({ ...ci, awsAccountId: ACCOUNT });
  };
  const withLists = (snapshots: ResourceSnapshot[]) =>
    testFacts({ inventory: { "AWS::EC2::PrefixList": snapshots } });

  it("fails, proven, on SSH from a recorded list holding 0.0.0.0/0, naming the list", () => {
    const e = evaluate("sg-no-open-admin", group([OPEN]), withLists(lists()));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.summary).toBe("ingress from the internet to SSH (22)");
    expect(e.evidence.openRules).toEqual([
      {
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidr: "0.0.0.0/0",
        prefixListId: OPEN,
        exposes: "SSH (22)",
      },
    ]);
    // The entries' descriptions are caller-supplied text: never in the finding.
    expect(JSON.stringify(e)).not.toContain("vendor");
  });
  it("passes SSH from a recorded list of private ranges only", () => {
    const e = evaluate("sg-no-open-admin", group([OFFICE]), withLists(lists()));
    expect(e.status).toBe("COMPLIANT");
  });
  it("counts a list's entries with the rule's own CIDRs (0.0.0.0/1 in the list, 128.0.0.0/1 in the rule)", () => {
    const half = lists();
    (half[1]!.configuration.Entries as Array<{ Cidr: string }>).push({ Cidr: "0.0.0.0/1" });
    expect(evaluate("sg-no-open-admin", group([OFFICE], ["128.0.0.0/1"]), withLists(half)).status).toBe(
      "NON_COMPLIANT",
    );
    expect(
      evaluate("sg-no-open-admin", group([OFFICE], ["128.0.0.0/1"]), withLists(half)).evidence.proof,
    ).toBeUndefined();
  });
  it.each([
    ["the list is not in the inventory", () => group(["pl-0fedcba987654321f"]), lists(), "not recorded"],
    [
      "the list is recorded in another region only",
      () => group([OFFICE]),
      lists("eu-west-1"),
      "not recorded",
    ],
    [
      "the list's entries are not readable",
      () => group([OFFICE]),
      lists().map((s) => ({ ...s, configuration: { PrefixListId: s.configuration.PrefixListId } })),
      "entries not readable",
    ],
    [
      "a recorded entry is not a CIDR",
      () => group([OFFICE]),
      lists().map((s) => ({ ...s, configuration: { ...s.configuration, Entries: [{ Cidr: "everyone" }] } })),
      "unparseable CIDR",
    ],
  ])("cannot prove when %s", (_n, make, snapshots, reason) => {
    const e = evaluate("sg-no-open-admin", make(), withLists(snapshots));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect((e.evidence.unknown as string[]).join()).toContain(reason);
  });
  it("asks for the account's prefix lists only when a rule names one", () => {
    const c = CONTROLS.find((x) => x.id === "sg-no-open-admin")!;
    const ctx = { baseline: testBaseline(), facts: testFacts(), params: {}, now: new Date() };
    expect(c.facts!(rdk(), ctx)).toEqual([]);
    expect(c.facts!(group([OFFICE]), ctx)).toEqual([
      { kind: "inventory", resourceType: "AWS::EC2::PrefixList", accountId: ACCOUNT },
      { kind: "aws-prefix-list", ref: OFFICE, accountId: ACCOUNT, region: "us-east-1" },
    ]);
  });
  it("is re-evaluated when a list it names changes, not when another list or region does", () => {
    const c = CONTROLS.find((x) => x.id === "sg-no-open-admin")!;
    const [open, office] = lists();
    expect(c.dependsOn).toContain("AWS::EC2::PrefixList");
    expect(c.affectedBy!(group([OFFICE]), office!)).toBe(true);
    expect(c.affectedBy!(group([OFFICE]), open!)).toBe(false);
    expect(c.affectedBy!(group([OFFICE]), lists("eu-west-1")[1]!)).toBe(false);
    // A deletion item carries no configuration: the resource id still names the list.
    expect(c.affectedBy!(group([OFFICE]), { ...office!, state: "deleted", configuration: {} })).toBe(true);
  });
});

describe("control sg-no-open-admin with AWS-managed prefix lists", () => {
  const ACCOUNT = "111122223333";
  /** What DescribeManagedPrefixLists (owner AWS) returns in us-east-1 (test/fixtures/README.md). */
  const awsLists = (): PrefixListFacts[] =>
    json(
      "test/fixtures/api/awsdocs-schema__ec2.DescribeManagedPrefixLists_owner_AWS.json",
    ).data.PrefixLists.map((l: { PrefixListId: string; PrefixListName: string; OwnerId: string }) => ({
      prefixListId: l.PrefixListId,
      prefixListName: l.PrefixListName,
      ownerId: l.OwnerId,
    }));
  const EIC = "pl-0e4bcff02b13bef1e"; // com.amazonaws.us-east-1.ec2-instance-connect
  const EIC6 = "pl-0d4fb6e9f2c4b8a17"; // com.amazonaws.us-east-1.ipv6.ec2-instance-connect
  /** The RDK group (Config shape, us-east-1), its tcp/22 (or another port) rule from prefix lists. */
  const group = (ids: string[], ipRanges: string[] = [], port = 22) => {
    const ci = json("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json");
    const [rule] = ci.configuration.ipPermissions;
    Object.assign(rule, { fromPort: port, toPort: port, ipRanges });
    rule.prefixListIds = ids.map((prefixListId) => ({ prefixListId }));
    return fromConfigurationItem({ ...ci, awsAccountId: ACCOUNT });
  };
  // No customer-managed list is recorded: AWS-managed lists never are.
  const facts = (lists: PrefixListFacts[] | { failed: string } = awsLists()) =>
    testFacts({ inventory: { "AWS::EC2::PrefixList": [] }, awsPrefixLists: lists });

  it("passes SSH from AWS's EC2 Instance Connect lists (IPv4 and IPv6), naming them in the evidence", () => {
    const e = evaluate("sg-no-open-admin", group([EIC, EIC6]), facts());
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.ec2InstanceConnect).toEqual([
      { prefixListId: EIC, prefixListName: "com.amazonaws.us-east-1.ec2-instance-connect" },
      { prefixListId: EIC6, prefixListName: "com.amazonaws.us-east-1.ipv6.ec2-instance-connect" },
    ]);
  });
  it.each([
    ["pl-3b927c52", "com.amazonaws.global.cloudfront.origin-facing", 22],
    ["pl-3b927c52", "com.amazonaws.global.cloudfront.origin-facing", 3389],
    ["pl-0a7c3e5d1b9f2e468", "com.amazonaws.us-east-1.route53-healthchecks", 22],
    ["pl-63a5400a", "com.amazonaws.us-east-1.s3", 22],
    ["pl-02cd2c6b", "com.amazonaws.us-east-1.dynamodb", 3389],
  ])("keeps cannot prove on AWS's list %s (%s) on port %i, naming it", (id, name, port) => {
    const e = evaluate("sg-no-open-admin", group([id], [], port), facts());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.unknown).toEqual([`prefix list ${id} (AWS-managed ${name}: not judged)`]);
  });
  it("fails, proven, on the EC2 Instance Connect list beside 0.0.0.0/0 (a suppression would hide this)", () => {
    const e = evaluate("sg-no-open-admin", group([EIC], ["0.0.0.0/0"]), facts());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBeUndefined();
    expect(e.summary).toBe("ingress from the internet to SSH (22)");
    expect(e.evidence.openRules).toEqual([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0", exposes: "SSH (22)" },
    ]);
  });
  it("still says cannot prove for another unknown list beside the EC2 Instance Connect one", () => {
    const e = evaluate("sg-no-open-admin", group([EIC, "pl-0fedcba987654321f"]), facts());
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.unknown).toEqual([
      "prefix list pl-0fedcba987654321f (not recorded in the group's account and region; not an AWS-managed prefix list of the region)",
    ]);
  });
  it.each([
    [
      "the read failed (access denied, throttled)",
      facts({ failed: "DescribeManagedPrefixLists failed: UnauthorizedOperation" }),
      `prefix list ${EIC} (not recorded in the group's account and region; DescribeManagedPrefixLists failed: UnauthorizedOperation)`,
    ],
    [
      "AWS-managed lists were not read (local mode)",
      testFacts({ inventory: { "AWS::EC2::PrefixList": [] } }),
      `prefix list ${EIC} (not recorded in the group's account and region)`,
    ],
    [
      "a list of that name is owned by an account, not AWS",
      facts(awsLists().map((l) => (l.prefixListId === EIC ? { ...l, ownerId: "444455556666" } : l))),
      `prefix list ${EIC} (not recorded in the group's account and region; owned by account 444455556666)`,
    ],
    [
      "AWS's list is another region's (the name must be the group's region's)",
      facts(
        awsLists().map((l) =>
          l.prefixListId === EIC
            ? { ...l, prefixListName: "com.amazonaws.eu-west-1.ec2-instance-connect" }
            : l,
        ),
      ),
      `prefix list ${EIC} (AWS-managed com.amazonaws.eu-west-1.ec2-instance-connect: not judged)`,
    ],
  ])("cannot prove the EC2 Instance Connect list when %s", (_n, f, reason) => {
    const e = evaluate("sg-no-open-admin", group([EIC]), f);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
    expect(e.evidence.unknown).toEqual([reason]);
  });
  it("never puts a list name that is not AWS's into the evidence", () => {
    const named = awsLists().map((l) =>
      l.prefixListId === "pl-63a5400a" ? { ...l, prefixListName: "patient Jane Doe office" } : l,
    );
    const e = evaluate("sg-no-open-admin", group(["pl-63a5400a"]), facts(named));
    expect(e.evidence.proof).toBe("cannot prove");
    expect(JSON.stringify(e)).not.toContain("Jane");
  });
});
