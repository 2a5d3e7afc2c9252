// The baseline the forward tests deploy: one webhook target at `url` (a loopback receiver, so
// allowInsecureLocal), retried `maxAttempts` times with short delays; OCSF to "siem" unless told.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function webhookBaseline(
  url: string,
  maxAttempts: number,
  target: { name: string; format: "ocsf" | "hec"; tokenEnv?: string } = { name: "siem", format: "ocsf" },
): string {
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
  - name: ${target.name}
    url: ${url}
    format: ${target.format}
    secret: { env: PHIWATCH_TEST_WEBHOOK_SECRET }
${target.tokenEnv ? `    token: { env: ${target.tokenEnv} }\n` : ""}    minSeverity: low
    allowInsecureLocal: true
    retry: { maxAttempts: ${maxAttempts}, baseDelayMs: 200, maxDelayMs: 1000 }
`,
  );
  return file;
}
