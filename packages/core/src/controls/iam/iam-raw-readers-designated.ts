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

const READ = ["s3:GetObject", "s3:GetObjectVersion"];

export default defineControl({
  id: "iam-raw-readers-designated",
  title: "Only designated raw readers can read PHI objects",
  resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User"],
  hipaa: ["164.308(a)(4)"],
  severity: "high",
  rationale:
    "Access to recordings and transcripts must be granted on purpose. Any identity that is neither a designated " +
    "raw reader nor an analytics role (which reads transcripts, see iam-analytics-no-raw-audio) and can still " +
    "read PHI objects is access nobody authorised." +
    " Through an S3 access point a request names the access point (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY), not the bucket; phiwatch does not record which bucket an access point serves (AWS::S3::AccessPoint), so a read grant there says cannot prove.",
  remediation: {
    console:
      "IAM › Roles/Users › identity › Permissions › remove s3:GetObject on PHI buckets, or add it to the " +
      "baseline's principals.rawReaders if the access is intended.",
    cli: "aws iam detach-role-policy --role-name ROLE --policy-arn POLICY_ARN  # or edit the inline policy",
  },
  dependsOn: ["AWS::IAM::Policy", "AWS::IAM::Group"],
  // Only the identities that name the policy or group (and, for a policy, every user in a group).
  affectedBy: iamChangeMovesIdentity,
  facts(resource, ctx) {
    return identityControlFacts(resource, ctx.baseline);
  },
  evaluate(resource, ctx) {
    const { ip, targets } = identityScope(resource, ctx);
    const p = ctx.baseline.principals;
    if (matchesAny(p.rawReaders, ip.arn))
      return notApplicable("a designated raw reader", { identity: ip.arn });
    const asService = pipelineServiceRole(ctx.baseline, ip.arn);
    if (asService) return asService;
    if (matchesAny(p.analytics, ip.arn))
      return notApplicable("an analytics principal (checked by iam-analytics-no-raw-audio)", {
        identity: ip.arn,
      });
    // Through an access point the request names the access point, not the bucket (policy/access-points.ts).
    const v = accessVerdict(ip, [
      ...identityAccess(
        ip,
        READ,
        targets.map((t) => t.objects),
      ),
      ...(targets.length ? accessPointAccess(ip, READ, ["*"]) : []),
    ]);
    if (v.ok) return pass("cannot read PHI objects", v.evidence);
    if (v.proven)
      return fail("an identity outside the baseline's raw readers can read PHI objects", v.evidence);
    return fail("cannot prove this identity cannot read PHI objects", v.evidence);
  },
});
