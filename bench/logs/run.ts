// CloudWatch Logs bytes per invocation, for docs/cost.md: every real handler run through the local
// stack at the level the deployed functions log at (INFO: infra/functions.ts sets no
// POWERTOOLS_LOG_LEVEL, so Powertools' default applies, and the JSON log format's application level
// is INFO too), in Powertools' compact production form (POWERTOOLS_DEV off: one JSON line per entry,
// as Lambda receives it on stdout/stderr). Drives the demo's scenario (Config changes, Connect reads,
// the Tuesday's 2,150 PHI reads, the alerts and SIEM deliveries they cause), a real StopLogging
// record (tamper), the hourly sweep over the demo account with mocked AWS clients, and API calls.
// Also scans every line for the scenario's object keys and caller-supplied strings (PHI must not be
// logged) and prints any hit. Run: npm run bench -- logs
//
// Lambda adds its own system records per invocation (platform.start, platform.report); they are not
// written by the function, so they are computed here from the documented record shapes with the
// deployed names, not measured.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoFindingStore, startReceiver } from "../../packages/aws/src/index.ts";
import { replayFiles } from "../../packages/cli/src/commands/replay.ts";
import { generateAccessScenario, TODAY } from "../../packages/cli/src/demo/access-scenario.ts";
import { bucketConfigurationItem } from "../../packages/cli/src/demo/config-events.ts";
import { DEMO, writeConfigScenario } from "../../packages/cli/src/demo/config-scenario.ts";
import { writeConnectScenario } from "../../packages/cli/src/demo/connect-scenario.ts";
import { LOCAL_NAMES, LocalStack, REPO_ROOT } from "../../packages/cli/src/local/stack.ts";
import {
  cloudTrailEnvelope,
  FUNCTION_NAMES,
  type FunctionName,
  functionSettings,
} from "../../packages/core/src/plan/index.ts";
import { mockAccount } from "../../test/integration/sweep/account.ts";

type Fn = FunctionName;
const CALLER = "arn:aws:iam::111122223333:user/compliance-ana";
/** Caller-supplied text: a suppression reason and a mistyped path holding a patient's details. */
const CALLER_TEXT = ["Patient Jane Roe MRN 4417-2209 callback pending", "MRN-4417-2209-jane-roe"];

const dir = await mkdtemp(join(tmpdir(), "phiwatch-bench-logs-"));
const secret = "bench-webhook-secret-0123456789abcdef";
const receiver = await startReceiver({ secrets: [secret] });
const baselineFile = join(dir, "baseline.yaml");
writeFileSync(
  baselineFile,
  `${readFileSync(join(REPO_ROOT, "examples/baseline.yaml"), "utf8")}
webhooks:
  - name: local-siem
    url: ${receiver.url}
    format: ocsf
    secret: { env: PHIWATCH_BENCH_WEBHOOK_SECRET }
    minSeverity: low
    allowInsecureLocal: true
`,
);

// Lambda sets the X-Ray trace header for every invocation; Powertools copies its Root into each line.
process.env._X_AMZN_TRACE_ID = "Root=1-67c5d2a0-4f2b9c1e8d7a6b5c4d3e2f10;Parent=53995c3f42cd8ad8;Sampled=0";
const stack = await LocalStack.start({
  baselineFile,
  logLevel: "INFO",
  env: {
    POWERTOOLS_DEV: "false",
    PHIWATCH_HASH_KEY: "bench-hash-key-0123456789abcdef0123456789abcdef",
    PHIWATCH_BENCH_WEBHOOK_SECRET: secret,
    PHIWATCH_NOW: new Date(Date.parse(`${TODAY}T19:30:00-05:00`)).toISOString(),
  },
});

// Attribute every byte a handler writes to stdout/stderr to that handler's invocation.
interface Tally {
  invocations: number;
  lines: number;
  bytes: number;
  initLines: number;
  initBytes: number;
  perInvocation: number[];
  levels: Record<string, number>;
}
const tally = Object.fromEntries(
  FUNCTION_NAMES.map((fn) => [
    fn,
    { invocations: 0, lines: 0, bytes: 0, initLines: 0, initBytes: 0, perInvocation: [], levels: {} },
  ]),
) as unknown as Record<Fn, Tally>;
const captured: Array<{ fn: Fn; init: boolean; line: string }> = [];
let current: { fn: Fn; init: boolean; bytes: number } | undefined;

function capture(chunk: unknown): void {
  if (!current) return;
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
  const t = tally[current.fn];
  // One CloudWatch log event per line; the newline is not part of the event.
  for (const line of text.split("\n").filter(Boolean)) {
    const bytes = Buffer.byteLength(line);
    captured.push({ fn: current.fn, init: current.init, line });
    if (current.init) {
      t.initLines++;
      t.initBytes += bytes;
    } else {
      t.lines++;
      t.bytes += bytes;
      current.bytes += bytes;
      let level = "?";
      try {
        level = String((JSON.parse(line) as { level?: unknown }).level);
      } catch {}
      t.levels[level] = (t.levels[level] ?? 0) + 1;
    }
  }
}
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (current) {
      capture(chunk);
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}

// Module initialisation (Lambda's init phase, once per container) is counted apart from invocations.
for (const fn of FUNCTION_NAMES) {
  current = { fn, init: true, bytes: 0 };
  await stack.handler(fn);
  current = undefined;
}
const invoke = stack.invoke.bind(stack);
stack.invoke = async (name, event) => {
  const outer = current;
  current = { fn: name, init: false, bytes: 0 };
  try {
    return await invoke(name, event);
  } finally {
    tally[name].invocations++;
    tally[name].perInvocation.push(current.bytes);
    current = outer;
  }
};

// 1. The demo: Config changes and Connect reads, then the Tuesday's PHI reads; alerts and deliveries.
const scenario = join(dir, "demo");
const configFiles = writeConfigScenario(join(scenario, "config"));
const connectFiles = writeConnectScenario(join(scenario, "config"));
const access = await generateAccessScenario(join(scenario, "access"));
await replayFiles(stack, configFiles);
await replayFiles(stack, connectFiles);
await stack.drain();
await replayFiles(stack, access.todayFiles);
// Two of the history's CloudTrail log files through the trail-logs path (S3 "Object Created" → access).
await replayFiles(stack, access.historyFiles.slice(-2));
await stack.drain();

// 2. tamper: a published real StopLogging record (Stratus Red Team), in the demo account.
const [stop] = JSON.parse(
  readFileSync(join(REPO_ROOT, "test/fixtures/infra/stratus__detonation_StopLogging.json"), "utf8"),
) as Array<Record<string, unknown>>;
await stack.dispatch(
  cloudTrailEnvelope({ ...stop, awsRegion: DEMO.region, recipientAccountId: DEMO.accountId }),
);
await stack.drain();

// 3. sweep: the demo account's Config items (plus 200 buckets) behind mocked Config/KMS/CloudTrail/Connect/S3.
process.env.PHIWATCH_SWEEP_REGIONS = DEMO.region;
const sts = mockClient(STSClient);
sts.on(GetCallerIdentityCommand).resolves({
  Account: DEMO.accountId,
  Arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/phiwatch-prod-sweep-role/phiwatch-prod-sweep`,
});
const items = configFiles.map((f) => JSON.parse(readFileSync(f, "utf8")).detail.configurationItem);
const mocks = mockAccount({ items });
await stack.invoke("sweep", { id: "bench-sweep-1", "detail-type": "Scheduled Event" });
await stack.drain();
mocks.restore();
const many = mockAccount({
  items: [
    ...items,
    ...Array.from({ length: 200 }, (_, i) =>
      bucketConfigurationItem({
        name: `app-assets-${i}`,
        capturedAt: "2026-03-03T10:00:00.000Z",
        sse: { algorithm: "aws:kms", kmsKeyId: "alias/aws/s3" },
      }),
    ),
  ],
});
await stack.invoke("sweep", { id: "bench-sweep-2", "detail-type": "Scheduled Event" });
await stack.drain();
many.restore();
sts.restore();

// 4. api: reads, and the changes compliance teams make (each change logs one line).
const { items: open } = await new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table).listFindings({
  status: "OPEN",
});
function apiEvent(method: string, path: string, body?: unknown) {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    requestContext: {
      accountId: DEMO.accountId,
      apiId: "a1b2c3",
      authorizer: {
        iam: {
          accessKey: "ASIAEXAMPLE",
          accountId: DEMO.accountId,
          callerId: "AIDAEXAMPLE",
          principalOrgId: null,
          userArn: CALLER,
          userId: "AIDAEXAMPLE",
        },
      },
      domainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "awscurl" },
      requestId: "r1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "03/Mar/2026:15:00:00 +0000",
      timeEpoch: 1772550000000,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}
await stack.invoke("api", apiEvent("GET", "/findings"));
await stack.invoke("api", apiEvent("GET", "/posture"));
const target = open.find((f) => f.ruleId.startsWith("s3-"));
if (target)
  await stack.invoke(
    "api",
    apiEvent("POST", `/findings/${target.findingId}/suppress`, {
      reason: CALLER_TEXT[0],
      until: new Date(Date.now() + 7 * 86400_000).toISOString(),
    }),
  );
await stack.invoke("api", apiEvent("POST", `/findings/${CALLER_TEXT[1]}/suppress`, { reason: "x" }));
await stack.drain();
current = undefined;
await stack.stop();
await receiver.stop();

// PHI scan: no line may hold an object key of the scenario or a caller-supplied string.
type Rec = { requestParameters?: { key?: string } };
const keys = new Set<string>();
for (const f of access.todayFiles)
  for (const l of readFileSync(f, "utf8").split("\n").filter(Boolean)) {
    const key = (JSON.parse(l) as { detail?: Rec }).detail?.requestParameters?.key;
    if (key) keys.add(key);
  }
for (const f of access.historyFiles.slice(-2))
  for (const r of (JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")) as { Records: Rec[] }).Records)
    if (r.requestParameters?.key) keys.add(r.requestParameters.key);
rmSync(dir, { recursive: true, force: true });
const phiHits = captured
  .filter(({ line }) => CALLER_TEXT.some((s) => line.includes(s)) || [...keys].some((k) => line.includes(k)))
  .map(({ fn, line }) => ({ fn, line: line.slice(0, 300) }));

// Lambda's system records at the default system level (INFO): platform.start and platform.report per
// invocation, in the JSON log format, with a deployed function's ARN (stage "prod", 12-digit account).
const systemBytes = (fn: Fn) => {
  const requestId = "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36";
  const start = JSON.stringify({
    time: "2026-03-03T15:00:00.000Z",
    type: "platform.start",
    record: {
      requestId,
      functionArn: `arn:aws:lambda:us-east-1:123456789012:function:phiwatch-prod-${fn}`,
      version: "$LATEST",
    },
  });
  const report = JSON.stringify({
    time: "2026-03-03T15:00:00.250Z",
    type: "platform.report",
    record: {
      requestId,
      metrics: {
        durationMs: 1233.96,
        billedDurationMs: 1234,
        memorySizeMB: functionSettings(fn).memoryMb,
        maxMemoryUsedMB: 123,
      },
      status: "success",
    },
  });
  return Buffer.byteLength(start) + Buffer.byteLength(report);
};
/** platform.initStart, once per new execution environment (cold start). */
const coldStartBytes = (fn: Fn) =>
  Buffer.byteLength(
    JSON.stringify({
      time: "2026-03-03T15:00:00.000Z",
      type: "platform.initStart",
      record: {
        initializationType: "on-demand",
        phase: "init",
        runtimeVersion: "nodejs:22.mainline.v122",
        runtimeVersionArn: `arn:aws:lambda:us-east-1::runtime:${"0".repeat(64)}`,
        functionName: `phiwatch-prod-${fn}`,
        functionVersion: "$LATEST",
        instanceId: `2026/03/03/phiwatch-prod-${fn}[$LATEST]${"0".repeat(32)}`,
        instanceMaxMemory: functionSettings(fn).memoryMb * 1024 * 1024,
      },
    }),
  );

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const rows = FUNCTION_NAMES.map((fn) => {
  const t = tally[fn];
  const app = t.invocations ? t.bytes / t.invocations : 0;
  return {
    fn,
    invocations: t.invocations,
    appLinesPerInvocation: t.invocations ? +(t.lines / t.invocations).toFixed(2) : 0,
    appBytesPerInvocation: Math.round(app),
    appBytesPerLine: t.lines ? Math.round(t.bytes / t.lines) : 0,
    appBytesP50: pct(t.perInvocation, 50),
    appBytesMax: Math.max(0, ...t.perInvocation),
    levels: t.levels,
    systemBytesPerInvocation: systemBytes(fn),
    totalBytesPerInvocation: Math.round(app + systemBytes(fn)),
    initBytes: t.initBytes,
    coldStartSystemBytes: coldStartBytes(fn),
    sample: captured.find((c) => c.fn === fn && !c.init)?.line,
  };
});
console.log(
  JSON.stringify(
    {
      level: "INFO",
      rows,
      phiScan: { objectKeys: keys.size, callerTexts: CALLER_TEXT.length, hits: phiHits },
    },
    null,
    2,
  ),
);
console.log(
  "\n| function | invocations | app lines / inv. | app bytes / line | app bytes / inv. (mean, p50, max) | + Lambda system | total / inv. |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.fn} | ${r.invocations} | ${r.appLinesPerInvocation} | ${r.appBytesPerLine} | ${r.appBytesPerInvocation}, ${r.appBytesP50}, ${r.appBytesMax} | ${r.systemBytesPerInvocation} | ${r.totalBytesPerInvocation} |`,
  );
if (phiHits.length > 0) {
  console.error(`\n${phiHits.length} log line(s) hold an object key or caller-supplied text`);
  process.exitCode = 1;
}
