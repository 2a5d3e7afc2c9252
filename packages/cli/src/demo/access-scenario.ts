// Deterministic access scenario of the demo health system (Northwind Health): four weeks of CloudTrail
// history as log files for `phiwatch learn`, then "today" (a Tuesday) as EventBridge envelopes.
// Shapes follow the published samples in test/fixtures/activity (CloudTrail S3 data event, EventBridge
// "AWS API Call via CloudTrail" envelope); see test/fixtures/README.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const TIME_ZONE = "America/New_York";
export const RECORDINGS = "northwind-connect-recordings";
export const TRANSCRIPTS = "northwind-contact-lens-transcripts";
/** "Today": Tuesday 3 March 2026 (EST, UTC−5; daylight saving starts on the 8th). */
export const TODAY = "2026-03-03";
const UTC_OFFSET_H = 5;
const HISTORY_DAYS = 28;

export const QA_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASupervisor_4f1c2a9e7b3d5e60`;
export const QA_PERSON = "dana.whitfield@northwind-health.example";
export const EXPORT_ROLE = `arn:aws:iam::${ACCOUNT}:role/recording-export-svc`;
export const ANALYTICS_ROLE = `arn:aws:iam::${ACCOUNT}:role/analytics-qa`;

/** Small deterministic PRNG (mulberry32): the same scenario on every run and machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(r: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Actor = "qa" | "export" | "analytics" | "transcribe" | "connect";

interface Read {
  at: Date;
  actor: Actor;
  bucket: string;
  key: string;
}

function identity(actor: Actor, r: () => number): Record<string, unknown> {
  const role = (arn: string, session: string) => ({
    type: "AssumedRole",
    principalId: `AROA${Math.floor(r() * 1e12)}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${arn.split("/").pop()}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: `ASIA${Math.floor(r() * 1e12)}`,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROAEXAMPLEROLEID",
        arn,
        accountId: ACCOUNT,
        userName: arn.split("/").pop(),
      },
      attributes: { creationDate: "2026-03-01T00:00:00Z", mfaAuthenticated: "false" },
    },
  });
  switch (actor) {
    case "qa":
      return role(QA_ROLE, QA_PERSON);
    case "export":
      // Lambda sessions churn: the stable identity is the role.
      return role(EXPORT_ROLE, `recording-export-${Math.floor(r() * 1e6).toString(36)}`);
    case "analytics":
      return role(ANALYTICS_ROLE, `analytics-job-${Math.floor(r() * 1e6).toString(36)}`);
    case "transcribe":
      return { type: "AWSService", invokedBy: "transcribe.amazonaws.com" };
    case "connect":
      return { type: "AWSService", invokedBy: "connect.amazonaws.com" };
  }
}

const AGENTS: Record<Actor, string> = {
  qa: "[Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36 S3Console]",
  export: "aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x",
  analytics: "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux lang/python#3.11.8 Botocore/1.34.51",
  transcribe: "transcribe.amazonaws.com",
  connect: "connect.amazonaws.com",
};
const SOURCES: Record<Actor, string> = {
  qa: "198.51.100.23",
  export: "10.20.4.17",
  analytics: "10.20.9.41",
  transcribe: "transcribe.amazonaws.com",
  connect: "connect.amazonaws.com",
};

/** One CloudTrail S3 GetObject data event, as CloudTrail records it. */
function record(read: Read, r: () => number): Record<string, unknown> {
  const service = read.actor === "transcribe" || read.actor === "connect";
  return {
    eventVersion: "1.10",
    userIdentity: identity(read.actor, r),
    eventTime: read.at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: REGION,
    sourceIPAddress: SOURCES[read.actor],
    userAgent: AGENTS[read.actor],
    requestParameters: {
      bucketName: read.bucket,
      Host: `${read.bucket}.s3.${REGION}.amazonaws.com`,
      key: read.key,
    },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: "SigV4",
      CipherSuite: "TLS_AES_128_GCM_SHA256",
      bytesTransferredIn: 0,
      AuthenticationMethod: "AuthHeader",
      "x-amz-id-2": "demo",
      bytesTransferredOut: 1_843_200,
    },
    requestID: uuid(r).replace(/-/g, "").slice(0, 16).toUpperCase(),
    eventID: uuid(r),
    readOnly: true,
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${read.bucket}/${read.key}` },
      { accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${read.bucket}` },
    ],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    ...(service ? { sharedEventID: uuid(r) } : {}),
    eventCategory: "Data",
    ...(service
      ? {}
      : {
          tlsDetails: {
            tlsVersion: "TLSv1.3",
            cipherSuite: "TLS_AES_128_GCM_SHA256",
            clientProvidedHostHeader: `${read.bucket}.s3.${REGION}.amazonaws.com`,
          },
        }),
  };
}

function envelope(rec: Record<string, unknown>, r: () => number): Record<string, unknown> {
  return {
    version: "0",
    id: uuid(r),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.s3",
    account: ACCOUNT,
    time: rec.eventTime,
    region: REGION,
    resources: [],
    detail: rec,
  };
}

/** Local wall time on a date → UTC instant (EST all along the scenario). */
function at(date: string, hour: number, minute: number, second = 0): Date {
  return new Date(
    Date.parse(`${date}T00:00:00Z`) + ((hour + UTC_OFFSET_H) * 60 + minute) * 60_000 + second * 1000,
  );
}

function recordingKey(date: string, r: () => number): string {
  const [y, m, d] = date.split("-");
  const hh = String(8 + Math.floor(r() * 12)).padStart(2, "0");
  const mm = String(Math.floor(r() * 60)).padStart(2, "0");
  return `connect/northwind-prod/CallRecordings/${y}/${m}/${d}/${uuid(r)}_${y}${m}${d}T${hh}:${mm}_UTC.wav`;
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** One ordinary day of the contact center. */
function ordinaryDay(date: string, r: () => number): Read[] {
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  const weekday = dow >= 1 && dow <= 5;
  const reads: Read[] = [];
  const calls = weekday ? 70 + Math.floor(r() * 30) : 12 + Math.floor(r() * 8);
  const keys: string[] = [];
  for (let i = 0; i < calls; i++) {
    const key = recordingKey(date, r);
    keys.push(key);
    // Contact Lens / Transcribe read each new recording once, minutes after the call ends.
    const h = weekday ? 8 + r() * 11 : 9 + r() * 8;
    reads.push({
      at: at(date, Math.floor(h), Math.floor((h % 1) * 60), Math.floor(r() * 60)),
      actor: "transcribe",
      bucket: RECORDINGS,
      key,
    });
    if (r() < 0.3)
      reads.push({
        at: at(date, Math.floor(h), Math.floor((h % 1) * 60), Math.floor(r() * 60)),
        actor: "connect",
        bucket: RECORDINGS,
        key,
      });
  }
  if (weekday) {
    // The QA supervisor reviews ~15 recordings on weekday afternoons.
    const n = 12 + Math.floor(r() * 7);
    for (let i = 0; i < n; i++)
      reads.push({
        at: at(date, 13 + Math.floor(r() * 4), Math.floor(r() * 60), Math.floor(r() * 60)),
        actor: "qa",
        bucket: RECORDINGS,
        key: keys[Math.floor(r() * keys.length)]!,
      });
    // The export service account copies a few recordings for records requests, in the daytime.
    const e = 20 + Math.floor(r() * 15);
    for (let i = 0; i < e; i++)
      reads.push({
        at: at(date, 10 + Math.floor(r() * 6), Math.floor(r() * 60), Math.floor(r() * 60)),
        actor: "export",
        bucket: RECORDINGS,
        key: keys[Math.floor(r() * keys.length)]!,
      });
  }
  return reads.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Write the scenario: `history/` holds one CloudTrail log file per day for the four weeks before
 * today (`.json.gz`, `{"Records":[…]}`, records shuffled as CloudTrail delivers them); `today/` holds
 * today's reads as EventBridge envelopes (`.jsonl`, one envelope per line).
 *
 * @example
 * ```ts
 * const { historyFiles, todayFiles } = await generateAccessScenario(".phiwatch/demo/access");
 * ```
 */
export async function generateAccessScenario(
  outDir: string,
): Promise<{ historyFiles: string[]; todayFiles: string[] }> {
  const r = rng(20260303);
  const historyDir = join(outDir, "history");
  const todayDir = join(outDir, "today");
  mkdirSync(historyDir, { recursive: true });
  mkdirSync(todayDir, { recursive: true });

  const historyFiles: string[] = [];
  for (let d = HISTORY_DAYS; d >= 1; d--) {
    const date = addDays(TODAY, -d);
    const records = ordinaryDay(date, r).map((x) => record(x, r));
    // CloudTrail does not order records within a file.
    for (let i = records.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [records[i], records[j]] = [records[j]!, records[i]!];
    }
    const stamp = `${date.replace(/-/g, "")}T2355Z`;
    const file = join(historyDir, `${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${uuid(r).slice(0, 16)}.json.gz`);
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));
    historyFiles.push(file);
  }

  // Today: the normal day minus the afternoon QA (written separately), plus the two incidents.
  const ordinary = ordinaryDay(TODAY, r).filter((x) => x.actor !== "qa");
  const keys = ordinary.map((x) => x.key);
  const qa: Read[] = Array.from({ length: 15 }, (_, i) => ({
    at: at(TODAY, 14 + Math.floor(i / 6), (i * 9) % 60, Math.floor(r() * 60)),
    actor: "qa" as const,
    bucket: RECORDINGS,
    key: keys[Math.floor(r() * keys.length)]!,
  }));
  // 2000 distinct recordings of the last four weeks pulled between 02:00 and 02:15.
  const burst: Read[] = Array.from({ length: 2000 }, (_, i) => ({
    at: at(TODAY, 2, Math.floor((i * 15) / 2000), Math.floor(r() * 60)),
    actor: "export" as const,
    bucket: RECORDINGS,
    key: recordingKey(addDays(TODAY, -1 - (i % 28)), r),
  }));
  const analytics: Read[] = Array.from({ length: 3 }, (_, i) => ({
    at: at(TODAY, 10, 30 + i * 2, 5),
    actor: "analytics" as const,
    bucket: RECORDINGS,
    key: keys[i]!,
  }));
  const write = (name: string, reads: Read[]) => {
    const file = join(todayDir, name);
    const lines = reads.map((x) => JSON.stringify(envelope(record(x, r), r)));
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  };
  const todayFiles = [
    write("01-service-account-0200.jsonl", burst),
    write(
      "02-pipeline-services.jsonl",
      ordinary.filter((x) => x.actor !== "export"),
    ),
    write("03-analytics-raw-audio.jsonl", analytics),
    write("04-qa-supervisor-afternoon.jsonl", qa),
    write(
      "05-export-daytime.jsonl",
      ordinary.filter((x) => x.actor === "export"),
    ),
  ];
  return { historyFiles, todayFiles };
}
