import type { Finding, HistoryEntry } from "@phiwatch/core";

const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (useColour ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = (s: string) => paint("1", s);
export const dim = (s: string) => paint("2", s);
const SEVERITY_COLOUR: Record<string, string> = {
  critical: "1;31",
  high: "31",
  medium: "33",
  low: "36",
  info: "2",
};
export const severity = (s: string) => paint(SEVERITY_COLOUR[s] ?? "0", s.toUpperCase());

/** A plain text table; widths fitted to content, long cells cut with an ellipsis. */
export function table(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes is the point
  const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
  const cut = (s: string, w: number) => (strip(s).length > w ? `${strip(s).slice(0, w - 1)}…` : s);
  const cells = rows.map((r) => r.map((c, i) => cut(c, maxWidths[i] ?? 80)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => strip(r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + " ".repeat(Math.max(0, widths[i]! - strip(c).length)))
      .join("  ")
      .trimEnd();
  return [bold(line(headers)), ...cells.map(line)].join("\n");
}

export function findingsTable(findings: Finding[]): string {
  if (findings.length === 0) return dim("(no findings)");
  return table(
    ["SEVERITY", "STATUS", "RULE", "RESOURCE", "SUMMARY"],
    findings.map((f) => [
      severity(f.severity),
      f.status,
      f.ruleId,
      f.subject.principal
        ? `${f.subject.resourceName ?? f.subject.resourceId} ← ${shortPrincipal(f.subject.principal)}`
        : (f.subject.resourceName ?? f.subject.resourceId),
      f.summary,
    ]),
    [9, 10, 30, 70, 90],
  );
}

export function historyTable(entries: HistoryEntry[]): string {
  if (entries.length === 0) return dim("(no drift history)");
  return table(
    ["AT", "RULE", "TRANSITION", "SEVERITY", "CAUSE"],
    entries.map((h) => [h.at, h.ruleId, `${h.from} → ${h.to}`, severity(h.severity), h.cause]),
    [24, 32, 22, 9, 60],
  );
}

/** `arn:aws:iam::1:role/foo` → `role/foo`; service principals unchanged. */
export function shortPrincipal(p: string): string {
  const m = /^arn:aws[\w-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(p);
  return m ? m[1]! : p;
}
