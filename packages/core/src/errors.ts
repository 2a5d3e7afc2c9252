/**
 * Errors of the phiwatch domain. Every error a user can cause names the field at fault, so a
 * dead-lettered event says exactly what was wrong with it.
 */
export class PhiwatchError extends Error {
  override name = "PhiwatchError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An event or file that does not have the shape AWS sends. Not retriable: it goes to the dead letter. */
export class InvalidEventError extends PhiwatchError {
  override name = "InvalidEventError";
  constructor(
    message: string,
    /** Dotted path of the offending field, e.g. `detail.configurationItem.resourceType`. */
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** An event that is well formed but of a kind this handler does not process (wrong detail-type, …). */
export class UnsupportedEventError extends InvalidEventError {
  override name = "UnsupportedEventError";
}

/** A baseline file that does not validate. `issues` lists every problem with file, line and field. */
export class BaselineError extends PhiwatchError {
  override name = "BaselineError";
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ file: string; line?: number; field: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A control or detector definition that is wrong (duplicate id, bad params). A programming error. */
export class DefinitionError extends PhiwatchError {
  override name = "DefinitionError";
}

/** Input larger than the documented limit. */
export class InputTooLargeError extends InvalidEventError {
  override name = "InputTooLargeError";
}

/** True when the error is the caller's fault and retrying the same input cannot succeed. */
export function isInputError(error: unknown): error is InvalidEventError {
  return error instanceof InvalidEventError;
}

/**
 * Why `JSON.parse` refused a text, without the text. V8 quotes the input around an unexpected token
 * (`Unexpected token 'p', "patients/j"... is not valid JSON`): in a CloudTrail log file that is an
 * object key (PHI), and a hostile file can put terminal escapes there. Its other messages (what was
 * expected, at which position) are kept.
 *
 * @example
 * ```ts
 * jsonErrorReason(new SyntaxError(`Unexpected token 'p', "patients/j"... is not valid JSON`)) // → "unexpected character"
 * ```
 */
export function jsonErrorReason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error))
    // Past about ten characters V8 cuts the quote with `...` on either side.
    .replace(
      /^Unexpected token '[\s\S]*?', (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/,
      "unexpected character",
    )
    .replace(/^"[\s\S]*" is not valid JSON$/, "not JSON");
  // Anything else that could quote the input, or is not plain text, is not repeated either.
  return /["\p{Cc}\p{Cf}]/u.test(message) || message.length > 160 ? "not JSON" : message;
}

/**
 * What phiwatch writes out of an error it did not raise on purpose (a failed AWS call, a bug): its
 * class or AWS error code, the HTTP status and AWS request id of a failed call, the field path of an
 * input error, and the same of its cause. Never its message: AWS quotes resource names, object keys
 * and session names in messages (`… on resource: "arn:aws:s3:::bucket/<key>"`), V8 quotes the values
 * it could not convert, and either would carry PHI into a log line, a retried invocation's error (Lambda
 * logs it) or a dead letter. The request id is what AWS Support needs to find the call.
 *
 * @example
 * ```ts
 * errorDetails(Object.assign(new Error("… arn:aws:s3:::b/patients/x.wav"), { name: "AccessDenied", $metadata: { httpStatusCode: 403, requestId: "R1" } }))
 * // → { name: "AccessDenied", status: 403, requestId: "R1" }
 * ```
 */
export function errorDetails(error: unknown, depth = 0): ErrorDetails {
  if (!(error instanceof Error))
    return { name: typeof error === "object" && error !== null ? "object" : typeof error };
  const e = error as Error & {
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
    field?: unknown;
  };
  const out: ErrorDetails = { name: ERROR_NAME.test(e.name) ? e.name : "Error" };
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number" && Number.isInteger(status)) out.status = status;
  const requestId = e.$metadata?.requestId;
  if (typeof requestId === "string" && REQUEST_ID.test(requestId)) out.requestId = requestId;
  if (error instanceof InvalidEventError) out.field = error.field;
  if (e.cause !== undefined && depth < 3) out.cause = errorDetails(e.cause, depth + 1);
  return out;
}

/** What {@link errorDetails} keeps of an error. */
export interface ErrorDetails {
  name: string;
  status?: number;
  requestId?: string;
  field?: string;
  cause?: ErrorDetails;
}

const ERROR_NAME = /^[A-Za-z][\w.:-]{0,79}$/;
const REQUEST_ID = /^[\w+/=-]{1,128}$/;

/**
 * An error to rethrow in place of one whose message may quote input, so that Lambda's log of a failed
 * invocation (error type, message and stack) holds only {@link errorDetails}. It keeps the original's
 * name (the AWS error code an operator searches for) and is retried as the original would have been.
 *
 * @example
 * ```ts
 * try { await work(); } catch (error) { throw new RedactedError(error); } // "ValidationException (HTTP 400, request R1)"
 * ```
 */
export class RedactedError extends PhiwatchError {
  readonly details: ErrorDetails;
  constructor(error: unknown) {
    const d = errorDetails(error);
    super(describeDetails(d));
    this.details = d;
    this.name = d.name;
  }
}

function describeDetails(d: ErrorDetails): string {
  const parts = [
    ...(d.status !== undefined ? [`HTTP ${d.status}`] : []),
    ...(d.requestId ? [`request ${d.requestId}`] : []),
    ...(d.field ? [`at ${d.field}`] : []),
    ...(d.cause ? [`caused by ${describeDetails(d.cause)}`] : []),
  ];
  return parts.length > 0
    ? `${d.name} (${parts.join(", ")}; message withheld)`
    : `${d.name} (message withheld)`;
}
