import { readFile, stat } from "node:fs/promises";
import { PhiwatchError, type WebhookTarget } from "@phiwatch/core";

/**
 * Webhook secrets (HMAC keys, HEC tokens) come from a reference in the baseline, never from the
 * baseline itself: an environment variable or a file locally, SSM Parameter Store or Secrets
 * Manager in AWS. Values are never logged and never appear in error messages — only the reference.
 *
 * Rotation: a reference may yield several secrets, current first. An env reference `NAME` also
 * reads `NAME_PREVIOUS`; a file, SSM parameter or secret holds one secret per line (or a JSON array
 * of strings). The sender signs with all of them, so receivers can switch at their own pace.
 */

export type SecretRef = WebhookTarget["secret"];

/** A secret that cannot be read or is unusable. Says which reference, never the value. */
export class SecretUnavailableError extends PhiwatchError {
  override name = "SecretUnavailableError";
  constructor(
    message: string,
    readonly ref: string,
    options?: { cause?: unknown },
  ) {
    super(`secret ${ref}: ${message}`, options);
  }
}

/** Reads one secret value by name/id from an AWS service. Implemented with the SDK client in AWS. */
export type SecretFetcher = (id: string) => Promise<string>;

export interface SecretSourceOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * SSM `GetParameter` with decryption (`WithDecryption: true`) — e.g.
   * `async (name) => (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!.Value!`.
   */
  ssm?: SecretFetcher;
  /** Secrets Manager `GetSecretValue` — `async (id) => (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!`. */
  secretsManager?: SecretFetcher;
  /** Cache lifetime, ms (rotated secrets are picked up after it). Default 5 minutes; 0 = no cache. */
  cacheMs?: number;
  now?: () => number;
}

/** Shortest HMAC secret accepted: 16 characters (128 bits if random). */
export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 4096;
const MAX_SECRETS = 4;

/**
 * Resolves secret references, with a short cache.
 *
 * @example
 * ```ts
 * const secrets = new SecretSource({ ssm: (name) => getParameter(name) });
 * const keys = await secrets.get(target.secret);          // ["current", "previous"?]
 * const token = target.token ? (await secrets.get(target.token))[0] : undefined;
 * ```
 */
export class SecretSource {
  readonly #options: SecretSourceOptions;
  readonly #cache = new Map<string, { at: number; values: string[] }>();

  constructor(options: SecretSourceOptions = {}) {
    this.#options = options;
  }

  async get(ref: SecretRef | NonNullable<WebhookTarget["token"]>): Promise<string[]> {
    const key = describe(ref);
    const now = (this.#options.now ?? Date.now)();
    const ttl = this.#options.cacheMs ?? 5 * 60_000;
    const hit = this.#cache.get(key);
    if (hit && ttl > 0 && now - hit.at < ttl) return hit.values;
    const values = validate(await this.#read(ref, key), key);
    this.#cache.set(key, { at: now, values });
    return values;
  }

  /** Forget cached values (after a rotation, or in tests). */
  clear(): void {
    this.#cache.clear();
  }

  async #read(ref: SecretRef | NonNullable<WebhookTarget["token"]>, key: string): Promise<string[]> {
    if ("env" in ref) {
      const env = this.#options.env ?? process.env;
      const current = env[ref.env];
      if (current === undefined || current === "") throw new SecretUnavailableError("not set", key);
      const previous = env[`${ref.env}_PREVIOUS`];
      return previous ? [current, previous] : [current];
    }
    if ("file" in ref) {
      let text: string;
      try {
        const s = await stat(ref.file);
        if (s.size > MAX_SECRET_LENGTH * MAX_SECRETS) throw new SecretUnavailableError("file too large", key);
        // A secret file others can write lets them forge signatures: refuse it (POSIX modes only).
        if (process.platform !== "win32" && (s.mode & 0o022) !== 0)
          throw new SecretUnavailableError("file is writable by group or others (chmod 600)", key);
        text = await readFile(ref.file, "utf8");
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw error;
        throw new SecretUnavailableError(
          `cannot read file (${(error as { code?: string }).code ?? "error"})`,
          key,
          {
            cause: error,
          },
        );
      }
      return split(text);
    }
    const [fetcher, id, service] =
      "ssm" in ref
        ? [this.#options.ssm, ref.ssm, "SSM Parameter Store"]
        : [this.#options.secretsManager, ref.secretsManager, "Secrets Manager"];
    if (!fetcher)
      throw new SecretUnavailableError(
        `${service} is not configured in this runtime (no client injected)`,
        key,
      );
    try {
      return split(await fetcher(id));
    } catch (error) {
      const name = (error as { name?: string }).name ?? "error";
      throw new SecretUnavailableError(`${service} read failed (${name})`, key, { cause: error });
    }
  }
}

function split(text: string): string[] {
  const t = text.trim();
  if (t.startsWith("[")) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr) && arr.every((x) => typeof x === "string")) return arr as string[];
    } catch {
      // Not JSON: one secret per line below.
    }
  }
  return t
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

function validate(values: string[], key: string): string[] {
  if (values.length === 0) throw new SecretUnavailableError("empty", key);
  if (values.length > MAX_SECRETS) throw new SecretUnavailableError(`more than ${MAX_SECRETS} values`, key);
  for (const v of values) {
    if (v.length < MIN_SECRET_LENGTH)
      throw new SecretUnavailableError(`shorter than ${MIN_SECRET_LENGTH} characters`, key);
    if (v.length > MAX_SECRET_LENGTH) throw new SecretUnavailableError("too long", key);
  }
  return values;
}

/** The reference as text for errors and cache keys — never the value. */
function describe(ref: object): string {
  const [k, v] = Object.entries(ref)[0] ?? ["?", "?"];
  return `${k}:${String(v)}`;
}
