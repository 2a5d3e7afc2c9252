import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromConfigurationItem, type ResourceSnapshot } from "../../../../packages/core/src/index.ts";
import { apiSnapshot, evaluate } from "../../../helpers/facts.ts";

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
});
