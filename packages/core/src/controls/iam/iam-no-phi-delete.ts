import { matchesAny } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import {
  accessPointAccess,
  accessVerdict,
  iamChangeMovesIdentity,
  identityAccess,
  identityControlFacts,
  identityScope,
  pipelineServiceRole,
} from "../../policy/identity.ts";

const OBJECT_DELETE = ["s3:DeleteObject", "s3:DeleteObjectVersion"];
/**
 * Bucket actions that destroy PHI or open the bucket: the bucket policy, and the lifecycle configuration
 * (s3:PutLifecycleConfiguration, the permission of PutBucketLifecycle and PutBucketLifecycleConfiguration),
 * whose Expiration and NoncurrentVersionExpiration rules (1 day at the least) make S3 itself delete every
 * object and every version — a deletion that needs no s3:DeleteObject* permission.
 */
const BUCKET_CHANGE = ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration"];

export default defineControl({
  id: "iam-no-phi-delete",
  title: "Only operators can delete PHI objects or change PHI bucket policies",
  resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User"],
  hipaa: ["164.312(c)(1)"],
  severity: "medium",
  rationale:
    "Integrity: deleting a recording or a version — directly, or with a lifecycle rule that expires them — or " +
    "rewriting the bucket policy must be limited to the baseline's operators, so a compromised application or " +
    "analyst role cannot destroy PHI or open the bucket." +
    " Through an S3 access point a request names the access point (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY), not the bucket; phiwatch does not record which bucket an access point serves (AWS::S3::AccessPoint), so a delete grant there says cannot prove.",
  remediation: {
    console:
      "IAM › identity › Permissions › remove s3:DeleteObject*, s3:PutBucketPolicy, s3:DeleteBucketPolicy and " +
      "s3:PutLifecycleConfiguration on PHI buckets.",
    cli: "aws iam put-role-policy --role-name ROLE --policy-name deny-phi-delete --policy-document file://deny-phi-delete.json",
  },
  dependsOn: ["AWS::IAM::Policy", "AWS::IAM::Group"],
  // Only the identities that name the policy or group (and, for a policy, every user in a group).
  affectedBy: iamChangeMovesIdentity,
  facts(resource, ctx) {
    return identityControlFacts(resource, ctx.baseline);
  },
  evaluate(resource, ctx) {
    const { ip, targets } = identityScope(resource, ctx);
    if (matchesAny(ctx.baseline.principals.operators, ip.arn))
      return notApplicable("an operator in the baseline", { identity: ip.arn });
    const asService = pipelineServiceRole(ctx.baseline, ip.arn);
    if (asService) return asService;
    const found = [
      ...identityAccess(
        ip,
        OBJECT_DELETE,
        targets.map((t) => t.objects),
      ),
      ...identityAccess(
        ip,
        BUCKET_CHANGE,
        targets.map((t) => t.bucketArn),
      ),
      // Through an access point a delete names the access point, not the bucket (policy/access-points.ts).
      ...(targets.length ? accessPointAccess(ip, OBJECT_DELETE, ["*"]) : []),
    ];
    const v = accessVerdict(ip, found);
    if (v.ok) return pass("cannot delete PHI objects or change PHI bucket policies or lifecycle", v.evidence);
    if (v.proven)
      return fail(
        "a non-operator can delete PHI objects or change a PHI bucket policy or lifecycle",
        v.evidence,
      );
    return fail(
      "cannot prove this identity cannot delete PHI or change bucket policies or lifecycle",
      v.evidence,
    );
  },
});
