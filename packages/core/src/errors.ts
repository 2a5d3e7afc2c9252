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
