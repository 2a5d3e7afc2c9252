// EventBridge "Config Configuration Item Change" → evaluate every control for the item → findings.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  ENRICHED_TYPES,
  enrichmentClients,
  enrichSnapshot,
  fetchConfigurationItem,
  processSnapshot,
} from "@phiwatch/aws";
import { PhiwatchError, phiBucketOf, readConfigChange } from "@phiwatch/core";
import type { EventBridgeEvent } from "aws-lambda";
import {
  configService,
  controls,
  findingStore,
  inventory,
  kms,
  loadBaseline,
  logger,
  offline,
  orDeadLetter,
} from "./lib/runtime.ts";

const deps = { controls, findings: findingStore, inventory, ...(kms ? { kms } : {}) };
// Config records no key rotation/policy and no trail selectors/status: read them, as the sweep does.
const enrichment = offline ? undefined : enrichmentClients();

export const lambdaHandler = async (event: EventBridgeEvent<string, unknown>) =>
  orDeadLetter("config-change", event, async () => {
    const change = readConfigChange(event);
    if (change.kind === "oversized" && !configService) {
      throw new PhiwatchError(
        "oversized configuration item: GetResourceConfigHistory is not available offline",
      );
    }
    const read =
      change.kind === "item" ? change.snapshot : await fetchConfigurationItem(configService!, change.fetch);
    const snapshot =
      enrichment && read.state === "present" && ENRICHED_TYPES.includes(read.resourceType)
        ? await enrichSnapshot(read, enrichment(read.region), {
            now: new Date(),
            keepCaptureTime: true,
            enrichBucket: (b) =>
              phiBucketOf(loadBaseline(), b.resourceName ?? b.resourceId, b.tags) !== undefined,
            unable: (u) =>
              logger.warn("enrichment read failed", { operation: u.operation, reason: u.reason }),
          })
        : read;
    if (!controls.watches(snapshot.resourceType)) {
      logger.debug("resource type not watched", { resourceType: snapshot.resourceType });
      return { evaluated: 0 };
    }
    const outcome = await processSnapshot({ ...deps, baseline: loadBaseline() }, snapshot, change.eventId);
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
