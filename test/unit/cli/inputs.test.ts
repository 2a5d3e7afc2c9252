// What `phiwatch evaluate` and `phiwatch replay` read from a file. Compliance teams mostly have the
// configuration history and snapshot files Config delivers to S3 (`{"configurationItems":[…]}`,
// gzipped): those must be read item by item, and a broken or oversized file must be an input error
// naming the file, never a crash with a stack trace.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type InputItem,
  listInputFiles,
  MAX_INPUT_BYTES,
  readInputFile,
} from "../../../packages/cli/src/inputs.ts";
import { readConfigChange } from "../../../packages/core/src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "phiwatch-inputs-"));
const fixture = (f: string) => JSON.parse(readFileSync(`test/fixtures/config/${f}`, "utf8"));
const write = (name: string, body: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};
const kinds = (items: InputItem[]) => items.map((i) => i.kind);

/** A snapshot file as Config writes it to S3: the documented envelope around real configuration items. */
function snapshotFile(items: unknown[]) {
  return {
    fileVersion: "1.0",
    configSnapshotId: "16da64e4-cb65-4846-b061-e6c3ba43cb96",
    configurationItems: items,
  };
}

describe("readInputFile: Config configuration history and snapshot files", () => {
  it.each(["awsdocs__configuration_history_file.json", "awsdocs__configuration_snapshot_file.json"])(
    "reads every item of the AWS docs' %s as a configuration item, naming its index",
    (f) => {
      const doc = fixture(f);
      const items = readInputFile(`test/fixtures/config/${f}`);
      expect(kinds(items)).toEqual(doc.configurationItems.map(() => "config"));
      expect(items.map((i) => i.source)).toEqual(
        doc.configurationItems.map(
          (_: unknown, n: number) => `test/fixtures/config/${f} (configurationItems.${n})`,
        ),
      );
      // The docs' placeholders (11-digit account id) are refused by the normaliser, item by item.
      const first = items[0] as Extract<InputItem, { kind: "config" }>;
      expect(() => readConfigChange(first.event)).toThrow(/accountId: 12-digit account id/);
    },
  );

  it("reads a gzipped snapshot file named as Config names it, items in the event or the API shape", () => {
    const s3 = fixture("rdk__AWS_S3_Bucket.json"); // event shape (awsAccountId, ARN)
    const key = fixture("rdk__AWS_KMS_Key.json"); // API shape (accountId, arn)
    const file = write(
      "123456789012_Config_us-east-1_ConfigSnapshot_20260303T100000Z_16da64e4-cb65-4846-b061-e6c3ba43cb96.json.gz",
      gzipSync(JSON.stringify(snapshotFile([s3, key]))),
    );
    const items = readInputFile(file);
    expect(kinds(items)).toEqual(["config", "config"]);
    const snaps = items.map((i) => readConfigChange((i as Extract<InputItem, { kind: "config" }>).event));
    expect(snaps.map((c) => c.kind === "item" && c.snapshot.resourceId)).toEqual([
      "mborch-test-bucket-config-item",
      "test",
    ]);
  });

  it("reports an element that is no configuration item, and an empty configurationItems list is no error", () => {
    const file = write("history.json", JSON.stringify(snapshotFile([fixture("rdk__AWS_S3_Bucket.json"), 7])));
    const items = readInputFile(file);
    expect(kinds(items)).toEqual(["config", "invalid"]);
    expect((items[1] as Extract<InputItem, { kind: "invalid" }>).error.message).toMatch(
      /^configurationItems\.1: /,
    );
    expect(readInputFile(write("empty.json", JSON.stringify(snapshotFile([]))))).toEqual([]);
  });
});

describe("readInputFile: gzip and size", () => {
  it("recognises gzip by its content, not only by a .gz name", () => {
    const body = gzipSync(JSON.stringify(fixture("rdk__AWS_S3_Bucket.json")));
    expect(kinds(readInputFile(write("downloaded.json", body)))).toEqual(["config"]);
  });

  it("reads a .json.gz that is in fact plain JSON (already decompressed by a download)", () => {
    expect(
      kinds(readInputFile(write("plain.json.gz", JSON.stringify(fixture("rdk__AWS_S3_Bucket.json"))))),
    ).toEqual(["config"]);
  });

  it("reports a corrupt gzip file as an input error instead of throwing", () => {
    const gz = gzipSync(JSON.stringify(fixture("rdk__AWS_S3_Bucket.json")));
    const file = write("truncated.json.gz", gz.subarray(0, gz.length - 20));
    const items = readInputFile(file);
    expect(kinds(items)).toEqual(["invalid"]);
    expect((items[0] as Extract<InputItem, { kind: "invalid" }>).error.message).toMatch(/not valid gzip/);
  });

  it("reports a file that decompresses past the input limit as an input error instead of throwing", () => {
    // A gzip bomb: 129 MiB of spaces compress to ~130 KB.
    const bomb = gzipSync(Buffer.alloc(MAX_INPUT_BYTES + 1024 * 1024, 0x20), { level: 9 });
    const items = readInputFile(write("bomb.json.gz", bomb));
    expect(kinds(items)).toEqual(["invalid"]);
    expect((items[0] as Extract<InputItem, { kind: "invalid" }>).error.message).toMatch(
      /larger than the input limit \(128 MiB/,
    );
  });

  it("hands a CloudTrail log file on gzipped, whatever its name", () => {
    const log = {
      Records: [{ eventVersion: "1.09", eventSource: "s3.amazonaws.com", eventName: "GetObject" }],
    };
    for (const [name, body] of [
      ["log.json", JSON.stringify(log)],
      ["log.json.gz", gzipSync(JSON.stringify(log))],
    ] as const) {
      const [item] = readInputFile(write(name, body));
      expect(item?.kind).toBe("cloudtrail-log");
      const gz = (item as Extract<InputItem, { kind: "cloudtrail-log" }>).body;
      expect(JSON.parse(gunzipSync(gz).toString("utf8"))).toEqual(log);
    }
  });
});

describe("readInputFile: gzipped JSON lines", () => {
  const envelope = (n: number) => ({ ...fixture("rdk__AWS_S3_Bucket.json"), n });
  const lines = `${JSON.stringify(envelope(1))}\n${JSON.stringify(envelope(2))}\n`;

  it("reads a .jsonl.gz as JSON lines, one item a line", () => {
    expect(kinds(readInputFile(write("events.jsonl.gz", gzipSync(lines))))).toEqual(["config", "config"]);
  });

  it("reads gzipped or plain JSON lines under any name (a renamed download), by content", () => {
    for (const [name, body] of [
      ["events.gz", gzipSync(lines)],
      ["events.json", gzipSync(lines)],
      ["events.txt", lines],
    ] as const)
      expect(kinds(readInputFile(write(name, body)))).toEqual(["config", "config"]);
  });

  it("still reports a file that is neither one JSON document nor JSON lines, naming the file", () => {
    const items = readInputFile(write("broken.jsonl.gz", gzipSync(`${JSON.stringify(envelope(1))}\n{"n":`)));
    expect(kinds(items)).toEqual(["invalid"]);
    expect((items[0] as Extract<InputItem, { kind: "invalid" }>).error.message).toMatch(/not valid JSON/);
  });

  it("hands each CloudTrail log file of gzipped JSON lines on as its own log file, not the whole file", () => {
    const log = (eventName: string) => ({
      Records: [{ eventVersion: "1.09", eventSource: "s3.amazonaws.com", eventName }],
    });
    const body = gzipSync(`${JSON.stringify(log("GetObject"))}\n${JSON.stringify(log("PutObject"))}\n`);
    const items = readInputFile(write("trail.jsonl.gz", body));
    expect(kinds(items)).toEqual(["cloudtrail-log", "cloudtrail-log"]);
    expect(
      items.map((i) =>
        JSON.parse(gunzipSync((i as Extract<InputItem, { kind: "cloudtrail-log" }>).body).toString()),
      ),
    ).toEqual([log("GetObject"), log("PutObject")]);
  });

  it("lists .jsonl.gz files in a directory", () => {
    const sub = mkdtempSync(join(dir, "walk-"));
    writeFileSync(join(sub, "a.jsonl.gz"), gzipSync(lines));
    writeFileSync(join(sub, "b.json"), "{}");
    expect(listInputFiles([sub]).map((f) => f.slice(sub.length + 1))).toEqual(["a.jsonl.gz", "b.json"]);
  });
});

describe("readInputFile: a file that is not JSON", () => {
  it("is reported without quoting the file (V8's message quotes it: PHI, terminal escapes)", () => {
    for (const body of [
      "\u001b]0;owned\u0007\u001b[2J{}",
      "patients/jane-doe-123-45-6789.wav",
      gzipSync('{"Records": [patients/jane-doe-123-45-6789.wav]}'),
    ]) {
      const items = readInputFile(write("notjson.json", body));
      expect(kinds(items)).toEqual(["invalid"]);
      const message = (items[0] as Extract<InputItem, { kind: "invalid" }>).error.message;
      expect(message).toMatch(/not valid JSON/);
      expect(message).not.toMatch(/[\p{Cc}\p{Cf}]|owned|patients|jane|6789/u);
    }
  });
});

describe("readInputFile: a CloudTrail digest file (a bucket download holds one per hour)", () => {
  it("is skipped as what it is, not an invalid input to dead-letter", () => {
    const digest = readFileSync("test/fixtures/activity/awsdocs-schema__cloudtrail_digest.json");
    const file = write(
      "111122223333_CloudTrail-Digest_us-east-1_phiwatch-trail_us-east-1_20260301T101207Z.json.gz",
      gzipSync(digest),
    );
    expect(readInputFile(file)).toEqual([
      { kind: "skipped", source: file, reason: "CloudTrail digest file" },
    ]);
  });
});
