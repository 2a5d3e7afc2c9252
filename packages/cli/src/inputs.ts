import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { InvalidEventError } from "@phiwatch/core";

/** Largest input file read (uncompressed). CloudTrail log files are usually well under 50 MB. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

export type InputItem =
  | { kind: "eventbridge"; source: string; event: Record<string, unknown> }
  | { kind: "config"; source: string; event: Record<string, unknown> }
  | { kind: "cloudtrail-log"; source: string; body: Buffer; records: number }
  | { kind: "invalid"; source: string; error: InvalidEventError; payload: unknown };

/**
 * Files under the given paths: a file named on the command line whatever its extension (skipping it
 * silently would let a CI run pass having evaluated nothing), and in directories (recursively, in
 * name order) the .json, .json.gz and .jsonl files. A path that cannot be read is an input error.
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
    else if (named || /\.(json|jsonl|json\.gz)$/.test(p)) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return out;
}

/**
 * Read one input file into the items it holds: EventBridge envelopes (one, an array, or JSON lines),
 * Config notifications or bare configuration items, or a CloudTrail log file (`{"Records":[…]}`).
 */
export function readInputFile(file: string): InputItem[] {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return [invalid(file, `cannot read (${code})`, "(file)", null)];
  }
  const text = (file.endsWith(".gz") ? gunzipSync(raw, { maxOutputLength: MAX_INPUT_BYTES }) : raw).toString(
    "utf8",
  );
  if (text.length > MAX_INPUT_BYTES) return [invalid(file, "larger than the input limit", "(file)", null)];
  let docs: unknown[];
  try {
    docs = file.endsWith(".jsonl")
      ? text
          .split("\n")
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l))
      : [JSON.parse(text)];
  } catch (error) {
    return [invalid(file, `not valid JSON (${(error as Error).message})`, "(file)", text.slice(0, 2000))];
  }
  const out: InputItem[] = [];
  for (const doc of docs.flatMap((d) => (Array.isArray(d) ? d : [d])))
    out.push(classify(file, doc, file.endsWith(".gz") ? raw : undefined));
  return out;
}

function classify(file: string, doc: unknown, gz: Buffer | undefined): InputItem {
  if (!doc || typeof doc !== "object") return invalid(file, "expected a JSON object", "event", doc);
  const o = doc as Record<string, unknown>;
  if (
    Array.isArray(o.Records) &&
    o.Records.every((r) => r && typeof r === "object" && "eventVersion" in r && "eventSource" in r)
  ) {
    const body = gz ?? Buffer.from(JSON.stringify(o));
    return { kind: "cloudtrail-log", source: file, body, records: o.Records.length };
  }
  if ("detail-type" in o) return { kind: "eventbridge", source: file, event: o };
  if (
    "configurationItemCaptureTime" in o ||
    "messageType" in o ||
    "invokingEvent" in o ||
    (o.Type === "Notification" && "Message" in o)
  ) {
    return { kind: "config", source: file, event: o };
  }
  return invalid(
    file,
    "not an EventBridge event, Config notification, configuration item or CloudTrail log file",
    "event",
    doc,
  );
}

function invalid(source: string, message: string, field: string, payload: unknown): InputItem {
  return { kind: "invalid", source, error: new InvalidEventError(message, field), payload };
}
