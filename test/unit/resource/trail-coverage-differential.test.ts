// Differential test of phiwatch's CloudTrail coverage judgements against the concrete reference in
// trail-reference.ts, over random selector sets on a small universe of buckets, keys, event names and
// regions (PHI buckets and look-alikes: phi-recordings vs phi-recordings-archive).
// - SOUNDNESS: when phiwatch says covered (coverage "full", COMPLIANT, no tamper detection), every
//   concrete event the control means is recorded, under every reading of the undocumented rules.
// - PRECISION: when phiwatch gives a definite fail ("none"/"partial", NON_COMPLIANT without
//   "cannot prove", a tamper detection), some such event is NOT recorded, under every reading.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Activity,
  type Baseline,
  DETECTORS,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import {
  bucketReadCoverage,
  recordsManagementEvents,
  s3ReadCoverage,
  trailView,
} from "../../../packages/core/src/resource/cloudtrail.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { apiSnapshot, evaluate, testFacts } from "../../helpers/facts.ts";
import {
  type AdvancedSelector,
  type ClassicSelector,
  type FieldSelector,
  type RefTrail,
  recorded,
  SEMANTICS,
  type TrailEvent,
} from "./trail-reference.ts";

const ACCOUNT = "111122223333";
const REGIONS = ["us-east-1", "eu-west-1"] as const;
const T = "AWS::CloudTrail::Trail";
const B = "AWS::S3::Bucket";
/** phi-recordings (name), phi-transcripts-* (prefix) and buckets tagged phi=true are PHI. */
const BUCKETS = [
  "phi-recordings",
  "phi-recordings-archive",
  "phi-transcripts-2026",
  "phi-transcripts-zz",
  "claims",
  "marketing",
] as const;
const TAGGED = new Set(["claims"]);
// Every suffix a selector can name ends some key; "notes.txt" starts and ends with nothing a selector names.
const KEYS = ["a.wav", "connect/b.wav", "connect/", "zz", "x/recordings/a.wav", "notes.txt"] as const;
// The last caller is named by no selector value: a filter on the caller always leaves someone out.
const USERS = [
  "arn:aws:sts::111122223333:assumed-role/agent/x",
  "arn:aws:iam::111122223333:role/etl",
  "arn:aws:iam::111122223333:user/someone-else",
];
const MGMT_SOURCES = [
  "cloudtrail.amazonaws.com",
  "kms.amazonaws.com",
  "rdsdata.amazonaws.com",
  "s3.amazonaws.com",
  "iam.amazonaws.com",
];

const baseline: Baseline = testBaseline({
  phiBuckets: [
    { name: "phi-recordings", holds: ["recordings"] },
    { prefix: "phi-transcripts-", holds: ["transcripts"] },
    { tag: { key: "phi", value: "true" }, holds: ["recordings"] },
  ],
});
/** Written out, not imported: the test states what the detectors count, the meta-test below pins it. */
const READ_EVENT_NAMES = ["GetObject", "SelectObjectContent"];
const isPhi = (b: string) => b === "phi-recordings" || b.startsWith("phi-transcripts-") || TAGGED.has(b);

/**
 * What "object reads of a bucket are recorded" means: every read the access detectors count
 * (`Activity.S3_READ_EVENTS`: GetObject, SelectObjectContent) on every key, by anyone.
 */
function readsOf(bucket: string, region: string): TrailEvent[] {
  return KEYS.flatMap((key) =>
    USERS.flatMap((userArn) =>
      READ_EVENT_NAMES.map((eventName) => ({
        region,
        account: ACCOUNT,
        eventCategory: "Data" as const,
        eventSource: "s3.amazonaws.com",
        eventName,
        readOnly: true,
        resourceType: "AWS::S3::Object",
        arn: `arn:aws:s3:::${bucket}/${key}`,
        userArn,
      })),
    ),
  );
}

/**
 * What "records management events" means: every write and every read-only event (a PHI key's Decrypt is
 * one), of any source.
 */
function managementEventsIn(region: string): TrailEvent[] {
  return MGMT_SOURCES.flatMap((eventSource) =>
    [
      { eventName: "StopLogging", readOnly: false },
      { eventName: "Decrypt", readOnly: true },
    ].map(({ eventName, readOnly }) => ({
      region,
      account: ACCOUNT,
      eventCategory: "Management" as const,
      eventSource,
      eventName,
      readOnly,
      userArn: USERS[0]!,
    })),
  );
}

const allRecorded = (trails: RefTrail[], events: TrailEvent[]) =>
  SEMANTICS.every((sem) => events.every((e) => trails.some((t) => recorded(t, e, sem))));
const someMissed = (trails: RefTrail[], events: TrailEvent[]) =>
  SEMANTICS.every((sem) => events.some((e) => !trails.some((t) => recorded(t, e, sem))));

// ---------------------------------------------------------------------------------------------------
// Generators
const ARN_PREFIXES = [
  "arn:aws:s3",
  "arn:aws:s3:::",
  "arn:aws:s3:::phi",
  "arn:aws:s3:::phi-recordings",
  "arn:aws:s3:::phi-recordings/",
  "arn:aws:s3:::phi-recordings/connect/",
  "arn:aws:s3:::phi-recordings/a.wav",
  "arn:aws:s3:::phi-recordings-archive/",
  "arn:aws:s3:::phi-transcripts-",
  "arn:aws:s3:::phi-transcripts-/",
  "arn:aws:s3:::phi-transcripts-2026/",
  "arn:aws:s3:::phi-transcripts-2026/connect/b.wav",
  "arn:aws:s3:::claims/",
  "arn:aws:s3:::marketing/",
];
const ARN_SUFFIXES = [".wav", "/", "b.wav", "zz", "recordings/a.wav"];
const OBJECT_ARNS = BUCKETS.flatMap((b) => [`arn:aws:s3:::${b}/`, `arn:aws:s3:::${b}/a.wav`]);
const EVENT_NAMES = [
  "GetObject",
  "SelectObjectContent",
  "PutObject",
  "HeadObject",
  "Get",
  "Object",
  "Content",
  "GetObjectAcl",
];

const some = <T>(xs: readonly T[]) => fc.uniqueArray(fc.constantFrom(...xs), { minLength: 1, maxLength: 2 });

/** One field selector on `field`: one to three operators, each with one or two values. */
function fieldSelector(
  field: string,
  pools: { eq: readonly string[]; sw: readonly string[]; ew: readonly string[]; nsw?: readonly string[] },
): fc.Arbitrary<FieldSelector> {
  return fc
    .record(
      {
        Equals: some(pools.eq),
        StartsWith: some(pools.sw),
        EndsWith: some(pools.ew),
        NotEquals: some(pools.eq),
        NotStartsWith: some(pools.nsw ?? pools.sw),
        NotEndsWith: some(pools.ew),
      },
      { requiredKeys: [] },
    )
    .filter((o) => Object.keys(o).length >= 1 && Object.keys(o).length <= 3)
    .map((o) => ({ Field: field, ...o }));
}

// `phi-transcripts-/` names a bucket S3 cannot create (names end with a letter or digit): as a
// StartsWith it records nothing of the family; as an exclusion it excludes nothing, which phiwatch
// does not try to tell (a false alarm on an absurd selector), so it is left out of NotStartsWith.
const arnField = fieldSelector("resources.ARN", {
  eq: OBJECT_ARNS,
  sw: ARN_PREFIXES,
  ew: ARN_SUFFIXES,
  nsw: ARN_PREFIXES.filter((p) => p !== "arn:aws:s3:::phi-transcripts-/"),
});
const nameField = fieldSelector("eventName", { eq: EVENT_NAMES, sw: EVENT_NAMES, ew: EVENT_NAMES });
const userField = fieldSelector("userIdentity.arn", {
  eq: USERS.slice(0, 2),
  sw: USERS.slice(0, 2),
  ew: ["/x", "etl"],
});
const equalsField = (field: string, values: readonly string[]) =>
  fc.constantFrom(...values).map((v): FieldSelector => ({ Field: field, Equals: [v] }));

const dataSelector: fc.Arbitrary<AdvancedSelector> = fc
  .record(
    {
      type: fc.constantFrom("AWS::S3::Object", "AWS::S3::Object", "AWS::Lambda::Function"),
      arn: fc.array(arnField, { maxLength: 2 }),
      readOnly: fc.option(equalsField("readOnly", ["true", "false"])),
      name: fc.option(nameField),
      source: fc.option(
        fc.constantFrom<FieldSelector>(
          { Field: "eventSource", Equals: ["s3.amazonaws.com"] },
          { Field: "eventSource", NotEquals: ["s3.amazonaws.com"] },
        ),
      ),
      user: fc.option(userField, { freq: 6 }),
    },
    { requiredKeys: ["type", "arn"] },
  )
  .map((r) => ({
    Name: "data",
    FieldSelectors: [
      { Field: "eventCategory", Equals: ["Data"] },
      { Field: "resources.type", Equals: [r.type] },
      ...r.arn,
      ...[r.readOnly, r.name, r.source, r.user].filter((x): x is FieldSelector => !!x),
    ],
  }));

const managementSelector: fc.Arbitrary<AdvancedSelector> = fc
  .record({
    readOnly: fc.option(equalsField("readOnly", ["true", "false"])),
    exclude: fc.option(
      fc
        .uniqueArray(fc.constantFrom("kms.amazonaws.com", "rdsdata.amazonaws.com"), { minLength: 1 })
        .map((v): FieldSelector => ({ Field: "eventSource", NotEquals: v })),
    ),
  })
  .map((r) => ({
    Name: "management",
    FieldSelectors: [
      { Field: "eventCategory", Equals: ["Management"] },
      ...[r.readOnly, r.exclude].filter((x): x is FieldSelector => !!x),
    ],
  }));

const CLASSIC_VALUES = [
  "arn:aws:s3",
  "arn:aws:s3:::",
  ...BUCKETS.flatMap((b) => ["", "connect/", "a.wav"].map((p) => `arn:aws:s3:::${b}/${p}`)),
];
const classicSelector: fc.Arbitrary<ClassicSelector> = fc.record(
  {
    ReadWriteType: fc.constantFrom("ReadOnly", "WriteOnly", "All"),
    IncludeManagementEvents: fc.boolean(),
    ExcludeManagementEventSources: fc.uniqueArray(
      fc.constantFrom("kms.amazonaws.com", "rdsdata.amazonaws.com"),
    ),
    DataResources: fc.array(
      fc.record({
        Type: fc.constantFrom("AWS::S3::Object", "AWS::S3::Object", "AWS::Lambda::Function"),
        Values: fc.uniqueArray(fc.constantFrom(...CLASSIC_VALUES), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ["DataResources"] },
);

type Selectors =
  | { kind: "advanced"; advanced: AdvancedSelector[] }
  | { kind: "classic"; classic: ClassicSelector[] }
  | { kind: "default" };
const selectors: fc.Arbitrary<Selectors> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof({ weight: 3, arbitrary: dataSelector }, managementSelector), {
        minLength: 1,
        maxLength: 3,
      })
      .map((advanced) => ({ kind: "advanced" as const, advanced })),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(classicSelector, { maxLength: 3 })
      .map((classic) => ({ kind: "classic" as const, classic })),
  },
  fc.constant({ kind: "default" as const }),
);

interface GenTrail {
  ref: RefTrail;
  selectorsRead: boolean;
  loggingRead: boolean;
  selectors: Selectors;
}
const trail: fc.Arbitrary<GenTrail> = fc
  .record({
    homeRegion: fc.constantFrom(...REGIONS),
    multiRegion: fc.boolean(),
    logging: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
    selectorsRead: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, fc.constant(false)),
    loggingRead: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, fc.constant(false)),
    deleted: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
    selectors,
  })
  .map((r) => ({
    ref: {
      account: ACCOUNT,
      homeRegion: r.homeRegion,
      multiRegion: r.multiRegion,
      present: !r.deleted,
      logging: r.logging,
      ...(r.selectors.kind === "advanced" ? { advanced: r.selectors.advanced } : {}),
      ...(r.selectors.kind === "classic" ? { classic: r.selectors.classic } : {}),
    },
    selectorsRead: r.selectorsRead,
    loggingRead: r.loggingRead,
    selectors: r.selectors,
  }));

/** The trail as the sweep snapshots it (DescribeTrails + GetEventSelectors + GetTrailStatus). */
function snapshotOf(g: GenTrail, i: number): ResourceSnapshot {
  const name = `trail-${i}`;
  const arn = `arn:aws:cloudtrail:${g.ref.homeRegion}:${ACCOUNT}:trail/${name}`;
  const supplementary: Record<string, unknown> = {};
  if (g.loggingRead) supplementary.TrailStatus = { IsLogging: g.ref.logging };
  if (g.selectorsRead) {
    if (g.selectors.kind === "advanced") supplementary.AdvancedEventSelectors = g.selectors.advanced;
    if (g.selectors.kind === "classic") supplementary.EventSelectors = g.selectors.classic;
    // GetEventSelectors of a trail on the default selector: one classic selector, all management events.
    if (g.selectors.kind === "default")
      supplementary.EventSelectors = [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [] },
      ];
  }
  return apiSnapshot(
    T,
    arn,
    {
      Name: name,
      TrailARN: arn,
      HomeRegion: g.ref.homeRegion,
      IsMultiRegionTrail: g.ref.multiRegion,
      ...(g.selectorsRead ? { HasCustomEventSelectors: g.selectors.kind !== "default" } : {}),
    },
    {
      arn,
      region: g.ref.homeRegion,
      resourceName: name,
      state: g.ref.present ? "present" : "deleted",
      supplementary,
    },
  );
}

const bucketSnapshot = (name: string, region: string) =>
  apiSnapshot(B, name, {}, { resourceName: name, region, tags: TAGGED.has(name) ? { phi: "true" } : {} });

const RUNS = Number(process.env.TRAIL_DIFF_RUNS ?? 400);
const SEED = process.env.TRAIL_DIFF_SEED ? Number(process.env.TRAIL_DIFF_SEED) : undefined;
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };

// ---------------------------------------------------------------------------------------------------
describe("trail coverage against the concrete reference", () => {
  it("s3ReadCoverage: full is sound, none/partial is a definite miss", () => {
    fc.assert(
      fc.property(selectors, fc.constantFrom(...BUCKETS), (sel, bucket) => {
        const g: GenTrail = {
          ref: { account: ACCOUNT, homeRegion: "us-east-1", multiRegion: true, present: true, logging: true },
          selectorsRead: true,
          loggingRead: true,
          selectors: sel,
        };
        if (sel.kind === "advanced") g.ref.advanced = sel.advanced;
        if (sel.kind === "classic") g.ref.classic = sel.classic;
        const c = s3ReadCoverage(trailView(snapshotOf(g, 0)), bucket).coverage;
        const reads = readsOf(bucket, "us-east-1");
        if (c === "full") expect(allRecorded([g.ref], reads)).toBe(true);
        if (c === "none" || c === "partial") expect(someMissed([g.ref], reads)).toBe(true);
      }),
      params,
    );
  });

  it("bucketReadCoverage over trails, regions and logging status", () => {
    fc.assert(
      fc.property(
        fc.array(trail, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...BUCKETS),
        fc.option(fc.constantFrom(...REGIONS)),
        (gs, bucket, region) => {
          const r = bucketReadCoverage(
            gs.map((g, i) => snapshotOf(g, i)),
            { name: bucket, ...(region ? { region } : {}) },
          );
          const refs = gs.map((g) => g.ref);
          const regions = region ? [region] : [...REGIONS];
          if (r.coverage === "full")
            for (const rg of regions) expect(allRecorded(refs, readsOf(bucket, rg))).toBe(true);
          if (r.coverage === "none" || r.coverage === "partial")
            expect(regions.some((rg) => someMissed(refs, readsOf(bucket, rg)))).toBe(true);
        },
      ),
      params,
    );
  });

  it("recordsManagementEvents: true is sound, false is a definite miss", () => {
    fc.assert(
      fc.property(selectors, (sel) => {
        const g: GenTrail = {
          ref: { account: ACCOUNT, homeRegion: "us-east-1", multiRegion: true, present: true, logging: true },
          selectorsRead: true,
          loggingRead: true,
          selectors: sel,
        };
        if (sel.kind === "advanced") g.ref.advanced = sel.advanced;
        if (sel.kind === "classic") g.ref.classic = sel.classic;
        const m = recordsManagementEvents(trailView(snapshotOf(g, 0)));
        const mgmt = managementEventsIn("us-east-1");
        if (m === true) expect(allRecorded([g.ref], mgmt)).toBe(true);
        if (m === false) expect(someMissed([g.ref], mgmt)).toBe(true);
      }),
      params,
    );
  });
});

describe("trail controls end to end against the concrete reference", () => {
  const world = fc.record({
    trails: fc.array(trail, { minLength: 1, maxLength: 3 }),
    buckets: fc.uniqueArray(fc.constantFrom(...BUCKETS), { minLength: 1, maxLength: 4 }),
    regions: fc.array(fc.constantFrom(...REGIONS), { minLength: 6, maxLength: 6 }),
  });

  it("cloudtrail-phi-data-events and s3-access-audited", () => {
    fc.assert(
      fc.property(world, (w) => {
        const trails = w.trails.map((g, i) => snapshotOf(g, i));
        const buckets = w.buckets.map((b, i) => bucketSnapshot(b, w.regions[i]!));
        const facts = testFacts({ inventory: { [T]: trails, [B]: buckets } });
        const refs = w.trails.map((g) => g.ref);
        const phi = buckets.filter((b) => isPhi(b.resourceName!));
        const missed = phi.filter((b) => someMissed(refs, readsOf(b.resourceName!, b.region)));
        const covered = phi.filter((b) => allRecorded(refs, readsOf(b.resourceName!, b.region)));

        const e = evaluate("cloudtrail-phi-data-events", trails[0]!, facts, baseline);
        if (e.status === "COMPLIANT") expect(covered.length).toBe(phi.length);
        if (e.status === "NON_COMPLIANT" && e.evidence.proof !== "cannot prove")
          expect(missed.length).toBeGreaterThan(0);
        if (phi.length === 0) expect(e.status).toBe("NOT_APPLICABLE");

        for (const b of buckets) {
          const a = evaluate("s3-access-audited", b, facts, baseline);
          if (!isPhi(b.resourceName!)) continue;
          if (a.status === "COMPLIANT") expect(covered).toContain(b);
          if (a.status === "NON_COMPLIANT" && a.evidence.proof !== "cannot prove")
            expect(missed).toContain(b);
        }
      }),
      params,
    );
  });

  it("cloudtrail-enabled", () => {
    fc.assert(
      fc.property(fc.array(trail, { minLength: 1, maxLength: 3 }), (gs) => {
        const trails = gs.map((g, i) => snapshotOf(g, i));
        const facts = testFacts({ inventory: { [T]: trails } });
        const e = evaluate("cloudtrail-enabled", trails[0]!, facts, baseline);
        // Some single trail records every management event in every region.
        const one = gs.some((g) => REGIONS.every((rg) => allRecorded([g.ref], managementEventsIn(rg))));
        const none = gs.every((g) => REGIONS.some((rg) => someMissed([g.ref], managementEventsIn(rg))));
        if (e.status === "COMPLIANT") expect(one).toBe(true);
        if (e.status === "NON_COMPLIANT" && e.evidence.proof === undefined) expect(none).toBe(true);
      }),
      params,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// PutEventSelectors as CloudTrail records it: requestParameters in camelCase at every level.
const camel = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(camel)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(x)]),
        )
      : v;

function putEventSelectors(requestParameters: Record<string, unknown>): Activity.CloudTrailRecord {
  return Activity.readCloudTrail({
    eventVersion: "1.10",
    eventTime: "2026-01-05T14:00:00Z",
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "PutEventSelectors",
    awsRegion: "us-east-1",
    eventID: "c2a89408-340a-42f0-8ace-75d9f5769393",
    eventType: "AwsApiCall",
    eventCategory: "Management",
    managementEvent: true,
    readOnly: false,
    recipientAccountId: ACCOUNT,
    sourceIPAddress: "198.51.100.7",
    userIdentity: {
      type: "AssumedRole",
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/x`,
      principalId: "AROAEXAMPLE:x",
    },
    requestParameters: { trailName: "org-trail", ...requestParameters },
  })[0]!;
}

describe("tamper-audit-logging judges PutEventSelectors against the concrete reference", () => {
  // With the tag entry any bucket can be a PHI bucket; without it, phi-recordings and phi-transcripts-*.
  const byNameAndPrefix = testBaseline();
  it.each([
    ["name, prefix and tag entries", baseline, [...BUCKETS]],
    [
      "name and prefix entries",
      byNameAndPrefix,
      BUCKETS.filter((b) => b === "phi-recordings" || b.startsWith("phi-transcripts-")),
    ],
  ])(
    "no detection only when every PHI read and management event stays recorded (%s)",
    (_n, b, phiBuckets) => {
      fc.assert(
        fc.property(selectors, (sel) => {
          const req =
            sel.kind === "advanced"
              ? { advancedEventSelectors: camel(sel.advanced) }
              : sel.kind === "classic"
                ? { eventSelectors: camel(sel.classic) }
                : {
                    eventSelectors: [
                      { readWriteType: "All", includeManagementEvents: true, dataResources: [] },
                    ],
                  };
          const r = Activity.detectManagement(putEventSelectors(req), b, DETECTORS);
          expect(r.errors).toEqual([]);
          const d = r.detections.filter((x) => x.ruleId === "tamper-audit-logging");
          const ref: RefTrail = {
            account: ACCOUNT,
            homeRegion: "us-east-1",
            multiRegion: true,
            present: true,
            logging: true,
            ...(sel.kind === "advanced" ? { advanced: sel.advanced } : {}),
            ...(sel.kind === "classic" ? { classic: sel.classic } : {}),
          };
          const mgmt = managementEventsIn("us-east-1");
          if (d.length === 0) {
            expect(
              allRecorded(
                [ref],
                phiBuckets.flatMap((x) => readsOf(x, "us-east-1")),
              ),
            ).toBe(true);
            expect(allRecorded([ref], mgmt)).toBe(true);
            return;
          }
          const weakened = d[0]!.evidence.weakened as string[];
          if (weakened.some((w) => /management events .*no longer recorded$/.test(w)))
            expect(someMissed([ref], mgmt)).toBe(true);
          const s3 = weakened.find((w) => w.startsWith("S3 read data events not recorded for "));
          for (const label of s3
            ? s3.slice("S3 read data events not recorded for ".length).split(", ")
            : []) {
            // A prefix or tag stands for buckets not created yet too: one no selector names.
            const family =
              label === "(tagged buckets)"
                ? [...BUCKETS, "fresh-bucket"]
                : label.endsWith("*")
                  ? [...BUCKETS.filter((x) => x.startsWith(label.slice(0, -1))), `${label.slice(0, -1)}fresh`]
                  : [label];
            expect(
              someMissed(
                [ref],
                family.flatMap((x) => readsOf(x, "us-east-1")),
              ),
            ).toBe(true);
          }
        }),
        params,
      );
    },
  );
});
