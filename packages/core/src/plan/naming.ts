import { DefinitionError } from "../errors.ts";

/** Stages whose data must survive a mistaken `sst remove` (deletion protection, retain on removal). */
export const PROTECTED_STAGES = ["prod", "production", "staging"] as const;

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * True for stages that hold real findings: deletion protection on, resources retained on removal.
 *
 * @example
 * ```ts
 * isProtectedStage("prod"); // true
 * isProtectedStage("alice"); // false (a personal dev stage)
 * ```
 */
export function isProtectedStage(stage: string): boolean {
  return (PROTECTED_STAGES as readonly string[]).includes(stage);
}

/**
 * Physical name of a phiwatch resource: `phiwatch-<stage>-<what>`. Names carry no PHI, no bucket
 * names and no account data, only the stage and the role of the resource.
 *
 * @example
 * ```ts
 * resourceName("prod", "findings"); // "phiwatch-prod-findings"
 * ```
 */
export function resourceName(stage: string, what: string): string {
  if (!STAGE.test(stage)) {
    throw new DefinitionError(
      `stage "${stage}": lowercase letters, digits and dashes, at most 20 characters`,
    );
  }
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(what)) throw new DefinitionError(`resource "${what}": kebab-case`);
  return `phiwatch-${stage}-${what}`;
}

/** Tags on every resource: the app and stage only (never PHI, bucket names or principals). */
export function resourceTags(stage: string): Record<string, string> {
  return { app: "phiwatch", stage, "data-classification": "security-metadata" };
}

/**
 * The read-only role the sweep assumes in each member account (`infra/member-read-role.yaml`, one
 * per account). Its policy is the sweep's read-only policy (docs/scan.md); its trust names only the
 * security account's sweep role.
 */
export const MEMBER_READ_ROLE = "phiwatch-member-read";

/**
 * ARN of {@link MEMBER_READ_ROLE} in an account.
 *
 * @example
 * ```ts
 * memberReadRoleArn("aws", "111122223333"); // "arn:aws:iam::111122223333:role/phiwatch-member-read"
 * ```
 */
export function memberReadRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/${MEMBER_READ_ROLE}`;
}

/**
 * Accounts the sweep reads through {@link MEMBER_READ_ROLE}: the baseline's accounts other than the
 * one phiwatch runs in (which it reads with its own role), in baseline order, without repeats.
 *
 * @example
 * ```ts
 * memberAccounts(["111122223333", "999988887777"], "999988887777"); // ["111122223333"]
 * ```
 */
export function memberAccounts(accounts: readonly string[], ownAccount: string): string[] {
  return [...new Set(accounts)].filter((a) => a !== ownAccount);
}
