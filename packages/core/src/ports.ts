/**
 * Ports that handlers use besides the finding store. Adapters live in `@phiwatch/aws` (AWS) and
 * `@phiwatch/cli` (local mode).
 */

/** A malformed or unprocessable input, kept with the reason so nothing is silently dropped. */
export interface DeadLetter {
  /** Short machine-readable reason, e.g. the error class. */
  reason: string;
  /** Human-readable message naming the field at fault. */
  message: string;
  /** Dotted path of the offending field, when known. */
  field?: string;
  /** Which handler / input path rejected it (`config-change`, `access`, `replay:file.json`). */
  source: string;
  /** The original input (may hold PHI: dead letters are KMS-encrypted and access-restricted). */
  payload: unknown;
  at: string;
}

export interface DeadLetterSink {
  put(letter: Omit<DeadLetter, "at">): Promise<void>;
}
