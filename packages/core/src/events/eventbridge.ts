import * as z from "zod";
import { InvalidEventError, jsonErrorReason } from "../errors.ts";

/** Maximum size of one event we accept (EventBridge caps events at 256 KB). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The EventBridge envelope, exactly as AWS sends it. */
export const EventBridgeEnvelopeSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, "12-digit account id"),
  time: z.string().min(1),
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;

/** Validate with a schema; on failure throw an `InvalidEventError` naming the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, root = "event"): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [root, ...issue.path.map(String)].join(".");
  throw new InvalidEventError(issue.message, field);
}

/**
 * Parse a JSON text with a size limit, naming the source on failure. The reason never quotes the
 * text (V8's message does: an object key, caller text), since it becomes a dead-letter message.
 */
export function parseJsonText(text: string, source: string, maxBytes = MAX_EVENT_BYTES): unknown {
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    throw new InvalidEventError(`larger than ${maxBytes} bytes`, source);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(`not valid JSON (${jsonErrorReason(error)})`, source, { cause: error });
  }
}
