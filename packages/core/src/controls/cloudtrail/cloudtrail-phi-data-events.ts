import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { phiBucketsOf } from "../../policy/resources.ts";
import { bucketReadCoverage, TRAIL_TYPE, trailView } from "../../resource/cloudtrail.ts";
import { bucketName } from "../../resource/s3.ts";

const BUCKET_TYPE = "AWS::S3::Bucket";

export default defineControl({
  id: "cloudtrail-phi-data-events",
  title: "CloudTrail records S3 object reads of every PHI bucket",
  resourceTypes: [TRAIL_TYPE],
  hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"],
  severity: "high",
  rationale:
    "Management events do not show who downloaded a recording. Only S3 data events do, and they are off by " +
    "default: without a selector recording every read the access detectors count (GetObject and " +
    "SelectObjectContent) on each PHI bucket's objects, access reviews and the access detectors see nothing. " +
    "A server-side copy out of a PHI bucket (CopyObject, UploadPartCopy) is logged under its destination object " +
    "only, so no selector on the PHI bucket records it (docs/detectors.md). A trail whose latest delivery to its S3 " +
    "bucket failed (GetTrailStatus LatestDeliveryError) records no read at all.",
  remediation: {
    console:
      "CloudTrail › Trails › trail › Data events › Edit › Data event type S3 › Log selector template 'Log readOnly " +
      "events' (or custom: resources.ARN StartsWith arn:aws:s3:::BUCKET/) for each PHI bucket.",
    cli:
      "aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors " +
      '\'[{"Name":"PHI reads","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},' +
      '{"Field":"resources.type","Equals":["AWS::S3::Object"]},' +
      '{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::BUCKET/"]}]}]\'',
  },
  // Coverage is the union over the account's trails, for the account's PHI buckets.
  dependsOn: [TRAIL_TYPE, BUCKET_TYPE],
  facts(resource) {
    return [
      { kind: "inventory", resourceType: TRAIL_TYPE, accountId: resource.accountId },
      { kind: "inventory", resourceType: BUCKET_TYPE, accountId: resource.accountId },
    ];
  },
  evaluate(resource, ctx) {
    const buckets = ctx.facts.inventory(BUCKET_TYPE, resource.accountId);
    const name = trailView(resource).name;
    if (buckets === undefined)
      return fail("cannot prove: the account's buckets are not known", {
        trail: name,
        proof: "cannot prove",
      });
    const phi = phiBucketsOf(ctx.baseline, buckets);
    if (phi.length === 0) return notApplicable("no PHI bucket recorded in this account", { trail: name });
    const inventory = ctx.facts.inventory(TRAIL_TYPE, resource.accountId) ?? [];
    // This snapshot is the newest state of this trail: it replaces the inventory's copy.
    const trails = [
      resource,
      ...inventory.filter((t) => t.resourceId !== resource.resourceId || t.region !== resource.region),
    ];
    const uncovered: Array<{
      bucket: string;
      coverage: string;
      best?: string;
      reason?: string;
      deliveryError?: string;
    }> = [];
    const covered: Array<{ bucket: string; trail: string; selector?: string }> = [];
    for (const b of phi) {
      const r = bucketReadCoverage(trails, { name: bucketName(b), region: b.region });
      if (r.coverage === "full" && r.by) {
        covered.push({
          bucket: bucketName(b),
          trail: r.by.trail,
          ...(r.by.selector ? { selector: r.by.selector } : {}),
        });
      } else {
        uncovered.push({
          bucket: bucketName(b),
          coverage: r.coverage,
          ...(r.by ? { best: r.by.trail, reason: r.by.reason } : {}),
          ...(r.by?.deliveryError ? { deliveryError: r.by.deliveryError } : {}),
        });
      }
    }
    const evidence: Record<string, unknown> = {
      trail: name,
      trailsConsidered: trails.length,
      covered,
      uncovered,
    };
    if (uncovered.length === 0)
      return pass(`S3 object reads of all ${phi.length} PHI buckets are recorded`, evidence);
    if (uncovered.every((u) => u.coverage === "unknown")) evidence.proof = "cannot prove";
    return fail(
      `${uncovered.length} of ${phi.length} PHI buckets have no data-event selector recording object reads`,
      evidence,
    );
  },
});
