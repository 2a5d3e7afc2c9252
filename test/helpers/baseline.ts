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
