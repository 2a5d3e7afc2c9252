import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretSource, SecretUnavailableError } from "../../../packages/aws/src/webhook/index.ts";

const SECRET = "current-secret-0123456789";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phiwatch-secrets-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("webhook secret source", () => {
  it("reads env secrets with an optional previous one for rotation", async () => {
    const s = new SecretSource({ env: { HOOK: SECRET, HOOK_PREVIOUS: "previous-secret-0123456789" } });
    expect(await s.get({ env: "HOOK" })).toEqual([SECRET, "previous-secret-0123456789"]);
    await expect(new SecretSource({ env: {} }).get({ env: "HOOK" })).rejects.toThrow(
      /secret env:HOOK: not set/,
    );
  });

  it("reads a file: one secret per line or a JSON array; refuses a file others can write", async () => {
    const f = join(dir, "hook.secret");
    await writeFile(f, `${SECRET}\nprevious-secret-0123456789\n`, { mode: 0o600 });
    expect(await new SecretSource().get({ file: f })).toEqual([SECRET, "previous-secret-0123456789"]);
    const j = join(dir, "hook.json");
    await writeFile(j, JSON.stringify([SECRET]), { mode: 0o600 });
    expect(await new SecretSource().get({ file: j })).toEqual([SECRET]);
    await chmod(f, 0o666);
    await expect(new SecretSource().get({ file: f })).rejects.toThrow(/writable by group or others/);
    await expect(new SecretSource().get({ file: join(dir, "missing") })).rejects.toThrow(/ENOENT/);
  });

  it("refuses weak secrets without printing them", async () => {
    const err = await new SecretSource({ env: { HOOK: "short" } }).get({ env: "HOOK" }).catch((e) => e);
    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect(String(err.message)).toContain("shorter than 16");
    expect(String(err.message)).not.toContain('short"');
    expect(JSON.stringify(err)).not.toContain("short");
  });

  it("uses injected SSM / Secrets Manager readers, and says clearly when none is configured", async () => {
    const seen: string[] = [];
    const s = new SecretSource({
      ssm: async (name) => {
        seen.push(name);
        return SECRET;
      },
      secretsManager: async () => {
        throw Object.assign(new Error(`AccessDenied for ${SECRET}`), { name: "AccessDeniedException" });
      },
    });
    expect(await s.get({ ssm: "/phiwatch/hook" })).toEqual([SECRET]);
    const err = (await s.get({ secretsManager: "phiwatch/hook" }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      "secret secretsManager:phiwatch/hook: Secrets Manager read failed (AccessDeniedException)",
    );
    expect(err.message).not.toContain(SECRET);
    await expect(new SecretSource().get({ ssm: "/x" })).rejects.toThrow(
      /SSM Parameter Store is not configured/,
    );
    expect(seen).toEqual(["/phiwatch/hook"]);
  });

  it("caches for the configured time, then re-reads (rotation pick-up)", async () => {
    let now = 0;
    let value = SECRET;
    const s = new SecretSource({ ssm: async () => value, cacheMs: 1000, now: () => now });
    expect(await s.get({ ssm: "/h" })).toEqual([SECRET]);
    value = "rotated-secret-0123456789";
    expect(await s.get({ ssm: "/h" })).toEqual([SECRET]);
    now = 1001;
    expect(await s.get({ ssm: "/h" })).toEqual(["rotated-secret-0123456789"]);
  });
});
