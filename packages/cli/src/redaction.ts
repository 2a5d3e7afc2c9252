// How the CLI redacts what it writes for people outside the account (the evidence report) and what
// the local stack's notify sends: the deployment's keyed tokens when the CLI is given the key, else
// kind-only tokens. Never the table-derived fallback the local stack uses for object-key hashes: the
// table name is not a secret, and a token keyed with a guessable key can be reversed by guessing.
import { Format } from "@phiwatch/core";

/**
 * The redaction key: `PHIWATCH_REDACTION_KEY` (the derived key, as the notify function has it), else
 * derived from `PHIWATCH_HASH_KEY` (the PhiwatchHashKey secret), else none.
 *
 * @example
 * ```ts
 * cliRedactionKey({ PHIWATCH_HASH_KEY: secret }) === Format.redactionKey(secret); // true
 * ```
 */
export function cliRedactionKey(env: Record<string, string | undefined>): string | undefined {
  const given = Format.redactionOptions(env).hashKey;
  if (given) return given;
  const secret = env.PHIWATCH_HASH_KEY;
  return secret ? Format.redactionKey(secret) : undefined;
}

/** {@link cliRedactionKey} as redaction options. */
export function cliRedaction(env: Record<string, string | undefined>): Format.RedactionOptions {
  const hashKey = cliRedactionKey(env);
  return hashKey ? { hashKey } : {};
}
