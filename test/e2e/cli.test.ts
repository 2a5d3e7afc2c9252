import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bucketConfigurationItem } from "../../packages/cli/src/demo/config-events.ts";
import { phiwatch, phiwatchWith } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-cli-"));
const item = (name: string, algorithm: "AES256" | "aws:kms") =>
  bucketConfigurationItem({
    name,
    capturedAt: "2026-03-03T10:00:00.000Z",
    sse: { algorithm, kmsKeyId: algorithm === "aws:kms" ? "alias/aws/s3" : null },
    publicAccessBlock: {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    },
  });

describe("phiwatch evaluate (CI pipelines on IaC-produced configurations)", () => {
  it("prints one JSON object per evaluation with the stable fields", () => {
    const file = join(dir, "recordings.json");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const r = phiwatch("evaluate", file, "--baseline", "examples/baseline.yaml", "--json");
    expect(r.code).toBe(0);
    const rows = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const cmk = rows.find((e) => e.controlId === "s3-encryption-cmk");
    expect(Object.keys(cmk).sort()).toEqual([
      "controlId",
      "evidence",
      "resourceId",
      "resourceType",
      "severity",
      "status",
      "summary",
    ]);
    expect(cmk).toMatchObject({
      resourceType: "AWS::S3::Bucket",
      resourceId: "northwind-connect-recordings",
      status: "NON_COMPLIANT",
      severity: "high",
    });
  });

  it("exits 1 with --fail-on high when a high control fails, 0 when nothing reaches it, 2 on bad input", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    expect(phiwatch("evaluate", bad, "--baseline", "examples/baseline.yaml", "--fail-on", "high").code).toBe(
      1,
    );
    const other = join(dir, "other.json");
    writeFileSync(other, JSON.stringify(item("marketing-site-assets", "AES256")));
    expect(
      phiwatch("evaluate", other, "--baseline", "examples/baseline.yaml", "--fail-on", "high").code,
    ).toBe(0);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    const r = phiwatch("evaluate", broken, "--baseline", "examples/baseline.yaml");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid JSON/);
  });

  it("does not fail --fail-on on what the baseline suppresses (until it expires), and says it is suppressed", () => {
    const bad = join(dir, "suppressed.json");
    writeFileSync(bad, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const withSuppression = (until: string) => {
      const file = join(mkdtempSync(join(tmpdir(), "phiwatch-cli-suppress-")), "baseline.yaml");
      const text = readFileSync("examples/baseline.yaml", "utf8");
      const replaced = text.replace(
        "suppressions: []",
        `suppressions:\n  - rule: s3-*\n    resource: northwind-connect-*\n    reason: migrating to the CMK, ticket SEC-123\n    until: "${until}"\n`,
      );
      expect(replaced).not.toBe(text);
      writeFileSync(file, replaced);
      return file;
    };
    const active = phiwatch(
      "evaluate",
      bad,
      "--baseline",
      withSuppression("2099-12-31"),
      "--json",
      "--fail-on",
      "high",
    );
    expect(active.err).toBe("");
    expect(active.code).toBe(0);
    const cmk = active.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((e) => e.controlId === "s3-encryption-cmk");
    expect(cmk).toMatchObject({
      status: "NON_COMPLIANT",
      suppressed: {
        reason: "migrating to the CMK, ticket SEC-123",
        until: expect.stringMatching(/^2100-01-01T/),
      },
    });
    // The table says so too.
    const table = phiwatch("evaluate", bad, "--baseline", withSuppression("2099-12-31"));
    expect(table.out).toMatch(/NON_COMPLIANT \(suppressed\)\s+HIGH\s+s3-encryption-cmk/);
    // An expired suppression suppresses nothing.
    const expired = phiwatch(
      "evaluate",
      bad,
      "--baseline",
      withSuppression("2020-01-01"),
      "--json",
      "--fail-on",
      "high",
    );
    expect(expired.code).toBe(1);
    expect(expired.out).not.toMatch(/"suppressed"/);
  });

  it("exits 2 (not 1, which means findings) when an input path or the baseline cannot be read", () => {
    const missing = phiwatch(
      "evaluate",
      join(dir, "no-such-file.json"),
      "--baseline",
      "examples/baseline.yaml",
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no-such-file\.json/);
    expect(missing.err).not.toMatch(/at statSync/);
    const file = join(dir, "ok.json");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const baselineDir = phiwatch("evaluate", file, "--baseline", dir);
    expect(baselineDir.code).toBe(2);
    expect(baselineDir.err).not.toMatch(/EISDIR/);
  });

  it("reads a file named on the command line whatever its extension, and refuses to evaluate nothing", () => {
    // A CI pipeline that passes `bucket.ci` must not get exit 0 with no evaluation at all.
    const file = join(dir, "recordings.ci");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const r = phiwatch(
      "evaluate",
      file,
      "--baseline",
      "examples/baseline.yaml",
      "--json",
      "--fail-on",
      "high",
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/"controlId":"s3-encryption-cmk"/);
    const empty = mkdtempSync(join(tmpdir(), "phiwatch-cli-empty-"));
    const none = phiwatch("evaluate", empty, "--baseline", "examples/baseline.yaml", "--fail-on", "high");
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no \.json, \.jsonl, \.json\.gz or \.jsonl\.gz files/);
  });

  it("evaluates a published real configuration item (rdk sample, API shape)", () => {
    const r = phiwatch(
      "evaluate",
      "test/fixtures/config/rdk__AWS_S3_Bucket.json",
      "--baseline",
      "examples/baseline.yaml",
      "--json",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/"resourceId":"mborch-test-bucket-config-item"/);
  });
});

describe("phiwatch evaluate on Config history and snapshot files (as Config delivers them to S3)", () => {
  const real = (f: string) => JSON.parse(readFileSync(`test/fixtures/config/${f}`, "utf8"));
  // The documented envelope (fileVersion, configSnapshotId, configurationItems) around real items.
  const snapshot = (items: unknown[]) =>
    JSON.stringify({
      fileVersion: "1.0",
      configSnapshotId: "16da64e4-cb65-4846-b061-e6c3ba43cb96",
      configurationItems: items,
    });

  it("evaluates every item of a gzipped ConfigSnapshot file", () => {
    const file = join(
      dir,
      "123456789012_Config_us-east-1_ConfigSnapshot_20260303T100000Z_16da64e4-cb65-4846-b061-e6c3ba43cb96.json.gz",
    );
    writeFileSync(
      file,
      gzipSync(
        snapshot([
          real("rdk__AWS_S3_Bucket.json"),
          real("victoraldir__invokingEvent_S3Bucket_PAB_SSE.json").configurationItem,
        ]),
      ),
    );
    const r = phiwatch("evaluate", file, "--baseline", "examples/baseline.yaml", "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const ids = new Set(
      r.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).resourceId),
    );
    expect([...ids].sort()).toEqual(["mborch-test-bucket-config-item", "testbucketbla123"]);
  });

  it("skips items of types no control watches, as the deployed handler does, and says so", () => {
    const efs = real("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json").detail.configurationItem;
    const file = join(dir, "mixed-types-snapshot.json");
    writeFileSync(file, snapshot([real("rdk__AWS_S3_Bucket.json"), efs]));
    const r = phiwatch("evaluate", file, "--baseline", "examples/baseline.yaml", "--json");
    expect(r.code).toBe(0);
    const types = new Set(
      r.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).resourceType),
    );
    expect([...types]).toEqual(["AWS::S3::Bucket"]);
    expect(r.err).toMatch(/skipped 1 item of AWS::EFS::FileSystem: no control watches this type/);
    // Only unwatched items: nothing was evaluated, which must not pass --fail-on.
    const only = join(dir, "efs-only.json");
    writeFileSync(only, snapshot([efs]));
    const none = phiwatch("evaluate", only, "--baseline", "examples/baseline.yaml", "--fail-on", "high");
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no configuration items of a type phiwatch watches/);
  });

  it("names the item and field of a bad item in the AWS docs' history file, and exits 2", () => {
    const r = phiwatch(
      "evaluate",
      "test/fixtures/config/awsdocs__configuration_history_file.json",
      "--baseline",
      "examples/baseline.yaml",
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /history_file\.json \(configurationItems\.2\): event\.accountId: 12-digit account id/,
    );
    expect(r.err).not.toMatch(/not an EventBridge event/);
  });

  it("exits 2 with the reason, not 1 with a stack trace, on a corrupt .json.gz", () => {
    const gz = gzipSync(snapshot([real("rdk__AWS_S3_Bucket.json")]));
    const file = join(dir, "cut.json.gz");
    writeFileSync(file, gz.subarray(0, gz.length - 20));
    const r = phiwatch("evaluate", file, "--baseline", "examples/baseline.yaml", "--fail-on", "high");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cut\.json\.gz: \(file\): not valid gzip/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("refuses to pass having evaluated no configuration item (an empty snapshot file)", () => {
    const file = join(dir, "empty-snapshot.json");
    writeFileSync(file, snapshot([]));
    const r = phiwatch("evaluate", file, "--baseline", "examples/baseline.yaml", "--fail-on", "high");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no configuration items in the given files/);
  });
});

describe("phiwatch replay says why inputs were dead-lettered", () => {
  it("replays a Config history file and counts dead letters by reason, without quoting the input", () => {
    const store = mkdtempSync(join(tmpdir(), "phiwatch-cli-replay-"));
    const inputs = mkdtempSync(join(tmpdir(), "phiwatch-cli-replay-in-"));
    // Real AWS docs history file: three items whose 11-digit account id the config-change handler refuses.
    writeFileSync(
      join(inputs, "a-history.json"),
      readFileSync("test/fixtures/config/awsdocs__configuration_history_file.json"),
    );
    writeFileSync(join(inputs, "b-broken.json"), "{ not json");
    // A notification type quoting a caller-supplied string: the reason must not echo it.
    writeFileSync(
      join(inputs, "c-odd.json"),
      JSON.stringify({ messageType: "recording jane.doe-1970-01-01.wav", configurationItem: {} }),
    );
    const r = phiwatch("replay", inputs, "--dir", store, "--baseline", "examples/baseline.yaml", "--quiet");
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/replayed 3 file\(s\): 4 event\(s\).* 5 dead-lettered/);
    expect(r.out).toContain(
      `dead letters by reason (messages and payloads in ${join(store, "dead-letter")}):`,
    );
    expect(r.out).toMatch(/^ {2}3 {2}InvalidEventError at event\.accountId$/m);
    expect(r.out).toMatch(/^ {2}1 {2}InvalidEventError at \(file\)$/m);
    expect(r.out).toMatch(/^ {2}1 {2}UnsupportedEventError at event\.messageType$/m);
    expect(r.out).not.toMatch(/jane|12-digit/);
  });
});

describe("phiwatch replay of a CloudTrail bucket download", () => {
  it("skips the digest files with a count: not dead-lettered, exit 0", () => {
    const store = mkdtempSync(join(tmpdir(), "phiwatch-cli-replay-"));
    const root = mkdtempSync(join(tmpdir(), "phiwatch-cli-replay-trail-"));
    const put = (path: string, body: Buffer) => {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), gzipSync(body));
    };
    put(
      "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/111122223333_CloudTrail_us-east-1_20260301T1000Z_q8Rk2VbX0mT4aLsE.json.gz",
      readFileSync(
        "test/fixtures/activity/awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json",
      ),
    );
    put(
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/111122223333_CloudTrail-Digest_us-east-1_phiwatch-trail_us-east-1_20260301T101207Z.json.gz",
      readFileSync("test/fixtures/activity/awsdocs-schema__cloudtrail_digest.json"),
    );
    const r = phiwatch("replay", root, "--dir", store, "--baseline", "examples/baseline.yaml", "--quiet");
    expect(r.out).toMatch(
      /replayed 2 file\(s\): 0 event\(s\), 1 CloudTrail log file\(s\); 1 skipped \(CloudTrail digest file\);.* 0 dead-lettered/,
    );
    expect(r.code).toBe(0);
  });
});

describe("phiwatch suppress --until DATE", () => {
  it("suppresses through the end of that day in the organisation's time zone, as the API and baseline do", () => {
    const store = mkdtempSync(join(tmpdir(), "phiwatch-cli-suppress-"));
    const file = join(store, "recordings.json");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const baseline = ["--baseline", "examples/baseline.yaml", "--dir", store]; // America/New_York
    expect(phiwatch("replay", file, ...baseline, "--quiet").code).toBe(0);
    const findings = phiwatch("findings", "--rule", "s3-encryption-cmk", "--json", "--dir", store);
    const id = JSON.parse(findings.out.trim().split("\n")[0]!).findingId as string;
    // The next 15 January (New York is on EST, UTC-5, then): within the one-year limit.
    const now = new Date();
    const year =
      now < new Date(Date.UTC(now.getUTCFullYear(), 0, 15)) ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
    const r = phiwatch(
      "suppress",
      id,
      "--reason",
      "CMK migration CHG-1234",
      "--until",
      `${year}-01-15`,
      ...baseline,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `SUPPRESSED until ${year}-01-16T05:00:00.000Z (end of ${year}-01-15, America/New_York)`,
    );
    // A refused date names the option the person typed, not the API's body field.
    const bad = phiwatch(
      "suppress",
      id,
      "--reason",
      "accepted CHG-1234",
      "--until",
      "next tuesday",
      ...baseline,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/phiwatch suppress: .*--until/);
    expect(bad.err).not.toContain("body.");
  });
});

describe("phiwatch baseline check", () => {
  it("explains a valid baseline and names file, line and field of an invalid one", () => {
    expect(phiwatch("baseline", "check", "examples/baseline.yaml").out).toMatch(
      /valid examples\/baseline\.yaml — Northwind Health/,
    );
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      'version: 1\norganisation: { name: X, timeZone: Mars/Olympus }\naccounts: ["12"]\nallowedRegions: [us-east-1]\nphiBuckets: [{ name: b1 }]\n',
    );
    const r = phiwatch("baseline", "check", bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:2\s+organisation\.timeZone: an IANA time zone/);
    expect(r.err).toMatch(/bad\.yaml:3\s+accounts\.0: a 12-digit AWS account id/);
  });

  it("says which suppressions have expired (still valid: an expired entry suppresses nothing)", () => {
    const file = join(dir, "expired.yaml");
    writeFileSync(
      file,
      readFileSync("examples/baseline.yaml", "utf8").replace(
        "suppressions: []",
        [
          "suppressions:",
          "  - { rule: s3-acls-disabled, resource: legacy-exports, reason: vendor export job, until: 2020-01-31 }",
          '  - { rule: s3-*, resource: northwind-ctr-*, reason: migration, until: "2099-12-31" }',
        ].join("\n"),
      ),
    );
    const r = phiwatch("baseline", "check", file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/suppressions\s+2 \(1 expired\)/);
    expect(r.out).toMatch(
      /expired\s+s3-acls-disabled on legacy-exports \(until 2020-01-31\): suppresses nothing/,
    );
    expect(r.out).not.toMatch(/s3-\* on northwind-ctr-\*.*suppresses nothing/);
  });
});

describe("phiwatch evaluate refuses what it cannot evaluate", () => {
  it("exits 2, not 0, when given only CloudTrail log files (they are for replay and learn)", () => {
    // A CI job pointed at the wrong directory must not pass having evaluated nothing.
    const log = join(dir, "111122223333_CloudTrail_us-east-1_20260303T0200Z_abc.json.gz");
    const record = {
      eventVersion: "1.09",
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      eventTime: "2026-03-03T07:00:00Z",
      awsRegion: "us-east-1",
    };
    writeFileSync(log, gzipSync(JSON.stringify({ Records: [record] })));
    const r = phiwatch("evaluate", log, "--baseline", "examples/baseline.yaml", "--fail-on", "low");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/CloudTrail log file.*phiwatch replay/);
  });
});

describe("phiwatch findings --rule", () => {
  it("refuses a rule id that is no control or detector (a typo must not read as 'no findings')", () => {
    const empty = mkdtempSync(join(tmpdir(), "phiwatch-cli-store-"));
    const r = phiwatch("findings", "--rule", "s3-tls-onyl", "--fail-on", "high", "--dir", empty);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--rule: "s3-tls-onyl" is no control or detector id/);
    // A real id gets past the check (and then needs a store).
    const ok = phiwatch("findings", "--rule", "access-off-hours", "--dir", empty);
    expect(ok.code).toBe(2);
    expect(ok.err).toMatch(/no local store/);
  });
});

describe("phiwatch findings --limit", () => {
  it("prints at most N findings, the most severe, says so, and refuses a limit that is not a positive integer", () => {
    const store = mkdtempSync(join(tmpdir(), "phiwatch-cli-limit-"));
    const file = join(store, "recordings.json");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    expect(
      phiwatch("replay", file, "--baseline", "examples/baseline.yaml", "--dir", store, "--quiet").code,
    ).toBe(0);
    const all = phiwatch("findings", "--json", "--dir", store);
    const total = all.out.trim().split("\n").length;
    expect(total).toBeGreaterThan(2);
    const r = phiwatch("findings", "--json", "--limit", "2", "--dir", store);
    expect(r.code).toBe(0);
    const shown = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(shown).toHaveLength(2);
    expect(shown.map((f) => f.severity)).toEqual(["high", "high"]);
    expect(r.err).toContain(`showing the 2 most severe of ${total} findings (--limit)`);
    for (const bad of ["abc", "0", "2.5", "1e3"]) {
      const b = phiwatch("findings", "--limit", bad, "--dir", store);
      expect(b.code, bad).toBe(2);
      expect(b.err).toMatch(/--limit must be a positive integer/);
    }
  });
});

describe("phiwatch <command> --help", () => {
  it("prints the command's usage and exits 0", () => {
    for (const command of ["findings", "evaluate", "scan", "report", "suppress"]) {
      const r = phiwatch(command, "--help");
      expect(r.code, command).toBe(0);
      expect(r.out, command).toMatch(new RegExp(`phiwatch ${command} `));
      expect(r.err, command).toBe("");
    }
    const r = phiwatch("baseline", "check", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/phiwatch baseline check <file>/);
  });
});

describe("phiwatch forward redrive --target", () => {
  it("refuses a target the baseline does not name (exit 2, naming the known ones) before touching a queue", () => {
    const baseline = join(dir, "with-webhooks.yaml");
    writeFileSync(
      baseline,
      `${readFileSync("examples/baseline.yaml", "utf8")}\nwebhooks:\n  - { name: splunk, url: "https://siem.example.com/hec", format: hec, secret: { env: HEC_SECRET } }\n`,
    );
    for (const where of [[], ["--from", "https://sqs.invalid/dlq", "--to", "https://sqs.invalid/q"]]) {
      const r = phiwatch(
        "forward",
        "redrive",
        "--target",
        "nosuch",
        "--baseline",
        baseline,
        "--dir",
        dir,
        ...where,
      );
      expect(r.code, where.join(" ")).toBe(2);
      expect(r.err).toMatch(
        /--target: "nosuch" is not a webhook target of .*with-webhooks\.yaml \(targets: splunk\)/,
      );
      expect(r.out).not.toMatch(/redriven|moved/);
    }
    const none = phiwatch(
      "forward",
      "redrive",
      "--target",
      "splunk",
      "--baseline",
      "examples/baseline.yaml",
      "--dir",
      dir,
    );
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/\(targets: none\)/);
  });
});

describe("phiwatch scan without usable AWS credentials", () => {
  it("exits 2 with the reason, not 1 (findings) with a stack trace", () => {
    const home = mkdtempSync(join(tmpdir(), "phiwatch-cli-aws-"));
    const r = phiwatchWith(
      {
        AWS_CONFIG_FILE: join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      },
      "scan",
      "--profile",
      "no-such-profile",
      "--baseline",
      "examples/baseline.yaml",
      "--fail-on",
      "high",
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/phiwatch scan: cannot use the AWS credentials.*no-such-profile/s);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("phiwatch output into a pipe that closes early (| head)", () => {
  it("stops quietly and still exits with the --fail-on verdict", () => {
    // Far more output than a pipe buffer holds: head closes the pipe while phiwatch is still writing.
    const many = join(dir, "many.jsonl");
    const line = JSON.stringify(item("northwind-connect-recordings", "AES256"));
    writeFileSync(many, `${Array.from({ length: 1500 }, () => line).join("\n")}\n`);
    const r = spawnSync(
      "bash",
      [
        "-c",
        `node packages/cli/bin/phiwatch.js evaluate ${many} --baseline examples/baseline.yaml --json --fail-on high | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`,
      ],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 },
    );
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r.stdout.trim()).toBe("exit=1");
  });
});

describe("the example baseline is never silently someone's baseline", () => {
  it("refuses to scan a live account, or to work on a deployed table or queues, without --baseline", () => {
    for (const args of [
      ["scan", "--fail-on", "high"],
      ["report", "--store", "table:phiwatch-prod-findings", "--out", "/dev/null"],
      ["suppress", "f-0123", "--reason", "accepted", "--until", "2099-01-01", "--store", "table:x"],
      ["forward", "redrive", "--from", "https://sqs.example/a", "--to", "https://sqs.example/b"],
    ]) {
      const r = phiwatch(...args);
      expect([args[0], r.code]).toEqual([args[0], 2]);
      expect(r.err).toMatch(/needs your baseline: pass --baseline FILE/);
    }
  });

  it("lifts a suppression on a deployed table without a baseline, which it does not read (docs/operations.md)", () => {
    // No AWS here: an endpoint that refuses connections. Reaching it proves the command went on to the
    // table instead of refusing for want of a baseline, as `close` does.
    const offline = {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
      AWS_SECRET_ACCESS_KEY: "example-secret",
      AWS_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
    };
    for (const args of [
      ["suppress", "f-0123", "--lift", "--reason", "migration done", "--store", "table:x"],
      ["close", "f-0123", "--reason", "approved export", "--store", "table:x"],
    ]) {
      const r = phiwatchWith(offline, ...args);
      expect([args[0], r.code]).toEqual([args[0], 2]);
      expect(r.err).not.toMatch(/needs your baseline/);
      expect(r.err).toMatch(/AWS: .*127\.0\.0\.1:9/);
    }
  });

  it("says on stderr when a local command falls back to the demo's example baseline", () => {
    const dir = mkdtempSync(join(tmpdir(), "phiwatch-cli-fallback-"));
    const file = join(dir, "ok.json");
    writeFileSync(file, JSON.stringify(item("northwind-connect-recordings", "AES256")));
    const r = phiwatch("evaluate", file, "--json");
    expect(r.err).toMatch(/using the demo's example baseline \(examples\/baseline\.yaml\)/);
  });
});
