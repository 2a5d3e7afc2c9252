import {
  type Cidr,
  formatIp,
  type IpAddress,
  inCidr,
  parseCidr,
  parseIPv4,
  parseIPv6,
  specialRange,
} from "./ip.ts";

/**
 * The pure half of the SSRF guard. A webhook URL comes from the baseline, but phiwatch runs inside
 * the customer's account next to the instance metadata service, VPC endpoints and internal
 * services: a URL (or a DNS name an attacker controls) must never make it call them. The adapter
 * resolves the host, hands every address here, and connects to the pinned address this returns —
 * never re-resolving, which is what defeats DNS rebinding.
 */

export interface TargetPolicy {
  /** Local mode only: allow `http:` and loopback addresses — and then nothing but loopback. */
  allowInsecureLocal?: boolean;
  /** Allowed ports; when set, the URL's effective port must be one of them. */
  allowPorts?: readonly number[];
  /** Internal ranges the operator explicitly allows (a SIEM collector in the VPC), as CIDR text. */
  allowCidrs?: readonly string[];
}

export type RefusalCode = "invalid-url" | "scheme" | "userinfo" | "port" | "host" | "no-address" | "address";

/** Why a target is refused; `message` names the rule, never a secret (URLs carry no credentials here). */
export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
}

/**
 * A parsed URL. Spelt as the constructor's instance type: infra's typecheck (sst.config.ts, which reads
 * the baseline schema) sees a second declaration of the name `URL` that is not the instance type.
 */
type ParsedUrl = InstanceType<typeof URL>;

/** A URL that passed the static checks, with what the resolver must do next. */
export interface CheckedUrl {
  ok: true;
  url: ParsedUrl;
  /** Host name to resolve, or the canonical literal address when the host is an IP. */
  host: string;
  /** The literal address when the host is an IP (no DNS lookup then). */
  literal?: IpAddress;
  port: number;
  secure: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * Static checks on a target URL: `https:` only (`http:` only with `allowInsecureLocal`), no userinfo,
 * an allowed port, and a host that is either a DNS name or an IP literal in any of its numeric forms
 * (decimal `2130706433`, hex `0x7f000001`, octal `0177.0.0.1`, short `127.1` — all read as the
 * address they reach). An IP literal is checked here; a name is checked after resolution by
 * {@link checkResolved}.
 *
 * @example
 * ```ts
 * checkUrl("https://siem.example.com/hec")  // → { ok: true, host: "siem.example.com", port: 443, … }
 * checkUrl("https://169.254.169.254/")      // → { ok: false, code: "address", … }
 * checkUrl("http://2130706433/")            // → { ok: false, code: "scheme", … }
 * ```
 */
export function checkUrl(raw: string, policy: TargetPolicy = {}): CheckedUrl | Refusal {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_URL_LENGTH)
    return refuse("invalid-url", `URL must be 1..${MAX_URL_LENGTH} characters`);
  if (hasUnsafeChar(raw))
    return refuse("invalid-url", "URL contains whitespace, control characters or backslashes");
  let url: ParsedUrl;
  try {
    url = new URL(raw);
  } catch {
    return refuse("invalid-url", "not an absolute URL");
  }
  const secure = url.protocol === "https:";
  if (!secure && !(url.protocol === "http:" && policy.allowInsecureLocal))
    return refuse(
      "scheme",
      url.protocol === "http:"
        ? "plain http is allowed only to loopback with allowInsecureLocal (local mode)"
        : `scheme ${url.protocol} is not allowed (https only)`,
    );
  // Also catch "https://user@host" forms some parsers keep and an "@" smuggled into the authority.
  const authority = raw.slice(raw.indexOf("//") + 2).split(/[/?#]/, 1)[0] ?? "";
  if (url.username !== "" || url.password !== "" || authority.includes("@"))
    return refuse("userinfo", "credentials in the URL are not allowed (use the secret reference)");
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  if (policy.allowPorts && !policy.allowPorts.includes(port))
    return refuse("port", `port ${port} is not in the allowed ports ${policy.allowPorts.join(", ")}`);

  const hostname = url.hostname;
  if (hostname.startsWith("[")) {
    const v6 = parseIPv6(hostname);
    if (!v6) return refuse("host", "unparseable IPv6 literal");
    const bad = addressRefusal(v6, policy);
    if (bad) return bad;
    return { ok: true, url, host: formatIp(v6), literal: v6, port, secure };
  }
  const v4 = parseIPv4(hostname);
  if (v4) {
    const bad = addressRefusal(v4, policy);
    if (bad) return bad;
    return { ok: true, url, host: formatIp(v4), literal: v4, port, secure };
  }
  // A last label that is numeric but did not parse as an address (`1.2.3.4.5`, `0x1g`) is an
  // obfuscation attempt or a resolver-dependent name: refuse rather than guess what it reaches.
  const labels = hostname.replace(/\.$/, "").split(".");
  const last = labels[labels.length - 1] ?? "";
  if (/^(0x[0-9a-f]*|\d+)$/i.test(last)) return refuse("host", "numeric host that is not a valid address");
  if (!/^[a-z0-9.-]+$/i.test(hostname) || labels.some((l) => l.length === 0 || l.length > 63))
    return refuse("host", "host is not a valid DNS name");
  return { ok: true, url, host: hostname.replace(/\.$/, ""), port, secure };
}

/** The outcome for a resolved name: the address to connect to, pinned. */
export interface PinnedTarget {
  ok: true;
  url: ParsedUrl;
  host: string;
  port: number;
  secure: boolean;
  /** Connect to this address, and only this one (TLS still verifies `host`). */
  address: string;
  family: 4 | 6;
}

/**
 * Decide on the addresses a name resolved to. Every address must be allowed — a resolver answer that
 * mixes a public and an internal address is a rebinding trick, so one bad address refuses the whole
 * target. The first address is pinned.
 *
 * @example
 * ```ts
 * const checked = checkUrl("https://hooks.example.com/x");
 * checkResolved(checked, ["93.184.216.34"])   // → { ok: true, address: "93.184.216.34", family: 4, … }
 * checkResolved(checked, ["10.0.0.7"])        // → { ok: false, code: "address", … }
 * ```
 */
export function checkResolved(
  checked: CheckedUrl,
  addresses: readonly string[],
  policy: TargetPolicy = {},
): PinnedTarget | Refusal {
  const list = checked.literal ? [formatIp(checked.literal)] : addresses;
  if (list.length === 0) return refuse("no-address", `${checked.host} did not resolve to any address`);
  const parsed: IpAddress[] = [];
  for (const a of list) {
    // Resolver output is canonical text; the loose IPv4 forms are for URL hosts only.
    const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(a) ? parseIPv4(a) : parseIPv6(a);
    if (!ip) return refuse("address", `resolver returned an unparseable address for ${checked.host}`);
    const bad = addressRefusal(ip, policy);
    if (bad) return { ...bad, message: `${checked.host} resolves to ${bad.message}` };
    parsed.push(ip);
  }
  // Plain http is allowed for loopback only, whatever the name (a name cannot smuggle it out).
  if (!checked.secure && !parsed.every((ip) => specialRange(ip)?.loopback === true))
    return refuse("scheme", "plain http is allowed only to loopback addresses");
  const first = parsed[0]!;
  return {
    ok: true,
    url: checked.url,
    host: checked.host,
    port: checked.port,
    secure: checked.secure,
    address: formatIp(first),
    family: first.family,
  };
}

/**
 * Both steps at once, for callers that already hold the resolver's answer.
 *
 * @example
 * ```ts
 * decideTarget("https://[::1]/", [], {})  // → { ok: false, code: "address", message: "loopback ::1 …" }
 * ```
 */
export function decideTarget(
  raw: string,
  addresses: readonly string[],
  policy: TargetPolicy = {},
): PinnedTarget | Refusal {
  const checked = checkUrl(raw, policy);
  if (!checked.ok) return checked;
  return checkResolved(checked, addresses, policy);
}

function addressRefusal(ip: IpAddress, policy: TargetPolicy): Refusal | undefined {
  const range = specialRange(ip);
  if (!range) {
    if (policy.allowInsecureLocal)
      return refuse("address", `${formatIp(ip)} is public; allowInsecureLocal targets must be loopback`);
    return undefined;
  }
  if (range.loopback && policy.allowInsecureLocal) return undefined;
  for (const c of allowedCidrs(policy)) {
    // An explicitly allowed internal range; loopback and metadata stay off limits whatever is allowed.
    if (inCidr(ip, c) && !range.loopback && !range.name.startsWith("link-local")) return undefined;
  }
  return refuse("address", `${formatIp(ip)} is in ${range.name}`);
}

const cidrCache = new Map<string, Cidr>();
function allowedCidrs(policy: TargetPolicy): Cidr[] {
  const out: Cidr[] = [];
  for (const text of policy.allowCidrs ?? []) {
    let c = cidrCache.get(text);
    if (!c) {
      const parsed = parseCidr(text);
      if (!parsed) throw new RangeError(`allowCidrs: "${text}" is not a CIDR block`);
      c = parsed;
      cidrCache.set(text, c);
    }
    out.push(c);
  }
  return out;
}

/** Whitespace, control characters and backslashes: parsers disagree on them, attackers rely on that. */
function hasUnsafeChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c || c === 0x85 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b))
      return true;
    if (c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0xfeff) return true;
  }
  return false;
}

function refuse(code: RefusalCode, message: string): Refusal {
  return { ok: false, code, message };
}
