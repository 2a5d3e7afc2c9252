import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ConnectClient } from "@aws-sdk/client-connect";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DynamoFindingStore,
  InventoryStore,
  PostureStore,
  type RegionClients,
  runSweep,
} from "@phiwatch/aws";
import {
  allFindings,
  CONTROLS,
  ControlSet,
  isSeverity,
  parseBaseline,
  type Severity,
  severityRank,
} from "@phiwatch/core";
import { defaultBaseline, UsageError } from "../context.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";
import { bold, dim, findingsTable, table } from "../output.ts";
import { collectReport, renderReport } from "./report.ts";

/** Clients of one region with the caller's credentials (profile or default chain). */
export function awsClients(region: string, profile?: string): RegionClients & { sts: STSClient } {
  const cfg = { region, ...(profile ? { profile } : {}), maxAttempts: 5 };
  return {
    config: new ConfigServiceClient(cfg),
    kms: new KMSClient(cfg),
    cloudtrail: new CloudTrailClient(cfg),
    connect: new ConnectClient(cfg),
    s3control: new S3ControlClient(cfg),
    sts: new STSClient(cfg),
  };
}

/**
 * `phiwatch scan [--profile P] [--region R…] [--baseline f] [--format table|json|report] [--out f]
 * [--fail-on S]`: the sweep's evaluation of a live account with read-only credentials, into an
 * in-memory local store; nothing is deployed or written to the account.
 */
export async function scanCommand(
  argv: string[],
  deps: { clientsFor?: (region: string) => RegionClients; accountId?: string } = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: "string" },
      region: { type: "string", multiple: true },
      baseline: { type: "string" },
      format: { type: "string", default: "table" },
      out: { type: "string" },
      "fail-on": { type: "string" },
    },
    strict: true,
  });
  const format = values.format;
  if (format !== "table" && format !== "json" && format !== "report")
    throw new UsageError("--format must be table, json or report");
  const failOn = values["fail-on"];
  if (failOn !== undefined && !isSeverity(failOn))
    throw new UsageError("--fail-on must be one of info, low, medium, high, critical");
  const baselineFile = defaultBaseline(values.baseline, "scan (a live account)");
  const baseline = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile);
  const regions = values.region?.length ? [...new Set(values.region)] : [...baseline.allowedRegions];
  const cache = new Map<string, RegionClients>();
  const clientsFor =
    deps.clientsFor ??
    ((region: string) => {
      let c = cache.get(region);
      if (!c) {
        c = awsClients(region, values.profile);
        cache.set(region, c);
      }
      return c;
    });
  let accountId = deps.accountId;
  if (!accountId) {
    try {
      accountId = (await awsClients(regions[0]!, values.profile).sts.send(new GetCallerIdentityCommand({})))
        .Account;
    } catch (error) {
      // No credentials, an unknown profile, no network: the environment, not findings (exit 2).
      throw new UsageError(
        `cannot use the AWS credentials (${values.profile ? `profile ${values.profile}` : "default credential chain"}, sts:GetCallerIdentity in ${regions[0]}): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (!accountId) throw new UsageError("could not tell the account: GetCallerIdentity returned none");
  const log = (s: string) => process.stderr.write(`${dim(s)}\n`);
  log(`scanning account ${accountId} in ${regions.join(", ")} (read-only)…`);

  // The local stack points the process at itself with dummy credentials (for the handlers); the scan's
  // AWS clients must keep the caller's own: put the caller's AWS_* variables back once it is up.
  const CALLER_ENV = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_PROFILE",
  ];
  const saved = Object.fromEntries(CALLER_ENV.map((k) => [k, process.env[k]]));
  const stack = await LocalStack.start({ baselineFile, storeOnly: true, logLevel: "ERROR" });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const findings = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const { posture } = await runSweep(
      {
        baseline,
        controls: new ControlSet(CONTROLS),
        findings,
        inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
        posture: new PostureStore(stack.ddb, LOCAL_NAMES.table),
        clientsFor,
      },
      { accountId, regions, sweepId: `scan-${randomUUID()}` },
    );
    const all = (await allFindings(findings)).sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId),
    );
    const open = all.filter((f) => f.status === "OPEN");
    if (format === "json") {
      for (const f of open) process.stdout.write(`${JSON.stringify(f)}\n`);
      process.stdout.write(`${JSON.stringify({ posture })}\n`);
    } else if (format === "report") {
      const out = values.out ?? "report.html";
      const report = await collectReport(stack.ddb, LOCAL_NAMES.table, baseline);
      writeFileSync(
        out,
        renderReport(report, out.endsWith(".md") ? "md" : out.endsWith(".json") ? "json" : "html"),
      );
      process.stdout.write(`wrote ${out}: ${open.length} open findings\n`);
    } else {
      process.stdout.write(
        `${bold(`Open findings (${open.length}) — ${posture.resources} resources evaluated`)}\n`,
      );
      process.stdout.write(`${findingsTable(open)}\n`);
      if (posture.unableTotal > 0) {
        process.stdout.write(
          `\n${bold(`Unable to evaluate (${posture.unableTotal}) — never counted as passing`)}\n`,
        );
        process.stdout.write(
          `${table(
            ["OPERATION", "RESOURCE", "REASON"],
            posture.unable.map((u) => [
              u.operation,
              `${u.resourceType} ${u.resourceId ?? ""} ${u.region ?? ""}`.trim(),
              u.reason,
            ]),
            [40, 70, 100],
          )}\n`,
        );
      }
    }
    if (failOn && open.some((f) => severityRank(f.severity) >= severityRank(failOn as Severity))) return 1;
    return 0;
  } finally {
    await stack.stop();
  }
}
