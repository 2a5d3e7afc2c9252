import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketReadCoverage, TRAIL_TYPE } from "../../resource/cloudtrail.ts";
import { bucketName } from "../../resource/s3.ts";

/** Server access logging target of a bucket, from its Config item (`BucketLoggingConfiguration`). */
function accessLogging(
  supplementary: Record<string, unknown>,
): { destination: string; prefix?: string } | undefined {
  const c = supplementary.BucketLoggingConfiguration;
  if (!c || typeof c !== "object") return undefined;
  const o = c as Record<string, unknown>;
  const destination = o.destinationBucketName ?? o.DestinationBucketName ?? o.TargetBucket;
  if (typeof destination !== "string" || destination === "") return undefined;
  const prefix = o.logFilePrefix ?? o.TargetPrefix;
  return { destination, ...(typeof prefix === "string" && prefix !== "" ? { prefix } : {}) };
}

export default defineControl({
  id: "s3-access-audited",
  title: "Object reads of PHI buckets are audited",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(b)"],
  severity: "high",
  rationale:
    "HIPAA requires recording activity in systems that hold PHI. A read of a recording (GetObject, " +
    "SelectObjectContent) is only on record when a CloudTrail data-event selector records both on the bucket's " +
    "objects and the trail delivers its log files to S3 (no GetTrailStatus LatestDeliveryError on its latest " +
    "attempt), or server access logging is on.",
  remediation: {
    console:
      "CloudTrail › Trails › trail › Data events › add S3 read events for this bucket; or S3 › bucket › Properties › " +
      "Server access logging › Enable.",
    cli:
      "aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors " +
      '\'[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},' +
      '{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::BUCKET/"]}]}]\'',
  },
  // A trail's selectors decide this bucket's verdict: re-evaluate PHI buckets when a trail changes.
  dependsOn: [TRAIL_TYPE],
  facts(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags)) return [];
    return [{ kind: "inventory", resourceType: TRAIL_TYPE, accountId: resource.accountId }];
  },
  evaluate(resource, ctx) {
    const name = bucketName(resource);
    if (!phiBucketOf(ctx.baseline, name, resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const logging = accessLogging(resource.supplementary);
    const trails = ctx.facts.inventory(TRAIL_TYPE, resource.accountId);
    const coverage = trails ? bucketReadCoverage(trails, { name, region: resource.region }) : undefined;
    const trailEvidence = coverage
      ? coverage.trails.map((t) => ({
          trail: t.trail,
          coverage: t.coverage,
          reason: t.reason,
          ...(t.deliveryError ? { deliveryError: t.deliveryError } : {}),
        }))
      : "unknown: the account's trails are not known";
    if (coverage?.coverage === "full" && coverage.by)
      return pass(`object reads recorded by trail ${coverage.by.trail}`, {
        trail: coverage.by.trail,
        selector: coverage.by.selector ?? null,
        serverAccessLogging: logging ?? "off",
      });
    if (logging)
      return pass("server access logging records object reads", {
        serverAccessLogging: logging,
        trails: trailEvidence,
      });
    const evidence: Record<string, unknown> = { serverAccessLogging: "off", trails: trailEvidence };
    if (!coverage || coverage.coverage === "unknown") evidence.proof = "cannot prove";
    return fail("no data-event selector records object reads and server access logging is off", evidence);
  },
});
