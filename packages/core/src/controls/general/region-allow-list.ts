import { matchesAny, phiBucketOf } from "../../baseline/match.ts";
import type { Baseline } from "../../baseline/schema.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { inConnectScope } from "../../resource/connect.ts";
import { bucketName } from "../../resource/s3.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";
import { phiwatchComponent } from "./phiwatch-self-protection.ts";

/** Why a resource holds or protects PHI, or undefined when it does not. */
function phiReason(s: ResourceSnapshot, baseline: Baseline): string | undefined {
  if (s.resourceType === "AWS::S3::Bucket")
    return phiBucketOf(baseline, bucketName(s), s.tags) ? "PHI bucket in the baseline" : undefined;
  if (s.resourceType === "AWS::KMS::Key") {
    const arn = s.arn ?? (typeof s.configuration.arn === "string" ? s.configuration.arn : undefined);
    return arn && matchesAny(baseline.phiKeys, arn) ? "PHI key in the baseline" : undefined;
  }
  if (s.resourceType.startsWith("AWS::Connect::"))
    return inConnectScope(baseline, s) ? "Amazon Connect resource (contact-center data)" : undefined;
  if (phiwatchComponent(s) !== undefined) return "phiwatch component (stores findings and evidence)";
  return undefined;
}

export default defineControl({
  id: "region-allow-list",
  title: "PHI resources live only in the baseline's allowed regions",
  resourceTypes: ["*"],
  hipaa: ["164.312(a)(1)"],
  severity: "high",
  rationale:
    "Data residency commitments (BAAs, state law, customer contracts) name regions. A PHI bucket, key or Connect " +
    "instance created elsewhere sits outside those commitments and usually outside the monitored footprint too.",
  remediation: {
    console:
      "Move the data to an allowed region (S3 Batch Replication, then delete the source) or, if the region is " +
      "approved, add it to allowedRegions in the baseline.",
    cli: "aws s3 sync s3://SOURCE s3://DESTINATION_IN_ALLOWED_REGION --sse aws:kms --sse-kms-key-id KEY_ARN",
  },
  evaluate(resource, ctx) {
    if (resource.region === "global" || resource.region === "")
      return notApplicable("global resource", { region: resource.region });
    const reason = phiReason(resource, ctx.baseline);
    if (!reason) return notApplicable("not a PHI resource");
    const evidence = {
      region: resource.region,
      allowedRegions: ctx.baseline.allowedRegions,
      phiResource: reason,
    };
    if (!ctx.baseline.allowedRegions.includes(resource.region))
      return fail(`PHI resource in ${resource.region}, outside the allowed regions`, evidence);
    return pass(`PHI resource in allowed region ${resource.region}`, evidence);
  },
});
