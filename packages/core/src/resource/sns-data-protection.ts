/**
 * The operations a statement of an SNS message data-protection policy can hold (SNS developer guide,
 * "Data protection policy operations"): `Deny` blocks messages that match its data identifiers
 * (`Inbound`: the publish is refused; `Outbound`: the delivery is dropped), `Deidentify` masks or
 * redacts the matching parts, `Audit` only reports them.
 */
export const DATA_PROTECTION_OPERATIONS = ["Deny", "Deidentify", "Audit"] as const;
export type DataProtectionOperation = (typeof DATA_PROTECTION_OPERATIONS)[number];

const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The operations a parsed data-protection policy's statements use (each once, in first-seen order),
 * or why they cannot be told: not an object with a `Statement` list, a statement without an
 * operation, or an operation this release does not know. Which messages a statement matches is not
 * read: a custom data identifier is any regular expression.
 *
 * @example
 * ```ts
 * dataProtectionOperations({ Statement: [{ Operation: { Deny: {} } }] }); // { operations: ["Deny"] }
 * dataProtectionOperations("x"); // { unreadable: "cannot be read" }
 * ```
 */
export function dataProtectionOperations(
  policy: unknown,
): { operations: DataProtectionOperation[] } | { unreadable: string } {
  const statements = record(policy)?.Statement;
  if (!Array.isArray(statements)) return { unreadable: "cannot be read" };
  const found = new Set<DataProtectionOperation>();
  for (const s of statements) {
    const operations = Object.keys(record(record(s)?.Operation) ?? {});
    if (operations.length === 0) return { unreadable: "has a statement without an operation" };
    for (const op of operations) {
      if (!(DATA_PROTECTION_OPERATIONS as readonly string[]).includes(op))
        return { unreadable: "has an operation phiwatch does not know" };
      found.add(op as DataProtectionOperation);
    }
  }
  return { operations: [...found] };
}
