/**
 * Why an input was dead-lettered, fit to print: the error class and the field at fault, never the
 * message or the payload (they may quote caller-supplied strings: object keys, names). Array indices
 * become `*` so one bad field counts once across items; a field segment that is not a plain identifier
 * (a map key taken from the input, such as a tag key or a policy condition) ends the path with `…`.
 *
 * @example
 * ```ts
 * deadLetterReason('{"reason":"InvalidEventError","field":"event.configurationItems.2.accountId",…}')
 * // → "InvalidEventError at event.configurationItems.*.accountId"
 * ```
 */
export function deadLetterReason(body: string): string {
  let letter: unknown;
  try {
    letter = JSON.parse(body);
  } catch {
    return "(unreadable dead letter)";
  }
  const { reason, field } = (letter ?? {}) as { reason?: unknown; field?: unknown };
  const kind = typeof reason === "string" && IDENTIFIER.test(reason) ? reason : "(other)";
  if (typeof field !== "string" || field === "") return kind;
  const kept: string[] = [];
  for (const segment of field.split(".")) {
    if (kept.length === MAX_SEGMENTS) break;
    if (/^\d+$/.test(segment)) kept.push("*");
    else if (IDENTIFIER.test(segment) || segment === "(file)") kept.push(segment);
    else break;
  }
  const path = kept.join(".");
  const cut = kept.length < field.split(".").length;
  return path ? `${kind} at ${path}${cut ? ".…" : ""}` : kind;
}

/** A field or error-class name as code spells them (camelCase, PascalCase, `detail-type`). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9]{0,63}(-[a-z]+)?$/;
const MAX_SEGMENTS = 8;
