// Adversarial PHI canaries on the error and dead-letter paths. Every caller-supplied string of each
// malformed, oversized or failing input carries a unique canary; everything a handler writes out —
// every log line at DEBUG, the error a handler throws (Lambda's runtime logs it), the dead-letter
// queues' reasons and attributes, SNS alerts and webhook deliveries — is captured and searched.
//
// Canaries are plain tokens (`qzCANARY7x`), not PHI-shaped: an object key or a session name is not an
// e-mail or an SSN, so pattern redaction (`Format.redactText`) must not be what keeps them out.
// A dead letter's `payload` is the input itself, kept on purpose for redrive (encrypted, restricted:
// docs/detectors.md); everything else of the letter (reason, message, field, source, attributes) is
// searched.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bucketConfigurationItem, configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { DETECTORS, Format } from "../../../packages/core/src/index.ts";
import { webhookBaseline } from "../forward/baseline.ts";

const ACCOUNT = "111122223333";
const PHI_BUCKET = "northwind-connect-recordings";
const all: string[] = [];
let n = 0;
/** A fresh canary: letters and digits only (survives identity sanitising), never PHI-shaped. */
function c(): string {
  const s = `qzCANARY${++n}x`;
  all.push(s);
  return s;
}

let stack: LocalStack;
/** The handlers' DynamoDB client (functions/lib/runtime.ts, loaded after the stack set the environment). */
let handlerDdb: import("@aws-sdk/client-dynamodb").DynamoDBClient;
let receiver: http.Server;
const delivered: string[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      delivered.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  stack = await LocalStack.start({
    baselineFile: webhookBaseline(url, 1),
    logLevel: "DEBUG",
    env: { PHIWATCH_TEST_WEBHOOK_SECRET: "test-webhook-secret-0123456789abcdef" },
  });
  handlerDdb = (await import("../../../functions/lib/runtime.ts")).ddb;
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

/** What Lambda's runtime logs of an error a handler throws: type, message, stack (and its causes). */
function thrown(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 5) return String(error);
  const own = Object.fromEntries(Object.entries(error));
  return [
    error.name,
    error.message,
    error.stack ?? "",
    JSON.stringify(own, safe),
    thrown(error.cause, depth + 1),
  ].join("\n");
}
function safe(_k: string, v: unknown) {
  return typeof v === "bigint" ? String(v) : v;
}

/**
 * Run `fn` capturing every console line (Powertools writes through the console in dev mode) and what
 * it throws; then every letter of the dead-letter queues, without the input payload.
 */
async function capture(fn: () => Promise<unknown>): Promise<{ lines: string[]; letters: string[] }> {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a, safe))).join(" "));
    }),
  );
  try {
    await fn();
  } catch (error) {
    lines.push(`(thrown) ${thrown(error)}`);
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return { lines, letters: await takeLetters() };
}

async function takeLetters(): Promise<string[]> {
  const out: string[] = [];
  for (const name of [LOCAL_NAMES.deadLetter, LOCAL_NAMES.deliveriesDlq, LOCAL_NAMES.accessDlq]) {
    const q = stack.queues[name]!;
    for (;;) {
      const r = await stack.sqs!.send(
        new ReceiveMessageCommand({
          QueueUrl: q.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ["All"],
        }),
      );
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) break;
      for (const m of msgs) {
        let body: unknown = m.Body;
        try {
          const { payload: _payload, ...rest } = JSON.parse(m.Body ?? "{}") as Record<string, unknown>;
          // The delivery DLQ's body is the queued delivery (already redacted): searched whole.
          body = name === LOCAL_NAMES.deadLetter ? rest : JSON.parse(m.Body ?? "{}");
        } catch {}
        out.push(JSON.stringify({ queue: name, body, attributes: m.MessageAttributes ?? {} }));
      }
      await stack.sqs!.send(
        new DeleteMessageBatchCommand({
          QueueUrl: q.url,
          Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
  return out;
}

function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}-${n}`,
      receiptHandle: `rh-${i}-${n}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "0",
        SenderId: "x",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: stack.queues[LOCAL_NAMES.access]!.arn,
      awsRegion: "us-east-1",
    })),
  };
}

/** A CloudTrail GetObject data event on the PHI bucket, every caller-supplied string a canary. */
function getObjectRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const key = `patients/${c()}/recording-${c()}.wav`;
  const session = c();
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLE:${session}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/recording-export-svc/${session}`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          arn: `arn:aws:iam::${ACCOUNT}:role/recording-export-svc`,
          accountId: ACCOUNT,
          userName: "recording-export-svc",
        },
      },
    },
    eventTime: "2026-03-03T15:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    sourceIPAddress: "192.0.2.10",
    userAgent: `${c()}/1.0 ${c()}`,
    requestParameters: { bucketName: PHI_BUCKET, Host: `${PHI_BUCKET}.s3.amazonaws.com`, key },
    responseElements: null,
    requestID: c(),
    eventID: c(),
    readOnly: true,
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${PHI_BUCKET}/${key}` },
      { accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${PHI_BUCKET}` },
    ],
    eventType: "AwsApiEvent",
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: "Data",
    ...overrides,
  };
}

function envelope(detail: Record<string, unknown>, detailType = "AWS API Call via CloudTrail") {
  return {
    version: "0",
    id: c(),
    "detail-type": detailType,
    source: "aws.s3",
    account: ACCOUNT,
    time: "2026-03-03T15:00:00Z",
    region: "us-east-1",
    resources: [],
    detail,
  };
}

function s3Notification(key: string) {
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: "2026-03-03T15:00:00.000Z",
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          bucket: { name: LOCAL_NAMES.trailBucket, arn: `arn:aws:s3:::${LOCAL_NAMES.trailBucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, "/"), size: 10 },
        },
      },
    ],
  });
}

/** Every canary in `texts`, with where it was found. */
function leaksIn(out: { lines: string[]; letters: string[] }, extra: string[] = []): string[] {
  const found: string[] = [];
  for (const [where, texts] of [
    ["log", out.lines],
    ["dead letter", out.letters],
    ["output", extra],
  ] as const)
    for (const t of texts)
      for (const canary of all)
        if (t.includes(canary)) found.push(`${canary} in ${where}: ${t.slice(0, 600)}`);
  return found;
}

/** One case: `fn` runs with capture on; nothing it writes may hold a canary. */
function probe(name: string, fn: () => Promise<unknown>, expectLines?: (lines: string[]) => void) {
  it(name, async () => {
    const out = await capture(fn);
    expect(leaksIn(out)).toEqual([]);
    expectLines?.(out.lines);
  });
}

const PutObject = async (key: string, body: Buffer | string) => {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  await stack.s3!.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.trailBucket, Key: key, Body: body }));
};
const trailKey = () => `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/03/03/${c()}.json.gz`;
const cloudTrailEvent = (detail: Record<string, unknown>) => ({
  ...envelope(detail),
  source: "aws.cloudtrail",
});
const stopLogging = (overrides: Record<string, unknown> = {}) =>
  getObjectRecord({
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    readOnly: false,
    managementEvent: true,
    eventCategory: "Management",
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${c()}` },
    resources: undefined,
    ...overrides,
  });
const bucketEvent = (item: Record<string, unknown> = {}, policy?: unknown) =>
  configChangeEvent({
    ...bucketConfigurationItem({
      name: PHI_BUCKET,
      capturedAt: "2026-03-03T15:00:00.000Z",
      ...(policy ? { policy: policy as never } : {}),
    }),
    ...item,
  });

/** An AWS SDK error as the SDK builds it, its message (and an extra member) quoting a canary. */
function sdkError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    Code: name,
    Item: { PK: { S: c() } },
    $fault: "client",
    $metadata: { httpStatusCode: status, requestId: "REQ123EXAMPLE", attempts: 1 },
  });
}

/** Every DynamoDB call of the handlers fails with `sdkError` for the length of `fn`. */
async function withDynamoFailing<T>(fn: () => Promise<T>): Promise<T> {
  const db = mockClient(handlerDdb);
  db.onAnyCommand().callsFake(() =>
    Promise.reject(sdkError("ValidationException", `One or more parameter values were invalid: ${c()}`)),
  );
  try {
    return await fn();
  } finally {
    db.restore();
  }
}

/** One detector throws an error quoting the event (a detector bug), for the length of `fn`. */
async function withDetectorThrowing<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const det = DETECTORS.find((d) => d.id === id) as { evaluate: (...a: unknown[]) => unknown };
  const evaluate = det.evaluate;
  det.evaluate = () => {
    throw new TypeError(`Cannot convert ${c()} to a BigInt`);
  };
  try {
    return await fn();
  } finally {
    det.evaluate = evaluate;
  }
}

describe("canaries", () => {
  it("are not PHI-shaped: pattern redaction alone would not hide them", () => {
    const s = c();
    expect(Format.redactText(`key ${s}`)).toContain(s);
  });
});

describe("access: nothing of a bad message is logged or dead-lettered as a reason", () => {
  probe("bad JSON", () => stack.invoke("access", sqsEvent(`{"key":"${c()}" ${c()}`)));
  probe("bad JSON at the start", () => stack.invoke("access", sqsEvent(`${c()}{"a":1}`)));
  probe("oversized body", () =>
    stack.invoke("access", sqsEvent(JSON.stringify({ key: c(), pad: `${c()} `.repeat(30_000) }))),
  );
  probe("a record without eventTime", () =>
    stack.invoke("access", sqsEvent(JSON.stringify(envelope(getObjectRecord({ eventTime: undefined }))))),
  );
  probe("a record with an unknown identity type", () =>
    stack.invoke(
      "access",
      sqsEvent(
        JSON.stringify(envelope(getObjectRecord({ userIdentity: { type: c(), accountId: ACCOUNT } }))),
      ),
    ),
  );
  probe("an envelope of another detail-type", () =>
    stack.invoke("access", sqsEvent(JSON.stringify(envelope(getObjectRecord(), c())))),
  );
  probe("a record with a canary as a field name and a non-string key", () =>
    stack.invoke(
      "access",
      sqsEvent(
        JSON.stringify(
          envelope({
            ...getObjectRecord({ requestParameters: { bucketName: PHI_BUCKET, key: { [c()]: c() } } }),
            [c()]: { [c()]: c() },
          }),
        ),
      ),
    ),
  );
  probe("a log file that is missing", () => stack.invoke("access", sqsEvent(s3Notification(trailKey()))));
  probe("a log file that is not JSON", async () => {
    const key = trailKey();
    await PutObject(key, `${c()} not json`);
    return stack.invoke("access", sqsEvent(s3Notification(key)));
  });
  probe("a log file that is not gzip", async () => {
    const key = trailKey();
    await PutObject(key, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from(c())]));
    return stack.invoke("access", sqsEvent(s3Notification(key)));
  });
  probe("a log file that is JSON of another kind", async () => {
    const key = trailKey();
    await PutObject(key, JSON.stringify({ [c()]: c() }));
    return stack.invoke("access", sqsEvent(s3Notification(key)));
  });
  probe("a log file with a bad record", async () => {
    const key = trailKey();
    await PutObject(
      key,
      gzipSync(JSON.stringify({ Records: [getObjectRecord({ eventSource: undefined }), getObjectRecord()] })),
    );
    return stack.invoke("access", sqsEvent(s3Notification(key)));
  });
  probe("S3 GetObject denied, AWS's message quoting the key", async () => {
    const key = trailKey();
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).rejects(
      Object.assign(
        sdkError(
          "AccessDenied",
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/phiwatch-access/${c()} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${LOCAL_NAMES.trailBucket}/${key}"`,
          403,
        ),
        { Key: key },
      ),
    );
    try {
      return await stack.invoke("access", sqsEvent(s3Notification(key)));
    } finally {
      s3.restore();
    }
  });
  probe(
    "DynamoDB fails the batch, its message quoting a value",
    () =>
      withDynamoFailing(() => stack.invoke("access", sqsEvent(JSON.stringify(envelope(getObjectRecord()))))),
    (lines) => expect(lines.join("\n")).toMatch(/access batch failed[\s\S]*ValidationException/),
  );
  probe(
    "a detector fails, its message quoting the event",
    () =>
      withDetectorThrowing("access-new-principal", () =>
        stack.invoke("access", sqsEvent(JSON.stringify(envelope(getObjectRecord())))),
      ),
    (lines) => expect(lines.join("\n")).toMatch(/detector failed[\s\S]*access-new-principal/),
  );
});

describe("tamper: nothing of a bad event is logged or dead-lettered as a reason", () => {
  probe("a record without eventName", () =>
    stack.invoke("tamper", cloudTrailEvent(stopLogging({ eventName: undefined, userAgent: c() }))),
  );
  probe("a record with an unknown identity type and a canary field", () =>
    stack.invoke("tamper", cloudTrailEvent({ ...stopLogging({ userIdentity: { type: c() } }), [c()]: c() })),
  );
  probe("an envelope of another detail-type", () =>
    stack.invoke("tamper", { ...cloudTrailEvent(stopLogging()), "detail-type": c() }),
  );
  probe("an event that is no envelope", () => stack.invoke("tamper", { [c()]: c(), detail: c() }));
  probe(
    "DynamoDB fails, its message quoting a value (Lambda logs what the handler throws)",
    () => withDynamoFailing(() => stack.invoke("tamper", cloudTrailEvent(stopLogging()))),
    (lines) => expect(lines.join("\n")).toContain("ValidationException"),
  );
  probe(
    "a detector fails, its message quoting the event",
    () =>
      withDetectorThrowing("tamper-audit-logging", () =>
        stack.invoke("tamper", cloudTrailEvent(stopLogging())),
      ),
    (lines) => expect(lines.join("\n")).toMatch(/detector failed[\s\S]*tamper-audit-logging/),
  );
});

describe("config-change: nothing of a bad item is logged or dead-lettered as a reason", () => {
  probe("a bad capture time", () =>
    stack.invoke("config-change", bucketEvent({ configurationItemCaptureTime: c(), tags: { [c()]: c() } })),
  );
  probe("a canary resource type", () => stack.invoke("config-change", bucketEvent({ resourceType: c() })));
  probe("an envelope of another detail-type", () =>
    stack.invoke("config-change", { ...bucketEvent(), "detail-type": c(), source: c() }),
  );
  probe("a notification of another messageType", () => {
    const e = bucketEvent();
    return stack.invoke("config-change", { ...e, detail: { ...(e.detail as object), messageType: c() } });
  });
  probe("a detail that is not a notification", () =>
    stack.invoke("config-change", { ...bucketEvent(), detail: { [c()]: c() } }),
  );
  probe(
    "DynamoDB fails, its message quoting a value (Lambda logs what the handler throws)",
    () => withDynamoFailing(() => stack.invoke("config-change", bucketEvent())),
    (lines) => expect(lines.join("\n")).toContain("ValidationException"),
  );
});

describe("sweep: a failing AWS call", () => {
  probe(
    "STS fails, its message quoting a session name (Lambda logs what the handler throws)",
    async () => {
      const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts");
      const sts = mockClient(STSClient);
      sts
        .on(GetCallerIdentityCommand)
        .rejects(sdkError("ExpiredToken", `The security token of ${c()} expired`));
      try {
        return await stack.invoke("sweep", { id: "sweep-canary" });
      } finally {
        sts.restore();
      }
    },
    (lines) => expect(lines.join("\n")).toContain("ExpiredToken"),
  );
});

describe("controls that cannot read a document: the finding, alert and SIEM event quote no input", () => {
  it("a bucket policy naming an unknown principal type, or a condition that is not a map", async () => {
    const before = delivered.length;
    const out = await capture(async () => {
      await stack.invoke(
        "config-change",
        bucketEvent(
          {},
          {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { [c()]: c() }, Action: "s3:GetObject", Resource: "*" },
            ],
          },
        ),
      );
      await stack.invoke(
        "config-change",
        bucketEvent(
          { configurationItemCaptureTime: "2026-03-03T16:00:00.000Z" },
          {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { [c()]: c() } },
            ],
          },
        ),
      );
      await stack.drain({ maxMs: 30_000 });
    });
    const alerts = (await stack.receivedAlerts()).map((a) => JSON.stringify(a));
    expect(alerts.length).toBeGreaterThan(0);
    expect(delivered.length).toBeGreaterThan(before);
    expect(leaksIn(out, [...alerts, ...delivered.slice(before)])).toEqual([]);
  });
});
