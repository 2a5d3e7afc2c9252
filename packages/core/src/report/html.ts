import type { Finding } from "../finding/types.ts";
import { SEVERITIES } from "../finding/types.ts";
import { accountsNotSweptNote, type EvidenceReport, formatDuration, notSweptNote } from "./model.ts";
import { timelineSvg } from "./timeline.ts";

/** The header's regions: those the latest sweep read, and apart (marked) those it did not. */
function regionsMeta(r: EvidenceReport): string {
  const { regions, notSwept: left } = r.scope;
  const list = (x: readonly string[]) => escapeHtml(x.join(", "));
  if (!r.summary.lastSweep)
    return left.length > 0 ? ` · regions in the baseline, not swept yet: ${list(left)}` : "";
  return (
    ` · regions swept ${regions.length > 0 ? list(regions) : "none"}` +
    (left.length > 0
      ? ` · <span class="warn">not swept by the latest sweep: ${list(left)} (not re-checked hourly${
          r.unswept.length > 0 ? "; findings there are marked &quot;Region not swept&quot;" : ""
        })</span>`
      : "")
  );
}

/** A finding card's note when no sweep re-checks it (`notSweptNote`). */
const unsweptNote = (note: string | undefined) => (note ? `<p class="warn">${escapeHtml(note)}</p>` : "");

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const MAX_EVIDENCE_CHARS = 4000;

function evidenceBlock(evidence: unknown): string {
  let text = JSON.stringify(evidence, null, 2) ?? "{}";
  if (text.length > MAX_EVIDENCE_CHARS) text = `${text.slice(0, MAX_EVIDENCE_CHARS)}\n… (truncated)`;
  return `<pre class="evidence">${escapeHtml(text)}</pre>`;
}

const sev = (s: string) => `<span class="sev sev-${escapeHtml(s)}">${escapeHtml(s.toUpperCase())}</span>`;
const cite = (h: readonly string[]) =>
  h
    .map((c) => `<span class="cite">45 CFR ${escapeHtml(c.startsWith("164.") ? c : `164.${c}`)}</span>`)
    .join(" ");
const resource = (f: Finding) => {
  const name = (f.subject as { resourceName?: string }).resourceName;
  return (
    `${escapeHtml(f.subject.resourceType)} <code>${escapeHtml(f.subject.resourceId)}</code>` +
    (name && name !== f.subject.resourceId ? ` (${escapeHtml(name)})` : "") +
    `<br><small>${escapeHtml(f.subject.accountId)} · ${escapeHtml(f.subject.region)}</small>`
  );
};

function table(headers: string[], rows: string[][], cls = ""): string {
  if (rows.length === 0) return `<p class="none">None.</p>`;
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const CSS = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d0d7de;--bg:#fff;--crit:#8b0000;--high:#c62828;--med:#b26a00;--low:#1565c0;--ok:#2e7d32}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted)}table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:12px;word-break:break-all}pre.evidence{background:#f6f8fa;border:1px solid var(--line);padding:6px;font-size:11px;white-space:pre-wrap;word-break:break-all;margin:4px 0;max-height:none}
.sev{font-weight:700;font-size:11px;padding:1px 5px;border-radius:3px;color:#fff;background:var(--muted)}.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}.sev-medium{background:var(--med)}.sev-low{background:var(--low)}
.st{font-weight:700}.st-FAILING{color:var(--high)}.st-PASSING{color:var(--ok)}.st-UNABLE_TO_EVALUATE{color:var(--med)}.st-NOT_EVALUATED,.st-SUPPRESSED{color:var(--muted)}
.cite{display:inline-block;font-size:11px;border:1px solid var(--line);border-radius:3px;padding:0 4px;margin:1px 0;white-space:nowrap}
.cards{display:flex;gap:10px;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:120px}.card b{display:block;font-size:22px}
.finding{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:4px;padding:8px 10px;margin:10px 0;page-break-inside:avoid;break-inside:avoid}
.finding.sev-critical-b{border-left-color:var(--crit)}.finding.sev-high-b{border-left-color:var(--high)}.finding.sev-medium-b{border-left-color:var(--med)}.finding.sev-low-b{border-left-color:var(--low)}
.finding h3{margin:0 0 4px}.remediation{background:#eef6ee;border:1px solid #cfe3cf;padding:4px 6px;font-size:12px}
svg.timeline{max-width:100%;height:auto}svg.timeline .axis{stroke:#999;stroke-width:1}svg.timeline .step{fill:none;stroke:var(--high);stroke-width:2}svg.timeline circle{fill:var(--high)}svg.timeline text{font-size:10px;fill:#555}
.none{color:var(--muted);font-style:italic}.warn{color:var(--high);font-weight:700}
@media print{body{max-width:none;padding:0;font-size:11px}h2{page-break-after:avoid;break-after:avoid}table,tr,.finding{page-break-inside:avoid;break-inside:avoid}a{color:inherit;text-decoration:none}nav{display:none}
@page{size:A4;margin:14mm}}
`;

/**
 * Render the evidence report as one self-contained, printable HTML page: inline CSS and SVG, no
 * script, no external asset. Every stored string is escaped.
 *
 * @example
 * ```ts
 * writeFileSync("report.html", renderHtml(buildReport(input)));
 * ```
 */
export function renderHtml(r: EvidenceReport): string {
  const s = r.summary;
  const cards = [
    ...SEVERITIES.slice()
      .reverse()
      .filter((v) => v !== "info")
      .map((v) => `<div class="card">${sev(v)}<b>${s.open[v]}</b>open</div>`),
    `<div class="card">Controls failing<b>${s.controls.FAILING}</b>of ${r.controls.length}</div>`,
    `<div class="card">Resolved<b>${s.resolved}</b>${s.medianTimeToResolveMs !== undefined ? `median ${escapeHtml(formatDuration(s.medianTimeToResolveMs))}` : ""}</div>`,
  ].join("");

  const controlsTable = table(
    ["Control", "HIPAA", "Severity", "Status", "Open", "Evaluated (pass / fail / n.a. / error)"],
    r.controls.map((c) => [
      `<code>${escapeHtml(c.id)}</code><br>${escapeHtml(c.title)}`,
      cite(c.hipaa),
      sev(c.severity),
      `<span class="st st-${c.status}">${escapeHtml(c.status.replace(/_/g, " "))}</span>`,
      String(c.open),
      c.evaluated
        ? `${c.evaluated.compliant} / ${c.evaluated.nonCompliant} / ${c.evaluated.notApplicable} / ${c.evaluated.error}`
        : "—",
    ]),
    "controls",
  );

  const findingCard = (f: Finding) =>
    `<div class="finding sev-${escapeHtml(f.severity)}-b" data-rule="${escapeHtml(f.ruleId)}" data-finding="${escapeHtml(f.findingId)}">` +
    `<h3>${sev(f.severity)} <code>${escapeHtml(f.ruleId)}</code> — ${escapeHtml(f.title)}</h3>` +
    `<div>${resource(f)}</div>` +
    `<p>${escapeHtml(f.summary)}</p>` +
    `<div>${cite(f.hipaa)}</div>` +
    `<small class="meta">first seen ${escapeHtml(f.firstSeen)} · last seen ${escapeHtml(f.lastSeen)} · finding ${escapeHtml(f.findingId)}</small>` +
    unsweptNote(notSweptNote(r, f)) +
    evidenceBlock(f.evidence) +
    (f.remediation
      ? `<div class="remediation"><b>Remediation:</b> <code>${escapeHtml(f.remediation)}</code></div>`
      : "") +
    (f.suppression
      ? `<p class="meta">Suppressed by ${escapeHtml(f.suppression.by)} until ${escapeHtml(f.suppression.until)}: ${escapeHtml(f.suppression.reason)}</p>`
      : "") +
    `</div>`;

  const resolved = table(
    ["Control", "Resource", "First seen", "Resolved", "Time to resolve", "Outcome"],
    r.resolvedFindings.map((x) => [
      `<code>${escapeHtml(x.finding.ruleId)}</code>`,
      resource(x.finding),
      escapeHtml(x.finding.firstSeen),
      escapeHtml(x.finding.statusChangedAt),
      escapeHtml(formatDuration(x.timeToResolveMs)),
      escapeHtml(x.outcome),
    ]),
  );

  const timeline =
    r.timeline.length === 0
      ? `<p class="none">No drift history recorded yet.</p>`
      : r.timeline
          .map(
            (t) =>
              `<h3>${escapeHtml(t.family)} <small class="meta">(${t.transitions} transitions, ${t.points[t.points.length - 1]?.open ?? 0} open now)</small></h3>${timelineSvg(t, r.generatedAt)}`,
          )
          .join("");

  const activity = table(
    ["Detector", "Severity", "Findings (open)", "Events", "Principals", "Last seen"],
    r.activity.map((d) => [
      `<code>${escapeHtml(d.detectorId)}</code>`,
      sev(d.severity),
      `${d.findings} (${d.open})`,
      String(d.events),
      d.principals.map((p) => `<code>${escapeHtml(p)}</code>`).join("<br>"),
      escapeHtml(d.lastSeen),
    ]),
  );

  const inv = r.inventory;
  const buckets = inv.buckets
    .map(
      (b) =>
        `<h3>s3://${escapeHtml(b.name)} <small class="meta">holds ${escapeHtml(b.holds.join(", "))}${b.region ? ` · ${escapeHtml(b.accountId)} ${escapeHtml(b.region)}` : ""}</small>${b.observed ? "" : ` <span class="warn">not observed</span>`}</h3>` +
        table(
          ["Aspect", "Current state"],
          [
            [
              "Encryption",
              `${escapeHtml(b.encryption)}${b.kmsKey ? ` with <code>${escapeHtml(b.kmsKey)}</code>` : ""}${b.keyManager ? ` (${escapeHtml(b.keyManager)})` : ""}`,
            ],
            ["Key rotation", escapeHtml(b.keyRotation ?? (b.kmsKey ? "unknown" : "n/a"))],
            ["Block Public Access", escapeHtml(b.publicAccessBlock)],
            ["Versioning", escapeHtml(b.versioning)],
            ["Object Lock", escapeHtml(b.objectLock)],
            ["Retention (lifecycle)", escapeHtml(b.retention)],
            ["Replication", escapeHtml(b.replication)],
            ["Server access logging", escapeHtml(b.accessLogging)],
            ["CloudTrail read coverage", escapeHtml(b.trailCoverage)],
            [
              "Who can read raw recordings",
              b.rawReaders.declared.length + b.rawReaders.undesignated.length === 0
                ? "n/a (no raw recordings)"
                : `designated: ${b.rawReaders.declared.map((p) => `<code>${escapeHtml(p)}</code>`).join(", ") || "none"}` +
                  (b.rawReaders.undesignated.length
                    ? `<br><span class="warn">also able to read (findings):</span> ${b.rawReaders.undesignated.map((p) => `<code>${escapeHtml(p)}</code>`).join(", ")}`
                    : ""),
            ],
          ],
          "kv",
        ),
    )
    .join("");

  const body = [
    `<header><h1>${escapeHtml(r.title)}</h1>`,
    `<p class="meta">Generated ${escapeHtml(r.generatedAt)} by phiwatch · accounts ${escapeHtml(r.scope.accounts.join(", ") || "none")}${
      r.scope.accountsNotSwept.length > 0
        ? ` · <span class="warn">accounts no longer swept: ${escapeHtml(r.scope.accountsNotSwept.join(", "))} (${escapeHtml(accountsNotSweptNote(r))})</span>`
        : ""
    }${regionsMeta(r)}${s.lastSweep ? ` · last sweep ${escapeHtml(s.lastSweep)}` : ' · <span class="warn">no sweep recorded: statuses come from change events only</span>'}</p></header>`,
    `<nav><a href="#controls">Controls</a> · <a href="#open">Open findings</a> · <a href="#resolved">Resolved</a> · <a href="#timeline">Drift timeline</a> · <a href="#activity">Activity</a> · <a href="#inventory">PHI data paths</a></nav>`,
    `<section id="summary"><h2>Summary</h2><div class="cards">${cards}</div></section>`,
    `<section id="controls"><h2>Controls (${r.controls.length})</h2>${controlsTable}</section>`,
    `<section id="open"><h2>Open findings (${r.openFindings.length})</h2>${r.openFindings.map(findingCard).join("") || `<p class="none">None.</p>`}</section>`,
    r.suppressedFindings.length
      ? `<section id="suppressed"><h2>Suppressed findings (${r.suppressedFindings.length})</h2>${r.suppressedFindings.map(findingCard).join("")}</section>`
      : "",
    r.unable.length
      ? `<section id="unable"><h2>Unable to evaluate (${r.unable.length})</h2>${table(
          ["Operation", "Resource", "Reason"],
          r.unable.map((u) => [
            `<code>${escapeHtml(u.operation)}</code>`,
            `${u.accountId ? `${escapeHtml(u.accountId)} ` : ""}${escapeHtml(u.resourceType)} ${escapeHtml(u.resourceId ?? "")} ${escapeHtml(u.region ?? "")}`,
            escapeHtml(u.reason),
          ]),
        )}</section>`
      : "",
    `<section id="resolved"><h2>Resolved findings (${r.resolvedFindings.length})</h2>${resolved}</section>`,
    `<section id="timeline"><h2>Drift timeline</h2><p class="meta">Open drift findings per control family over time.</p>${timeline}</section>`,
    `<section id="activity"><h2>Activity detections</h2>${activity}</section>`,
    `<section id="inventory"><h2>PHI data paths (current-state architecture)</h2>`,
    `<h3>PHI buckets (${inv.buckets.length})</h3>${buckets || `<p class="none">None.</p>`}`,
    `<h3>PHI keys</h3>${table(
      ["Key", "Manager", "State", "Rotation"],
      inv.keys.map((k) => [
        `<code>${escapeHtml(k.arn)}</code>`,
        escapeHtml(k.manager),
        escapeHtml(k.state),
        escapeHtml(k.rotation),
      ]),
    )}`,
    `<h3>CloudTrail trails</h3>${table(
      ["Trail", "Home region", "Multi-region", "Logging", "Log file validation", "KMS key"],
      inv.trails.map((t) => [
        escapeHtml(t.name),
        escapeHtml(t.region),
        t.multiRegion ? "yes" : "no",
        escapeHtml(t.logging),
        t.logFileValidation ? "on" : "off",
        `<code>${escapeHtml(t.kmsKey)}</code>`,
      ]),
    )}`,
    `<h3>Amazon Connect storage</h3>${
      inv.connect.length === 0
        ? `<p class="none">No Connect instance recorded.</p>`
        : inv.connect
            .map(
              (c) =>
                `<p><b>${escapeHtml(c.alias ?? c.instance)}</b> <code>${escapeHtml(c.instance)}</code> · ${escapeHtml(c.region)} · Contact Lens ${escapeHtml(c.contactLens)}</p>` +
                table(
                  ["Data", "Stored in", "Encryption"],
                  c.storage.map((x) => [
                    escapeHtml(x.type),
                    `<code>${escapeHtml(x.target)}</code>`,
                    escapeHtml(x.encryption),
                  ]),
                ),
            )
            .join("")
    }`,
    `<h3>Account-level Block Public Access</h3>${table(
      ["Account", "Flags"],
      inv.accountPublicAccessBlock.map((a) => [escapeHtml(a.accountId), escapeHtml(a.flags)]),
    )}</section>`,
  ].join("\n");

  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>${escapeHtml(r.title)}</title><style>${CSS}</style></head><body>\n${body}\n</body></html>\n`;
}
