import { defineControl } from "../../control/define.ts";
import { fail, pass } from "../../control/types.ts";
import {
  bucketChangeMovesKey,
  bucketInventoryRequest,
  onPhiKey,
  phiKeyAliasRequests,
} from "../../policy/resources.ts";
import { UNUSABLE_KEY_STATES } from "../../resource/kms-proof.ts";

/** States in which the key decrypts (`Updating`: a multi-Region key changing its primary Region). */
const USABLE = new Set(["Enabled", "Updating"]);

export default defineControl({
  id: "kms-key-usable",
  title: "PHI keys are enabled and not pending deletion",
  resourceTypes: ["AWS::KMS::Key"],
  hipaa: ["164.308(a)(7)"],
  severity: "critical",
  rationale:
    "A disabled key makes every recording it protects unreadable at once; a key pending deletion destroys them " +
    "for good when the waiting period ends. Either is a contingency-plan event.",
  remediation: {
    console: "KMS › Customer managed keys › key › Key actions › Enable, or Cancel key deletion.",
    cli: "aws kms cancel-key-deletion --key-id KEY_ID && aws kms enable-key --key-id KEY_ID",
  },
  dependsOn: ["AWS::S3::Bucket"],
  // Only the keys the bucket's previous or new default encryption names (every key for an alias).
  affectedBy: bucketChangeMovesKey,
  facts(resource) {
    return [bucketInventoryRequest(resource.accountId)];
  },
  // DescribeKey of the aliases the PHI buckets name: the key behind one is a PHI key.
  followUpFacts: phiKeyAliasRequests,
  evaluate: onPhiKey((resource, _ctx, gate) => {
    const c = resource.configuration;
    const state = typeof c.keyState === "string" ? c.keyState : undefined;
    const evidence = {
      keyArn: gate.key.arn,
      keyState: state ?? "not recorded",
      enabled: c.enabled ?? null,
      ...(typeof c.deletionDate === "string" || typeof c.deletionDate === "number"
        ? { deletionDate: c.deletionDate }
        : {}),
      phiBecause: gate.via,
    };
    if (state && UNUSABLE_KEY_STATES.has(state))
      return fail(`key state is ${state}: PHI under it cannot be decrypted`, evidence);
    if (c.enabled === false || c.enabled === "false") return fail("key is disabled", evidence);
    if (state === undefined || !USABLE.has(state))
      return fail(
        `cannot prove the key is usable: key state ${state === undefined ? "not recorded" : "unknown"}`,
        {
          ...evidence,
          // A state this control does not know is not echoed: it is not a KMS key state.
          keyState: state === undefined ? "not recorded" : "unknown",
          proof: "cannot prove",
        },
      );
    return pass(`key state ${state}`, evidence);
  }),
});
