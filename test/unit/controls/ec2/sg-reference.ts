import { isIPv4, isIPv6 } from "node:net";

/**
 * A concrete reference for sg-no-open-admin, written from the EC2 API reference
 * (AuthorizeSecurityGroupIngress / IpPermission) and the VPC user guide, independently of the control:
 *
 * - `IpProtocol` is a name (`tcp`, `udp`, `icmp`, `icmpv6`) or a protocol number (`6` = tcp, `17` = udp);
 *   `-1` means every protocol on every port, whatever `FromPort`/`ToPort` say. Any other protocol cannot
 *   carry SSH or RDP.
 * - For tcp and udp, `FromPort`..`ToPort` is an inclusive range; the CLI's `--port all` sends -1, which
 *   EC2 treats as every port.
 * - A source is an IPv4 or IPv6 CIDR, a prefix list (whose CIDRs the group does not show: a customer-managed
 *   list may hold 0.0.0.0/0; when Config has recorded the list, its entries are its CIDRs) or another
 *   security group (traffic from that group's network interfaces, never the internet). A CIDR's host bits
 *   do not narrow it: 1.2.3.4/0 is every address.
 * - Traffic from "the internet" reaches a port when the sources of the rules that admit it cover every IPv4
 *   address or every IPv6 address together (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0), whichever rules they are in.
 *
 * Three-valued: "fail" when the known rules expose SSH (tcp/22), RDP (tcp/3389, udp/3389) or every port of
 * tcp or udp; "cannot-prove" when they do not but could once unknowns are filled in the worst way (a
 * prefix list that is not recorded or an unparseable CIDR as every address, a rule with an unreadable protocol or port range as
 * one that admits the port, an entry or a permissions list that is missing or unreadable as anything); else
 * "pass".
 */
export type RefVerdict = "pass" | "fail" | "cannot-prove";

/** One ingress rule in the reference's own terms (rendered to Config or API shape by the test). */
export interface RefRule {
  /** As recorded; undefined = field absent. */
  protocol: unknown;
  from: unknown;
  to: unknown;
  v4: string[];
  v6: string[];
  prefixLists: string[];
  groups: string[];
}

type Block = { bits: number; net: bigint; len: number };

function v4Block(cidr: string): Block | undefined {
  const m = /^([^/]+)\/(\d+)$/.exec(cidr);
  if (!m || !isIPv4(m[1]!)) return undefined;
  const len = Number(m[2]);
  if (len > 32 || m[2]!.length > 2) return undefined;
  const n = m[1]!.split(".").reduce((acc, o) => acc * 256n + BigInt(Number(o)), 0n);
  return { bits: 32, net: n, len };
}

function v6Block(cidr: string): Block | undefined {
  const m = /^([^/]+)\/(\d+)$/.exec(cidr);
  if (!m || !isIPv6(m[1]!)) return undefined;
  const len = Number(m[2]);
  if (len > 128 || m[2]!.length > 3) return undefined;
  // Let the URL parser canonicalise (lower case, embedded IPv4 as hex), then expand "::".
  const host = new URL(`http://[${m[1]}]/`).hostname.slice(1, -1);
  const [head, tail] = host.includes("::") ? host.split("::") : [host, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const n = groups.reduce((acc, g) => acc * 65536n + BigInt(Number.parseInt(g, 16)), 0n);
  return { bits: 128, net: n, len };
}

/** Whether the blocks together cover the block (net, len): by halving, as a textbook proof would. */
function covers(blocks: Block[], bits: number, net: bigint, len: number): boolean {
  const size = (l: number) => 1n << BigInt(bits - l);
  const inside = (b: Block) => {
    const bNet = (b.net / size(b.len)) * size(b.len);
    return b.len <= len && net >= bNet && net < bNet + size(b.len);
  };
  if (blocks.some(inside)) return true;
  // Only a longer block inside (net, len) can help: none means a gap.
  const within = blocks.filter((b) => {
    const bNet = (b.net / size(b.len)) * size(b.len);
    return b.len > len && bNet >= net && bNet < net + size(len);
  });
  if (within.length === 0 || len === bits) return false;
  return covers(within, bits, net, len + 1) && covers(within, bits, net + size(len + 1), len + 1);
}

const internet = (blocks: Block[]) =>
  covers(
    blocks.filter((b) => b.bits === 32),
    32,
    0n,
    0,
  ) ||
  covers(
    blocks.filter((b) => b.bits === 128),
    128,
    0n,
    0,
  );

type Proto = "all" | "tcp" | "udp" | "other" | "unknown";
function protoOf(p: unknown): Proto {
  if (p === -1 || p === "-1" || p === "all") return "all";
  if (typeof p !== "string" && typeof p !== "number") return "unknown";
  const l = String(p).toLowerCase();
  if (l === "tcp" || l === "6") return "tcp";
  if (l === "udp" || l === "17") return "udp";
  return l === "" ? "unknown" : "other";
}

/** Whether the rule admits (proto, port): "yes", "no" or "maybe" (unreadable protocol or ports). */
function admits(r: RefRule, proto: "tcp" | "udp", port: number): "yes" | "no" | "maybe" {
  const p = protoOf(r.protocol);
  if (p === "all") return "yes";
  if (p === "unknown") return "maybe";
  if (p !== proto) return "no";
  const int = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= -1 && v <= 65535;
  if (!int(r.from) || !int(r.to)) return "maybe";
  if (r.from === -1 || r.to === -1) return "yes";
  return (r.from as number) <= port && port <= (r.to as number) ? "yes" : "no";
}

/** Internet exposure of (proto, port): "yes", "no" or "maybe". */
function exposed(
  rules: Array<RefRule | "unreadable">,
  lists: Readonly<Record<string, string[]>>,
  proto: "tcp" | "udp",
  port: number,
): "yes" | "no" | "maybe" {
  const known: Block[] = [];
  const worst: Block[] = [];
  const EVERY: Block[] = [
    { bits: 32, net: 0n, len: 0 },
    { bits: 128, net: 0n, len: 0 },
  ];
  for (const r of rules) {
    if (r === "unreadable") {
      worst.push(...EVERY);
      continue;
    }
    const a = admits(r, proto, port);
    if (a === "no") continue;
    // A recorded list's entries are CIDRs of either family, whatever the list's address family says.
    const listed = r.prefixLists.flatMap((id) => lists[id] ?? []);
    const blocks = [
      ...r.v4.map(v4Block),
      ...r.v6.map(v6Block),
      ...listed.map((c) => v4Block(c) ?? v6Block(c)),
    ];
    const good = blocks.filter((b): b is Block => b !== undefined);
    if (a === "yes") known.push(...good);
    worst.push(...good);
    if (blocks.length > good.length || r.prefixLists.some((id) => !lists[id])) worst.push(...EVERY);
  }
  if (internet(known)) return "yes";
  return internet(worst) ? "maybe" : "no";
}

/**
 * `permissions`: the group's ingress rules ("unreadable" = an entry that is not an object), or the list's
 * absence. `lists`: the prefix lists Config recorded in the group's account and region, by id, with their
 * entries' CIDRs.
 */
export function referenceVerdict(
  permissions: Array<RefRule | "unreadable"> | "missing" | "unreadable",
  lists: Readonly<Record<string, string[]>> = {},
): RefVerdict {
  if (permissions === "missing" || permissions === "unreadable") return "cannot-prove";
  const results = [
    exposed(permissions, lists, "tcp", 22),
    exposed(permissions, lists, "tcp", 3389),
    exposed(permissions, lists, "udp", 3389),
  ];
  // "Every port of tcp or udp" needs no check of its own: it includes tcp/22 and udp/3389.
  if (results.includes("yes")) return "fail";
  return results.includes("maybe") ? "cannot-prove" : "pass";
}
