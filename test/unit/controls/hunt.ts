/**
 * fast-check parameters for the differential properties of test/unit/controls: the committed default
 * keeps each file within seconds; `DIFF_RUNS=100000 DIFF_SEED=… npx vitest run <file>` hunts longer
 * (as test/unit/policy/differential.test.ts does).
 */
export function hunt(defaultRuns: number): { params: { numRuns: number; seed?: number }; timeout: number } {
  const numRuns = Number(process.env.DIFF_RUNS ?? defaultRuns);
  const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED);
  return {
    params: { numRuns, ...(seed === undefined ? {} : { seed }) },
    // A hang detector only: hunting runs take minutes.
    timeout: Math.max(30_000, numRuns * 5),
  };
}
