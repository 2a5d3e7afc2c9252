import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { Activity, InvalidEventError, jsonErrorReason } from "@phiwatch/core";

/** Largest input file read (uncompressed). CloudTrail log files are usually well under 50 MB. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

export type InputItem =
  | { kind: "eventbridge"; source: string; event: Record<string, unknown> }
  | { kind: "config"; source: string; event: Record<string, unknown> }
  /** `body`: the log file gzipped, as CloudTrail writes it to S3. */
  | { kind: "cloudtrail-log"; source: string; body: Buffer; records: number }
  /** A file that is none of these but belongs where they are delivered (a CloudTrail digest file). */
  | { kind: "skipped"; source: string; reason: string }
  | { kind: "invalid"; source: string; error: InvalidEventError; payload: unknown };

/**
 * Files under the given paths: a file named on the command line whatever its extension (skipping it
 * silently would let a CI run pass having evaluated nothing), and in directories (recursively, in
 * name order) the .json, .json.gz, .jsonl and .jsonl.gz files. A path that cannot be read is an input
 * error.
 */
export function listInputFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, named: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (error) {
      throw new InvalidEventError(`cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`, p, {
        cause: error,
      });
    }
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name), false);
    else if (named || /\.jsonl?(\.gz)?$/.test(p)) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return out;
}

/**
 * Read one input file into the items it holds: EventBridge envelopes (one, an array, or JSON lines),
 * Config notifications or bare configuration items, a Config configuration history or snapshot file
 * (`{"configurationItems":[…]}`, as Config delivers them to S3: one item each), or a CloudTrail log
 * file (`{"Records":[…]}`). A CloudTrail digest file (delivered hourly beside the log files, under
 * `CloudTrail-Digest/`) is one `skipped` item: it holds hashes of log files, no event. Gzip is recognised by its content (`.json.gz` as delivered, or a renamed
 * or already-decompressed download), and so are JSON lines: a `.jsonl` or `.jsonl.gz` file, or any
 * file that is not one JSON document but holds one on every non-blank line. A file that cannot be
 * read, decompressed or parsed, or is larger than `MAX_INPUT_BYTES` once decompressed, is one
 * `invalid` item naming the file.
 */
export function readInputFile(file: string): InputItem[] {
  let raw: Buffer;
  try {
    if (statSync(file).size > MAX_INPUT_BYTES) return [tooLarge(file)];
    raw = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return [invalid(file, `cannot read (${code})`, "(file)", null)];
  }
  const gzipped = Activity.isGzip(raw);
  let bytes = raw;
  if (gzipped) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_INPUT_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return [tooLarge(file)];
      return [invalid(file, `not valid gzip (${(error as Error).message})`, "(file)", null)];
    }
  }
  const text = bytes.toString("utf8");
  let docs: unknown[];
  try {
    docs = /\.jsonl(\.gz)?$/.test(file) ? jsonLines(text) : oneDocumentOrLines(text);
  } catch (error) {
    return [invalid(file, `not valid JSON (${jsonErrorReason(error)})`, "(file)", text.slice(0, 2000))];
  }
  const all = docs.flatMap((d) => (Array.isArray(d) ? d : [d]));
  // The file's own gzip is a log file's body only when the file is that one document.
  const gz = gzipped && all.length === 1 && !Array.isArray(docs[0]) ? raw : undefined;
  return all.flatMap((doc) => classify(file, doc, gz));
}

function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * One JSON document or, when the text is not one, JSON lines (a `.jsonl` renamed by a download, or
 * gzipped as `events.gz`). Whole-document parsing comes first, so a pretty-printed document is one.
 * The error thrown is the whole document's, which names where it stopped parsing.
 */
function oneDocumentOrLines(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (error) {
    if (text.trim().indexOf("\n") < 0) throw error;
    try {
      return jsonLines(text);
    } catch {
      throw error;
    }
  }
}

function classify(file: string, doc: unknown, gz: Buffer | undefined): InputItem[] {
  if (!doc || typeof doc !== "object") return [invalid(file, "expected a JSON object", "event", doc)];
  const o = doc as Record<string, unknown>;
  if (
    Array.isArray(o.Records) &&
    o.Records.every((r) => r && typeof r === "object" && "eventVersion" in r && "eventSource" in r)
  ) {
    // Handed on as the S3 object CloudTrail would have written: gzipped.
    const body = gz ?? gzipSync(JSON.stringify(o));
    return [{ kind: "cloudtrail-log", source: file, body, records: o.Records.length }];
  }
  // Fields of CloudTrail's digest file structure (docs: cloudtrail-log-file-validation-digest-file-structure).
  if (typeof o.digestStartTime === "string" && "digestSignatureAlgorithm" in o && Array.isArray(o.logFiles))
    return [{ kind: "skipped", source: file, reason: "CloudTrail digest file" }];
  if (Array.isArray(o.configurationItems)) {
    // A configuration history file (`requestId`) or snapshot file (`configSnapshotId`): each element
    // is a configuration item, in the API shape (`accountId`, `arn`) or the event shape.
    return o.configurationItems.map((ci, i) => {
      const source = `${file} (configurationItems.${i})`;
      return ci && typeof ci === "object" && !Array.isArray(ci) && "configurationItemCaptureTime" in ci
        ? { kind: "config", source, event: ci as Record<string, unknown> }
        : invalid(source, "not a configuration item", `configurationItems.${i}`, ci);
    });
  }
  if ("detail-type" in o) return [{ kind: "eventbridge", source: file, event: o }];
  if (
    "configurationItemCaptureTime" in o ||
    "messageType" in o ||
    "invokingEvent" in o ||
    (o.Type === "Notification" && "Message" in o)
  ) {
    return [{ kind: "config", source: file, event: o }];
  }
  return [
    invalid(
      file,
      "not an EventBridge event, Config notification, configuration item, Config history or snapshot file, or CloudTrail log file",
      "event",
      doc,
    ),
  ];
}

function tooLarge(file: string): InputItem {
  const mib = MAX_INPUT_BYTES / 1024 / 1024;
  return invalid(
    file,
    `larger than the input limit (${mib} MiB uncompressed): split the file`,
    "(file)",
    null,
  );
}

function invalid(source: string, message: string, field: string, payload: unknown): InputItem {
  return { kind: "invalid", source, error: new InvalidEventError(message, field), payload };
}
