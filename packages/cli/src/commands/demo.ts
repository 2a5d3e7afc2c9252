import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DynamoAccessStore, DynamoFindingStore, startReceiver } from "@phiwatch/aws";
import { Activity, allFindings, type Finding, parseBaseline, severityRank } from "@phiwatch/core";
import { DEFAULT_DIR } from "../context.ts";
import { generateAccessScenario, TODAY } from "../demo/access-scenario.ts";
import { writeConfigScenario } from "../demo/config-scenario.ts";
import { writeConnectScenario } from "../demo/connect-scenario.ts";
import { LOCAL_NAMES, LocalStack, REPO_ROOT } from "../local/stack.ts";
import { bold, dim, findingsTable, table } from "../output.ts";
import { learnFiles } from "./learn.ts";
import { replayFiles } from "./replay.ts";
import { collectReport, renderReport } from "./report.ts";

/** When the demo's alerts go out: `${TODAY}` 19:30 in America/New_York (UTC-5). */
const DEMO_NOW = new Date(Date.parse(`${TODAY}T19:30:00-05:00`)).toISOString();

/**
 * `phiwatch demo` (what `npm start` runs): start the local stack, replay the bundled scenario of the
 * pre-audit story through the same handlers AWS runs, and print what phiwatch found — findings, the
 * SNS alerts published and the webhook deliveries received (signature verified).
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { fresh: { type: "boolean", default: false }, dir: { type: "string" } },
    strict: true,
  });
  const started = Date.now();
  const dir = resolve(values.dir ?? DEFAULT_DIR);
  if (values.fresh) rmSync(dir, { recursive: true, force: true });
  const scenarioDir = join(dir, "demo");
  mkdirSync(scenarioDir, { recursive: true });

  const out = (s = "") => process.stdout.write(`${s}\n`);
  let lapAt = Date.now();
  /** Seconds since the previous lap, for the progress lines. */
  const lap = () => {
    const s = ((Date.now() - lapAt) / 1000).toFixed(1);
    lapAt = Date.now();
    return `${s} s`;
  };
  out(bold("phiwatch demo — Northwind Health's Amazon Connect contact center (account 111122223333)"));
  out(dim(`state in ${dir}; scenario files in ${scenarioDir}`));

  const configFiles = writeConfigScenario(join(scenarioDir, "config"));
  const connectFiles = writeConnectScenario(join(scenarioDir, "config"));
  const access = await generateAccessScenario(join(scenarioDir, "access"));

  // A local SIEM: a webhook receiver on loopback that verifies every signature. Its secret is made
  // for this run and handed to the handlers through the environment, as SSM would in AWS.
  const secret = randomBytes(24).toString("base64url");
  const receiver = await startReceiver({ secrets: [secret] });
  const baselineFile = join(scenarioDir, "baseline.yaml");
  writeFileSync(
    baselineFile,
    `${readFileSync(join(REPO_ROOT, "examples/baseline.yaml"), "utf8")}
# Added by \`phiwatch demo\`: the local SIEM receiver (OCSF over signed webhook, loopback only).
webhooks:
  - name: local-siem
    url: ${receiver.url}
    format: ocsf
    secret: { env: PHIWATCH_DEMO_WEBHOOK_SECRET }
    minSeverity: low
    allowInsecureLocal: true
`,
  );

  out(
    dim(
      "starting the local stack: DynamoDB Local (with stream), SNS/SQS endpoint, webhook receiver, on 127.0.0.1…",
    ),
  );
  const stack = await LocalStack.start({
    dir,
    baselineFile,
    logLevel: "ERROR",
    // The handlers' clock (alerts.page judges quiet hours when an alert goes out): Tuesday 19:30 in
    // New York, after the scenario's last event, so the demo prints the same urgencies at any hour.
    env: { PHIWATCH_DEMO_WEBHOOK_SECRET: secret, PHIWATCH_NOW: DEMO_NOW },
  });
  try {
    out(dim(`local stack up (${lap()})`));
    await replayFiles(stack, configFiles);
    await replayFiles(stack, connectFiles);
    await stack.drain();
    out(
      dim(
        `replayed ${configFiles.length} AWS Config change events and ${connectFiles.length} Amazon Connect reads ` +
          `(instance storage, contact flow) the hourly sweep makes (${lap()})`,
      ),
    );

    // Backfill: four weeks of CloudTrail log files, as delivered to S3, become the access baseline.
    const baseline = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile);
    const learned = await learnFiles(access.historyFiles, {
      store: new DynamoAccessStore(stack.ddb, LOCAL_NAMES.table),
      baseline,
      hashKey: Activity.objectKeyHasher(Activity.hashSecret(process.env, LOCAL_NAMES.table)),
    });
    out(
      dim(
        `learned access profiles from ${learned.files} CloudTrail log files (${learned.events} PHI reads): ` +
          `${learned.profiles} profiles updated (${lap()})`,
      ),
    );

    await replayFiles(stack, access.todayFiles);
    const replayedAt = lap();
    await stack.drain();
    out(
      dim(
        `replayed today (Tuesday ${TODAY}): ${access.todayFiles.length} files of CloudTrail S3 data events ` +
          `(${replayedAt}); handlers, stream and queues drained (${lap()})`,
      ),
    );

    const store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
    const findings = await sortedFindings(store);
    const alerts = await stack.receivedAlerts();

    out();
    out(bold(`Findings (${findings.filter((f) => f.status === "OPEN").length} open)`));
    out(findingsTable(findings));
    out();
    out(bold(`SNS alerts published this run: ${alerts.length}`));
    if (alerts.length > 0) {
      out(
        table(
          ["URGENCY", "TRANSITION", "SUBJECT"],
          alerts.map((a) => [a.attributes.urgency ?? "", a.attributes.transition ?? "", a.subject ?? ""]),
          [8, 12, 100],
        ),
      );
    } else if (existsSync(join(dir, "stream-checkpoint.json"))) {
      out(
        dim("(none new: every finding was already announced in an earlier run — replays never alert twice)"),
      );
    }
    out();
    const ocsf = receiver.deliveries.flatMap((d) => d.events) as Array<{
      class_name?: string;
      activity_name?: string;
      finding_info?: { title?: string };
    }>;
    out(
      bold(
        `Webhook deliveries received by the local SIEM: ${receiver.deliveries.length} (signature verified; ${receiver.rejected.length} rejected)`,
      ),
    );
    if (ocsf.length > 0) {
      out(
        table(
          ["OCSF CLASS", "ACTIVITY", "TITLE"],
          ocsf.map((e) => [e.class_name ?? "", e.activity_name ?? "", e.finding_info?.title ?? ""]),
          [22, 10, 90],
        ),
      );
    }
    // The evidence report: the current-state architecture document an auditor can read on day one.
    const reportFile = join(scenarioDir, "report.html");
    writeFileSync(
      reportFile,
      renderReport(await collectReport(stack.ddb, LOCAL_NAMES.table, baseline), "html"),
    );
    out(
      `${bold("Evidence report")}: ${reportFile} ${dim("(self-contained HTML; open it in a browser or print it)")}`,
    );
    out();
    if (stack.deadLettered > 0)
      out(`${stack.deadLettered} input(s) dead-lettered: see ${stack.deadLetterDir}`);
    out(
      dim(
        `done in ${((Date.now() - started) / 1000).toFixed(1)} s — next: \`npx phiwatch findings\`, \`npx phiwatch history ${"northwind-connect-recordings"}\``,
      ),
    );
    return 0;
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

/** Every finding, open first, then by severity. */
async function sortedFindings(store: DynamoFindingStore): Promise<Finding[]> {
  return (await allFindings(store)).sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === "OPEN" ? -1 : 1) ||
      severityRank(b.severity) - severityRank(a.severity),
  );
}
