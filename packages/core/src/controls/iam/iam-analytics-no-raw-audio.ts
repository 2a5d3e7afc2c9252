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
} from "../../policy/identity.ts";

const READ = ["s3:GetObject", "s3:GetObjectVersion"];

export default defineControl({
  id: "iam-analytics-no-raw-audio",
  title: "Analytics and QA roles cannot read raw call recordings",
  resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User"],
  hipaa: ["164.502(b)", "164.308(a)(4)"],
  severity: "high",
  rationale:
    "Minimum necessary: analytics and QA work from redacted transcripts. A wildcard such as s3:Get* on " +
    "arn:aws:s3:::phi-*/* quietly gives them every raw recording, with the patient's voice and whatever was said." +
    " Through an S3 access point a request names the access point (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY), not the bucket; phiwatch does not record which bucket an access point serves (AWS::S3::AccessPoint), so a grant on raw-audio keys there says cannot prove.",
  remediation: {
    console:
      "IAM › Roles › role › Permissions › narrow s3:GetObject to the transcript prefixes, or add a Deny on " +
      "arn:aws:s3:::BUCKET/connect/*/CallRecordings/*.",
    cli: "aws iam put-role-policy --role-name ROLE --policy-name deny-raw-audio --policy-document file://deny-raw-audio.json",
  },
  dependsOn: ["AWS::IAM::Policy", "AWS::IAM::Group"],
  // Only the identities that name the policy or group (and, for a policy, every user in a group).
  affectedBy: iamChangeMovesIdentity,
  facts(resource, ctx) {
    const arn = resource.arn ?? String(resource.configuration.arn ?? "");
    const p = ctx.baseline.principals;
    if (!matchesAny(p.analytics, arn) || matchesAny(p.rawReaders, arn)) return [];
    return identityControlFacts(resource, ctx.baseline);
  },
  evaluate(resource, ctx) {
    const { ip, targets } = identityScope(resource, ctx);
    const p = ctx.baseline.principals;
    if (!matchesAny(p.analytics, ip.arn)) return notApplicable("not an analytics principal in the baseline");
    if (matchesAny(p.rawReaders, ip.arn))
      return notApplicable("also a designated raw reader in the baseline", { identity: ip.arn });
    const raw = targets.flatMap((t) => t.raw);
    if (raw.length === 0) return notApplicable("the baseline lists no bucket holding recordings");
    // Through an access point the request names the access point, not the bucket (policy/access-points.ts).
    const v = accessVerdict(ip, [
      ...identityAccess(ip, READ, raw),
      ...accessPointAccess(
        ip,
        READ,
        targets.flatMap((t) => t.rawKeys),
      ),
    ]);
    if (v.ok) return pass("cannot read raw recordings", v.evidence);
    if (v.proven) return fail("analytics principal can read raw recordings", v.evidence);
    return fail("cannot prove the analytics principal cannot read raw recordings", v.evidence);
  },
});
