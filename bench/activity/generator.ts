// A realistic 30-day access stream of a contact center, with labelled injected incidents of every
// detector type. Deterministic (seeded). Records follow the CloudTrail shapes of test/fixtures/activity.

import { rng } from "../../packages/cli/src/demo/access-scenario.ts";

export const ACCT = "111122223333";
const REGION = "us-east-1";
export const RECORDINGS = "northwind-connect-recordings";
export const TRANSCRIPTS = "northwind-contact-lens-transcripts";
export const KEY = "arn:aws:kms:us-east-1:111122223333:key/6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11";
const role = (name: string, acct = ACCT) => `arn:aws:iam::${acct}:role/${name}`;
export const QA_ROLE = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASupervisor_4f1c2a9e7b3d5e60`;
export const EXPORT = role("recording-export-svc");
export const OPS = role("connect-recordings-ops");
export const NIGHTLY = role("analytics-nightly");
export const ANALYTICS = role("analytics-qa");
const QA_PEOPLE = ["dana", "lee", "sam", "ari"].map((n) => `${n}@northwind-health.example`);

/** The bench baseline: the demo's, plus the nightly analytics job (transcripts only). */
export const BASELINE_YAML = `
version: 1
organisation: { name: Northwind Health, timeZone: America/New_York }
accounts: ["${ACCT}"]
allowedRegions: [us-east-1]
phiBuckets:
  - { name: ${RECORDINGS}, holds: [recordings] }
  - { name: ${TRANSCRIPTS}, holds: [transcripts] }
phiKeys: ["${KEY}"]
principals:
  rawReaders: ["arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASupervisor_*", "${EXPORT}", "${OPS}"]
  analytics: ["${ANALYTICS}", "${NIGHTLY}"]
  operators: ["${OPS}", "${OPS}-2"]
  services: [connect.amazonaws.com, transcribe.amazonaws.com]
`;

export interface Incident {
  id: string;
  detectors: string[];
  principal: string;
  /** Event time of the first bad event and of the last, epoch ms. */
  start: number;
  end: number;
}

export interface Stream {
  /** Data events (S3 GetObject/ListObjects, KMS Decrypt), in event-time order. */
  data: Array<Record<string, unknown>>;
  /** Management events (tamper candidates, benign ones too). */
  management: Array<Record<string, unknown>>;
  incidents: Incident[];
  /** Start of day 0 and of the evaluated period (after the learning days). */
  start: number;
  evalStart: number;
  end: number;
}

interface Ev {
  at: number;
  role?: string;
  service?: string;
  session?: string;
  account?: string;
  bucket?: string;
  key?: string;
  eventName?: string;
  errorCode?: string;
  ip?: string;
  ua?: string;
  tls?: string;
}

let seq = 0;
export function record(e: Ev): Record<string, unknown> {
  const kms = e.eventName === "Decrypt";
  const account = e.account ?? ACCT;
  const identity = e.service
    ? { type: "AWSService", invokedBy: e.service }
    : {
        type: "AssumedRole",
        arn: `arn:aws:sts::${account}:assumed-role/${e.role!.split("/").pop()}/${e.session ?? `s-${seq % 7}`}`,
        accountId: account,
        sessionContext: { sessionIssuer: { type: "Role", arn: e.role!, accountId: account } },
      };
  return {
    eventVersion: "1.10",
    userIdentity: identity,
    eventTime: new Date(e.at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: kms ? "kms.amazonaws.com" : "s3.amazonaws.com",
    eventName: e.eventName ?? "GetObject",
    awsRegion: REGION,
    sourceIPAddress: e.service ?? e.ip ?? "10.20.4.17",
    userAgent: e.service ?? e.ua ?? "aws-sdk-js/3.540.0",
    requestParameters: kms
      ? { keyId: KEY }
      : { bucketName: e.bucket ?? RECORDINGS, ...(e.key ? { key: e.key } : {}) },
    responseElements: null,
    eventID: `ev-${++seq}`,
    readOnly: true,
    resources: kms ? [{ type: "AWS::KMS::Key", ARN: KEY }] : [],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: ACCT,
    eventCategory: "Data",
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    ...(e.service ? {} : { tlsDetails: { tlsVersion: e.tls ?? "TLSv1.3" } }),
  };
}

function management(
  at: number,
  eventSource: string,
  eventName: string,
  req: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      arn: `arn:aws:sts::${ACCT}:assumed-role/admin/x`,
      accountId: ACCT,
      sessionContext: { sessionIssuer: { arn: role("admin") } },
    },
    eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters: req,
    responseElements: null,
    eventID: `mg-${++seq}`,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCT,
    eventCategory: "Management",
    ...extra,
  };
}

/** Local time (America/New_York) → epoch ms; the stream runs in February 2026 (EST, UTC−5). */
const DAY0 = Date.parse("2026-02-02T05:00:00Z"); // Monday 2 Feb 2026, 00:00 local
const at = (day: number, h: number, m = 0, s = 0) => DAY0 + day * 86_400_000 + ((h * 60 + m) * 60 + s) * 1000;

export function generate(days = 30, learnDays = 14, seed = 7): Stream {
  const r = rng(seed);
  const data: Ev[] = [];
  const mgmt: Array<Record<string, unknown>> = [];
  const incidents: Incident[] = [];
  const rec = (d: number) =>
    `connect/northwind-prod/CallRecordings/2026/${d}/${Math.floor(r() * 1e12).toString(36)}.wav`;
  const recent: string[] = [];
  for (let d = 0; d < days; d++) {
    const dow = (d + 1) % 7; // day 0 is a Monday
    const weekday = dow >= 1 && dow <= 5;
    // Calls 07–21; Transcribe reads every new recording once, Connect some twice; Contact Lens writes transcripts.
    const calls = weekday ? 700 + Math.floor(r() * 200) : 120 + Math.floor(r() * 60);
    for (let c = 0; c < calls; c++) {
      const key = rec(d);
      recent.push(key);
      const t = at(d, 7 + r() * 14);
      data.push({ at: t + 60_000, service: "transcribe.amazonaws.com", key });
      if (r() < 0.3) data.push({ at: t + 120_000, service: "connect.amazonaws.com", key });
    }
    while (recent.length > 20_000) recent.shift();
    const pick = () => recent[Math.floor(r() * recent.length)]!;
    // The nightly analytics job: routine, so normal — ~600 transcripts 01:00–01:40 every night.
    for (let i = 0; i < 600; i++)
      data.push({
        at: at(d, 1, (i * 40) / 600, r() * 59),
        role: NIGHTLY,
        bucket: TRANSCRIPTS,
        key: `analysis/${d}/${i}.json`,
        ua: "Boto3/1.34.51",
      });
    if (weekday) {
      for (const person of QA_PEOPLE) {
        const n = 10 + Math.floor(r() * 10);
        for (let i = 0; i < n; i++)
          data.push({
            at: at(d, 13 + r() * 4),
            role: QA_ROLE,
            session: person,
            key: pick(),
            ua: "Mozilla/5.0 S3Console",
            ip: `198.51.100.${10 + QA_PEOPLE.indexOf(person)}`,
          });
      }
      const e = 20 + Math.floor(r() * 15);
      for (let i = 0; i < e; i++) data.push({ at: at(d, 10 + r() * 6), role: EXPORT, key: pick() });
      const o = 3 + Math.floor(r() * 6);
      for (let i = 0; i < o; i++)
        data.push({ at: at(d, 9 + r() * 8), role: OPS, key: pick(), ua: "aws-cli/2.15.0" });
      // SSE-KMS without bucket keys: the export role's reads decrypt too.
      for (let i = 0; i < e; i++) data.push({ at: at(d, 10 + r() * 6), role: EXPORT, eventName: "Decrypt" });
    }
  }

  // Incidents (after the learning period), each type at least twice.
  const inc = (id: string, detectors: string[], principal: string, evs: Ev[]) => {
    data.push(...evs);
    const ts = evs.map((e) => e.at);
    incidents.push({ id, detectors, principal, start: Math.min(...ts), end: Math.max(...ts) });
  };
  const pick = () => recent[Math.floor(r() * recent.length)]!;
  for (const [n, d] of [
    [1, 15],
    [2, 22],
  ] as const) {
    // The seed scenario: the service account pulls 2000 recordings at 02:00 on a Tuesday.
    inc(
      `seed-${n}`,
      ["access-volume-spike", "access-off-hours"],
      EXPORT,
      Array.from({ length: 2000 }, (_, i) => ({
        at: at(d, 2, (i * 15) / 2000),
        role: EXPORT,
        key: `${pick()}?${i}`,
      })),
    );
  }
  const qaPerson = (p: string) =>
    `arn:aws:sts::${ACCT}:assumed-role/AWSReservedSSO_QASupervisor_4f1c2a9e7b3d5e60/${p}`;
  for (const [n, d] of [
    [1, 16],
    [2, 24],
  ] as const) {
    inc(
      `unauthorized-${n}`,
      ["access-unauthorized-principal"],
      ANALYTICS,
      [0, 1, 2].map((i) => ({ at: at(d, 11, i * 3), role: ANALYTICS, key: pick(), ua: "Boto3/1.34.51" })),
    );
    inc(
      `denied-${n}`,
      ["access-denied-burst"],
      role(`probe-${n}`),
      Array.from({ length: 25 }, (_, i) => ({
        at: at(d, 15, 0, i * 10),
        role: role(`probe-${n}`),
        key: pick(),
        errorCode: "AccessDenied",
      })),
    );
    inc(`insecure-${n}`, ["access-insecure-transport"], EXPORT, [
      { at: at(d + 1, 12, 7), role: EXPORT, key: pick(), tls: "TLSv1" },
    ]);
    inc(`unusual-${n}`, ["access-unusual-source"], qaPerson(QA_PEOPLE[n]!), [
      {
        at: at(d + 2, 14, 3),
        role: QA_ROLE,
        session: QA_PEOPLE[n],
        key: pick(),
        ua: "python-requests/2.31",
        ip: `198.51.100.${10 + n}`,
      },
    ]);
    inc(
      `cross-${n}`,
      ["access-cross-account"],
      role("partner-reader", "444455556666"),
      [0, 1].map((i) => ({
        at: at(d + 1, 10, i),
        role: role("partner-reader", "444455556666"),
        account: "444455556666",
        bucket: TRANSCRIPTS,
        key: `analysis/x-${i}.json`,
      })),
    );
    inc(
      `kms-${n}`,
      ["kms-decrypt-anomaly"],
      role(`stranger-${n}`),
      [0, 1, 2].map((i) => ({ at: at(d + 2, 10, i), role: role(`stranger-${n}`), eventName: "Decrypt" })),
    );
    inc(`bulk-${n}`, ["access-bulk-enumeration"], qaPerson(QA_PEOPLE[n + 1]!), [
      {
        at: at(d + 3, 14, 0),
        role: QA_ROLE,
        session: QA_PEOPLE[n + 1],
        eventName: "ListObjects",
        ua: "Mozilla/5.0 S3Console",
        ip: `198.51.100.${11 + n}`,
      },
      ...Array.from({ length: 40 }, (_, i) => ({
        at: at(d + 3, 14, 1, i * 5),
        role: QA_ROLE,
        session: QA_PEOPLE[n + 1],
        key: pick(),
        ua: "Mozilla/5.0 S3Console",
        ip: `198.51.100.${11 + n}`,
      })),
    ]);
    inc(
      `offhours-${n}`,
      ["access-off-hours"],
      qaPerson(QA_PEOPLE[n - 1]!),
      Array.from({ length: 6 }, (_, i) => ({
        at: at(d + 3, 22, 30 + i),
        role: QA_ROLE,
        session: QA_PEOPLE[n - 1],
        key: pick(),
        ua: "Mozilla/5.0 S3Console",
        ip: `198.51.100.${9 + n}`,
      })),
    );
    // Low-and-slow exfiltration: 16 extra reads an hour around the clock for three days.
    const slow: Ev[] = [];
    for (let dd = 0; dd < 3; dd++)
      for (let h = 0; h < 24; h++)
        for (let i = 0; i < 16; i++)
          slow.push({
            at: at(d + 2 + dd, h, i * 3.7),
            role: EXPORT,
            key: `${pick()}#slow${n}-${dd}-${h}-${i}`,
          });
    inc(`low-and-slow-${n}`, ["access-volume-spike", "access-off-hours"], EXPORT, slow);
    inc(
      `tamper-${n}`,
      ["tamper-audit-logging", "tamper-bucket-protection", "tamper-key", "tamper-connect", "root-activity"],
      "(tamper)",
      [],
    );
  }
  inc(
    "new-principal-1",
    ["access-new-principal"],
    OPS.replace("connect-recordings-ops", "connect-recordings-ops-2"),
    [
      {
        at: at(18, 10),
        role: OPS.replace("connect-recordings-ops", "connect-recordings-ops-2"),
        bucket: TRANSCRIPTS,
        key: "analysis/a.json",
      },
    ],
  );
  // That role is declared by the baseline (operators) but has never read PHI before.

  // Tamper events (EventBridge management events), and benign ones.
  for (const [n, d] of [
    [1, 17],
    [2, 26],
  ] as const) {
    const t = (k: number) => at(d, 9, n + (k - 9) * 2);
    const tamper: Array<Record<string, unknown>> = [
      management(t(9), "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }),
      management(t(10), "s3.amazonaws.com", "DeleteBucketEncryption", { bucketName: RECORDINGS }),
      management(t(11), "kms.amazonaws.com", "ScheduleKeyDeletion", { keyId: KEY, pendingWindowInDays: 7 }),
      management(t(12), "connect.amazonaws.com", "UpdateInstanceAttribute", {
        InstanceId: "inst-1",
        AttributeType: "CONTACT_LENS",
        Value: "false",
      }),
      {
        ...management(t(13), "signin.amazonaws.com", "ConsoleLogin", {}),
        userIdentity: { type: "Root", principalId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT },
      },
    ];
    mgmt.push(...tamper);
    const idx = incidents.findIndex((i) => i.id === `tamper-${n}`);
    incidents[idx] = { ...incidents[idx]!, start: t(9), end: t(13) };
    // Benign: a failed StopLogging, a policy change on a bucket that holds no PHI, rotation enabled.
    mgmt.push(
      management(
        at(d, 8),
        "cloudtrail.amazonaws.com",
        "StopLogging",
        { name: "org-trail" },
        { errorCode: "AccessDenied" },
      ),
      management(at(d, 8, 30), "s3.amazonaws.com", "PutBucketPolicy", {
        bucketName: "northwind-website",
        bucketPolicy: { Statement: [] },
      }),
      management(at(d, 8, 40), "kms.amazonaws.com", "EnableKeyRotation", { keyId: KEY }),
    );
  }
  const sorted = data.sort((a, b) => a.at - b.at).map(record);
  return {
    data: sorted,
    management: mgmt,
    incidents,
    start: DAY0,
    evalStart: at(learnDays, 0),
    end: at(days, 0),
  };
}
