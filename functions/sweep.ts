// EventBridge Scheduler (hourly) → sweep the account: evaluate every control on every in-scope resource,
// resolve findings of deleted resources, record a posture snapshot. Catches what events missed.
import { randomUUID } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ConnectClient } from "@aws-sdk/client-connect";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import middy from "@middy/core";
import { PostureStore, type RegionClients, runSweep } from "@phiwatch/aws";
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
const clients = new Map<string, RegionClients>();
const clientsFor = (region: string): RegionClients => {
  let c = clients.get(region);
  if (!c) {
    c = {
      config: new ConfigServiceClient({ region }),
      kms: new KMSClient({ region }),
      cloudtrail: new CloudTrailClient({ region }),
      connect: new ConnectClient({ region }),
      s3control: new S3ControlClient({ region }),
    };
    clients.set(region, c);
  }
  return c;
};
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
  accountId ??= (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Account;
  if (!accountId) throw new Error("GetCallerIdentity returned no account");
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
