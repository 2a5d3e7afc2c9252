import { defineControl } from "../../control/define.ts";
import { type EvaluationContext, fail, pass } from "../../control/types.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

/** Customer-managed prefix lists, as AWS Config records them (AWS-managed lists are not recorded). */
export const PREFIX_LIST_TYPE = "AWS::EC2::PrefixList";
/**
 * In an `unknown` source of a cannot-prove verdict: a list the inventory does not hold for the group's
 * account and region (Config did not record it). The sweep keeps its "not recorded" entry for the
 * prefix-list type only where such a verdict needs it.
 */
export const UNRECORDED_LIST = "not recorded in the group's account and region";
const PREFIX_LIST_ID = /^pl-[0-9a-f]{1,32}$/;

const ADMIN_PORTS = [
  { port: 22, protocols: ["tcp"], name: "SSH" },
  { port: 3389, protocols: ["tcp", "udp"], name: "RDP" },
] as const;
const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp" };
const MAX_PORT = 65535;

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

/** An address block: `bits` 32 (IPv4) or 128 (IPv6), first and last address. */
interface Block {
  bits: 32 | 128;
  first: bigint;
  last: bigint;
}

/** An IPv4 address as a number, or undefined when it is not four dotted decimal octets (exported for tests). */
export function v4Number(s: string): bigint | undefined {
  // Four parts of 1-3 ASCII digits, each at most 255, read by hand (no split, no regex per octet); in
  // a Number (32 bits fit exactly), one BigInt at the end: BigInt arithmetic per octet is slow.
  let n = 0;
  let parts = 0;
  let i = 0;
  while (parts < 4) {
    let octet = 0;
    let digits = 0;
    while (i < s.length && digits < 4) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return undefined;
    n = n * 256 + octet;
    parts++;
    if (parts < 4) {
      if (s.charCodeAt(i) !== 46 /* . */) return undefined;
      i++;
    }
  }
  return i === s.length ? BigInt(n) : undefined;
}

function v6Number(s: string): bigint | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => {
    if (h === "") return [];
    const out: string[] = [];
    const parts = h.split(":");
    for (const [i, p] of parts.entries()) {
      // An embedded IPv4 address (::ffff:192.0.2.1) is the last two groups.
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = v4Number(p);
        if (v4 === undefined) return undefined;
        out.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(p);
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let n = 0n;
  for (const g of [...head, ...Array<string>(missing).fill("0"), ...tail]) n = (n << 16n) | BigInt(`0x${g}`);
  return n;
}

/**
 * The addresses a CIDR admits, or undefined when it does not parse. Host bits do not narrow a block:
 * `1.2.3.4/0` is every IPv4 address, as `0.0.0.0/0` is.
 */
function blockOf(cidr: string): Block | undefined {
  const slash = cidr.indexOf("/");
  if (slash < 0 || !/^\d{1,3}$/.test(cidr.slice(slash + 1))) return undefined;
  const address = cidr.slice(0, slash);
  const length = Number(cidr.slice(slash + 1));
  const bits = address.includes(":") ? 128 : 32;
  const n = bits === 32 ? v4Number(address) : v6Number(address);
  if (n === undefined || length > bits) return undefined;
  const host = (1n << BigInt(bits - length)) - 1n;
  return { bits, first: n & ~host, last: (n & ~host) | host };
}

const FAMILY_END = { 32: (1n << 32n) - 1n, 128: (1n << 128n) - 1n } as const;

/** Whether the blocks together hold every address of one family (0.0.0.0/1 + 128.0.0.0/1 is the internet). */
function everyAddress(blocks: readonly Block[], bits: 32 | 128): boolean {
  // The usual answers without sorting: a block that is the whole family (0.0.0.0/0, ::/0), or no block
  // that starts at its first address (then nothing covers it).
  const end = FAMILY_END[bits];
  let startsAtZero = false;
  for (const b of blocks) {
    if (b.bits !== bits || b.first !== 0n) continue;
    if (b.last === end) return true;
    startsAtZero = true;
  }
  if (!startsAtZero) return false;
  const sorted = blocks.filter((b) => b.bits === bits).sort((a, b) => (a.first < b.first ? -1 : 1));
  let next = 0n;
  for (const b of sorted) {
    if (b.first > next) return false;
    if (b.last + 1n > next) next = b.last + 1n;
  }
  return next === 1n << BigInt(bits);
}
/** The broadest sources first until they cover every address of the family; none when they never do. */
function cover<T extends { block: Block }>(sources: readonly T[], bits: 32 | 128): T[] {
  const size = (x: T) => x.block.last - x.block.first;
  const sorted = sources.filter((x) => x.block.bits === bits).sort((x, y) => (size(x) > size(y) ? -1 : 1));
  const taken: T[] = [];
  for (const x of sorted) {
    taken.push(x);
    if (
      everyAddress(
        taken.map((t) => t.block),
        bits,
      )
    )
      return taken;
  }
  return [];
}
const internet = (blocks: readonly Block[]) => everyAddress(blocks, 32) || everyAddress(blocks, 128);

/** An AWS-managed list judged not the internet, by its name and owner as EC2 returned them. */
interface AwsList {
  prefixListId: string;
  prefixListName: string;
}

/**
 * One ingress rule's sources: the CIDRs read (a prefix list's named), what may be anything
 * (`unknownSources`), and AWS's EC2 Instance Connect lists (`instanceConnect`: no address of the internet).
 */
interface Sources {
  sources: Array<{ cidr: string; block: Block; prefixListId?: string }>;
  unknownSources: string[];
  instanceConnect: AwsList[];
}

/**
 * A prefix list's CIDRs as recorded, AWS's EC2 Instance Connect list, or why the list is unknown. Only
 * the group's own account and region are looked in: a list shared from another account is recorded
 * there, and stays unknown.
 */
type PrefixListRead = { cidrs: unknown[] } | { unknown: string } | { instanceConnect: AwsList };
type PrefixLists = (id: string) => PrefixListRead;

/**
 * The EC2 Instance Connect lists of a region (VPC User Guide, "Available AWS-managed prefix lists"):
 * the addresses from which the EC2 Instance Connect service connects to an instance, for a caller
 * whom IAM in the instance's account allows to push a key to it (`ec2-instance-connect:SendSSHPublicKey`).
 * Every other AWS-managed list stays unjudged: docs/operations.md, "Prefix lists on SSH and RDP", says
 * why for each.
 */
const instanceConnectNames = (region: string) => [
  `com.amazonaws.${region}.ec2-instance-connect`,
  `com.amazonaws.${region}.ipv6.ec2-instance-connect`,
];
/** AWS's naming of its own lists; any other text stays out of the evidence (it could be anything). */
const AWS_LIST_NAME = /^com\.amazonaws\.[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * An AWS-managed list (owner `AWS`, as EC2 returned it for the group's account and region) judged by its
 * name in the group's region, never by id: ids differ per region and partition.
 */
function judgeAwsList(id: string, name: string, region: string): PrefixListRead {
  if (!AWS_LIST_NAME.test(name)) return { unknown: `prefix list ${id} (AWS-managed, name not readable)` };
  if (instanceConnectNames(region).includes(name))
    return { instanceConnect: { prefixListId: id, prefixListName: name } };
  return { unknown: `prefix list ${id} (AWS-managed ${name}: not judged)` };
}

/**
 * The ids a prefix list snapshot answers to: Config's resourceId (the list id), the configuration's
 * PrefixListId, and the id in its ARN (`…:prefix-list/pl-…`). A deletion item has no configuration.
 */
function listIds(s: ResourceSnapshot): string[] {
  const own = field(s.configuration, "prefixListId");
  const fromArn = (v: unknown) =>
    typeof v === "string" ? /prefix-list\/(pl-[0-9a-f]+)$/.exec(v)?.[1] : undefined;
  return [s.resourceId, own, fromArn(s.arn), fromArn(s.resourceId)].filter(
    (x): x is string => typeof x === "string",
  );
}

/** The recorded prefix list with this id in the group's account and region, if any. */
function recordedList(lists: readonly ResourceSnapshot[], region: string, id: string) {
  return lists.find((s) => s.state === "present" && s.region === region && listIds(s).includes(id));
}

function prefixListsOf(resource: ResourceSnapshot, ctx: EvaluationContext<unknown>): PrefixLists {
  const { accountId, region } = resource;
  const lists = ctx.facts.inventory(PREFIX_LIST_TYPE, accountId);
  return (id) => {
    // AWS-managed lists (EC2 Instance Connect, CloudFront, S3…) are never recorded: EC2 names them.
    const aws = ctx.facts.awsManagedPrefixList?.(id, accountId, region);
    if (aws?.ok && aws.value.ownerId === "AWS") return judgeAwsList(id, aws.value.prefixListName, region);
    if (!lists) return { unknown: `prefix list ${id} (prefix lists not read)` };
    const item = recordedList(lists, region, id);
    if (!item) {
      // Why EC2 did not name it AWS's (not AWS's, or the read failed); nothing when it was not asked.
      const why = !aws
        ? ""
        : aws.ok
          ? `; owned by account ${/^\d{12}$/.test(aws.value.ownerId) ? aws.value.ownerId : "other than AWS"}`
          : `; ${aws.reason}`;
      return { unknown: `prefix list ${id} (${UNRECORDED_LIST}${why})` };
    }
    const entries = field(item.configuration, "entries");
    if (!Array.isArray(entries)) return { unknown: `prefix list ${id} (entries not readable)` };
    return { cidrs: entries.map((e) => field(obj(e), "cidr")) };
  };
}

/** Whether a group's inbound rules name a prefix list (its verdict may then depend on the list's entries). */
export const namesPrefixList = (group: Pick<ResourceSnapshot, "configuration">): boolean =>
  referencedLists(group.configuration).size > 0;

/** The prefix list ids a group's inbound rules name (well-formed ones: the others are unreadable anyway). */
function referencedLists(configuration: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  for (const p of arr(field(configuration, "ipPermissions")))
    for (const r of arr(field(obj(p), "prefixListIds"))) {
      const id = field(obj(r), "prefixListId");
      if (typeof id === "string" && PREFIX_LIST_ID.test(id)) ids.add(id);
    }
  return ids;
}

/**
 * One ingress rule, read. `protocol`/`ports` undefined = unreadable. Its sources are read only when
 * asked (`read`, once): most rules of most groups admit no administration port, and parsing every CIDR
 * of every rule was most of the control's cost.
 */
interface Rule {
  protocol: string | undefined;
  ports: { from: number; to: number } | undefined;
  read: () => Sources;
}

const UNREADABLE_RULE: Sources = { sources: [], unknownSources: ["unreadable rule"], instanceConnect: [] };

const isPort = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= -1 && v <= MAX_PORT;

function readRule(p: Record<string, unknown>, lists: PrefixLists): Rule {
  const value = field(p, "ipProtocol");
  const raw = typeof value === "number" ? String(value) : value;
  const protocol =
    raw === "-1" || raw === "all"
      ? "all"
      : typeof raw === "string" && raw !== ""
        ? (PROTOCOL_NUMBERS[raw] ?? raw.toLowerCase())
        : undefined;
  const from = field(p, "fromPort");
  const to = field(p, "toPort");
  // EC2 ignores the ports of an all-protocols rule; the CLI's `--port all` sends -1 for tcp/udp: every port.
  const ports =
    isPort(from) && isPort(to)
      ? from === -1 || to === -1
        ? { from: 0, to: MAX_PORT }
        : { from, to }
      : undefined;
  let read: Sources | undefined;
  return {
    protocol,
    ports,
    read: () => {
      read ??= readSources(p, lists);
      return read;
    },
  };
}

/** The sources of one rule (its CIDRs and its recorded prefix lists' CIDRs parsed, the rest named). */
function readSources(p: Record<string, unknown>, lists: PrefixLists): Sources {
  const sources: Sources["sources"] = [];
  const unknownSources: string[] = [];
  const instanceConnect: AwsList[] = [];
  const add = (c: unknown, prefixListId?: string) => {
    const block = typeof c === "string" ? blockOf(c) : undefined;
    if (block) sources.push({ cidr: c as string, block, ...(prefixListId ? { prefixListId } : {}) });
    // The text itself stays out of the evidence: it is not a CIDR, so it could be anything.
    else unknownSources.push(typeof c === "string" ? "unparseable CIDR" : "unreadable address range");
  };
  const seen = new Set<string>();
  const once = (c: unknown) => {
    if (typeof c === "string" && seen.has(c)) return;
    if (typeof c === "string") seen.add(c);
    add(c);
  };
  // Config writes IPv4 ranges twice (ipRanges strings and ipv4Ranges objects); the API once (IpRanges objects).
  for (const r of arr(field(p, "ipRanges"))) once(typeof r === "string" ? r : field(obj(r), "cidrIp"));
  for (const r of arr(field(p, "ipv4Ranges"))) once(field(obj(r), "cidrIp"));
  for (const r of arr(field(p, "ipv6Ranges"))) once(field(obj(r), "cidrIpv6"));
  // A prefix list's CIDRs are not in the group's item: a recorded (customer-managed) list's entries are
  // sources like the rule's own CIDRs; AWS's EC2 Instance Connect list admits no address of the
  // internet; any other list may hold 0.0.0.0/0.
  for (const r of arr(field(p, "prefixListIds"))) {
    const id = field(obj(r), "prefixListId");
    if (typeof id !== "string" || !PREFIX_LIST_ID.test(id)) {
      unknownSources.push("unreadable prefix list");
      continue;
    }
    const list = lists(id);
    if ("unknown" in list) unknownSources.push(list.unknown);
    else if ("instanceConnect" in list) instanceConnect.push(list.instanceConnect);
    else for (const c of list.cidrs) add(c, id);
  }
  // userIdGroupPairs admit another group's network interfaces, never the internet.
  return { sources, unknownSources, instanceConnect };
}

/** Whether a rule admits a protocol and port: "yes", "no", or "maybe" when its protocol or ports are unreadable. */
function admits(r: Rule, protocol: "tcp" | "udp", port: number): "yes" | "no" | "maybe" {
  if (r.protocol === "all") return "yes";
  if (r.protocol === undefined) return "maybe";
  if (r.protocol !== protocol) return "no";
  if (!r.ports) return "maybe";
  return r.ports.from <= port && port <= r.ports.to ? "yes" : "no";
}

/**
 * Whether the internet reaches a protocol and port through the rules together: "yes" when the CIDRs of the
 * rules that admit it cover every IPv4 or every IPv6 address; "maybe" when they would once prefix lists,
 * unparseable ranges and rules that cannot be read are taken at their worst.
 */
function exposure(rules: readonly Rule[], protocol: "tcp" | "udp", port: number): "yes" | "no" | "maybe" {
  // Lists made only when a rule admits the port (most rules of most groups do not).
  let known: Block[] | undefined;
  let worst: Block[] | undefined;
  let unknown = false;
  for (const r of rules) {
    const a = admits(r, protocol, port);
    if (a === "no") continue;
    const { sources, unknownSources } = r.read();
    worst ??= [];
    if (a === "yes") known ??= [];
    for (let i = 0; i < sources.length; i++) {
      const b = sources[i]!.block;
      if (a === "yes") known!.push(b);
      worst.push(b);
    }
    // A source that may be anything may be every address: at worst, the internet.
    if (unknownSources.length > 0) unknown = true;
  }
  if (worst === undefined) return "no";
  if (known !== undefined && internet(known)) return "yes";
  return unknown || internet(worst) ? "maybe" : "no";
}

const TARGETS = ADMIN_PORTS.flatMap((a) =>
  a.protocols.map((protocol) => ({ protocol, port: a.port, name: `${a.name} (${a.port})` })),
);

export default defineControl({
  id: "sg-no-open-admin",
  title: "Security groups allow no SSH, RDP or all-port ingress from the internet",
  resourceTypes: ["AWS::EC2::SecurityGroup"],
  hipaa: ["164.312(e)(1)"],
  severity: "high",
  rationale:
    "Hosts that process contact-center data (agent desktops, integration servers, jump hosts) are brute-forced " +
    "within minutes of an SSH or RDP port opening to 0.0.0.0/0; administration belongs behind Session Manager or a VPN. " +
    "Sources count together: 0.0.0.0/1 and 128.0.0.0/1, in one rule or two, are the whole internet. A prefix list's " +
    "CIDRs are not in the group's item: a customer-managed list recorded by AWS Config (AWS::EC2::PrefixList, same " +
    "account and region) counts with its entries, and the group is re-evaluated when the list changes. AWS-managed " +
    "lists, which Config never records, are named by EC2 (DescribeManagedPrefixLists, owner AWS, in the group's " +
    "account and region): AWS's EC2 Instance Connect list of the group's region admits only the EC2 Instance " +
    "Connect service, which connects for callers IAM allows, so it counts as no address of the internet. Any other " +
    "list on these ports (not recorded, shared from another account, any other AWS-managed list such as CloudFront's " +
    "or Route 53 health checks', which any AWS customer can send from, or one EC2 could not name) cannot be checked, " +
    "nor can a rule whose protocol or ports are unreadable: both say cannot prove.",
  remediation: {
    console:
      "EC2 › Security groups › group › Inbound rules › Edit › remove 0.0.0.0/0 and ::/0 sources (and broad ranges that " +
      "add up to them) on 22, 3389 and all-traffic rules, and from the prefix lists used there (VPC › Managed prefix " +
      "lists); record AWS::EC2::PrefixList in AWS Config, or replace a list that is not recorded with the CIDRs you mean. " +
      "For SSH from the EC2 console, allow only AWS's com.amazonaws.REGION.ec2-instance-connect list (or use Session " +
      "Manager or an EC2 Instance Connect Endpoint), never 0.0.0.0/0.",
    cli: "aws ec2 revoke-security-group-ingress --group-id SG_ID --protocol tcp --port 22 --cidr 0.0.0.0/0",
  },
  // A list's entries change without the group changing: re-evaluate the groups that name it.
  dependsOn: [PREFIX_LIST_TYPE],
  affectedBy(resource, changed) {
    if (changed.region !== resource.region) return false;
    const ids = referencedLists(resource.configuration);
    return listIds(changed).some((id) => ids.has(id));
  },
  facts(resource) {
    // Most groups name no prefix list: they need no read.
    const ids = referencedLists(resource.configuration);
    if (ids.size === 0) return [];
    const { accountId, region } = resource;
    return [
      { kind: "inventory", resourceType: PREFIX_LIST_TYPE, accountId },
      // A list the inventory does not hold may be AWS's: EC2 says whose it is and its name.
      ...[...ids].map((ref) => ({ kind: "aws-prefix-list" as const, ref, accountId, region })),
    ];
  },
  evaluate(resource, ctx) {
    const group = String(field(resource.configuration, "groupId") ?? resource.resourceId);
    const list = field(resource.configuration, "ipPermissions");
    if (!Array.isArray(list))
      return fail("cannot prove: the group's inbound rules are not recorded or not readable", {
        groupId: group,
        proof: "cannot prove",
        field: "configuration.ipPermissions",
      });
    const lists = prefixListsOf(resource, ctx);
    // An entry that is not an object may admit anything from anywhere.
    const rules = list.map(
      (p): Rule =>
        obj(p)
          ? readRule(obj(p)!, lists)
          : { protocol: undefined, ports: undefined, read: () => UNREADABLE_RULE },
    );
    const exposed = TARGETS.filter((t) => exposure(rules, t.protocol, t.port) === "yes");
    if (exposed.length > 0) {
      // Every port of a protocol is open when each stretch between rule boundaries is.
      const allPorts = (["tcp", "udp"] as const).some((protocol) => {
        const marks = new Set([0]);
        for (const r of rules)
          if (r.ports) for (const m of [r.ports.from, r.ports.to + 1]) if (m <= MAX_PORT) marks.add(m);
        return [...marks].every((m) => exposure(rules, protocol, m) === "yes");
      });
      const exposes = allPorts ? "all ports" : exposed.map((t) => t.name).join(", ");
      // The sources that open it: per exposed port and family, the broadest first until they cover every
      // address (0.0.0.0/0 alone, or both /1 halves — never the office /16 beside them).
      const opening = new Set(
        exposed.flatMap((t) => {
          const admitting = rules.filter((r) => admits(r, t.protocol, t.port) === "yes");
          return [32, 128].flatMap((bits) =>
            cover(
              admitting.flatMap((r) => r.read().sources),
              bits as 32 | 128,
            ),
          );
        }),
      );
      const openRules = rules.flatMap((r) =>
        exposed.some((t) => admits(r, t.protocol, t.port) === "yes")
          ? r
              .read()
              .sources.filter((x) => opening.has(x))
              .map((s) => ({
                protocol: r.protocol!,
                fromPort: r.ports?.from ?? null,
                toPort: r.ports?.to ?? null,
                cidr: s.cidr,
                ...(s.prefixListId ? { prefixListId: s.prefixListId } : {}),
                exposes:
                  r.protocol === "all" || (r.ports?.from === 0 && r.ports.to === MAX_PORT && allPorts)
                    ? "all ports"
                    : exposed
                        .filter((t) => admits(r, t.protocol, t.port) === "yes")
                        .map((t) => t.name)
                        .join(", "),
              }))
          : [],
      );
      return fail(`ingress from the internet to ${exposes}`, { groupId: group, openRules });
    }
    const maybe = TARGETS.filter((t) => exposure(rules, t.protocol, t.port) === "maybe");
    if (maybe.length > 0) {
      // What keeps the answer open: unknown sources, and rules whose protocol or ports cannot be read.
      const unknown = new Set<string>();
      for (const r of rules) {
        const admitting = maybe.map((t) => admits(r, t.protocol, t.port)).filter((x) => x !== "no");
        if (admitting.length === 0) continue;
        const { sources, unknownSources } = r.read();
        for (const u of unknownSources) unknown.add(u);
        if (admitting.includes("maybe") && sources.length > 0)
          unknown.add(
            r.protocol === undefined ? "rule with an unreadable protocol" : "rule with unreadable ports",
          );
      }
      return fail(`cannot prove ${maybe.map((t) => t.name).join(", ")} closed to the internet`, {
        groupId: group,
        proof: "cannot prove",
        unknown: [...unknown],
      });
    }
    // The EC2 Instance Connect lists on these ports are named: the pass rests on judging them.
    const instanceConnect = new Map<string, AwsList>();
    for (const r of rules)
      if (TARGETS.some((t) => admits(r, t.protocol, t.port) !== "no"))
        for (const l of r.read().instanceConnect) instanceConnect.set(l.prefixListId, l);
    return pass("no SSH, RDP or all-port ingress from the internet", {
      groupId: group,
      ...(instanceConnect.size > 0 ? { ec2InstanceConnect: [...instanceConnect.values()] } : {}),
    });
  },
});
