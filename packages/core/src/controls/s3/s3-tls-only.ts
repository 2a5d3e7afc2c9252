import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { evaluatePolicies } from "../../policy/evaluate.ts";
import { bucketArns, bucketPolicy, isUnreadable, partitionOfResource } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";

/** Requests that must be refused over plain HTTP: object reads/writes/deletes and bucket listing. */
const OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"];
const BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy"];

export default defineControl({
  id: "s3-tls-only",
  title: "PHI buckets refuse requests that do not use TLS",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(e)(1)"],
  severity: "high",
  rationale:
    "S3 still answers plain-HTTP requests unless the bucket policy denies them. Only an explicit Deny on " +
    "aws:SecureTransport=false, for every principal, covering both the bucket and its objects, guarantees that " +
    "recordings never cross a network unencrypted. aws:SecureTransport is a Boolean key: a Deny that tests it " +
    'with a string operator (StringEquals "false") or a value other than true/false has no documented ' +
    "meaning, so it cannot prove TLS is required.",
  remediation: {
    console:
      "S3 › bucket › Permissions › Bucket policy › add a statement: Effect Deny, Principal *, Action s3:*, " +
      'Resource the bucket ARN and ARN/*, Condition {"Bool":{"aws:SecureTransport":"false"}}.',
    cli:
      "aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json  # add the Deny " +
      '{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":' +
      '["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}',
  },
  evaluate(resource, ctx) {
    const name = bucketName(resource);
    if (!phiBucketOf(ctx.baseline, name, resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const doc = bucketPolicy(resource);
    if (doc === undefined)
      return fail("no bucket policy: plain-HTTP requests are not denied", { bucketPolicy: null });
    if (isUnreadable(doc))
      return fail("cannot prove TLS is required: bucket policy unreadable", {
        proof: "cannot prove",
        reason: doc.unreadable,
      });
    // The Deny names the bucket in its own partition (arn:aws-us-gov:s3:::… in GovCloud).
    const arns = bucketArns(name, partitionOfResource(resource));
    const policies = [{ name: "bucket-policy", document: doc }];
    const gaps: Array<{ action: string; resource: string; effect: string; undecided?: string[] }> = [];
    const checks = [
      ...OBJECT_ACTIONS.map((action) => ({ action, resource: arns.objects })),
      ...BUCKET_ACTIONS.map((action) => ({ action, resource: arns.bucket })),
    ];
    let deniedBy: string[] = [];
    for (const c of checks) {
      const d = evaluatePolicies(policies, {
        ...c,
        principal: { kind: "everyone" },
        context: { "aws:SecureTransport": "false" },
      });
      if (d.effect === "deny") deniedBy = [...new Set([...deniedBy, ...d.deniedBy.map((r) => r.statement)])];
      else {
        const undecided = d.conditionalDeny.flatMap((r) => r.undecided ?? []);
        gaps.push({ ...c, effect: d.effect, ...(undecided.length ? { undecided } : {}) });
      }
    }
    if (gaps.length === 0)
      return pass("an explicit Deny refuses non-TLS requests to the bucket and its objects", { deniedBy });
    const conditional = gaps.some((g) => g.undecided);
    return fail(
      conditional
        ? "cannot prove TLS is required: the Deny on aws:SecureTransport depends on other conditions"
        : "no Deny on aws:SecureTransport=false covers every principal, the bucket and its objects",
      {
        notDenied: gaps,
        ...(deniedBy.length ? { deniedBy } : {}),
        ...(conditional ? { proof: "cannot prove" } : {}),
      },
    );
  },
});
