import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Baseline, type BaselineInput, BaselineSchema } from "../../packages/core/src/index.ts";

/** A small valid baseline for unit tests; override any field. */
export function testBaseline(overrides: Partial<BaselineInput> = {}): Baseline {
  return BaselineSchema.parse({
    version: 1,
    organisation: { name: "Test Health", timeZone: "America/New_York" },
    accounts: ["111122223333"],
    allowedRegions: ["us-east-1"],
    phiBuckets: [
      { name: "phi-recordings", holds: ["recordings"] },
      { prefix: "phi-transcripts-", holds: ["transcripts"] },
    ],
    ...overrides,
  });
}

/**
 * The demo baseline (examples/baseline.yaml) with `accounts` replaced, written to a fresh temporary
 * file for a local stack (`LocalStack.start({ baselineFile })`); returns the file's path.
 */
export function demoBaselineFileWithAccounts(accounts: readonly string[], prefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), "baseline.yaml");
  const text = readFileSync("examples/baseline.yaml", "utf8");
  const replaced = text.replace('accounts: ["111122223333"]', `accounts: ${JSON.stringify(accounts)}`);
  if (replaced === text)
    throw new Error("examples/baseline.yaml no longer declares its accounts as the helper expects");
  writeFileSync(file, replaced);
  return file;
}
