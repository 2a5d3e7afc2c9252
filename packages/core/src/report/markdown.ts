import type { Finding } from "../finding/types.ts";
import { type EvidenceReport, formatDuration, notSweptNote, scopeAccounts, scopeRegions } from "./model.ts";

/** Escape a value for a Markdown table cell (pipes, newlines, backticks) and inline text. */
function cell(value: unknown): string {
  return String(value ?? "")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .replace(/([<>*_[\]`])/g, "\\$1");
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return "_None._\n";
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ]
    .join("\n")
    .concat("\n");
}

const cites = (h: readonly string[]) => h.map((c) => `45 CFR ${c}`).join(", ");

function finding(f: Finding, unswept?: string): string {
  const ev = JSON.stringify(f.evidence, null, 2).slice(0, 4000).replace(/```/g, "'''");
  return [
    `### ${f.severity.toUpperCase()} · ${cell(f.ruleId)} — ${cell(f.title)}`,
    "",
    `- Resource: ${cell(f.subject.resourceType)} ${cell(f.subject.resourceId)} (${cell(f.subject.accountId)}, ${cell(f.subject.region)})`,
    `- ${cell(f.summary)}`,
    `- HIPAA: ${cell(cites(f.hipaa))}`,
    `- First seen ${cell(f.firstSeen)}, last seen ${cell(f.lastSeen)}; finding ${cell(f.findingId)}`,
    ...(unswept ? [`- ${cell(unswept)}`] : []),
    ...(f.remediation ? [`- Remediation: ${cell(f.remediation)}`] : []),
    ...(f.suppression
      ? [
          `- Suppressed by ${cell(f.suppression.by)} until ${cell(f.suppression.until)}: ${cell(f.suppression.reason)}`,
        ]
      : []),
    "",
    "```json",
    ev,
    "```",
    "",
  ].join("\n");
}

/**
 * Render the evidence report as Markdown (for wikis and tickets). Same sections as the HTML; the
 * drift timeline becomes a table of transitions per family.
 *
 * @example
 * ```ts
 * writeFileSync("report.md", renderMarkdown(report));
 * ```
 */
export function renderMarkdown(r: EvidenceReport): string {
  const inv = r.inventory;
  const out: string[] = [
    `# ${cell(r.title)}`,
    "",
    `Generated ${r.generatedAt} by phiwatch. ${scopeAccounts(r)}` +
      (scopeRegions(r) ? ` ${scopeRegions(r)}` : "") +
      (r.summary.lastSweep
        ? ` Last sweep: ${r.summary.lastSweep}.`
        : " No sweep recorded: statuses come from change events only."),
    "",
    "## Summary",
    "",
    table(
      ["critical", "high", "medium", "low", "controls failing", "resolved", "median time to resolve"],
      [
        [
          String(r.summary.open.critical),
          String(r.summary.open.high),
          String(r.summary.open.medium),
          String(r.summary.open.low),
          `${r.summary.controls.FAILING} of ${r.controls.length}`,
          String(r.summary.resolved),
          r.summary.medianTimeToResolveMs !== undefined
            ? formatDuration(r.summary.medianTimeToResolveMs)
            : "—",
        ],
      ],
    ),
    "## Controls",
    "",
    table(
      ["Control", "Title", "HIPAA", "Severity", "Status", "Open", "Last sweep: pass / fail / n.a. / error"],
      r.controls.map((c) => [
        cell(c.id),
        cell(c.title),
        cell(cites(c.hipaa)),
        c.severity,
        c.status.replace(/_/g, " "),
        String(c.open),
        c.evaluated
          ? `${c.evaluated.compliant} / ${c.evaluated.nonCompliant} / ${c.evaluated.notApplicable} / ${c.evaluated.error}`
          : "—",
      ]),
    ),
    `## Open findings (${r.openFindings.length})`,
    "",
    ...(r.openFindings.length ? r.openFindings.map((f) => finding(f, notSweptNote(r, f))) : ["_None._", ""]),
    ...(r.suppressedFindings.length
      ? [
          `## Suppressed findings (${r.suppressedFindings.length})`,
          "",
          ...r.suppressedFindings.map((f) => finding(f, notSweptNote(r, f))),
        ]
      : []),
    ...(r.unable.length
      ? [
          `## Unable to evaluate (${r.unable.length})`,
          "",
          table(
            ["Operation", "Resource", "Reason"],
            r.unable.map((u) => [
              cell(u.operation),
              cell(`${u.accountId ? `${u.accountId} ` : ""}${u.resourceType} ${u.resourceId ?? ""}`),
              cell(u.reason),
            ]),
          ),
        ]
      : []),
    `## Resolved findings (${r.resolvedFindings.length})`,
    "",
    table(
      ["Control", "Resource", "First seen", "Resolved", "Time to resolve", "Outcome"],
      r.resolvedFindings.map((x) => [
        cell(x.finding.ruleId),
        cell(x.finding.subject.resourceId),
        x.finding.firstSeen,
        x.finding.statusChangedAt,
        formatDuration(x.timeToResolveMs),
        cell(x.outcome),
      ]),
    ),
    "## Drift timeline",
    "",
    table(
      ["Family", "At", "Open"],
      r.timeline.flatMap((t) => t.points.map((p) => [cell(t.family), p.at, String(p.open)])),
    ),
    "## Activity detections",
    "",
    table(
      ["Detector", "Severity", "Findings (open)", "Events", "Principals", "Last seen"],
      r.activity.map((d) => [
        cell(d.detectorId),
        d.severity,
        `${d.findings} (${d.open})`,
        String(d.events),
        cell(d.principals.join(", ")),
        d.lastSeen,
      ]),
    ),
    "## PHI data paths (current-state architecture)",
    "",
    "### PHI buckets",
    "",
    table(
      [
        "Bucket",
        "Holds",
        "Encryption",
        "Key rotation",
        "Block Public Access",
        "Versioning",
        "Object Lock",
        "Retention",
        "Replication",
        "Access logging",
        "Trail coverage",
        "Raw readers",
      ],
      inv.buckets.map((b) => [
        cell(b.name) + (b.observed ? "" : " (not observed)"),
        cell(b.holds.join(", ")),
        cell(`${b.encryption}${b.kmsKey ? ` ${b.kmsKey}` : ""}${b.keyManager ? ` (${b.keyManager})` : ""}`),
        cell(b.keyRotation ?? "n/a"),
        cell(b.publicAccessBlock),
        cell(b.versioning),
        cell(b.objectLock),
        cell(b.retention),
        cell(b.replication),
        cell(b.accessLogging),
        cell(b.trailCoverage),
        cell(
          [...b.rawReaders.declared, ...b.rawReaders.undesignated.map((u) => `${u} (undesignated)`)].join(
            ", ",
          ) || "n/a",
        ),
      ]),
    ),
    "### PHI keys",
    "",
    table(
      ["Key", "Manager", "State", "Rotation"],
      inv.keys.map((k) => [cell(k.arn), cell(k.manager), cell(k.state), cell(k.rotation)]),
    ),
    "### CloudTrail trails",
    "",
    table(
      ["Trail", "Home region", "Multi-region", "Logging", "Validation", "KMS key"],
      inv.trails.map((t) => [
        cell(t.name),
        cell(t.region),
        t.multiRegion ? "yes" : "no",
        cell(t.logging),
        t.logFileValidation ? "on" : "off",
        cell(t.kmsKey),
      ]),
    ),
    "### Amazon Connect storage",
    "",
    table(
      ["Instance", "Contact Lens", "Data", "Stored in", "Encryption"],
      inv.connect.flatMap((c) =>
        (c.storage.length ? c.storage : [{ type: "—", target: "not read", encryption: "—" }]).map((x) => [
          cell(c.alias ?? c.instance),
          cell(c.contactLens),
          cell(x.type),
          cell(x.target),
          cell(x.encryption),
        ]),
      ),
    ),
    "### Account-level Block Public Access",
    "",
    table(
      ["Account", "Flags"],
      inv.accountPublicAccessBlock.map((a) => [cell(a.accountId), cell(a.flags)]),
    ),
  ];
  return `${out.join("\n")}\n`;
}
