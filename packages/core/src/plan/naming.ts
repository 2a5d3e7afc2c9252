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
