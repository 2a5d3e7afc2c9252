// EventBridge "Config Configuration Item Change" → evaluate every control for the item → findings.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  BatchReadFindingStore,
  type Ec2For,
  ENRICHED_TYPES,
  type EnrichmentClients,
  enrichmentClients,
  enrichSnapshot,
  fetchConfigurationItem,
  identityFromArn,
  type KmsFor,
  MemberRoles,
  processSnapshot,
} from "@phiwatch/aws";
import { phiBucketOf, type ResourceSnapshot, readConfigChange, UnsupportedEventError } from "@phiwatch/core";
import type { Context, EventBridgeEvent } from "aws-lambda";
import {
  clients,
  controls,
  ddb,
  inventory,
  loadBaseline,
  logger,
  offline,
  orDeadLetter,
  ownStores,
  tableName,
} from "./lib/runtime.ts";

// The change's evaluations (the changed resource's and its dependants') read their findings together,
// one strongly consistent BatchGetItem per 100, instead of one GetItem per control.
const deps = { controls, findings: new BatchReadFindingStore(ddb, tableName()), inventory };
// Config records no key rotation/policy, no trail selectors/status, and not the recovery period and
// data-protection policy of phiwatch's own table and topic: read them, as the sweep does —
// in the item's own account (a member account of the baseline through its read role, like the sweep,
// so both paths see the same data) and region. None offline: there is no KMS/CloudTrail/Config endpoint.
const roles = offline
  ? undefined
  : new MemberRoles(clients.sts(), "phiwatch-config-change", enrichmentClients);

function readClients(accountId: string, region: string, context: Context): EnrichmentClients | undefined {
  const own = roles && identityFromArn(context.invokedFunctionArn);
  return own && roles.for(own, loadBaseline().accounts, accountId).clients(region);
}

/** The clients of an account phiwatch can enter (this one or a member's, through its role); none offline. */
function enteredClients(
  context: Context,
): ((accountId: string, region: string) => EnrichmentClients | undefined) | undefined {
  const own = roles && identityFromArn(context.invokedFunctionArn);
  if (!own) return undefined;
  const members = loadBaseline().accounts;
  return (accountId, region) =>
    roles.enters(own, members, accountId) ? roles.for(own, members, accountId).clients(region) : undefined;
}

/** DescribeKey in the key's account and region; none offline. */
function kmsFor(context: Context): KmsFor | undefined {
  const c = enteredClients(context);
  return c && ((accountId, region) => c(accountId, region)?.kms);
}

/** AWS's prefix lists (DescribeManagedPrefixLists) in the group's account and region; none offline. */
function ec2For(context: Context): Ec2For | undefined {
  const c = enteredClients(context);
  return c && ((accountId, region) => c(accountId, region)?.ec2);
}

export const lambdaHandler = async (event: EventBridgeEvent<string, unknown>, context: Context) =>
  orDeadLetter("config-change", event, async () => {
    const change = readConfigChange(event);
    // Before any read: an oversized notification of an unwatched type needs no GetResourceConfigHistory.
    const resourceType =
      change.kind === "oversized" ? change.fetch.resourceType : change.snapshot.resourceType;
    if (!controls.watches(resourceType)) {
      logger.debug("resource type not watched", { resourceType });
      return { evaluated: 0 };
    }
    let read: ResourceSnapshot;
    if (change.kind === "oversized") {
      const c = readClients(change.fetch.accountId, change.fetch.region, context);
      // Offline only (in AWS there are always clients): not retriable, so dead-lettered with the reason.
      if (!c)
        throw new UnsupportedEventError(
          "oversized configuration item: GetResourceConfigHistory is not available offline",
          "event.detail.configurationItemSummary",
        );
      read = await fetchConfigurationItem(c.config, change.fetch);
    } else read = change.snapshot;
    const enrichment =
      read.state === "present" && ENRICHED_TYPES.includes(read.resourceType)
        ? readClients(read.accountId, read.region, context)
        : undefined;
    const snapshot = enrichment
      ? await enrichSnapshot(read, enrichment, {
          now: new Date(),
          keepCaptureTime: true,
          enrichBucket: (b) =>
            phiBucketOf(loadBaseline(), b.resourceName ?? b.resourceId, b.tags) !== undefined,
          ownStores: ownStores(),
          unable: (u) => logger.warn("enrichment read failed", { operation: u.operation, reason: u.reason }),
        })
      : read;
    // Key facts (DescribeKey) and AWS's prefix lists of a member account are read with its role too.
    const keys = kmsFor(context);
    const lists = ec2For(context);
    const outcome = await processSnapshot(
      {
        ...deps,
        ...(keys ? { kmsFor: keys } : {}),
        ...(lists ? { ec2For: lists } : {}),
        baseline: loadBaseline(),
      },
      snapshot,
      change.eventId,
    );
    logger.info("evaluated", {
      resourceType: snapshot.resourceType,
      evaluations: outcome.evaluations.length,
      transitions: outcome.transitions,
      dependants: outcome.dependants,
      stale: outcome.stale,
    });
    return { evaluated: outcome.evaluations.length, transitions: outcome.transitions };
  });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
