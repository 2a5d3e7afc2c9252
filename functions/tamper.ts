// EventBridge CloudTrail management events (the tamper list, root activity) → tamper findings.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { Activity, baselineSuppression, DETECTORS, recordObservation } from "@phiwatch/core";
import type { EventBridgeEvent } from "aws-lambda";
import { findingStore, loadBaseline, logger, orDeadLetter, readInventory } from "./lib/runtime.ts";

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
