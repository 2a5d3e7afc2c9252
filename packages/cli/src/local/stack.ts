import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { ensureTable } from "@phiwatch/aws";
import { type Baseline, baselineJson, EventPatterns, Format, Plan, parseBaseline } from "@phiwatch/core";
import type { DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import { interceptLocalhostDns, startFauxqs } from "fauxqs";
import { deadLetterReason } from "../dead-letters.ts";
import { cliRedactionKey } from "../redaction.ts";
import { type DynamoLocal, startDynamoLocal } from "./dynamo.ts";
import { lambdaContext } from "./lambda-context.ts";
import { sleep } from "./ports.ts";
import { pollQueueOnce } from "./sqs-poller.ts";
import { StreamPoller } from "./stream-poller.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const REGION = "us-east-1";
/** The access function's event-source batch size, as infra/ sets it (with a batching window). */
export const ACCESS_BATCH_SIZE = Plan.ACCESS_BATCH.size;
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
/** Patched once per process; the patch only maps `*.localhost` to 127.0.0.1. */
let dnsIntercepted = false;

/** Names of the local resources (the same links SST gives the functions in AWS). */
export const LOCAL_NAMES = {
  table: "phiwatch-local-findings",
  alerts: "phiwatch-local-alerts",
  alertsInbox: "phiwatch-local-alerts-inbox",
  access: "phiwatch-local-access",
  accessDlq: "phiwatch-local-access-dlq",
  deliveries: "phiwatch-local-deliveries.fifo",
  deliveriesDlq: "phiwatch-local-deliveries-dlq.fifo",
  deadLetter: "phiwatch-local-dead-letter",
  trailBucket: "phiwatch-local-cloudtrail",
} as const;

export interface LocalStackOptions {
  /** Persist DynamoDB under `<dir>/ddb` and write dead letters under `<dir>/dead-letter`; in memory when omitted. */
  dir?: string;
  /** Baseline YAML file the handlers load. */
  baselineFile: string;
  /** Only DynamoDB (for read-only CLI commands such as `findings`). */
  storeOnly?: boolean;
  logLevel?: string;
  /** Extra environment for the handlers (webhook secrets, HMAC key…). */
  env?: Record<string, string>;
  /**
   * Where each handler module is: `functions/<name>.ts` by default; tests point it at esbuild bundles
   * of the functions, the form Lambda runs.
   */
  handlerModule?: (name: string) => string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * The JSON rendition of a baseline YAML file, as infra/ ships it to the functions (they read JSON:
 * no YAML parser in the bundles). Validated here, so a mistake is reported with its line before any
 * handler runs. Written under the stack's directory, or the system's temporary directory, named by
 * its content.
 */
function baselineJsonFor(yamlFile: string, dir: string | undefined): string {
  const json = baselineJson(readFileSync(yamlFile, "utf8"), yamlFile);
  const out = join(
    dir ?? join(tmpdir(), "phiwatch-local"),
    `baseline-${createHash("sha256").update(json).digest("hex").slice(0, 16)}.json`,
  );
  if (!existsSync(out)) {
    // Written aside and renamed: tests start stacks in parallel, and a reader must never see half a file.
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.${process.pid}.tmp`, json);
    renameSync(`${out}.${process.pid}.tmp`, out);
  }
  return out;
}

/**
 * fauxqs (1.9.2) listens on 0.0.0.0 whatever its options say. While it starts, a wildcard listen
 * address (`0.0.0.0`, `::`, none) is rewritten to 127.0.0.1 — in place, so Fastify sees the address
 * it got — and the patch is removed as soon as `startFauxqs` returns. A start that listened on any
 * other address is refused.
 */
export async function startFauxqsOnLoopback(): Promise<Awaited<ReturnType<typeof startFauxqs>>> {
  const listen = Server.prototype.listen;
  const hosts: unknown[] = [];
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const o = args[0] as { host?: unknown } | undefined;
    if (o && typeof o === "object") {
      if (o.host === "0.0.0.0" || o.host === "::" || o.host === undefined) o.host = "127.0.0.1";
      hosts.push(o.host);
    } else hosts.push(typeof args[1] === "string" ? args[1] : undefined);
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    server = await startFauxqs({ port: 0, logger: false, host: "localhost", defaultRegion: REGION });
  } finally {
    Server.prototype.listen = listen;
  }
  if (hosts.length === 0 || hosts.some((h) => h !== "127.0.0.1" && h !== "::1")) {
    await server.stop();
    throw new Error(
      `local SNS/SQS/S3 endpoint listened on ${hosts.map(String).join(", ") || "nothing"}, not 127.0.0.1 only: refusing to use it`,
    );
  }
  return server;
}

/**
 * The local stack: AWS's DynamoDB Local (with its stream) and a local SNS/SQS/S3 endpoint (fauxqs) on
 * loopback, wired to the same Lambda handlers as in AWS — EventBridge rules become `dispatch`, the
 * SQS and stream event sources become pollers. The handlers find everything through SST links and
 * `AWS_ENDPOINT_URL_*`, so they run unmodified.
 */
export type Route = "config-change" | "access" | "tamper";

/**
 * The local event bus: the same EventBridge rules infra/ deploys for this baseline (`Plan.eventRules`),
 * matched with phiwatch's EventBridge pattern matcher. Returns the targets of every matching rule.
 */
export class LocalEventBus {
  private readonly rules: Array<{ id: string; matches: (e: unknown) => boolean; target: Route }>;

  constructor(baseline: Baseline) {
    this.rules = Plan.eventRules(baseline, {
      maxPatternChars: Plan.eventPatternMax(process.env.PHIWATCH_EVENT_PATTERN_MAX),
    }).map((r) => {
      const compiled = EventPatterns.compilePattern(r.pattern);
      return {
        id: r.id,
        matches: (e: unknown) => compiled.matches(e),
        target: r.target === "access-queue" ? "access" : (r.target as Route),
      };
    });
  }

  routes(envelope: Record<string, unknown>): Route[] {
    return this.rules.filter((r) => r.matches(envelope)).map((r) => r.target);
  }
}

export class LocalStack {
  private handlers = new Map<string, Handler>();
  private readonly bus: LocalEventBus;
  private streamPoller?: StreamPoller;
  readonly deadLetterDir?: string;
  private deadLetterCount = 0;
  private readonly deadLetterReasons = new Map<string, number>();

  private constructor(
    readonly ddbLocal: DynamoLocal,
    private readonly fauxqs: Awaited<ReturnType<typeof startFauxqs>> | undefined,
    readonly ddb: DynamoDBClient,
    readonly sqs: SQSClient | undefined,
    readonly s3: S3Client | undefined,
    readonly queues: Record<string, { url: string; arn: string }>,
    readonly topicArn: string | undefined,
    readonly opts: LocalStackOptions,
  ) {
    if (opts.dir) this.deadLetterDir = join(opts.dir, "dead-letter");
    this.bus = new LocalEventBus(parseBaseline(readFileSync(opts.baselineFile, "utf8"), opts.baselineFile));
  }

  static async start(opts: LocalStackOptions): Promise<LocalStack> {
    const ddbLocal = await startDynamoLocal(opts.dir ? { dbPath: join(opts.dir, "ddb") } : {});
    let fauxqs: Awaited<ReturnType<typeof startFauxqs>> | undefined;
    try {
      const env: Record<string, string> = {
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: ddbLocal.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: ddbLocal.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        PHIWATCH_OFFLINE: "1",
        PHIWATCH_BASELINE_FILE: baselineJsonFor(opts.baselineFile, opts.dir),
        POWERTOOLS_LOG_LEVEL: opts.logLevel ?? "WARN",
        POWERTOOLS_DEV: "true",
        SST_RESOURCE_App: JSON.stringify({ name: "phiwatch", stage: "local" }),
        SST_RESOURCE_Findings: JSON.stringify({ name: LOCAL_NAMES.table, type: "sst.aws.Dynamo" }),
        ...opts.env,
      };
      // notify formats alerts and SIEM payloads with the deployment's keyed tokens when the CLI has
      // the secret (PHIWATCH_HASH_KEY) or the derived key, as the report does; else kind-only tokens.
      const redactionKey = cliRedactionKey({ ...process.env, ...opts.env });
      if (redactionKey) env[Format.REDACTION_KEY_ENV] = redactionKey;
      const queues: Record<string, { url: string; arn: string }> = {};
      let topicArn: string | undefined;
      if (!opts.storeOnly) {
        // Queue URLs are http://sqs.<region>.localhost:<port>/…; resolve *.localhost to 127.0.0.1 in this
        // process (glibc does not), so the SDK's queue-URL endpoint logic works as it does against AWS.
        if (!dnsIntercepted) {
          interceptLocalhostDns("localhost");
          dnsIntercepted = true;
        }
        fauxqs = await startFauxqsOnLoopback();
        const sqsEndpoint = `http://sqs.${REGION}.localhost:${fauxqs.port}`;
        const q = (name: string, attributes?: Record<string, string>) => {
          const r = fauxqs!.createQueue(name, attributes ? { attributes } : undefined);
          queues[name] = { url: r.queueUrl, arn: r.queueArn };
          return r;
        };
        const accessDlq = q(LOCAL_NAMES.accessDlq);
        q(LOCAL_NAMES.access, {
          VisibilityTimeout: "1",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: accessDlq.queueArn, maxReceiveCount: 3 }),
        });
        // FIFO: one message group per (target, finding) keeps each finding's events in order.
        // The message size the deployed queues have (fauxqs defaults to SQS's newer 1 MiB).
        const maxSize = String(Plan.QUEUE_MESSAGE_MAX_BYTES);
        const deliveriesDlq = q(LOCAL_NAMES.deliveriesDlq, {
          FifoQueue: "true",
          MaximumMessageSize: maxSize,
        });
        q(LOCAL_NAMES.deliveries, {
          FifoQueue: "true",
          MaximumMessageSize: maxSize,
          VisibilityTimeout: "30",
          // Above the webhook retry budget: forward dead-letters with the reason before SQS would.
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deliveriesDlq.queueArn, maxReceiveCount: 25 }),
        });
        q(LOCAL_NAMES.deadLetter);
        q(LOCAL_NAMES.alertsInbox);
        topicArn = fauxqs.createTopic(LOCAL_NAMES.alerts).topicArn;
        fauxqs.subscribe({
          topic: LOCAL_NAMES.alerts,
          queue: LOCAL_NAMES.alertsInbox,
          attributes: { RawMessageDelivery: "false" },
        });
        fauxqs.createBucket(LOCAL_NAMES.trailBucket);
        Object.assign(env, {
          AWS_ENDPOINT_URL_SNS: fauxqs.address,
          AWS_ENDPOINT_URL_SQS: sqsEndpoint,
          // Path-style on the loopback address (functions set forcePathStyle offline): a `s3.localhost`
          // host is read by fauxqs as a virtual-hosted bucket named `s3`.
          AWS_ENDPOINT_URL_S3: fauxqs.address,
          SST_RESOURCE_Alerts: JSON.stringify({ arn: topicArn, type: "sst.aws.SnsTopic" }),
          SST_RESOURCE_Deliveries: JSON.stringify({
            url: queues[LOCAL_NAMES.deliveries]!.url,
            type: "sst.aws.Queue",
          }),
          SST_RESOURCE_DeliveriesDlq: JSON.stringify({
            url: queues[LOCAL_NAMES.deliveriesDlq]!.url,
            type: "sst.aws.Queue",
          }),
          SST_RESOURCE_DeadLetter: JSON.stringify({
            url: queues[LOCAL_NAMES.deadLetter]!.url,
            type: "sst.aws.Queue",
          }),
        });
      } else {
        env.SST_RESOURCE_DeadLetter = JSON.stringify({
          url: "http://127.0.0.1:9/unavailable",
          type: "sst.aws.Queue",
        });
      }
      Object.assign(process.env, env);

      const clientCfg = { region: REGION, credentials: CREDENTIALS };
      const ddb = new DynamoDBClient({ ...clientCfg, endpoint: ddbLocal.endpoint });
      const sqs = fauxqs
        ? new SQSClient({ ...clientCfg, endpoint: `http://sqs.${REGION}.localhost:${fauxqs.port}` })
        : undefined;
      const s3 = fauxqs
        ? new S3Client({ ...clientCfg, endpoint: fauxqs.address, forcePathStyle: true })
        : undefined;
      await ensureTable(ddb, LOCAL_NAMES.table);
      return new LocalStack(ddbLocal, fauxqs, ddb, sqs, s3, queues, topicArn, opts);
    } catch (error) {
      await fauxqs?.stop();
      await ddbLocal.stop();
      throw error;
    }
  }

  /** Import a handler from functions/ (after the environment is set, as Lambda's init phase would). */
  async handler(
    name: "config-change" | "access" | "tamper" | "notify" | "forward" | "sweep" | "api",
  ): Promise<Handler> {
    let h = this.handlers.get(name);
    if (!h) {
      const file = this.opts.handlerModule?.(name) ?? join(REPO_ROOT, "functions", `${name}.ts`);
      const mod = (await import(pathToFileURL(file).href)) as { handler: Handler };
      h = mod.handler;
      this.handlers.set(name, h);
    }
    return h;
  }

  async invoke(name: Parameters<LocalStack["handler"]>[0], event: unknown): Promise<unknown> {
    // The context carries the deployed function's timeout (getRemainingTimeInMillis), as in Lambda.
    return (await this.handler(name))(
      event,
      lambdaContext(name, Plan.functionSettings(name).timeoutSeconds * 1000),
    );
  }

  /**
   * Send an event to the local event bus. The routing follows the EventBridge rules in infra/:
   * Config item changes → config-change; CloudTrail data events (S3 object reads, KMS Decrypt) → the
   * access queue; other CloudTrail management events → tamper.
   */
  /**
   * Put an event on the local bus: every rule that matches delivers it — Config changes and tamper
   * events straight to their function, data events onto the access queue. Returns the targets; none
   * means no rule matches (EventBridge would not deliver it either).
   */
  async dispatch(envelope: Record<string, unknown>): Promise<Route[]> {
    const routes = this.bus.routes(envelope);
    for (const route of routes) {
      if (route === "access") await this.sendToQueue(LOCAL_NAMES.access, JSON.stringify(envelope));
      else await this.invoke(route, envelope);
    }
    return routes;
  }

  /** Dispatch many events in order; data events bound for the access queue are sent ten per call. */
  async dispatchAll(envelopes: ReadonlyArray<Record<string, unknown>>): Promise<{ unrouted: number }> {
    let pending: string[] = [];
    let unrouted = 0;
    const flush = async () => {
      for (let i = 0; i < pending.length; i += 10) {
        const batch = pending.slice(i, i + 10);
        const r = await this.sqs!.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queues[LOCAL_NAMES.access]!.url,
            Entries: batch.map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
        if (r.Failed?.length) throw new Error(`local SQS refused ${r.Failed.length} messages`);
      }
      pending = [];
    };
    for (const e of envelopes) {
      const routes = this.bus.routes(e);
      if (routes.length === 0) unrouted++;
      else if (routes.length === 1 && routes[0] === "access") pending.push(JSON.stringify(e));
      else {
        await flush();
        await this.dispatch(e);
      }
    }
    await flush();
    return { unrouted };
  }

  /** Put a CloudTrail log file in the local trail bucket and announce it as S3 does (ObjectCreated → SQS). */
  async putTrailLogFile(key: string, body: Buffer): Promise<void> {
    if (!this.s3) throw new Error("local stack started store-only");
    await this.s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.trailBucket, Key: key, Body: body }));
    const notification = {
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: REGION,
          eventTime: new Date().toISOString(),
          eventName: "ObjectCreated:Put",
          s3: {
            s3SchemaVersion: "1.0",
            bucket: { name: LOCAL_NAMES.trailBucket, arn: `arn:aws:s3:::${LOCAL_NAMES.trailBucket}` },
            object: { key: encodeURIComponent(key).replace(/%2F/g, "/"), size: body.length },
          },
        },
      ],
    };
    await this.sendToQueue(LOCAL_NAMES.access, JSON.stringify(notification));
  }

  async sendToQueue(name: string, body: string): Promise<void> {
    if (!this.sqs) throw new Error("local stack started store-only");
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queues[name]!.url, MessageBody: body }));
  }

  /**
   * Run the event sources until nothing moves: the access queue, the table stream (→ notify), the
   * deliveries queue (→ forward) and the dead-letter queue (→ files). Returns the records delivered.
   */
  async drain(opts: { maxMs?: number; quietRounds?: number } = {}): Promise<number> {
    const deadline = Date.now() + (opts.maxMs ?? 60_000);
    let quiet = 0;
    let total = 0;
    while (Date.now() < deadline && quiet < (opts.quietRounds ?? 3)) {
      let moved = 0;
      moved += await this.pollQueue(LOCAL_NAMES.access, "access", ACCESS_BATCH_SIZE);
      moved += await this.pollStream();
      moved += await this.pollQueue(LOCAL_NAMES.deliveries, "forward");
      moved += await this.collectDeadLetters();
      total += moved;
      if (moved === 0) {
        quiet++;
        // Messages made invisible by a failed attempt come back after their visibility timeout.
        if (this.inFlight() > 0) quiet = 0;
        await sleep(quiet === 0 ? 200 : 50);
      } else quiet = 0;
    }
    return total;
  }

  private inFlight(): number {
    if (!this.fauxqs) return 0;
    let n = 0;
    for (const name of [LOCAL_NAMES.access, LOCAL_NAMES.deliveries]) {
      const q = this.fauxqs.inspectQueue(name);
      n += (q?.messages.inflight.length ?? 0) + (q?.messages.delayed.length ?? 0);
    }
    return n;
  }

  private async pollQueue(name: string, fn: "access" | "forward", batchSize = 10): Promise<number> {
    if (!this.sqs) return 0;
    const q = this.queues[name]!;
    let moved = 0;
    for (;;) {
      const n = await pollQueueOnce(
        this.sqs,
        q.url,
        q.arn,
        (event: SQSEvent) => this.invoke(fn, event) as never,
        batchSize,
      );
      moved += n;
      if (n === 0) break;
    }
    return moved;
  }

  private async pollStream(): Promise<number> {
    if (!this.streamPoller) {
      const { streamArn } = await ensureTable(this.ddb, LOCAL_NAMES.table);
      if (!streamArn) return 0;
      const streams = new DynamoDBStreamsClient({
        region: REGION,
        credentials: CREDENTIALS,
        endpoint: this.ddbLocal.endpoint,
      });
      this.streamPoller = new StreamPoller(
        streams,
        streamArn,
        (event: DynamoDBStreamEvent) => this.invoke("notify", event) as never,
        this.opts.dir ? { checkpointFile: join(this.opts.dir, "stream-checkpoint.json") } : {},
      );
    }
    return this.streamPoller.pollOnce();
  }

  /**
   * Local dead letters: each message of the dead-letter queue becomes a file with its reason, and so
   * does each batch SQS moved to the access DLQ after failing its receives (in AWS it stays there,
   * alarmed; locally the queue dies with the command, so it is kept and counted here).
   */
  private async collectDeadLetters(): Promise<number> {
    if (!this.sqs) return 0;
    return (
      (await this.collectFrom(LOCAL_NAMES.deadLetter, (body) => body)) +
      (await this.collectFrom(LOCAL_NAMES.accessDlq, (body) =>
        JSON.stringify({
          reason: "AccessDeliveryFailed",
          message: "the access function failed this message on every receive; SQS moved it to the access DLQ",
          source: "access-queue",
          payload: body,
        }),
      ))
    );
  }

  private async collectFrom(queue: string, letter: (body: string) => string): Promise<number> {
    const q = this.queues[queue]!;
    const r = await this.sqs!.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const msgs = (r.Messages ?? []).map((m) => ({ ...m, Body: letter(m.Body ?? "") }));
    if (msgs.length === 0) return 0;
    if (this.deadLetterDir) {
      mkdirSync(this.deadLetterDir, { recursive: true });
      for (const m of msgs) {
        const stamp = new Date().toISOString().replace(/[:.]/g, "-");
        writeFileSync(join(this.deadLetterDir, `${stamp}-${m.MessageId}.json`), `${m.Body ?? ""}\n`);
      }
    }
    this.deadLetterCount += msgs.length;
    for (const m of msgs) {
      const reason = deadLetterReason(m.Body ?? "");
      this.deadLetterReasons.set(reason, (this.deadLetterReasons.get(reason) ?? 0) + 1);
    }
    await this.sqs!.send(
      new DeleteMessageBatchCommand({
        QueueUrl: q.url,
        Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    return msgs.length;
  }

  get deadLettered(): number {
    return this.deadLetterCount;
  }

  /** Dead letters of this run by reason (error class and field, see `deadLetterReason`), most first. */
  deadLetterSummary(): Array<{ reason: string; count: number }> {
    return [...this.deadLetterReasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }

  /** SNS alerts published to the topic (read from a queue subscribed to it). */
  async receivedAlerts(): Promise<
    Array<{ subject?: string; message: string; attributes: Record<string, string> }>
  > {
    if (!this.sqs) return [];
    const q = this.queues[LOCAL_NAMES.alertsInbox]!;
    const out: Array<{ subject?: string; message: string; attributes: Record<string, string> }> = [];
    for (;;) {
      const r = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) break;
      for (const m of msgs) {
        const envelope = JSON.parse(m.Body ?? "{}") as {
          Subject?: string;
          Message?: string;
          MessageAttributes?: Record<string, { Value: string }>;
        };
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(envelope.MessageAttributes ?? {})) attributes[k] = v.Value;
        out.push({
          ...(envelope.Subject ? { subject: envelope.Subject } : {}),
          message: envelope.Message ?? "",
          attributes,
        });
      }
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: q.url,
          Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return out;
  }

  async stop(): Promise<void> {
    this.ddb.destroy();
    this.sqs?.destroy();
    this.s3?.destroy();
    await this.fauxqs?.stop();
    await this.ddbLocal.stop();
  }
}
