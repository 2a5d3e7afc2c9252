import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkResolved,
  checkUrl,
  decideTarget,
  formatIp,
  parseCidr,
  parseIPv4,
  parseIPv6,
  specialRange,
} from "../../../packages/core/src/delivery/index.ts";

const PUBLIC = ["93.184.216.34"];

describe("SSRF guard", () => {
  // Hostile URL literals: every numeric form of an internal address must be refused.
  it.each([
    ["https://127.0.0.1/", "address"],
    ["https://127.255.255.254/", "address"],
    ["https://2130706433/", "address"],
    ["https://0x7f000001/", "address"],
    ["https://0x7f.0x0.0x0.0x1/", "address"],
    ["https://0177.0.0.1/", "address"],
    ["https://0177.0000.0000.0001/", "address"],
    ["https://127.1/", "address"],
    ["https://127.0.1/", "address"],
    ["https://017700000001/", "address"],
    ["https://0.0.0.0/", "address"],
    ["https://0/", "address"],
    ["https://10.0.0.1/", "address"],
    ["https://167772161/", "address"],
    ["https://172.16.0.1/", "address"],
    ["https://172.31.255.255/", "address"],
    ["https://192.168.1.1/", "address"],
    ["https://0xc0a80101/", "address"],
    ["https://169.254.169.254/latest/meta-data/", "address"],
    ["https://2852039166/", "address"],
    ["https://0xa9fea9fe/", "address"],
    ["https://169.254.170.2/v2/credentials", "address"],
    ["https://100.64.0.1/", "address"],
    ["https://100.127.255.255/", "address"],
    ["https://224.0.0.1/", "address"],
    ["https://239.255.255.250/", "address"],
    ["https://255.255.255.255/", "address"],
    ["https://198.18.0.1/", "address"],
    ["https://192.0.0.170/", "address"],
    ["https://[::1]/", "address"],
    ["https://[0:0:0:0:0:0:0:1]/", "address"],
    ["https://[::]/", "address"],
    ["https://[::ffff:127.0.0.1]/", "address"],
    ["https://[::ffff:7f00:1]/", "address"],
    ["https://[::ffff:169.254.169.254]/", "address"],
    ["https://[::ffff:8.8.8.8]/", "address"],
    ["https://[::127.0.0.1]/", "address"],
    ["https://[64:ff9b::a9fe:a9fe]/", "address"],
    ["https://[64:ff9b:1::a00:1]/", "address"],
    ["https://[fe80::1]/", "address"],
    ["https://[febf::1]/", "address"],
    ["https://[fc00::1]/", "address"],
    ["https://[fd12:3456:789a::1]/", "address"],
    ["https://[ff02::1]/", "address"],
    ["https://[2002:7f00:1::]/", "address"],
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "address"],
    ["https://[2001:db8::1]/", "address"],
    ["https://[fd00:ec2::254]/", "address"],
    ["http://example.com/", "scheme"],
    ["http://127.0.0.1/", "scheme"],
    ["ftp://example.com/", "scheme"],
    ["file:///etc/passwd", "scheme"],
    ["gopher://example.com/", "scheme"],
    ["https://user:pass@example.com/", "userinfo"],
    ["https://user@example.com/", "userinfo"],
    ["https://example.com@127.0.0.1/", "userinfo"],
    ["https://1.2.3.4.5/", "invalid-url"],
    ["https://example.com\\@127.0.0.1/", "invalid-url"],
    ["https://exa mple.com/", "invalid-url"],
    ["https://example.com/\n", "invalid-url"],
    ["not a url", "invalid-url"],
    ["", "invalid-url"],
    ["https://example.123/", "invalid-url"],
    ["https://foo.0x10/", "invalid-url"],
    ["https://exa_mple.com/", "host"],
  ])("refuses %s (%s)", (url, code) => {
    const r = decideTarget(url, PUBLIC);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  // DNS names that resolve inside (stub resolver answers): refused, whatever the name looks like.
  it.each([
    ["https://hooks.example.com/", ["10.1.2.3"]],
    ["https://hooks.example.com/", ["169.254.169.254"]],
    ["https://localtest.me/", ["127.0.0.1"]],
    ["https://hooks.example.com/", ["::1"]],
    ["https://hooks.example.com/", ["fd00::5"]],
    ["https://hooks.example.com/", ["::ffff:10.0.0.1"]],
    ["https://rebind.example.com/", ["93.184.216.34", "127.0.0.1"]],
    ["https://rebind.example.com/", ["2606:2800:220:1:248:1893:25c8:1946", "fe80::1"]],
    ["https://hooks.example.com/", ["100.100.100.200"]],
  ])("refuses %s resolving to %j", (url, addrs) => {
    const r = decideTarget(url, addrs);
    expect(r).toMatchObject({ ok: false, code: "address" });
  });

  it("refuses a name that resolves to nothing, or to garbage", () => {
    expect(decideTarget("https://hooks.example.com/", [])).toMatchObject({ ok: false, code: "no-address" });
    expect(decideTarget("https://hooks.example.com/", ["2130706433"])).toMatchObject({
      ok: false,
      code: "address",
    });
  });

  it("allows a public https target and pins the first resolved address", () => {
    const r = decideTarget("https://hooks.example.com/services/collector/event", [
      "93.184.216.34",
      "2606:2800:220:1:248:1893:25c8:1946",
    ]);
    expect(r).toMatchObject({
      ok: true,
      host: "hooks.example.com",
      port: 443,
      address: "93.184.216.34",
      family: 4,
    });
  });

  it("allows a public IP literal without resolving it", () => {
    const c = checkUrl("https://8.8.8.8:8088/x");
    expect(c).toMatchObject({ ok: true, host: "8.8.8.8", port: 8088 });
    if (c.ok) expect(checkResolved(c, ["10.0.0.1"])).toMatchObject({ ok: true, address: "8.8.8.8" });
  });

  it("enforces the allowed ports when given", () => {
    expect(decideTarget("https://hooks.example.com:8443/", PUBLIC, { allowPorts: [443] })).toMatchObject({
      ok: false,
      code: "port",
    });
    expect(decideTarget("https://hooks.example.com/", PUBLIC, { allowPorts: [443] }).ok).toBe(true);
  });

  describe("allowInsecureLocal (local mode)", () => {
    const local = { allowInsecureLocal: true };
    it("allows http and https to loopback", () => {
      expect(decideTarget("http://127.0.0.1:8123/hook", [], local)).toMatchObject({
        ok: true,
        address: "127.0.0.1",
      });
      expect(decideTarget("http://localhost:8123/", ["127.0.0.1", "::1"], local)).toMatchObject({ ok: true });
      expect(decideTarget("https://[::1]:8443/", [], local)).toMatchObject({ ok: true, family: 6 });
    });
    it("still refuses everything that is not loopback", () => {
      expect(decideTarget("http://example.com/", PUBLIC, local)).toMatchObject({ ok: false });
      expect(decideTarget("http://10.0.0.1/", [], local)).toMatchObject({ ok: false, code: "address" });
      expect(decideTarget("http://169.254.169.254/", [], local)).toMatchObject({ ok: false });
      expect(decideTarget("http://localhost/", ["127.0.0.1", "10.0.0.1"], local)).toMatchObject({
        ok: false,
      });
    });
  });

  describe("allowCidrs (explicitly allowed internal ranges)", () => {
    it("allows the listed range only, never loopback or metadata", () => {
      const policy = { allowCidrs: ["10.20.0.0/16"] };
      expect(decideTarget("https://siem.internal/", ["10.20.1.2"], policy)).toMatchObject({ ok: true });
      expect(decideTarget("https://siem.internal/", ["10.21.1.2"], policy)).toMatchObject({ ok: false });
      expect(
        decideTarget("https://x/", ["169.254.169.254"], { allowCidrs: ["169.254.0.0/16"] }),
      ).toMatchObject({ ok: false });
      expect(decideTarget("https://x/", ["127.0.0.1"], { allowCidrs: ["127.0.0.0/8"] })).toMatchObject({
        ok: false,
      });
    });
    it("throws on a malformed CIDR (a configuration error, not a refusal)", () => {
      expect(() => decideTarget("https://x/", ["10.0.0.1"], { allowCidrs: ["10.0.0.0/33"] })).toThrow(/CIDR/);
    });
  });
});

describe("IP parsing", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0X7F.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["10.1", "10.0.0.1"],
    ["192.168.257", "192.168.1.1"],
    ["0", "0.0.0.0"],
    ["1.2.3.4.", "1.2.3.4"],
    ["0xffffffff", "255.255.255.255"],
  ])("reads IPv4 %s as %s", (text, canonical) => {
    const ip = parseIPv4(text);
    expect(ip && formatIp(ip)).toBe(canonical);
  });

  it.each([
    "256.1.1.1",
    "1.2.3.4.5",
    "0x100000000",
    "4294967296",
    "08.1.1.1",
    "1..2.3",
    "",
    ".",
    "a.b.c.d",
    "1.2.3.-4",
  ])("rejects %j as IPv4", (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });

  it.each([
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["::ffff:127.0.0.1", "::ffff:7f00:1"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::", "fe80::"],
  ])("reads IPv6 %s as %s", (text, canonical) => {
    const ip = parseIPv6(text);
    expect(ip && formatIp(ip)).toBe(canonical);
  });

  it.each(["fe80::1%eth0", "1::2::3", "12345::", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:8:9", ":::", "g::1"])(
    "rejects %j as IPv6",
    (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    },
  );

  it("parses CIDR blocks", () => {
    expect(parseCidr("10.0.0.0/8")?.bits).toBe(8);
    expect(parseCidr("fd00::/8")?.bits).toBe(8);
    expect(parseCidr("10.0.0.0")).toBeUndefined();
    expect(parseCidr("0x0a000000/8")).toBeUndefined();
  });

  describe("properties", () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const dotted = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

    it("every numeric form of an IPv4 address parses to that address", () => {
      fc.assert(
        fc.property(u32, (v) => {
          const b = dotted(v);
          const forms = [
            b.join("."),
            String(v),
            `0x${v.toString(16)}`,
            `0${v.toString(8)}`,
            b.map((x) => `0x${x.toString(16)}`).join("."),
            b.map((x) => `0${x.toString(8)}`).join("."),
            `${b[0]}.${(v & 0xffffff) >>> 0}`,
            `${b[0]}.${b[1]}.${v & 0xffff}`,
          ];
          for (const form of forms) expect(parseIPv4(form)).toEqual({ family: 4, value: v });
        }),
      );
    });

    it("an internal IPv4 address is refused in every URL form, a public one is not", () => {
      fc.assert(
        fc.property(u32, (v) => {
          const internal = specialRange({ family: 4, value: v }) !== undefined;
          for (const host of [dotted(v).join("."), String(v), `0x${v.toString(16)}`]) {
            const r = decideTarget(`https://${host}/hook`, []);
            expect(r.ok).toBe(!internal);
          }
        }),
        { numRuns: 500 },
      );
    });

    it("IPv6 format and parse round-trip", () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
          (words) => {
            const text = formatIp({ family: 6, words });
            expect(parseIPv6(text)?.words).toEqual(words);
            expect(parseIPv6(`[${text}]`)?.words).toEqual(words);
          },
        ),
      );
    });

    it("an IPv4-mapped IPv6 address is always refused", () => {
      fc.assert(
        fc.property(u32, (v) => {
          const r = decideTarget(`https://[::ffff:${dotted(v).join(".")}]/`, []);
          expect(r.ok).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it("never throws on arbitrary input, and only ever pins an address it was given", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.webUrl(),
            fc.constantFrom("https://", "https://[", "https://0x", "https://1."),
          ),
          fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { maxLength: 4 }),
          (url, addrs) => {
            const r = decideTarget(url, addrs);
            if (r.ok) {
              const literal = checkUrl(url);
              const ok = literal.ok && literal.literal !== undefined;
              if (!ok) expect(addrs.map((a) => formatIp(parseIPv4(a) ?? parseIPv6(a)!))).toContain(r.address);
              expect(specialRange(parseIPv4(r.address) ?? parseIPv6(r.address)!)).toBeUndefined();
            }
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});
