import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { judgedByOwner, TRAIL_TYPE, trailView } from "../../resource/cloudtrail.ts";

export default defineControl({
  id: "cloudtrail-log-validation",
  title: "CloudTrail trails validate log file integrity",
  resourceTypes: [TRAIL_TYPE],
  hipaa: ["164.312(c)(1)"],
  severity: "high",
  rationale:
    "The audit trail is the evidence of who read PHI. Without digest files, a log file edited or deleted after " +
    "delivery cannot be detected, so the trail cannot prove its own integrity to an auditor. Validation on " +
    "with digest files S3 refuses (GetTrailStatus LatestDigestDeliveryError) validates nothing.",
  remediation: {
    console: "CloudTrail › Trails › trail › General details › Edit › Log file validation › Enabled.",
    cli: "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation",
  },
  evaluate(resource, ctx) {
    const t = trailView(resource);
    const owner = judgedByOwner(resource, ctx.baseline.accounts);
    if (owner)
      return notApplicable(`organisation trail of account ${owner}: judged in that account`, {
        trail: t.name,
        owner,
      });
    const evidence = { trail: t.name, logFileValidationEnabled: t.logFileValidation };
    if (!t.logFileValidation) return fail("log file integrity validation is off", evidence);
    // Validation needs the digest files: one S3 refuses (GetTrailStatus LatestDigestDeliveryError)
    // leaves log files nothing to be validated against. Judged where the trail's status was read.
    const d = t.digestDelivery;
    if (d?.state === "failing")
      return fail(`log file integrity validation is on, but no digest file was delivered (${d.error})`, {
        ...evidence,
        digestDeliveryError: d.error,
      });
    if (d?.state === "unknown")
      return fail(
        `cannot prove digest files are delivered: digest delivery error ${d.error} recorded, and the time the trail's status was read is unknown`,
        { ...evidence, digestDeliveryError: d.error, proof: "cannot prove" },
      );
    if (d?.state === "ok" && d.error !== undefined)
      return pass(
        `log file integrity validation is on; digest files still arrive (digest delivery error ${d.error} recorded earlier)`,
        { ...evidence, digestDeliveryError: d.error },
      );
    return pass("log file integrity validation is on", evidence);
  },
});
