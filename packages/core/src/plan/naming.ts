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

/**
 * The stores phiwatch deploys, by resource type, as the `<what>` of their names ({@link resourceName};
 * a FIFO queue's name ends in `.fifo`): the findings table (infra/storage.ts), the alerts topic, the
 * deliveries queue, its dead letter and the dead letter for bad input (infra/alerts.ts), the access
 * queue and its dead letter (infra/events.ts). A meta-test checks each is named so in infra/.
 */
export const STORES: Readonly<Record<string, readonly string[]>> = {
  "AWS::DynamoDB::Table": ["findings"],
  "AWS::SNS::Topic": ["alerts"],
  "AWS::SQS::Queue": ["access", "access-dlq", "deliveries.fifo", "deliveries-dlq.fifo", "dead-letter"],
};

/**
 * Which of phiwatch's stores a resource of this type and name is (`<what>` without `.fifo`), or
 * undefined. By name, as the deploy names them: the tags of a store can be changed or removed by
 * anyone allowed to tag it, and the name of a table, topic or queue cannot be changed at all.
 *
 * @example
 * ```ts
 * storeOf("AWS::SQS::Queue", "phiwatch-prod-deliveries-dlq.fifo"); // "deliveries-dlq"
 * storeOf("AWS::DynamoDB::Table", "phiwatch-prod-orders"); // undefined
 * ```
 */
export function storeOf(resourceType: string, name: string): string | undefined {
  const stores = Object.hasOwn(STORES, resourceType) ? STORES[resourceType]! : [];
  for (const what of stores) {
    if (!name.startsWith("phiwatch-") || !name.endsWith(`-${what}`)) continue;
    if (STAGE.test(name.slice("phiwatch-".length, name.length - what.length - 1)))
      return what.replace(/\.fifo$/, "");
  }
  return undefined;
}

/**
 * {@link storeOf} for a recorded resource: its name is `resourceName`, else the last segment of its id
 * (Config names a topic or queue by its ARN or URL in `resourceId`).
 */
export function storeOfResource(s: {
  resourceType: string;
  resourceId: string;
  resourceName?: string | undefined;
}): string | undefined {
  return storeOf(s.resourceType, s.resourceName ?? s.resourceId.split(/[:/]/).pop() ?? "");
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
