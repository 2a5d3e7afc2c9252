// The evidence report for the demo scenario, opened in a real browser (headless Chromium): the
// pre-audit gaps of the field story are findings with their HIPAA citations, and the PHI data-path
// inventory (the missing architecture document) is there. Keeps a screenshot at docs/report-screenshot.png
// when PHIWATCH_UPDATE_SCREENSHOT=1.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DynamoFindingStore,
  InventoryStore,
  PostureStore,
  runSweep,
} from "../../../packages/aws/src/index.ts";
import { collectReport, renderReport } from "../../../packages/cli/src/commands/report.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { CONTROLS, ControlSet, parseBaseline } from "../../../packages/core/src/index.ts";
import { ensureChromium } from "../../../scripts/ensure-chromium.mjs";
import { clientsFor, demoEvents, type Mocks, mockAccount } from "../../integration/sweep/account.ts";

const chromium = ensureChromium() as { path?: string; skip?: string };
const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
const dir = mkdtempSync(join(tmpdir(), "phiwatch-report-"));
const htmlFile = join(dir, "report.html");
let stack: LocalStack;
let mocks: Mocks;
let dom = "";

/** The eight pre-audit gaps as controls (the eighth — no architecture document — is the inventory itself). */
const GAPS: Array<[rule: string, cite: string]> = [
  ["s3-encryption-cmk", "164.312(a)(2)(iv)"], // recordings on AWS-managed encryption
  ["connect-contact-lens-redaction", "164.502(b)"], // Contact Lens without PHI redaction
  ["connect-flow-pause-recording", "164.502(b)"], // flows recording while callers give their date of birth
  ["iam-analytics-no-raw-audio", "164.502(b)"], // analytics roles able to pull raw audio
  ["cloudtrail-phi-data-events", "164.312(b)"], // no alerting on the recordings bucket (no data events)
  ["s3-retention-lifecycle", "164.316(b)(2)(i)"], // no retention rules
  ["s3-block-public-access", "164.312(a)(1)"], // Block Public Access partly off
];

function browser(args: string[]): string {
  const r = spawnSync(
    chromium.path!,
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", ...args],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`chromium failed (${r.status}): ${r.stderr?.slice(-2000)}`);
  return r.stdout;
}

beforeAll(async () => {
  if (chromium.skip) return;
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  // The demo's configuration story through the event path, then an hourly sweep of the account.
  const { files, items } = demoEvents();
  for (const f of files) await stack.dispatch(JSON.parse(readFileSync(f, "utf8")));
  mocks = mockAccount({ items });
  await runSweep(
    {
      baseline,
      controls: new ControlSet(CONTROLS),
      findings: new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      posture: new PostureStore(stack.ddb, LOCAL_NAMES.table),
      clientsFor,
      backoff: { sleep: async () => {} },
    },
    {
      accountId: DEMO.accountId,
      regions: [DEMO.region],
      sweepId: "e2e",
      now: new Date("2026-03-03T15:00:00.000Z"),
    },
  );
  const report = await collectReport(
    stack.ddb,
    LOCAL_NAMES.table,
    baseline,
    new Date("2026-03-03T15:05:00.000Z"),
  );
  writeFileSync(htmlFile, renderReport(report, "html"));
  dom = browser(["--virtual-time-budget=2000", "--dump-dom", pathToFileURL(htmlFile).href]);
}, 180_000);

afterAll(async () => {
  mocks?.restore();
  await stack?.stop();
});

describe.skipIf(Boolean(chromium.skip))("evidence report in headless Chromium", () => {
  it("shows each pre-audit gap as an open finding with its HIPAA citation", () => {
    const findings = [
      ...dom.matchAll(
        /<div class="finding[^"]*" data-rule="([^"]+)"[\s\S]*?<\/div><\/div>|<div class="finding[^"]*" data-rule="([^"]+)"[\s\S]*?(?=<div class="finding|<\/section>)/g,
      ),
    ];
    const open = dom.slice(
      dom.indexOf('<section id="open">'),
      dom.indexOf("</section>", dom.indexOf('<section id="open">')),
    );
    expect(findings.length).toBeGreaterThan(0);
    for (const [rule, cite] of GAPS) {
      const at = open.indexOf(`data-rule="${rule}"`);
      expect(at, rule).toBeGreaterThan(-1);
      const card = open.slice(
        at,
        open.indexOf('<div class="finding', at + 10) > 0
          ? open.indexOf('<div class="finding', at + 10)
          : undefined,
      );
      expect(card, `${rule} cites ${cite}`).toContain(`45 CFR ${cite}`);
      expect(card, `${rule} has remediation`).toContain("Remediation:");
    }
  });

  it("shows the PHI data-path inventory: buckets, keys, raw readers, trail coverage, Connect storage", () => {
    const inv = dom.slice(dom.indexOf('<section id="inventory">'));
    expect(inv).toContain("s3://northwind-connect-recordings");
    expect(inv).toContain("s3://northwind-contact-lens-transcripts");
    expect(inv).toContain("Who can read raw recordings");
    expect(inv).toContain("arn:aws:iam::111122223333:role/analytics-qa");
    expect(inv).toMatch(/CloudTrail read coverage<\/td><td>none/);
    expect(inv).toContain("CALL_RECORDINGS");
    expect(inv).toContain("northwind-org-trail");
    expect(inv).toContain("Contact Lens on");
  });

  it("has a control table, a drift timeline per family and no external requests", () => {
    expect(dom).toMatch(/<span class="st st-FAILING">FAILING<\/span>/);
    expect(dom).toContain('class="timeline"');
    expect((dom.match(/<svg class="timeline"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    const html = readFileSync(htmlFile, "utf8");
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it("renders to a screenshot", () => {
    const png = join(dir, "report.png");
    browser([
      "--hide-scrollbars",
      "--window-size=1280,2400",
      `--screenshot=${png}`,
      pathToFileURL(htmlFile).href,
    ]);
    expect(statSync(png).size).toBeGreaterThan(50_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    if (process.env.PHIWATCH_UPDATE_SCREENSHOT === "1") copyFileSync(png, "docs/report-screenshot.png");
  });
});
