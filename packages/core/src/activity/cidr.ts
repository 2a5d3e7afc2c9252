/** Parse an IPv4 or IPv6 address to a BigInt and its bit width, or undefined. */
function parse(ip: string): { v: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (!/^[0-9a-fA-F:]+$/.test(ip) || (ip.match(/::/g)?.length ?? 0) > 1) return undefined;
  const [h = "", t = ""] = ip.split("::");
  const head = h ? h.split(":") : [];
  const tail = t ? t.split(":") : [];
  const groups = ip.includes("::")
    ? [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail]
    : head;
  if (groups.length !== 8 || groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return { v: groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g, 16)), 0n), bits: 128 };
}

/**
 * True when `ip` lies in one of the CIDRs (IPv4 or IPv6).
 *
 * @example
 * ```ts
 * inAnyCidr("10.1.2.3", ["10.0.0.0/8"]); // true
 * ```
 */
export function inAnyCidr(ip: string, cidrs: readonly string[]): boolean {
  const a = parse(ip);
  if (!a) return false;
  for (const c of cidrs) {
    const [net = "", len = ""] = c.split("/");
    const n = parse(net);
    const l = Number(len);
    if (!n || n.bits !== a.bits || !(l >= 0 && l <= n.bits)) continue;
    const shift = BigInt(n.bits - l);
    if (a.v >> shift === n.v >> shift) return true;
  }
  return false;
}
