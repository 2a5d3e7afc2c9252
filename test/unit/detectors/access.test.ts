import { describe, expect, it } from "vitest";
import { Activity, type Baseline, BaselineSchema, DETECTORS } from "../../../packages/core/src/index.ts";
import { demoBaseline, HASH } from "../activity/helpers.ts";

const ACCT = "111122223333";
const QA = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASupervisor_4f1c2a9e7b3d5e60`;
const EXPORT = `arn:aws:iam::${ACCT}:role/recording-export-svc`;
const ANALYTICS = `arn:aws:iam::${ACCT}:role/analytics-qa`;
const KEY = "arn:aws:kms:us-east-1:111122223333:key/6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11";
const RAW = (i: number) => `connect/northwind-prod/CallRecordings/2026/02/0${i % 9}/c-${i}.wav`;

let seq = 0;
interface Ev {
  role?: string;
  at: string | number;
  key?: string;
  bucket?: string;
  eventName?: string;
  errorCode?: string;
  ip?: string;
  ua?: string;
  tls?: string;
  account?: string;
  session?: string;
  invokedBy?: string;
}
function rec(e: Ev): Record<string, unknown> {
  const role = e.role ?? EXPORT;
  const account = e.account ?? ACCT;
  const roleArn = role.replace(ACCT, account);
  const kms = e.eventName === "Decrypt";
  return {
    eventVersion: "1.10",
    eventTime: new Date(e.at).toISOString(),
    eventSource: kms ? "kms.amazonaws.com" : "s3.amazonaws.com",
    eventName: e.eventName ?? "GetObject",
    awsRegion: "us-east-1",
    eventID: `e-${++seq}`,
    recipientAccountId: ACCT,
    sourceIPAddress: e.ip ?? "10.20.4.17",
    userAgent: e.ua ?? "aws-sdk-js/3.540.0",
    userIdentity: {
      type: "AssumedRole",
      arn: `arn:aws:sts::${account}:assumed-role/${roleArn.split("/").pop()}/${e.session ?? "s"}`,
      accountId: account,
      sessionContext: { sessionIssuer: { type: "Role", arn: roleArn, accountId: account } },
      ...(e.invokedBy ? { invokedBy: e.invokedBy } : {}),
    },
    requestParameters: kms
      ? { keyId: KEY }
      : {
          bucketName: e.bucket ?? "northwind-connect-recordings",
          ...(e.key !== undefined ? { key: e.key } : {}),
        },
    resources: kms ? [{ type: "AWS::KMS::Key", ARN: KEY }] : [],
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    tlsDetails: { tlsVersion: e.tls ?? "TLSv1.3" },
  };
}
const events = (b: Baseline, evs: Ev[]) =>
  evs.flatMap((e) => Activity.toAccessEvent(Activity.readCloudTrail(rec(e))[0]!, b, HASH) ?? []);

/** Local (EST, UTC−5) time on a February/March 2026 date. */
const local = (date: string, h: number, m = 0, s = 0) =>
  Date.parse(`${date}T00:00:00Z`) + ((h + 5) * 60 + m) * 60_000 + s * 1000;
const day = (n: number) =>
  new Date(Date.parse("2026-02-02T00:00:00Z") + n * 86_400_000).toISOString().slice(0, 10);

/** Three weeks of routine: the QA supervisor ~15 reads on weekday afternoons, the export role ~2 per hour 10–16. */
async function learned(b: Baseline) {
  const store = new Activity.MemoryAccessStore();
  const evs: Ev[] = [];
  for (let d = 0; d < 29; d++) {
    const date = day(d);
    const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    for (let i = 0; i < 15; i++)
      evs.push({
        role: QA,
        session: "dana@northwind.example",
        at: local(date, 13 + (i % 4), i * 3),
        key: RAW(d * 100 + i),
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      });
    for (let h = 10; h < 17; h++)
      for (let i = 0; i < 2; i++) evs.push({ at: local(date, h, 20 * i), key: RAW(d * 1000 + h * 10 + i) });
  }
  await Activity.processAccessEvents(events(b, evs), {
    store,
    baseline: b,
    detectors: DETECTORS,
    now: new Date("2026-03-04T00:00:00Z"),
  });
  return store;
}

async function run(b: Baseline, evs: Ev[], store?: Activity.MemoryAccessStore) {
  const s = store ?? (await learned(b));
  const r = await Activity.processAccessEvents(events(b, evs), {
    store: s,
    baseline: b,
    detectors: DETECTORS,
    now: new Date("2026-03-04T00:00:00Z"),
  });
  expect(r.errors).toEqual([]);
  return r.detections;
}
const ids = (ds: { ruleId: string }[]) => [...new Set(ds.map((d) => d.ruleId))].sort();
const base = demoBaseline();
const TUE = "2026-03-03";

describe("detector access-volume-spike", () => {
  it("does not fire when the QA supervisor reads 18 instead of 15 on a weekday afternoon", async () => {
    const d = await run(
      base,
      Array.from({ length: 18 }, (_, i) => ({
        role: QA,
        session: "dana@northwind.example",
        at: local(TUE, 14, 0, i * 20),
        key: RAW(i),
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      })),
    );
    expect(ids(d)).toEqual([]);
  });

  it("fires on the daily horizon for low-and-slow reads that no single window shows", async () => {
    // 16 reads per hour around the clock: 4 per window, 384 in the day, far above ~14 per day.
    const evs = Array.from({ length: 384 }, (_, i) => ({
      at: local(TUE, Math.floor(i / 16), (i % 16) * 3),
      key: RAW(5000 + i),
    }));
    const d = await run(base, evs);
    const daily = d.filter((x) => x.ruleId === "access-volume-spike");
    expect(daily.length).toBeGreaterThan(0);
    expect(daily.every((x) => x.discriminator === `day:${TUE}`)).toBe(true);
    expect(daily.at(-1)!.summary).toMatch(
      /reads spread over 2026-03-03 \(no single window unusual\), profile for Tue/,
    );
  });
});

describe("detector access-new-principal", () => {
  it("fires on the first read of an identity never seen, after the learning period", async () => {
    const role = `arn:aws:iam::${ACCT}:role/connect-recordings-ops`;
    const d = await run(base, [{ role, at: local(TUE, 11), key: RAW(1) }]);
    expect(ids(d)).toEqual(["access-new-principal"]);
    // Names no object key (PHI): the principal, the bucket, counts and times only.
    expect(d[0]!.summary).toBe(
      `PHI read by ${role} on northwind-connect-recordings with no access profile there: a new reader, or one not seen for 90 days or more (1 read(s) between 11:00 and 11:15), after a 14-day learning period`,
    );
    expect(JSON.stringify(d[0])).not.toContain("CallRecordings");
  });

  it("stays quiet while the target is still in its learning period", async () => {
    const role = `arn:aws:iam::${ACCT}:role/connect-recordings-ops`;
    const store = new Activity.MemoryAccessStore();
    expect(ids(await run(base, [{ role, at: local(TUE, 11), key: RAW(1) }], store))).toEqual([]);
  });
});

describe("a PHI bucket silent for longer than profileTtlDays (a year with phiwatch)", () => {
  // The bucket left the PHI buckets (its reads were no longer routed) and came back seven months later,
  // or its data events stopped: nothing was read on it for longer than the profiles live.
  const back = "2026-10-06"; // a Tuesday
  const returning = (store: Activity.MemoryAccessStore) =>
    run(
      base,
      Array.from({ length: 15 }, (_, i) => ({
        role: QA,
        session: "dana@northwind.example",
        at: local(back, 13 + (i % 4), i * 3),
        key: RAW(i),
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      })),
      store,
    );
  /** What DynamoDB's TTL deletes by then: every item whose `expiresAt` passed. */
  const expire = (store: Activity.MemoryAccessStore, items: "profiles" | "all") => {
    const now = Date.parse(`${back}T00:00:00Z`) / 1000;
    for (const [k, p] of store.profiles) if (p.expiresAt < now) store.profiles.delete(k);
    if (items === "all")
      for (const [k, t] of store.targets)
        if (t.expiresAt !== undefined && t.expiresAt < now) store.targets.delete(k);
  };

  it("learns it again, instead of calling every returning reader new", async () => {
    const store = await learned(base);
    expire(store, "all");
    expect(ids(await returning(store))).toEqual([]);
  });

  it("learns it again while DynamoDB has not yet deleted the expired learning state", async () => {
    const store = await learned(base);
    expire(store, "profiles");
    expect(ids(await returning(store))).toEqual([]);
  });

  it("calls a reader new whose profile expired while DynamoDB has not yet deleted it (TTL lags by days)", async () => {
    const store = await learned(base);
    for (let d = 35; d < 240; d += 7)
      await run(base, [{ at: local(day(d), 11), key: RAW(90_000 + d) }], store);
    // No `expire`: the QA supervisor's profile is still stored, its `expiresAt` long past.
    const qa = [...store.profiles.values()].find((p) => p.principal.includes("QASupervisor"))!;
    expect(qa.expiresAt).toBeLessThan(Date.parse(`${back}T00:00:00Z`) / 1000);
    const found = (await returning(store)).find((d) => d.ruleId === "access-new-principal");
    // True for a reader who has been here before: no profile, not "first read ever".
    expect(found?.summary).toMatch(
      /^PHI read by .*QASupervisor.* on northwind-connect-recordings with no access profile there: a new reader, or one not seen for 90 days or more \(\d+ read\(s\) between \d\d:\d\d and \d\d:\d\d\), after a 14-day learning period$/,
    );
    expect(found?.evidence).toMatchObject({ profileTtlDays: 90 });
    // The fold replaced the expired profile: it starts with the return, not with the old history.
    const again = [...store.profiles.values()].find((p) => p.principal.includes("QASupervisor"))!;
    expect(again.firstSeen.slice(0, 10)).toBe(back);
  });

  it("still calls a reader new whose profile expired while the bucket stayed busy", async () => {
    const store = await learned(base);
    // Others keep reading every week; the QA supervisor is away for seven months.
    for (let d = 35; d < 240; d += 7)
      await run(base, [{ at: local(day(d), 11), key: RAW(90_000 + d) }], store);
    expire(store, "all");
    expect(ids(await returning(store))).toContain("access-new-principal");
  });
});

describe("a profile restarted under a short profileTtlDays", () => {
  it("starts with the return, not with windows from before the absence", async () => {
    const short = BaselineSchema.parse({
      ...base,
      detectors: { ...base.detectors, access: { ...base.detectors.access, profileTtlDays: 10 } },
    });
    const store = await learned(short); // the QA supervisor's last read: day 28 (2026-03-02)
    // The export role keeps reading, so the bucket stays learned; the QA supervisor is away.
    for (let d = 30; d < 43; d += 3)
      await run(short, [{ at: local(day(d), 11), key: RAW(90_000 + d) }], store);
    const back = day(43); // a Tuesday, 15 days later: the 10-day profile has expired
    const found = await run(
      short,
      Array.from({ length: 15 }, (_, i) => ({
        role: QA,
        session: "dana@northwind.example",
        at: local(back, 13 + (i % 4), i * 3),
        key: RAW(i),
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      })),
      store,
    );
    expect(ids(found)).toContain("access-new-principal");
    // Windows live 35 days: a fresh fold looking 28 days back took the reads of days 15–28, so the
    // returning reader was measured against the routine the profile's expiry had ended.
    const qa = [...store.profiles.values()].find((p) => p.principal.includes("QASupervisor"))!;
    expect(qa.firstSeen.slice(0, 10)).toBe(back);
  });
});

describe("detector access-unauthorized-principal", () => {
  it("fires on the analytics role's first raw-audio read, not on its transcript reads", async () => {
    const d = await run(base, [
      {
        role: ANALYTICS,
        at: local(TUE, 11),
        bucket: "northwind-contact-lens-transcripts",
        key: "analysis/c-1.json",
      },
      { role: ANALYTICS, at: local(TUE, 11, 5), key: RAW(7) },
    ]);
    const u = d.filter((x) => x.ruleId === "access-unauthorized-principal");
    expect(u.map((x) => x.subject.resourceId)).toEqual(["northwind-connect-recordings"]);
    expect(u[0]!.evidence.reason).toBe("analytics role read raw audio");
  });

  it("fires on an identity outside the raw readers reading raw audio", async () => {
    const d = await run(base, [
      { role: `arn:aws:iam::${ACCT}:role/intern-sandbox`, at: local(TUE, 11), key: RAW(7) },
    ]);
    expect(d.find((x) => x.ruleId === "access-unauthorized-principal")?.evidence.reason).toBe(
      "not a designated raw-audio reader",
    );
  });
});

// Amazon Connect plays a recording for a supervisor by reading it with the instance's service-linked
// role (the role's policy grants s3:GetObject on the recordings bucket; the key grant, Decrypt): CloudTrail
// names the role and `invokedBy: connect.amazonaws.com`, never the Connect user.
const CONNECT_SLR = `arn:aws:iam::${ACCT}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_6JQPfnt3cg0pKYjDucIX`;
const playback = (i: number, over: Partial<Ev> = {}): Ev => ({
  role: CONNECT_SLR,
  session: "ConnectSession",
  invokedBy: "connect.amazonaws.com",
  ip: "connect.amazonaws.com",
  ua: "connect.amazonaws.com",
  at: local(TUE, 11, i),
  key: RAW(i),
  ...over,
});

describe("Amazon Connect's service-linked role (recording playback in Connect)", () => {
  it("is the Connect service of principals.services: its raw-audio reads and Decrypts are not unauthorized", async () => {
    const d = await run(base, [playback(1), playback(2), playback(3, { eventName: "Decrypt" })]);
    expect(ids(d)).not.toContain("access-unauthorized-principal");
    expect(ids(d)).not.toContain("kms-decrypt-anomaly");
    // Still one principal with its own profile: the role, not a person CloudTrail does not name.
    expect(d.every((x) => x.subject.principal === CONNECT_SLR)).toBe(true);
  });

  it("is unauthorized like any reader once the baseline no longer lists connect.amazonaws.com", async () => {
    const b = BaselineSchema.parse({
      ...base,
      principals: { ...base.principals, services: ["transcribe.amazonaws.com"] },
    });
    const d = await run(b, [playback(1)]);
    expect(d.find((x) => x.ruleId === "access-unauthorized-principal")?.evidence.reason).toBe(
      "not a designated raw-audio reader",
    );
  });
});

describe("AWSService identities (a service reading with its own credentials)", () => {
  // The shape of the published voiceid record (awsdocs_connect__voiceid_…_AWSService.json): type
  // AWSService, invokedBy the service, no ARN and no account.
  const asService = (service: string, i: number) => {
    const r = rec({ at: local(TUE, 11, i), key: RAW(i), ip: service, ua: service });
    r.userIdentity = { type: "AWSService", invokedBy: service };
    return Activity.toAccessEvent(Activity.readCloudTrail(r)[0]!, base, HASH)!;
  };

  it("are keyed by the service, counted as reads, never cross-account, authorized only when listed", async () => {
    const listed = asService("transcribe.amazonaws.com", 1);
    expect(listed.principal).toMatchObject({
      id: "transcribe.amazonaws.com",
      kind: "service",
      accountId: ACCT,
    });
    expect(listed).toMatchObject({ action: "read", rawAudio: true, crossAccount: false });
    const store = await learned(base);
    const quiet = await Activity.processAccessEvents([listed], {
      store,
      baseline: base,
      detectors: DETECTORS,
      now: new Date("2026-03-04T00:00:00Z"),
    });
    expect(ids(quiet.detections)).not.toContain("access-unauthorized-principal");
    const other = await Activity.processAccessEvents([asService("macie.amazonaws.com", 2)], {
      store,
      baseline: base,
      detectors: DETECTORS,
      now: new Date("2026-03-04T00:00:00Z"),
    });
    expect(
      other.detections.find((x) => x.ruleId === "access-unauthorized-principal")?.subject.principal,
    ).toBe("macie.amazonaws.com");
  });
});

describe("another account reading through a service (AWSAccount with invokedBy)", () => {
  it("is that account, cross-account and unauthorized, not the pipeline service it went through", async () => {
    const r = rec({ at: local(TUE, 11, 1), key: RAW(1), ip: "transcribe.amazonaws.com", ua: "x" });
    r.userIdentity = { type: "AWSAccount", accountId: "999988887777", invokedBy: "transcribe.amazonaws.com" };
    const ev = Activity.toAccessEvent(Activity.readCloudTrail(r)[0]!, base, HASH)!;
    expect(ev.principal).toMatchObject({ id: "arn:aws:iam::999988887777:root", kind: "account" });
    expect(ev.crossAccount).toBe(true);
    const d = await Activity.processAccessEvents([ev], {
      store: await learned(base),
      baseline: base,
      detectors: DETECTORS,
      now: new Date("2026-03-04T00:00:00Z"),
    });
    expect(ids(d.detections)).toEqual(
      expect.arrayContaining(["access-cross-account", "access-unauthorized-principal"]),
    );
  });
});

describe("detector access-off-hours", () => {
  it("fires for a daytime principal reading at 23:00, not for the same reads at 11:00", async () => {
    const night = await run(
      base,
      Array.from({ length: 5 }, (_, i) => ({ at: local(TUE, 23, i), key: RAW(i) })),
    );
    expect(ids(night)).toContain("access-off-hours");
    const noon = await run(
      base,
      Array.from({ length: 5 }, (_, i) => ({ at: local(TUE, 11, i), key: RAW(i) })),
    );
    expect(ids(noon)).toEqual([]);
  });
});

describe("detector access-off-hours (routine night work)", () => {
  it("does not fire for a job that runs every night at 01:00, at 01:00 or an hour later (DST, late start)", async () => {
    const store = new Activity.MemoryAccessStore();
    const history: Ev[] = [];
    for (let d = 0; d < 29; d++)
      for (let i = 0; i < 20; i++) history.push({ at: local(day(d), 1, i * 2), key: RAW(d * 100 + i) });
    await Activity.processAccessEvents(events(base, history), {
      store,
      baseline: base,
      detectors: DETECTORS,
    });
    const late = await run(
      base,
      Array.from({ length: 20 }, (_, i) => ({ at: local(TUE, 2, i * 2), key: RAW(9000 + i) })),
      store,
    );
    expect(ids(late)).toEqual([]);
  });
});

describe("detector access-bulk-enumeration", () => {
  it("fires on a list-then-read sweep by a principal that never lists", async () => {
    const d = await run(base, [
      {
        role: QA,
        session: "dana@northwind.example",
        at: local(TUE, 14),
        eventName: "ListObjects",
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      },
      ...Array.from({ length: 30 }, (_, i) => ({
        role: QA,
        session: "dana@northwind.example",
        at: local(TUE, 14, 1, i),
        key: RAW(900 + i),
        ua: "Mozilla/5.0 S3Console",
        ip: "198.51.100.23",
      })),
    ]);
    expect(d.find((x) => x.ruleId === "access-bulk-enumeration")?.evidence.pattern).toBe("list-then-read");
  });

  it("fires on more distinct objects in a window than the floor and the profile allow", async () => {
    const d = await run(
      base,
      Array.from({ length: 150 }, (_, i) => ({ at: local(TUE, 11, 0, i), key: RAW(700 + i) })),
    );
    expect(d.find((x) => x.ruleId === "access-bulk-enumeration")?.evidence.distinctObjects).toBe(150);
  });
});

describe("detector access-denied-burst", () => {
  it("fires on 12 AccessDenied in a window and not on 5", async () => {
    const denied = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        role: `arn:aws:iam::${ACCT}:role/probe`,
        at: local(TUE, 11, 0, i),
        key: RAW(i),
        errorCode: "AccessDenied",
      }));
    expect(ids(await run(base, denied(12)))).toEqual(["access-denied-burst"]);
    expect(ids(await run(base, denied(5)))).toEqual([]);
  });
});

describe("detector access-insecure-transport", () => {
  it("fires on TLS 1.0 and not on TLS 1.2", async () => {
    expect(ids(await run(base, [{ at: local(TUE, 11), key: RAW(1), tls: "TLSv1" }]))).toEqual([
      "access-insecure-transport",
    ]);
    expect(ids(await run(base, [{ at: local(TUE, 11), key: RAW(1), tls: "TLSv1.2" }]))).toEqual([]);
  });
});

describe("detector access-unusual-source", () => {
  it("fires when a principal that always used the console reads with a script", async () => {
    const d = await run(base, [
      {
        role: QA,
        session: "dana@northwind.example",
        at: local(TUE, 14),
        key: RAW(1),
        ua: "Boto3/1.34.51",
        ip: "198.51.100.23",
      },
    ]);
    expect(d.find((x) => x.ruleId === "access-unusual-source")?.discriminator).toBe("client:sdk-python");
  });

  it("does not fire on a new home address alone, but does outside the declared networks", async () => {
    const ev = [
      {
        role: QA,
        session: "dana@northwind.example",
        at: local(TUE, 14),
        key: RAW(1),
        ua: "Mozilla/5.0 S3Console",
        ip: "203.0.113.9",
      },
    ];
    expect(ids(await run(base, ev))).toEqual([]);
    const fenced = BaselineSchema.parse({
      ...base,
      detectors: {
        ...base.detectors,
        access: { ...base.detectors.access, allowedNetworks: ["198.51.100.0/24", "10.0.0.0/8"] },
      },
    });
    expect(ids(await run(fenced, ev))).toEqual(["access-unusual-source"]);
  });
});

describe("detector access-cross-account", () => {
  it("fires on a read by another account's role unless that account is trusted", async () => {
    const ev = [
      {
        role: `arn:aws:iam::${ACCT}:role/partner-reader`,
        account: "999988887777",
        at: local(TUE, 11),
        key: "transcripts/x.json",
        bucket: "northwind-contact-lens-transcripts",
      },
    ];
    expect(ids(await run(base, ev))).toContain("access-cross-account");
    const trusted = BaselineSchema.parse({
      ...base,
      detectors: {
        ...base.detectors,
        access: { ...base.detectors.access, trustedAccounts: ["999988887777"] },
      },
    });
    expect(ids(await run(trusted, ev))).not.toContain("access-cross-account");
  });
});

describe("detector kms-decrypt-anomaly", () => {
  it("fires on Decrypt with a PHI key by a principal the baseline does not name, not by a raw reader", async () => {
    expect(
      ids(
        await run(base, [
          { role: `arn:aws:iam::${ACCT}:role/stranger`, at: local(TUE, 11), eventName: "Decrypt" },
        ]),
      ),
    ).toEqual(["kms-decrypt-anomaly"]);
    expect(ids(await run(base, [{ at: local(TUE, 11), eventName: "Decrypt" }]))).toEqual([]);
  });
});
