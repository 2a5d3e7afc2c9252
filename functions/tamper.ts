// EventBridge CloudTrail management events (the tamper list, root activity) → tamper findings.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  Activity,
  baselineSuppression,
  DETECTORS,
  type InventoryQuery,
  type InventoryRead,
  recordObservation,
} from "@phiwatch/core";
import type { EventBridgeEvent } from "aws-lambda";
import { findingStore, inventory, loadBaseline, logger, orDeadLetter } from "./lib/runtime.ts";

/**
 * The tamper detectors' read of the stored inventory: bounded (`Activity.INVENTORY_READ_MAX_PAGES`),
 * and a failed read is an incomplete one the findings name, never a silent pass. No retry: the
 * finding says it could not tell, and the hourly sweep judges the buckets again.
 */
export async function readInventory(q: InventoryQuery): Promise<InventoryRead> {
  const max = Activity.INVENTORY_READ_MAX_PAGES;
  try {
    const r = await inventory.listRegion(q.accountId, q.region, q.resourceType, max);
    return r.complete
      ? { ...q, ...r }
      : { ...q, ...r, reason: `stopped after ${max} pages (the read's cap)` };
  } catch (error) {
    logger.warn("inventory read failed", { resourceType: q.resourceType, error: (error as Error).name });
    return { ...q, snapshots: [], complete: false, reason: "the inventory read failed" };
  }
}

export const lambdaHandler = async (event: EventBridgeEvent<string, unknown>) =>
  orDeadLetter("tamper", event, async () => {
    const baseline = loadBaseline();
    let recorded = 0;
    let detections = 0;
    for (const record of Activity.readCloudTrail(event)) {
      // Only detectors that need stored resources (an alias the PHI buckets name) ask for a read.
      const reads = await Promise.all(Activity.inventoryQueries(record, DETECTORS).map(readInventory));
      const r = Activity.detectManagement(record, baseline, DETECTORS, reads);
      for (const e of r.errors) logger.error("detector failed", { detectorId: e.detectorId, error: e.error });
      detections += r.detections.length;
      for (const d of r.detections) {
        const obs = Activity.observationOfDetection(d);
        const suppressedBy = baselineSuppression(baseline, obs.ruleId, obs.subject, new Date());
        const outcome = await recordObservation(findingStore, suppressedBy ? { ...obs, suppressedBy } : obs);
        if (outcome.changed) recorded += 1;
      }
    }
    logger.info("tamper", { detections, recorded });
    return { detections, recorded };
  });

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
