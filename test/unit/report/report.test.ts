import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bucketConfigurationItem,
  kmsKeyConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import {
  CONTROLS,
  type Finding,
  fromConfigurationItem,
  type HistoryEntry,
  Report,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import { testBaseline } from "../../helpers/baseline.ts";
import { activityFinding, driftFinding } from "../format/finding-fixtures.ts";

const baseline = testBaseline({
  organisation: { name: "Test <Health> & Co", timeZone: "America/New_York" },
  principals: {
    rawReaders: ["arn:aws:iam::111122223333:role/qa"],
    analytics: [],
    operators: [],
    services: [],
  },
});
const KEY = "6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11";
const inventory = [
  fromConfigurationItem(
    bucketConfigurationItem({
      name: "phi-recordings",
      capturedAt: "2026-03-03T10:00:00Z",
      sse: { algorithm: "AES256" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: false,
        blockPublicPolicy: true,
        restrictPublicBuckets: false,
      },
      versioning: "Enabled",
    }),
  ),
  fromConfigurationItem(
    bucketConfigurationItem({
      name: "phi-transcripts-2026",
      capturedAt: "2026-03-03T10:00:00Z",
      sse: { algorithm: "aws:kms", kmsKeyId: `arn:aws:kms:us-east-1:111122223333:key/${KEY}` },
      lifecycle: [{ id: "retain", status: "Enabled", expirationInDays: 2555 }],
    }),
  ),
  fromConfigurationItem(bucketConfigurationItem({ name: "not-phi", capturedAt: "2026-03-03T10:00:00Z" })),
  {
    ...fromConfigurationItem(
      kmsKeyConfigurationItem({ keyId: KEY, keyManager: "CUSTOMER", capturedAt: "2026-03-03T09:00:00Z" }),
    ),
    supplementary: { KeyRotationStatus: true, RotationPeriodInDays: 365 },
  },
];

const open = driftFinding();
const resolved: Finding = driftFinding({
  findingId: "f-00000000000000000000000a",
  ruleId: "s3-block-public-access",
  status: "RESOLVED",
  severity: "critical",
  firstSeen: "2026-03-01T00:00:00.000Z",
  statusChangedAt: "2026-03-02T06:00:00.000Z",
});
const activity = activityFinding();
const history: HistoryEntry[] = [
  {
    findingId: resolved.findingId,
    ruleId: resolved.ruleId,
    subject: resolved.subject,
    at: "2026-03-01T00:00:00.000Z",
    seq: 1,
    from: "NEW",
    to: "OPEN",
    severity: "critical",
    evidence: {},
    cause: "e1",
  },
  {
    findingId: open.findingId,
    ruleId: open.ruleId,
    subject: open.subject,
    at: "2026-03-01T12:00:00.000Z",
    seq: 1,
    from: "NEW",
    to: "OPEN",
    severity: "high",
    evidence: {},
    cause: "e2",
  },
  {
    findingId: resolved.findingId,
    ruleId: resolved.ruleId,
    subject: resolved.subject,
    at: "2026-03-02T06:00:00.000Z",
    seq: 2,
    from: "OPEN",
    to: "RESOLVED",
    severity: "critical",
    evidence: {},
    cause: "e3",
  },
  {
    findingId: activity.findingId,
    ruleId: activity.ruleId,
    subject: activity.subject,
    at: "2026-03-02T07:00:00.000Z",
    seq: 1,
    from: "NEW",
    to: "OPEN",
    severity: "high",
    evidence: {},
    cause: "e4",
  },
];
const posture: Report.PostureSnapshot = {
  at: "2026-03-03T11:00:00.000Z",
  sweepId: "s1",
  accounts: ["111122223333"],
  regions: ["us-east-1"],
  resources: 4,
  controls: {
    "s3-encryption-cmk": { compliant: 1, nonCompliant: 1, notApplicable: 1, error: 0 },
    "s3-tls-only": { compliant: 2, nonCompliant: 0, notApplicable: 1, error: 0 },
    "kms-rotation": { compliant: 0, nonCompliant: 0, notApplicable: 0, error: 1 },
  },
  open: { info: 0, low: 0, medium: 0, high: 2, critical: 0 },
  unable: [
    {
      resourceType: "AWS::KMS::Key",
      resourceId: KEY,
      operation: "kms:GetKeyRotationStatus",
      reason: "AccessDeniedException: denied",
    },
  ],
  unableTotal: 1,
  resolvedGone: 0,
  transitions: 0,
  durationMs: 10,
};
const build = (over: Partial<Report.ReportInput> = {}) =>
  Report.buildReport({
    baseline,
    controls: CONTROLS,
    findings: [open, resolved, activity],
    history,
    inventory,
    posture: [posture],
    generatedAt: "2026-03-03T12:00:00.000Z",
    ...over,
  });

describe("report model", () => {
  it("gives every control a status and never calls an unchecked control passing", () => {
    const r = build();
    const byId = Object.fromEntries(r.controls.map((c) => [c.id, c]));
    expect(r.controls).toHaveLength(CONTROLS.length);
    expect(byId["s3-encryption-cmk"]!.status).toBe("FAILING");
    expect(byId["s3-tls-only"]!.status).toBe("PASSING");
    expect(byId["kms-rotation"]!.status).toBe("UNABLE_TO_EVALUATE");
    expect(byId["s3-object-lock"]!.status).toBe("NOT_EVALUATED");
    expect(byId["s3-encryption-cmk"]!.hipaa).toEqual(["164.312(a)(2)(iv)"]);
    expect(r.controls[0]!.status).toBe("FAILING");
    expect(build({ posture: [] }).controls.find((c) => c.id === "s3-tls-only")!.status).toBe("NOT_EVALUATED");
  });

  it("computes time to resolve and the median", () => {
    const r = build();
    expect(r.resolvedFindings).toHaveLength(1);
    expect(r.resolvedFindings[0]!.timeToResolveMs).toBe(30 * 3600 * 1000);
    expect(r.summary.medianTimeToResolveMs).toBe(30 * 3600 * 1000);
    expect(Report.formatDuration(30 * 3600 * 1000)).toBe("30 h 0 min");
  });

  it("measures time to resolve from the last reopening, not from first seen", () => {
    // Opened on the 1st, fixed, regressed on the 2nd at 04:00, fixed again at 06:00: two hours.
    const h = (
      at: string,
      seq: number,
      from: HistoryEntry["from"],
      to: HistoryEntry["to"],
    ): HistoryEntry => ({
      findingId: resolved.findingId,
      ruleId: resolved.ruleId,
      subject: resolved.subject,
      at,
      seq,
      from,
      to,
      severity: "critical",
      evidence: {},
      cause: `e${seq}`,
    });
    const reopened = [
      h("2026-03-01T00:00:00.000Z", 1, "NEW", "OPEN"),
      h("2026-03-01T08:00:00.000Z", 2, "OPEN", "RESOLVED"),
      h("2026-03-02T04:00:00.000Z", 3, "RESOLVED", "OPEN"),
      h("2026-03-02T06:00:00.000Z", 4, "OPEN", "RESOLVED"),
    ];
    const r = build({ history: reopened });
    expect(r.resolvedFindings[0]!.timeToResolveMs).toBe(2 * 3600 * 1000);
  });

  it("replays drift history into open counts per control family, without activity findings", () => {
    const t = build().timeline;
    expect(t.map((s) => s.family)).toEqual(["S3 buckets"]);
    expect(t[0]!.points.map((p) => p.open)).toEqual([1, 2, 1]);
  });

  it("summarises activity detections by detector", () => {
    const a = build().activity;
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ detectorId: "access-volume-spike", findings: 1, open: 1 });
  });

  it("inventories PHI buckets with key, rotation, retention and raw readers; names missing ones", () => {
    const inv = build().inventory;
    const names = inv.buckets.map((b) => b.name);
    expect(names).toEqual(["phi-recordings", "phi-transcripts-2026"]);
    const rec = inv.buckets[0]!;
    expect(rec.encryption).toBe("AES256");
    expect(rec.publicAccessBlock).toBe("off: ignorePublicAcls, restrictPublicBuckets");
    expect(rec.retention).toBe("no expiration rule");
    expect(rec.rawReaders.declared).toContain("arn:aws:iam::111122223333:role/qa");
    const tr = inv.buckets[1]!;
    expect(tr.keyManager).toBe("CUSTOMER");
    expect(tr.keyRotation).toBe("on, every 365 days");
    expect(tr.retention).toBe("expires after 2555 days");
    expect(inv.keys.map((k) => k.keyId)).toEqual([KEY]);
    const b2 = testBaseline({ phiBuckets: [{ name: "phi-missing", holds: ["recordings"] }] });
    expect(build({ baseline: b2 }).inventory.buckets).toMatchObject([
      { name: "phi-missing", observed: false },
    ]);
  });

  it("says a key KMS cannot rotate automatically rotates by hand only, whatever the rotation status says", () => {
    const external = inventory.map((s) =>
      s.resourceType === "AWS::KMS::Key"
        ? { ...s, configuration: { ...s.configuration, origin: "EXTERNAL" }, supplementary: {} }
        : s,
    );
    expect(build({ inventory: external }).inventory.buckets[1]!.keyRotation).toBe(
      "manual only (origin EXTERNAL)",
    );
  });

  it("inventories Connect storage per data type, with the types Connect refused as not applying", () => {
    const instance: ResourceSnapshot = {
      resourceType: "AWS::Connect::Instance",
      resourceId: "inst-1",
      accountId: "111122223333",
      region: "us-east-1",
      capturedAt: "2026-03-03T10:00:00Z",
      state: "present",
      configuration: { Id: "inst-1", InstanceAlias: "northwind" },
      supplementary: {
        StorageConfigs: { CALL_RECORDINGS: [], ATTACHMENTS: [] },
        StorageConfigsRefused: { EMAIL_MESSAGES: "InvalidRequestException", CALL_RECORDINGS: "Throttling" },
      },
      tags: {},
      source: "api",
    };
    const [c] = build({ inventory: [...inventory, instance] }).inventory.connect;
    expect(c!.storage).toEqual([
      { type: "CALL_RECORDINGS", target: "not configured", encryption: "—" },
      { type: "ATTACHMENTS", target: "not configured", encryption: "—" },
      { type: "EMAIL_MESSAGES", target: "refused by Connect: InvalidRequestException", encryption: "—" },
    ]);
  });
});

describe("report rendering", () => {
  it("renders self-contained HTML: no script, no external asset, print CSS", () => {
    const html = Report.renderHtml(build());
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import/i);
    expect(new Set(html.match(/https?:\/\/[^\s"'<]*/g) ?? [])).toEqual(
      new Set(["http://www.w3.org/2000/svg"]),
    );
    expect(html).toContain("@media print");
    expect(html).toContain("Content-Security-Policy");
    expect(html).toContain("45 CFR 164.312(a)(2)(iv)");
    expect(html).toContain("<svg");
    expect(html).toContain("Test &lt;Health&gt; &amp; Co");
  });

  it("escapes every stored string (a hostile resource id cannot inject markup)", () => {
    const evil = driftFinding({
      findingId: "f-0000000000000000000000ee",
      subject: {
        accountId: "111122223333",
        region: "us-east-1",
        resourceType: "AWS::S3::Bucket",
        resourceId: '<img src=x onerror="alert(1)">',
      },
      summary: "</pre><script>alert(2)</script>",
      evidence: { v: "<b>x</b>" },
    });
    const html = Report.renderHtml(build({ findings: [evil] }));
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    const md = Report.renderMarkdown(build({ findings: [evil] }));
    expect(md).not.toContain("<script>");
  });

  it("shows no PHI-shaped text of a finding (HTML, Markdown and JSON), as SIEM payloads do not", () => {
    // A role named after a patient (what no-phi-in-metadata flags), an Identity Center session whose
    // name is an e-mail, a suppression reason and evidence carrying PHI-shaped values.
    const named = driftFinding({
      findingId: "f-00000000000000000000phi1",
      ruleId: "no-phi-in-metadata",
      subject: { ...driftFinding().subject, resourceType: "AWS::IAM::Role", resourceId: "jdoe123-45-6789" },
      summary: "PHI patterns in resourceName",
      evidence: { hits: [{ field: "resourceName", patterns: ["ssn-value"] }], note: "DOB 01/02/1980" },
    });
    const suppressed = driftFinding({
      findingId: "f-00000000000000000000phi2",
      status: "SUPPRESSED",
      suppression: { reason: "call (555) 123-4567", until: "2026-04-01T00:00:00.000Z", by: "local:ops" },
    });
    const reader = activityFinding({
      subject: {
        ...activityFinding().subject,
        principal: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_QA_0123/jane.doe@example.org",
      },
    });
    const r = build({ findings: [named, suppressed, reader] });
    for (const text of [Report.renderHtml(r), Report.renderMarkdown(r), JSON.stringify(r)])
      for (const needle of ["123-45-6789", "01/02/1980", "123-4567", "jane.doe@example.org"])
        expect(text).not.toContain(needle);
  });

  it("renders Markdown with the same sections and escaped table cells", () => {
    const md = Report.renderMarkdown(build({ findings: [driftFinding({ summary: "a | b" })] }));
    for (const h of [
      "## Controls",
      "## Open findings (1)",
      "## Resolved findings",
      "## Drift timeline",
      "## Activity detections",
      "### PHI buckets",
    ])
      expect(md).toContain(h);
    expect(md).toContain("a \\| b");
  });

  it("gives Markdown readers the facts the HTML report shows: sweep counts, versioning, replication, logging, account Block Public Access", () => {
    const apab = fromConfigurationItem({
      version: "1.3",
      accountId: "111122223333",
      configurationItemCaptureTime: "2026-03-03T10:00:00.000Z",
      configurationItemStatus: "OK",
      configurationStateId: "1",
      resourceType: "AWS::S3::AccountPublicAccessBlock",
      resourceId: "111122223333",
      awsRegion: "us-east-1",
      configuration: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
      supplementaryConfiguration: {},
    });
    const r = build({ inventory: [...inventory, apab] });
    const md = Report.renderMarkdown(r);
    const html = Report.renderHtml(r);
    // The sweep's evaluation counts behind a PASSING status (pass / fail / n.a. / error).
    expect(html).toContain("2 / 0 / 1 / 0");
    expect(md).toMatch(/\| s3-tls-only \|.*\| PASSING \| 0 \| 2 \/ 0 \/ 1 \/ 0 \|/);
    // Per PHI bucket: versioning, replication and server access logging, as in the HTML.
    const row = md.split("\n").find((l) => l.startsWith("| phi-recordings |"))!;
    expect(html).toContain("Server access logging");
    expect(md).toContain("| Versioning |");
    expect(md).toContain("| Replication |");
    expect(md).toContain("| Access logging |");
    expect(row).toContain("| Enabled |");
    // Account-level Block Public Access.
    expect(md).toContain("### Account-level Block Public Access");
    expect(md).toContain("| 111122223333 | all four on |");
  });

  it("names the account of an unable-to-evaluate entry in a multi-account sweep (HTML and Markdown)", () => {
    const role = "arn:aws:iam::444455556666:role/phiwatch-member-read";
    const multi: Report.PostureSnapshot = {
      ...posture,
      accounts: ["111122223333", "444455556666"],
      unable: [
        {
          accountId: "444455556666",
          resourceType: "AWS::IAM::Role",
          resourceId: role,
          operation: "sts:AssumeRole",
          reason: "AccessDenied: not authorized",
        },
      ],
    };
    const r = build({ posture: [multi] });
    expect(r.unable).toEqual(multi.unable);
    expect(Report.renderMarkdown(r)).toContain(`| sts:AssumeRole | 444455556666 AWS::IAM::Role ${role} |`);
    expect(Report.renderHtml(r)).toContain(`444455556666 AWS::IAM::Role ${role}`);
  });

  it("escapeHtml leaves no markup-significant character (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(Report.escapeHtml(s)).not.toMatch(/[<>"']/);
      }),
    );
  });

  it("draws a timeline SVG whose points stay inside the box", () => {
    const [series] = build().timeline;
    const svg = Report.timelineSvg(series!, "2026-03-03T12:00:00.000Z", 640, 110);
    const coords = [...svg.matchAll(/cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(coords.length).toBe(3);
    for (const [x, y] of coords) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(640);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(110);
    }
  });
});
