import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
const num = (v: unknown): number | undefined =>
  typeof v === "number" && v > 0 ? v : typeof v === "string" && Number(v) > 0 ? Number(v) : undefined;

export default defineControl({
  id: "s3-object-lock",
  title: "PHI evidence buckets lock objects for at least the baseline's retention",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(c)(1)"],
  severity: "medium",
  rationale:
    "Object Lock makes versions immutable for the retention period, so neither a mistake nor an attacker " +
    "with delete rights can destroy the records that prove what happened. Only a default retention (a mode " +
    "and a period) locks what is uploaded without retention of its own, as Connect uploads: Object Lock on " +
    "without one cannot prove that anything is locked.",
  remediation: {
    console:
      "S3 › bucket › Properties › Object Lock › Edit › enable default retention, mode and days (enabling Object Lock " +
      "on an existing bucket needs versioning on).",
    cli:
      "aws s3api put-object-lock-configuration --bucket BUCKET --object-lock-configuration " +
      "'ObjectLockEnabled=Enabled,Rule={DefaultRetention={Mode=COMPLIANCE,Days=DAYS}}'",
  },
  evaluate(resource, ctx) {
    const phi = phiBucketOf(ctx.baseline, bucketName(resource), resource.tags);
    if (!phi) return notApplicable("not a PHI bucket in the baseline");
    const want = ctx.baseline.s3.objectLock;
    if (!want.required && !phi.holds.includes("evidence"))
      return notApplicable(
        "Object Lock is required only on evidence buckets (baseline s3.objectLock.required is false)",
      );
    const c = supplementaryObject(resource, "ObjectLockConfiguration", "BucketObjectLockConfiguration");
    const enabled = c?.objectLockEnabled ?? c?.ObjectLockEnabled;
    const rule = obj(c?.rule) ?? obj(c?.Rule);
    const ret = obj(rule?.defaultRetention) ?? obj(rule?.DefaultRetention);
    const mode = (ret?.mode ?? ret?.Mode ?? null) as string | null;
    const days = num(ret?.days ?? ret?.Days);
    const years = num(ret?.years ?? ret?.Years);
    const retentionDays = days ?? (years !== undefined ? years * 365 : undefined);
    const evidence = {
      objectLockEnabled: enabled ?? null,
      mode,
      retentionDays: retentionDays ?? null,
      required: { mode: want.mode ?? "any", minDays: want.minDays ?? null },
    };
    if (enabled !== "Enabled") return fail("Object Lock is not enabled", evidence);
    if (want.mode === "COMPLIANCE" && mode !== "COMPLIANCE")
      return fail(`default retention mode is ${mode ?? "none"}, the baseline requires COMPLIANCE`, evidence);
    if (want.mode === "GOVERNANCE" && mode !== "GOVERNANCE" && mode !== "COMPLIANCE")
      return fail("no default retention mode, the baseline requires GOVERNANCE", evidence);
    if (want.minDays !== undefined && (retentionDays ?? 0) < want.minDays)
      return fail(
        `default retention ${retentionDays ?? 0} days is shorter than the baseline's ${want.minDays}`,
        evidence,
      );
    // Default retention is what locks "new objects placed in the bucket" (it needs a mode and a
    // period). Without it only uploads that set their own retention are locked: Connect sets none, and
    // Config records no per-object retention, so that objects are locked cannot be proven.
    if ((mode !== "COMPLIANCE" && mode !== "GOVERNANCE") || retentionDays === undefined)
      return fail("cannot prove objects are locked: Object Lock is on with no default retention", {
        ...evidence,
        proof:
          "cannot prove: with no default retention only uploads that set their own retention are locked, and Config records no per-object retention",
      });
    return pass(`Object Lock on (${mode}, ${retentionDays} days)`, evidence);
  },
});
