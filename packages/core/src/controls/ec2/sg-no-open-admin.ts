import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";

const ADMIN_PORTS = [
  { port: 22, protocols: ["tcp"], name: "SSH" },
  { port: 3389, protocols: ["tcp", "udp"], name: "RDP" },
] as const;
const WORLD = new Set(["0.0.0.0/0", "::/0"]);
const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp" };

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
/** Case-insensitive read: Config writes camelCase, DescribeSecurityGroups PascalCase. */
function field(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  const lower = name.toLowerCase();
  // First key (in order) equal ignoring case; the length test skips most lower-casing.
  // for…in visits own keys in Object.keys order without allocating a key array (JSON objects inherit none).
  for (const k in o)
    if (k.length === lower.length && k.toLowerCase() === lower && Object.hasOwn(o, k)) return o[k];
  return undefined;
}
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every CIDR of a permission, from Config's `ipRanges` strings and the ipv4/ipv6 range objects. */
function cidrs(p: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const r of arr(field(p, "ipRanges"))) {
    if (typeof r === "string") out.add(r);
    else if (typeof field(obj(r), "cidrIp") === "string") out.add(field(obj(r), "cidrIp") as string);
  }
  for (const r of arr(field(p, "ipv4Ranges"))) {
    const c = field(obj(r), "cidrIp");
    if (typeof c === "string") out.add(c);
  }
  for (const r of arr(field(p, "ipv6Ranges"))) {
    const c = field(obj(r), "cidrIpv6");
    if (typeof c === "string") out.add(c);
  }
  return [...out];
}

export default defineControl({
  id: "sg-no-open-admin",
  title: "Security groups allow no SSH, RDP or all-port ingress from the internet",
  resourceTypes: ["AWS::EC2::SecurityGroup"],
  hipaa: ["164.312(e)(1)"],
  severity: "high",
  rationale:
    "Hosts that process contact-center data (agent desktops, integration servers, jump hosts) are brute-forced " +
    "within minutes of an SSH or RDP port opening to 0.0.0.0/0; administration belongs behind Session Manager or a VPN.",
  remediation: {
    console:
      "EC2 › Security groups › group › Inbound rules › Edit › remove 0.0.0.0/0 and ::/0 sources on 22, 3389 and all-traffic rules.",
    cli: "aws ec2 revoke-security-group-ingress --group-id SG_ID --protocol tcp --port 22 --cidr 0.0.0.0/0",
  },
  evaluate(resource) {
    const permissions = arr(field(resource.configuration, "ipPermissions")).map(obj);
    const open: Array<{
      protocol: string;
      fromPort: number | null;
      toPort: number | null;
      cidr: string;
      exposes: string;
    }> = [];
    for (const p of permissions) {
      if (!p) continue;
      const world = cidrs(p).filter((c) => WORLD.has(c));
      if (world.length === 0) continue;
      const raw = String(field(p, "ipProtocol") ?? "");
      const protocol = PROTOCOL_NUMBERS[raw] ?? raw.toLowerCase();
      const from = typeof field(p, "fromPort") === "number" ? (field(p, "fromPort") as number) : null;
      const to = typeof field(p, "toPort") === "number" ? (field(p, "toPort") as number) : null;
      let exposes: string | undefined;
      if (protocol === "-1" || protocol === "all") exposes = "all ports";
      else if ((protocol === "tcp" || protocol === "udp") && from !== null && to !== null) {
        if (from <= 0 && to >= 65535) exposes = "all ports";
        else {
          const hit = ADMIN_PORTS.filter(
            (a) => (a.protocols as readonly string[]).includes(protocol) && from <= a.port && a.port <= to,
          );
          if (hit.length > 0) exposes = hit.map((a) => `${a.name} (${a.port})`).join(", ");
        }
      }
      if (exposes)
        for (const cidr of world) open.push({ protocol, fromPort: from, toPort: to, cidr, exposes });
    }
    const group = String(field(resource.configuration, "groupId") ?? resource.resourceId);
    if (open.length > 0)
      return fail(`ingress from the internet to ${[...new Set(open.map((o) => o.exposes))].join("; ")}`, {
        groupId: group,
        openRules: open,
      });
    return pass("no SSH, RDP or all-port ingress from 0.0.0.0/0 or ::/0", { groupId: group });
  },
});
