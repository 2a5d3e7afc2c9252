// EventBridge Scheduler (hourly) → sweep the account: evaluate every control on every in-scope resource,
// resolve findings of deleted resources, record a posture snapshot. Catches what events missed.
import { randomUUID } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { callerAccount, PostureStore, regionalReadClients, runSweep } from "@phiwatch/aws";
import {
  controls,
  ddb,
  findingStore,
  inventory,
  kms,
  loadBaseline,
  logger,
  tableName,
} from "./lib/runtime.ts";

const posture = new PostureStore(ddb, tableName());
const clientsFor = regionalReadClients();
let accountId: string | undefined;

/** Regions to sweep: PHIWATCH_SWEEP_REGIONS (comma-separated), else this region plus the baseline's allowed ones. */
export function sweepRegions(allowed: readonly string[]): string[] {
  const env = process.env.PHIWATCH_SWEEP_REGIONS?.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (env && env.length > 0) return [...new Set(env)];
  return [...new Set([process.env.AWS_REGION ?? "us-east-1", ...allowed])];
}

export const lambdaHandler = async (event: { id?: string } = {}) => {
  const baseline = loadBaseline();
  accountId ??= await callerAccount();
  const { posture: p } = await runSweep(
    { baseline, controls, findings: findingStore, inventory, ...(kms ? { kms } : {}), posture, clientsFor },
    { accountId, regions: sweepRegions(baseline.allowedRegions), sweepId: event.id ?? randomUUID() },
  );
  logger.info("swept", { ...p, unable: p.unable.slice(0, 20), controls: undefined });
  return {
    sweepId: p.sweepId,
    resources: p.resources,
    transitions: p.transitions,
    unable: p.unableTotal,
    open: p.open,
  };
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
