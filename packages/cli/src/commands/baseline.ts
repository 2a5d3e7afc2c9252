import { readFileSync } from "node:fs";
import {
  type Baseline,
  BaselineError,
  PhiwatchError,
  Plan,
  parseBaseline,
  suppressionEnd,
} from "@phiwatch/core";
import { UsageError } from "../context.ts";
import { bold, dim } from "../output.ts";

/** `phiwatch baseline check <file>`: validate and explain what the baseline declares. */
export async function baselineCommand(argv: string[]): Promise<number> {
  const [sub, file] = argv;
  if (sub !== "check" || !file) throw new UsageError("usage: phiwatch baseline check <file>");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let b: Baseline;
  try {
    b = parseBaseline(text, file);
  } catch (error) {
    if (!(error instanceof BaselineError)) throw error;
    process.stderr.write(`${file} is not a valid baseline:\n`);
    for (const i of error.issues)
      process.stderr.write(`  ${i.file}${i.line ? `:${i.line}` : ""}  ${i.field}: ${i.message}\n`);
    return 2;
  }
  // The EventBridge rules this baseline deploys must fit the account's pattern-size quota.
  const max = Plan.eventPatternMax(process.env.PHIWATCH_EVENT_PATTERN_MAX);
  let rules: Plan.RulePlan[];
  try {
    rules = Plan.eventRules(b, { maxPatternChars: max });
  } catch (error) {
    if (!(error instanceof PhiwatchError)) throw error;
    process.stderr.write(`${file} cannot be deployed as it is:\n  ${error.message}\n`);
    return 2;
  }
  // Valid but inert: an entry past its `until` covers no finding, which a reader of the file may not see.
  const now = Date.now();
  const expired = b.suppressions.filter((s) => {
    const end = suppressionEnd(s.until, b.organisation.timeZone);
    return end !== undefined && Date.parse(end) <= now;
  });
  const out = [
    `${bold("valid")} ${file} — ${b.organisation.name}`,
    `  accounts        ${b.accounts.join(", ")}`,
    `  regions         ${b.allowedRegions.join(", ")}`,
    `  time zone       ${b.organisation.timeZone}, business hours ${b.organisation.businessHours.days.join(",")} ${b.organisation.businessHours.start}–${b.organisation.businessHours.end}`,
    `  PHI buckets     ${b.phiBuckets.map((p) => `${p.name ?? `${p.prefix ?? ""}*`}${p.tag ? `tag:${p.tag.key}` : ""} (${p.holds.join("+")})`).join(", ")}`,
    `  PHI keys        ${b.phiKeys.length} declared ${dim("(+ keys that encrypt PHI buckets)")}`,
    `  raw readers     ${b.principals.rawReaders.length}, analytics-only ${b.principals.analytics.length}, operators ${b.principals.operators.length}`,
    `  retention       ${b.retentionDays} days`,
    `  detectors       learning ${b.detectors.learningDays} d, window ${b.detectors.windowMinutes} min, volume floor ${b.detectors.volume.floor}`,
    `  suppressions    ${b.suppressions.length}${expired.length ? ` (${expired.length} expired)` : ""}; webhooks ${b.webhooks.length}`,
    ...expired.map(
      (s) => `  expired         ${s.rule} on ${s.resource} (until ${s.until}): suppresses nothing`,
    ),
    `  event rules     ${rules.map((r) => `${r.id} ${Plan.patternChars(r)}`).join(", ")} ${dim(`(characters; quota ${max})`)}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
