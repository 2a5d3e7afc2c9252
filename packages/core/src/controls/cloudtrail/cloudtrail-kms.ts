import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { judgedByOwner, TRAIL_TYPE, trailView } from "../../resource/cloudtrail.ts";
import { customerManagedKey, isAwsManagedAlias } from "../../resource/kms-proof.ts";

export default defineControl({
  id: "cloudtrail-kms",
  title: "CloudTrail logs are encrypted with a customer-managed KMS key",
  resourceTypes: [TRAIL_TYPE],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "medium",
  rationale:
    "Data-event logs name PHI objects and who read them. With SSE-KMS under a customer-managed key, reading the " +
    "logs needs kms:Decrypt on a key whose policy you control, and every decryption is itself audited.",
  remediation: {
    console:
      "CloudTrail › Trails › trail › General details › Edit › Log file SSE-KMS encryption › Enabled › choose a key.",
    cli: "aws cloudtrail update-trail --name TRAIL --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
  },
  facts(resource, ctx) {
    const t = trailView(resource);
    if (!t.kmsKeyId || isAwsManagedAlias(t.kmsKeyId) || judgedByOwner(resource, ctx.baseline.accounts))
      return [];
    // The key lives in the trail's home region (its ARN says so when given as an ARN).
    return [{ kind: "kms-key", ref: t.kmsKeyId, accountId: resource.accountId, region: t.homeRegion }];
  },
  evaluate(resource, ctx) {
    const t = trailView(resource);
    const owner = judgedByOwner(resource, ctx.baseline.accounts);
    if (owner)
      return notApplicable(`organisation trail of account ${owner}: judged in that account`, {
        trail: t.name,
        owner,
      });
    if (!t.kmsKeyId) return fail("log files use SSE-S3, not SSE-KMS", { trail: t.name, kmsKeyId: null });
    const proof = customerManagedKey(ctx.facts, t.kmsKeyId, resource.accountId, t.homeRegion);
    if (!proof.ok) return fail(proof.summary, { trail: t.name, ...proof.evidence });
    return pass("log files use SSE-KMS with a customer-managed key", { trail: t.name, ...proof.evidence });
  },
});
