import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { keyIdentity } from "../../policy/resources.ts";
import { judgedByOwner, TRAIL_TYPE, trailView } from "../../resource/cloudtrail.ts";
import { customerManagedKey, isAwsManagedAlias, UNUSABLE_KEY_STATES } from "../../resource/kms-proof.ts";

export default defineControl({
  id: "cloudtrail-kms",
  title: "CloudTrail logs are encrypted with a customer-managed KMS key",
  resourceTypes: [TRAIL_TYPE],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "medium",
  rationale:
    "Data-event logs name PHI objects and who read them. With SSE-KMS under a customer-managed key, reading the " +
    "logs needs kms:Decrypt on a key whose policy you control, and every decryption is itself audited. The key " +
    "must stay usable: S3 asks KMS for a data key for every log file, so a disabled key or one pending deletion " +
    "stops delivery while the trail still reads as logging.",
  remediation: {
    console:
      "CloudTrail › Trails › trail › General details › Edit › Log file SSE-KMS encryption › Enabled › choose a key.",
    cli: "aws cloudtrail update-trail --name TRAIL --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
  },
  // The trail's key disabled or scheduled for deletion stops its log delivery: re-evaluate the trails
  // that name the changed key (by ARN or key id; every trail that names an alias, which any key may be behind).
  dependsOn: ["AWS::KMS::Key"],
  affectedBy(trail, key) {
    const ref = trailView(trail).kmsKeyId;
    if (!ref) return false;
    if (ref.startsWith("alias/") || ref.includes(":alias/")) return true;
    const { arn, keyId } = keyIdentity(key);
    return ref === arn || ref === keyId || ref.endsWith(`:key/${keyId}`);
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
    // S3 asks KMS for a data key for every log file CloudTrail puts: a key that refuses it leaves the
    // trail delivering nothing, while GetTrailStatus still says IsLogging.
    const key = ctx.facts.kmsKey(t.kmsKeyId, resource.accountId, t.homeRegion);
    const keyState = key?.ok ? key.value.keyState : undefined;
    const evidence = { trail: t.name, ...proof.evidence, ...(keyState ? { keyState } : {}) };
    if (keyState && UNUSABLE_KEY_STATES.has(keyState))
      return fail(
        `the trail's key is ${keyState}: KMS refuses the data key for each log file, so CloudTrail delivers none`,
        evidence,
      );
    return pass("log files use SSE-KMS with a customer-managed key", evidence);
  },
});
