// EventBridge Scheduler (hourly) → sweep the account phiwatch runs in and every member account of the
// baseline (through the read-only role infra/member-read-role.yaml creates there): evaluate every
// control on every in-scope resource, resolve findings of deleted resources, record one posture
// snapshot. Catches what events missed, and evaluates what existed before phiwatch was deployed.
import { randomUUID } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  BatchReadFindingStore,
  callerIdentity,
  type Identity,
  type MemberAccess,
  MemberRoles,
  PostureStore,
  reasonOf,
  regionalReadClients,
  runSweep,
} from "@phiwatch/aws";
import { MEMBER_UNREADABLE_MESSAGE, memberAccounts, memberReadRoleArn, RedactedError } from "@phiwatch/core";
import type { Context } from "aws-lambda";
import {
  clients,
  controls,
  ddb,
  inventory,
  loadBaseline,
  logger,
  ownStores,
  tableName,
} from "./lib/runtime.ts";

const posture = new PostureStore(ddb, tableName());
// The findings of each resource in one read (BatchGetItem) instead of one GetItem per control.
const findings = new BatchReadFindingStore(ddb, tableName());
const clientsFor = regionalReadClients();
let identity: Identity | undefined;
const roles = new MemberRoles(clients.sts(), "phiwatch-sweep", regionalReadClients);

/**
 * How to read each member account: its clients once the role is assumed, or why it cannot be read
 * (role missing, trust not naming this function's role…), which the posture reports as unable.
 */
async function memberAccess(accounts: readonly string[], own: Identity): Promise<MemberAccess[]> {
  const out: MemberAccess[] = [];
  const members = memberAccounts(accounts, own.accountId);
  for (const accountId of members) {
    const m = roles.for(own, members, accountId);
    try {
      await m.credentials?.();
    } catch (error) {
      const reason = reasonOf(error);
      // The exact message a CloudWatch Logs metric filter alarms on (Plan.logAlarmPlans).
      logger.error(MEMBER_UNREADABLE_MESSAGE, { accountId, reason });
      const resourceId = memberReadRoleArn(own.partition, accountId);
      out.push({
        accountId,
        unable: { resourceType: "AWS::IAM::Role", resourceId, operation: "sts:AssumeRole", reason },
      });
      continue;
    }
    out.push({ accountId, clientsFor: m.clients });
  }
  return out;
}

/** Regions to sweep: PHIWATCH_SWEEP_REGIONS (comma-separated), else this region plus the baseline's allowed ones. */
export function sweepRegions(allowed: readonly string[]): string[] {
  const env = process.env.PHIWATCH_SWEEP_REGIONS?.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (env && env.length > 0) return [...new Set(env)];
  return [...new Set([process.env.AWS_REGION ?? "us-east-1", ...allowed])];
}

/**
 * Time kept back from the function's timeout (3 minutes, or a fifth of a short timeout): no account,
 * listing or resource evaluation is started after it, so the posture is written before Lambda stops
 * the run; the next run resumes where this one stopped (`PostureSnapshot.resume`).
 */
const deadlineOf = (remainingMs: number) => Date.now() + remainingMs - Math.min(180_000, remainingMs / 5);

export const lambdaHandler = async (event: { id?: string } = {}, context?: Context) => {
  try {
    return await sweep(event, context);
  } catch (error) {
    // Lambda logs a failed run's error message: AWS's quotes resource names and keys.
    throw new RedactedError(error);
  }
};

async function sweep(event: { id?: string }, context: Context | undefined) {
  const baseline = loadBaseline();
  identity ??= await callerIdentity(clients.sts());
  // Where the last run stopped, if its time budget ran out: this one starts there.
  const [last] = await posture.list({ limit: 1 });
  const { posture: p } = await runSweep(
    { baseline, controls, findings, inventory, posture, clientsFor, ownStores: ownStores() },
    {
      accountId: identity.accountId,
      members: await memberAccess(baseline.accounts, identity),
      regions: sweepRegions(baseline.allowedRegions),
      sweepId: event.id ?? randomUUID(),
      // The scheduled run speaks for this deployment: findings out of its scope are resolved, and
      // suppressions that ended or left the baseline re-open their findings.
      reconcile: true,
      ...(context ? { deadline: deadlineOf(context.getRemainingTimeInMillis()) } : {}),
      ...(last?.resume ? { resume: last.resume } : {}),
    },
  );
  logger.info("swept", { ...p, unable: p.unable.slice(0, 20), controls: undefined });
  return {
    sweepId: p.sweepId,
    accounts: p.accounts,
    resources: p.resources,
    transitions: p.transitions,
    unable: p.unableTotal,
    open: p.open,
  };
}

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
