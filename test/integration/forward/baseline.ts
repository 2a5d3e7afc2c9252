// The baseline the forward tests deploy: one webhook target at `url` (a loopback receiver, so
// allowInsecureLocal), retried `maxAttempts` times with short delays.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function webhookBaseline(url: string, maxAttempts: number): string {
  const file = join(mkdtempSync(join(tmpdir(), "phiwatch-forward-")), "baseline.yaml");
  writeFileSync(
    file,
    `version: 1
organisation: { name: Test Health, timeZone: America/New_York }
accounts: ["111122223333"]
allowedRegions: [us-east-1]
phiBuckets:
  - name: northwind-connect-recordings
webhooks:
  - name: siem
    url: ${url}
    format: ocsf
    secret: { env: PHIWATCH_TEST_WEBHOOK_SECRET }
    minSeverity: low
    allowInsecureLocal: true
    retry: { maxAttempts: ${maxAttempts}, baseDelayMs: 200, maxDelayMs: 1000 }
`,
  );
  return file;
}
