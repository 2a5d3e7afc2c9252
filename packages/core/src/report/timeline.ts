import type { HistoryEntry } from "../finding/types.ts";

/** Control families of the drift timeline, by control-id prefix. */
const FAMILIES: Array<[prefix: string, name: string]> = [
  ["s3-", "S3 buckets"],
  ["kms-", "KMS keys"],
  ["cloudtrail-", "CloudTrail"],
  ["iam-", "IAM"],
  ["connect-", "Amazon Connect"],
  ["sg-", "Network"],
];

/** Family name of a control id (`s3-tls-only` → "S3 buckets"); other ids → "General". */
export function controlFamily(controlId: string): string {
  for (const [prefix, name] of FAMILIES) if (controlId.startsWith(prefix)) return name;
  return "General";
}

/** Open drift findings of one family over time: a step function (count from `at` on). */
export interface FamilySeries {
  family: string;
  points: Array<{ at: string; open: number }>;
  /** Transitions behind the series. */
  transitions: number;
}

/**
 * Replay drift history into the number of open findings per control family over time. Suppressed and
 * resolved findings do not count as open. Entries may come in any order.
 *
 * @example
 * ```ts
 * driftTimeline(history, isControl)[0]; // { family: "S3 buckets", points: [{ at, open: 1 }, …] }
 * ```
 */
export function driftTimeline(
  history: readonly HistoryEntry[],
  isControl: (ruleId: string) => boolean,
): FamilySeries[] {
  const entries = history
    .filter((h) => isControl(h.ruleId))
    .slice()
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  const open = new Map<string, Set<string>>();
  const series = new Map<string, FamilySeries>();
  for (const h of entries) {
    const family = controlFamily(h.ruleId);
    const set = open.get(family) ?? new Set<string>();
    open.set(family, set);
    if (h.to === "OPEN") set.add(h.findingId);
    else set.delete(h.findingId);
    const s = series.get(family) ?? { family, points: [], transitions: 0 };
    series.set(family, s);
    s.transitions++;
    const last = s.points[s.points.length - 1];
    if (last && last.at === h.at) last.open = set.size;
    else s.points.push({ at: h.at, open: set.size });
  }
  const order = [...FAMILIES.map(([, n]) => n), "General"];
  return [...series.values()].sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family));
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * An inline SVG step chart of one family's open findings from its first transition to `until`. No
 * external assets, no script: it prints as drawn.
 *
 * @example
 * ```ts
 * timelineSvg(series, "2026-03-10T00:00:00Z"); // "<svg …>…</svg>"
 * ```
 */
export function timelineSvg(s: FamilySeries, until: string, width = 640, height = 110): string {
  const pad = { l: 34, r: 10, t: 10, b: 22 };
  const first = s.points[0];
  if (!first) return "";
  const t0 = Date.parse(first.at);
  const t1 = Math.max(Date.parse(until), t0 + 60_000);
  const max = Math.max(1, ...s.points.map((p) => p.open));
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / max) * (height - pad.t - pad.b);
  let d = `M${x(t0).toFixed(1)},${y(0).toFixed(1)}`;
  let prev = 0;
  for (const p of s.points) {
    const px = x(Date.parse(p.at)).toFixed(1);
    d += ` L${px},${y(prev).toFixed(1)} L${px},${y(p.open).toFixed(1)}`;
    prev = p.open;
  }
  d += ` L${x(t1).toFixed(1)},${y(prev).toFixed(1)}`;
  const label = `${s.family}: open drift findings over time, now ${prev}, peak ${max}`;
  const dots = s.points
    .map(
      (p) =>
        `<circle cx="${x(Date.parse(p.at)).toFixed(1)}" cy="${y(p.open).toFixed(1)}" r="2.5"><title>${esc(p.at)}: ${p.open} open</title></circle>`,
    )
    .join("");
  return (
    `<svg class="timeline" role="img" aria-label="${esc(label)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(label)}</title>` +
    `<line x1="${pad.l}" y1="${y(0)}" x2="${width - pad.r}" y2="${y(0)}" class="axis"/>` +
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${y(0)}" class="axis"/>` +
    `<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${max}</text>` +
    `<text x="${pad.l - 4}" y="${y(0)}" text-anchor="end">0</text>` +
    `<text x="${pad.l}" y="${height - 6}">${esc(first.at.slice(0, 10))}</text>` +
    `<text x="${width - pad.r}" y="${height - 6}" text-anchor="end">${esc(until.slice(0, 10))}</text>` +
    `<path d="${d}" class="step"/>${dots}</svg>`
  );
}
