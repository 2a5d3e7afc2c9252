// What every infra module shares: the stage, the baseline the rules and roles are derived from, the
// account and region being deployed to, and the pure plans of packages/core/src/plan.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Baseline, baselineJson, parseBaseline } from "../packages/core/src/baseline/index.ts";
import * as Plan from "../packages/core/src/plan/index.ts";

export { Plan };

export const stage = $app.stage;
export const protectedStage = Plan.isProtectedStage(stage);
export const name = (what: string) => Plan.resourceName(stage, what);
export const tags = Plan.resourceTags(stage);

/**
 * The baseline file deployed with the functions and used to derive rules and permissions:
 * PHIWATCH_BASELINE (path) or `phiwatch.baseline.yaml` at the repository root.
 */
export const baselineFile = resolve(process.env.PHIWATCH_BASELINE ?? "phiwatch.baseline.yaml");
if (!existsSync(baselineFile)) {
  throw new Error(
    `phiwatch: no baseline at ${baselineFile}. Write one (see docs/deploy.md) or set PHIWATCH_BASELINE=path/to/baseline.yaml`,
  );
}
const baselineText = readFileSync(baselineFile, "utf8");
export const baseline: Baseline = parseBaseline(baselineText, baselineFile);
const refusals = Plan.deployRefusals(baseline);
if (refusals.length > 0)
  throw new Error(`phiwatch: ${baselineFile} cannot be deployed: ${refusals.join("; ")}`);

/**
 * The JSON rendition of the baseline the functions read (`parseBaselineJson`: no YAML parser in the
 * bundles), written under .sst/ and named by its content, so two evaluations of the app never
 * write one file with different baselines.
 */
const json = baselineJson(baselineText, baselineFile);
export const baselineJsonFile = resolve(
  ".sst",
  "phiwatch",
  `baseline-${createHash("sha256").update(json).digest("hex").slice(0, 16)}.json`,
);
if (!existsSync(baselineJsonFile)) {
  mkdirSync(resolve(".sst", "phiwatch"), { recursive: true });
  writeFileSync(`${baselineJsonFile}.${process.pid}.tmp`, json);
  renameSync(`${baselineJsonFile}.${process.pid}.tmp`, baselineJsonFile);
}

const identity = aws.getCallerIdentityOutput({});
const region = aws.getRegionOutput({});
const partition = aws.getPartitionOutput({});
export const accountId = identity.accountId;
export const regionName = region.name;
export const partitionName = partition.partition;

/**
 * Key administrators: PHIWATCH_KEY_ADMINS (comma-separated ARNs) or the account (then IAM policies
 * decide who administers; administrators never get use of the key).
 */
export const keyAdmins = $resolve([partitionName, accountId]).apply(([p, a]) =>
  process.env.PHIWATCH_KEY_ADMINS
    ? process.env.PHIWATCH_KEY_ADMINS.split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [`arn:${p}:iam::${a}:root`],
);
