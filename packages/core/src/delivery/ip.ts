/**
 * IP address parsing and classification for the SSRF guard. Pure (no `node:net`), strict, and
 * deliberately lenient only where attackers are: IPv4 in the forms `inet_aton` and browsers accept
 * (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) all parse to the address they would reach.
 */

export type IpAddress = { family: 4; value: number } | { family: 6; words: readonly number[] };

/**
 * Parse an IPv4 address in any form `inet_aton` accepts: 1 to 4 parts, each decimal, octal (leading
 * `0`) or hex (`0x`); the last part fills the remaining bytes. One trailing dot is allowed (as in
 * URL hosts). Returns `undefined` when the text is not such an address.
 *
 * @example
 * ```ts
 * parseIPv4("127.1")      // → { family: 4, value: 0x7f000001 }
 * parseIPv4("0x7f000001") // → { family: 4, value: 0x7f000001 }
 * parseIPv4("example.com") // → undefined
 * ```
 */
export function parseIPv4(text: string): { family: 4; value: number } | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Part(part);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  const last = nums[nums.length - 1]!;
  const head = nums.slice(0, -1);
  if (head.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (5 - nums.length)) return undefined;
  let value = last;
  head.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return { family: 4, value };
}

function parseIPv4Part(part: string): number | undefined {
  if (part === "") return undefined;
  let digits = part;
  let radix = 10;
  if (/^0[xX]/.test(part)) {
    digits = part.slice(2);
    radix = 16;
    // WHATWG URL treats a bare "0x" as 0.
    if (digits === "") return 0;
    if (!/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
    if (!/^[0-7]+$/.test(digits)) return undefined;
  } else if (!/^[0-9]+$/.test(digits)) {
    return undefined;
  }
  // Strip leading zeros before the length check so "0000000001" is not refused for its length.
  const significant = digits.replace(/^0+(?=.)/, "");
  if (significant.length > 12) return undefined;
  const n = Number.parseInt(significant, radix);
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : undefined;
}

/**
 * Parse an IPv6 address (brackets allowed, `::` compression, a dotted IPv4 tail). Zone ids
 * (`fe80::1%eth0`) are refused: they only name link-local scopes.
 *
 * @example
 * ```ts
 * parseIPv6("[::ffff:127.0.0.1]") // → { family: 6, words: [0,0,0,0,0,0xffff,0x7f00,1] }
 * ```
 */
export function parseIPv6(text: string): { family: 6; words: number[] } | undefined {
  let s = text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.length < 2 || s.length > 45 || s.includes("%")) return undefined;
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const doubleColon = s.indexOf("::");
  if (doubleColon !== -1 && s.indexOf("::", doubleColon + 1) !== -1) return undefined;
  const parseSide = (side: string): number[] | undefined => {
    if (side === "") return [];
    const groups = side.split(":");
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes(".")) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(g)) return undefined;
        const bytes = g.split(".").map(Number);
        if (bytes.some((b) => b > 255)) return undefined;
        words.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        words.push(Number.parseInt(g, 16));
      }
    }
    return words;
  };
  if (doubleColon === -1) {
    const words = parseSide(s);
    return words && words.length === 8 ? { family: 6, words } : undefined;
  }
  const left = parseSide(s.slice(0, doubleColon));
  const right = parseSide(s.slice(doubleColon + 2));
  if (!left || !right || left.length + right.length > 7) return undefined;
  return { family: 6, words: [...left, ...new Array(8 - left.length - right.length).fill(0), ...right] };
}

/** Parse either family; IPv4 in its loose forms. */
export function parseIp(text: string): IpAddress | undefined {
  return parseIPv4(text) ?? parseIPv6(text);
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
  }
  const w = ip.words;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** A named special-purpose range an address belongs to. */
export interface SpecialRange {
  name: string;
  /** Loopback is the one range local mode may reach. */
  loopback: boolean;
}

interface V4Range {
  base: number;
  bits: number;
  name: string;
}

// IANA IPv4 Special-Purpose Address Registry, plus multicast and the reserved block. Anything here is
// either internal, unroutable or not a unicast host, so a webhook must never reach it.
const V4_SPECIAL: readonly V4Range[] = [
  { base: 0x00000000, bits: 8, name: "this-network 0.0.0.0/8" },
  { base: 0x0a000000, bits: 8, name: "private 10.0.0.0/8" },
  { base: 0x64400000, bits: 10, name: "shared CGNAT 100.64.0.0/10" },
  { base: 0x7f000000, bits: 8, name: "loopback 127.0.0.0/8" },
  { base: 0xa9fe0000, bits: 16, name: "link-local 169.254.0.0/16 (incl. instance metadata)" },
  { base: 0xac100000, bits: 12, name: "private 172.16.0.0/12" },
  { base: 0xc0000000, bits: 24, name: "IETF protocol assignments 192.0.0.0/24" },
  { base: 0xc0000200, bits: 24, name: "documentation 192.0.2.0/24" },
  { base: 0xc0586300, bits: 24, name: "6to4 relay anycast 192.88.99.0/24" },
  { base: 0xc0a80000, bits: 16, name: "private 192.168.0.0/16" },
  { base: 0xc6120000, bits: 15, name: "benchmarking 198.18.0.0/15" },
  { base: 0xc6336400, bits: 24, name: "documentation 198.51.100.0/24" },
  { base: 0xcb007100, bits: 24, name: "documentation 203.0.113.0/24" },
  { base: 0xe0000000, bits: 4, name: "multicast 224.0.0.0/4" },
  { base: 0xf0000000, bits: 4, name: "reserved 240.0.0.0/4 (incl. broadcast)" },
];

function inV4(value: number, base: number, bits: number): boolean {
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : (~((1 << (32 - bits)) - 1) >>> 0) >>> 0;
  return (value & mask) >>> 0 === (base & mask) >>> 0;
}

function inV6(words: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const take = Math.min(16, bits);
    const mask = take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff;
    if (((words[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * The special-purpose range `ip` is in, or `undefined` for a public unicast address. IPv6 is
 * allow-listed: only global unicast `2000::/3` outside the translation, tunnelling and documentation
 * prefixes counts as public, because every other IPv6 block is internal or reaches IPv4 indirectly
 * (IPv4-mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4, Teredo).
 *
 * @example
 * ```ts
 * specialRange(parseIp("169.254.169.254")!) // → { name: "link-local 169.254.0.0/16 …", loopback: false }
 * specialRange(parseIp("8.8.8.8")!)         // → undefined
 * ```
 */
export function specialRange(ip: IpAddress): SpecialRange | undefined {
  if (ip.family === 4) {
    for (const r of V4_SPECIAL) {
      if (inV4(ip.value, r.base, r.bits)) return { name: r.name, loopback: r.base === 0x7f000000 };
    }
    return undefined;
  }
  const w = ip.words;
  if (w.every((x) => x === 0)) return { name: "unspecified ::", loopback: false };
  if (w.slice(0, 7).every((x) => x === 0) && w[7] === 1) return { name: "loopback ::1", loopback: true };
  if (inV6(w, [0, 0, 0, 0, 0, 0xffff], 96)) return { name: "IPv4-mapped ::ffff:0:0/96", loopback: false };
  if (inV6(w, [0, 0, 0, 0, 0, 0], 96)) return { name: "IPv4-compatible ::/96", loopback: false };
  if (inV6(w, [0, 0, 0, 0, 0xffff, 0], 96))
    return { name: "IPv4-translated ::ffff:0:0:0/96", loopback: false };
  if (inV6(w, [0x64, 0xff9b], 96)) return { name: "NAT64 64:ff9b::/96", loopback: false };
  if (inV6(w, [0x64, 0xff9b, 1], 48)) return { name: "NAT64 local-use 64:ff9b:1::/48", loopback: false };
  if (inV6(w, [0x100], 64)) return { name: "discard 100::/64", loopback: false };
  if (inV6(w, [0xfc00], 7)) return { name: "unique-local fc00::/7", loopback: false };
  if (inV6(w, [0xfe80], 10)) return { name: "link-local fe80::/10", loopback: false };
  if (inV6(w, [0xfec0], 10)) return { name: "site-local fec0::/10", loopback: false };
  if (inV6(w, [0xff00], 8)) return { name: "multicast ff00::/8", loopback: false };
  if (inV6(w, [0x2001, 0], 32)) return { name: "Teredo 2001::/32", loopback: false };
  if (inV6(w, [0x2001, 0xdb8], 32)) return { name: "documentation 2001:db8::/32", loopback: false };
  if (inV6(w, [0x2002], 16)) return { name: "6to4 2002::/16", loopback: false };
  if (inV6(w, [0x2001, 0x10], 28)) return { name: "ORCHID 2001:10::/28", loopback: false };
  if (!inV6(w, [0x2000], 3)) return { name: "not global unicast (outside 2000::/3)", loopback: false };
  return undefined;
}

/** A parsed CIDR block (`10.1.0.0/16`, `fd00:ab::/32`). */
export interface Cidr {
  ip: IpAddress;
  bits: number;
}

/**
 * Parse a CIDR block; the address part must be canonical dotted/colon form.
 *
 * @example
 * ```ts
 * parseCidr("10.20.0.0/16") // → { ip: { family: 4, … }, bits: 16 }
 * ```
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash === -1) return undefined;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) ? parseIPv4(addr) : parseIPv6(addr);
  if (!ip || bits > (ip.family === 4 ? 32 : 128)) return undefined;
  return { ip, bits };
}

/** True when `ip` lies in `cidr` (same family only). */
export function inCidr(ip: IpAddress, cidr: Cidr): boolean {
  if (ip.family === 4 && cidr.ip.family === 4) return inV4(ip.value, cidr.ip.value, cidr.bits);
  if (ip.family === 6 && cidr.ip.family === 6) return inV6(ip.words, cidr.ip.words, cidr.bits);
  return false;
}
