import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketVersioningStatus, supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";

export default defineControl({
  id: "s3-versioning-mfa-delete",
  title: "PHI buckets keep versions (and require MFA to delete them where the baseline says so)",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(c)(1)"],
  severity: "medium",
  rationale:
    "Without versioning an overwrite or delete destroys a recording for good; with MFA delete, stolen " +
    "credentials alone cannot remove versions or turn versioning off.",
  remediation: {
    console:
      "S3 › bucket › Properties › Bucket Versioning › Edit › Enable. MFA delete can only be set by the root user with the CLI.",
    cli:
      "aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled,MFADelete=Enabled " +
      '--mfa "arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device CODE"',
  },
  evaluate(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const v = supplementaryObject(resource, "BucketVersioningConfiguration");
    const status = bucketVersioningStatus(resource);
    const raw = v?.isMfaDeleteEnabled ?? v?.MFADelete;
    const mfaDelete = raw === true || raw === "true" || raw === "Enabled";
    const evidence = {
      status,
      isMfaDeleteEnabled: raw ?? null,
      requireMfaDelete: ctx.baseline.s3.requireMfaDelete,
    };
    if (status !== "Enabled") return fail(`versioning is ${status ?? "not recorded"}, not Enabled`, evidence);
    if (ctx.baseline.s3.requireMfaDelete && !mfaDelete)
      return fail("MFA delete is off and the baseline requires it", evidence);
    return pass(
      ctx.baseline.s3.requireMfaDelete ? "versioning and MFA delete on" : "versioning on",
      evidence,
    );
  },
});
