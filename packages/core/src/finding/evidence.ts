import type { Evidence } from "./types.ts";

/**
 * Largest evidence stored with a finding or a history entry, in bytes of its JSON. DynamoDB refuses
 * an item over 400 KB, and a finding's evidence is stored twice in one transaction (the finding and
 * its history entry, each one item): 64 KiB leaves each item far inside the limit with every other
 * attribute at its longest (ARNs of 2048 characters, a 500-character suppression reason), keeps a
 * finding event under SNS's and SQS's 256 KiB, and is more than a person reads.
 */
export const MAX_EVIDENCE_BYTES = 64 * 1024;

/** Most elements of one list (or keys of one object) kept in evidence that has to be cut. */
export const EVIDENCE_LIST_ITEMS = 200;

/** Deepest nesting kept in evidence that has to be cut (and in every outgoing copy, see `redactValue`). */
export const EVIDENCE_DEPTH = 8;

/** Places listed in `evidenceOmitted` at most (each nested list cut is one place). */
const MAX_PLACES = 20;

/** Successively tighter cuts, tried in order until the evidence fits: [list items, string characters]. */
const CUTS: ReadonlyArray<readonly [number, number]> = [
  [EVIDENCE_LIST_ITEMS, 1024],
  [EVIDENCE_LIST_ITEMS, 256],
  [50, 256],
  [10, 128],
  [3, 64],
  [1, 64],
];

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/**
 * Evidence as it is stored: unchanged when its JSON fits `maxBytes`; otherwise cut to fit — the head
 * of every long list (and object) kept in the order the control or detector produced it, long strings
 * shortened, nesting past {@link EVIDENCE_DEPTH} dropped — and marked: `evidenceTruncated: true`, and
 * `evidenceOmitted` saying for each place what was kept of how much. Deterministic, so the same
 * evidence observed again is equal to what was stored (no write, no history entry).
 *
 * @example
 * ```ts
 * boundEvidence({ identity: "arn:…:role/admin", access: fiveThousandEntries });
 * // { identity: "arn:…:role/admin", access: [first 200],
 * //   evidenceTruncated: true, evidenceOmitted: { access: "kept 200 of 5000 items" } }
 * ```
 */
export function boundEvidence(evidence: Evidence, maxBytes = MAX_EVIDENCE_BYTES): Evidence {
  const size = bytes(evidence);
  if (size <= maxBytes) return evidence;
  for (const [items, chars] of CUTS) {
    const places: Array<[string, string]> = [];
    const cut = cutValue(evidence, { items, chars }, "", 0, places) as Evidence;
    const omitted: Record<string, string> = Object.fromEntries(places.slice(0, MAX_PLACES));
    if (places.length > MAX_PLACES) omitted["…"] = `${places.length - MAX_PLACES} more places cut`;
    const out: Evidence = { ...cut, evidenceTruncated: true, evidenceOmitted: omitted };
    if (bytes(out) <= maxBytes) return out;
  }
  return {
    evidenceTruncated: true,
    evidenceOmitted: { "": `all of it (${size} bytes): too large to store even cut` },
  };
}

function cutValue(
  value: unknown,
  cap: { items: number; chars: number },
  path: string,
  depth: number,
  places: Array<[string, string]>,
): unknown {
  const here = path === "" ? "(evidence)" : path.slice(0, 200);
  if (typeof value === "string") {
    if (value.length <= cap.chars) return value;
    places.push([here, `kept ${cap.chars} of ${value.length} characters`]);
    return value.slice(0, cap.chars);
  }
  if (value === null || typeof value !== "object") return value;
  if (depth >= EVIDENCE_DEPTH) {
    places.push([here, `nested deeper than ${EVIDENCE_DEPTH} levels`]);
    return "[truncated]";
  }
  if (Array.isArray(value)) {
    if (value.length > cap.items) places.push([here, `kept ${cap.items} of ${value.length} items`]);
    return value.slice(0, cap.items).map((v, i) => cutValue(v, cap, `${path}[${i}]`, depth + 1, places));
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length > cap.items) places.push([here, `kept ${cap.items} of ${entries.length} keys`]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, cap.items)) {
    const key = k.length <= cap.chars ? k : k.slice(0, cap.chars);
    const at = path === "" ? key : `${path}.${key}`;
    if (key !== k) places.push([at.slice(0, 200), `name kept ${cap.chars} of ${k.length} characters`]);
    out[key] = cutValue(v, cap, at, depth + 1, places);
  }
  return out;
}
