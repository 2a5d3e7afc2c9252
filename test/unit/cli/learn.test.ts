// `phiwatch learn` reads CloudTrail log files as users have them: delivered `.json.gz`, but often
// downloaded, renamed or decompressed on the way. A file is recognised by its content, and a file
// too large to be a log file is an input error before it is read into memory.
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { learnFiles, logFiles } from "../../../packages/cli/src/commands/learn.ts";
import { Activity, InputTooLargeError, parseBaseline } from "../../../packages/core/src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-learn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = gzipSync(JSON.stringify({ Records: [] }));
const write = (name: string, body: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};
const deps = () => ({
  store: new Activity.MemoryAccessStore(),
  baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml"),
  hashKey: Activity.objectKeyHasher("learn-test-secret-0123456789"),
});

describe("learn: log files", () => {
  it("takes a file named on the command line whatever its name (a renamed download)", () => {
    const files = [write("trail-2026-03-01.log", log), write("trail-2026-03-02", log)];
    expect(logFiles(files)).toEqual(files);
  });

  it("in a directory, takes .json and .json.gz files and gzipped files under any name, by content", () => {
    const sub = join(dir, "walk");
    mkdirSync(sub);
    writeFileSync(join(sub, "a.json.gz"), log);
    writeFileSync(join(sub, "b.json"), JSON.stringify({ Records: [] }));
    writeFileSync(join(sub, "c.gz"), log);
    writeFileSync(join(sub, "d"), log);
    writeFileSync(join(sub, "README.txt"), "downloaded from s3://trail/AWSLogs/");
    writeFileSync(join(sub, "e.gz"), "");
    expect(logFiles([sub]).map((f) => f.slice(sub.length + 1))).toEqual(["a.json.gz", "b.json", "c.gz", "d"]);
  });

  it("learns from a renamed gzipped log file", async () => {
    const s = await learnFiles([write("renamed.log", log)], deps());
    expect(s).toMatchObject({ files: 1, records: 0 });
  });

  it("refuses a file larger than the log-file limit as an input error, without reading it", async () => {
    // Sparse: 3 GiB on paper, nothing on disk. Reading it whole would fail past 2 GiB with a RangeError.
    const file = join(dir, "huge.json");
    const fd = openSync(file, "w");
    ftruncateSync(fd, 3 * 1024 ** 3);
    closeSync(fd);
    await expect(learnFiles([file], deps())).rejects.toBeInstanceOf(InputTooLargeError);
  });
});

describe("learn: a CloudTrail bucket as downloaded (AWSLogs/…)", () => {
  // `aws s3 sync s3://trail/AWSLogs .` brings the hourly digest files (gzipped JSON, not log files) and,
  // in a bucket Config also delivers to, Config snapshots: they are skipped and counted, not fatal.
  const fixture = (f: string) => readFileSync(`test/fixtures/${f}`);
  const root = join(dir, "download");
  const put = (path: string, body: Buffer) => {
    const file = join(root, path);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, body);
    return file;
  };
  put(
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/111122223333_CloudTrail_us-east-1_20260301T1000Z_q8Rk2VbX0mT4aLsE.json.gz",
    gzipSync(fixture("activity/awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json")),
  );
  put(
    "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/111122223333_CloudTrail-Digest_us-east-1_phiwatch-trail_us-east-1_20260301T101207Z.json.gz",
    gzipSync(fixture("activity/awsdocs-schema__cloudtrail_digest.json")),
  );
  put(
    "AWSLogs/111122223333/Config/us-east-1/2026/3/1/ConfigSnapshot/111122223333_Config_us-east-1_ConfigSnapshot_20260301T101207Z_0b6c.json.gz",
    gzipSync(fixture("config/awsdocs__configuration_snapshot_file.json")),
  );
  put(
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02/111122223333_CloudTrail_us-east-1_20260302T1000Z_a1b2c3d4e5f6g7h8.json.gz",
    gzipSync(fixture("activity/awsdocs_s3__logfile_ListBuckets_PutBucketAcl_GetBucketVersioning.json")),
  );

  it("skips digest files and other non-log JSON with a count, and learns from every log file", async () => {
    const s = await learnFiles(logFiles([root]), deps());
    expect(s).toMatchObject({ files: 2, records: 6, skipped: 2, unreadable: [] });
  });

  it("counts a corrupt log file as unreadable, names it, and still learns from the others", async () => {
    const corrupt = put(
      "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/03/truncated.json.gz",
      log.subarray(0, 12),
    );
    try {
      const s = await learnFiles(logFiles([root]), deps());
      expect(s).toMatchObject({ files: 2, records: 6, skipped: 2, unreadable: [corrupt] });
    } finally {
      rmSync(corrupt);
    }
  });
});
