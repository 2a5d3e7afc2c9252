import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { bucketName, bucketPublicAccessBlock, PUBLIC_ACCESS_FLAGS } from "../../resource/s3.ts";

export default defineControl({
  id: "s3-block-public-access",
  title: "PHI buckets block all public access",
  resourceTypes: ["AWS::S3::Bucket"],
  // The account's flags count for every bucket: a change of them re-evaluates the account's buckets.
  dependsOn: ["AWS::S3::AccountPublicAccessBlock"],
  hipaa: ["164.312(a)(1)"],
  severity: "critical",
  rationale:
    "One public ACL or policy statement exposes every recording in the bucket to the internet. Block Public " +
    "Access overrides both, so each of the four flags must be on at the bucket or at the account level.",
  remediation: {
    console: "S3 › bucket › Permissions › Block public access › Edit › turn on all four settings.",
    cli:
      "aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration " +
      "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
  },
  facts(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags)) return [];
    return [
      { kind: "s3-account-public-access-block", accountId: resource.accountId, region: resource.region },
    ];
  },
  evaluate(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const bucket = bucketPublicAccessBlock(resource);
    const account = ctx.facts.accountPublicAccessBlock(resource.accountId);
    const accountFlags = account?.ok ? account.value : undefined;
    const off = PUBLIC_ACCESS_FLAGS.filter((f) => !(bucket?.[f] ?? false) && !(accountFlags?.[f] ?? false));
    const evidence = {
      bucket: bucket ?? "none configured",
      account:
        accountFlags ??
        (account && !account.ok ? `unknown: ${account.reason}` : "unknown: no account-level item recorded"),
      flagsOff: off,
    };
    if (off.length === 0) return pass("all four Block Public Access flags are on", evidence);
    const proof = accountFlags ? {} : { proof: "cannot prove: account-level setting unknown" };
    return fail(`Block Public Access off: ${off.join(", ")}`, { ...evidence, ...proof });
  },
});
