import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import {
  bucketChangeMovesKey,
  bucketInventoryRequest,
  keyIdentity,
  onPhiKey,
  phiKeyAliasRequests,
} from "../../policy/resources.ts";
import { manualRotation } from "../../resource/kms-proof.ts";

const asBool = (v: unknown): boolean | undefined =>
  v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;

export default defineControl({
  id: "kms-rotation",
  title: "Customer-managed PHI keys rotate automatically",
  resourceTypes: ["AWS::KMS::Key"],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "Automatic rotation limits how much PHI any one key version protects and is what auditors expect of an " +
    "encryption mechanism; KMS keeps old versions, so rotation never makes recordings unreadable. KMS cannot " +
    "rotate keys with imported material or in a custom key store automatically: the finding names the key's " +
    "origin and how to rotate it; a team that rotates such a key by hand records it as a suppression whose " +
    "expiry is the next rotation due.",
  remediation: {
    console:
      "KMS › Customer managed keys › key › Key rotation › Automatically rotate this KMS key every year (or the baseline's period).",
    cli: "aws kms enable-key-rotation --key-id KEY_ID --rotation-period-in-days 365",
  },
  dependsOn: ["AWS::S3::Bucket"],
  // Only the keys the bucket's previous or new default encryption names (every key for an alias).
  affectedBy: bucketChangeMovesKey,
  facts(resource) {
    const { arn } = keyIdentity(resource);
    return [
      bucketInventoryRequest(resource.accountId),
      // Config records KeyRotationStatus only in recent items, never the period: ask KMS too.
      { kind: "kms-key", ref: arn, accountId: resource.accountId, region: resource.region },
    ];
  },
  // DescribeKey of the aliases the PHI buckets name: the key behind one is a PHI key.
  followUpFacts: phiKeyAliasRequests,
  evaluate: onPhiKey((resource, ctx, gate) => {
    const c = resource.configuration;
    const fact = ctx.facts.kmsKey(gate.key.arn, resource.accountId, resource.region);
    const facts = fact?.ok ? fact.value : undefined;
    const manager = (typeof c.keyManager === "string" ? c.keyManager : undefined) ?? facts?.keyManager;
    if (manager === "AWS") return notApplicable("AWS-managed key: AWS rotates it every year");
    const origin = (typeof c.origin === "string" ? c.origin : undefined) ?? facts?.origin;
    const manual = manualRotation(origin);
    if (manual !== undefined)
      // Not a "cannot prove": KMS refuses automatic rotation for this key, so the remediation's
      // EnableKeyRotation would fail. A team that rotates such a key by hand records that with a
      // suppression (reason and expiry: the next rotation due).
      return fail(`automatic rotation is not available for a key with ${manual}`, {
        keyArn: gate.key.arn,
        keyManager: manager ?? "unknown",
        origin,
        rotation: "manual only",
        phiBecause: gate.via,
      });
    // The Config item and a live KMS answer can disagree (Config records minutes after a change, or
    // not at all for old items): the worse of the two counts — rotation off, or the longer period.
    const said = [asBool(resource.supplementary.KeyRotationStatus), facts?.rotationEnabled];
    const enabled = said.includes(false) ? false : said.includes(true) ? true : undefined;
    const periods = [
      typeof resource.supplementary.RotationPeriodInDays === "number"
        ? resource.supplementary.RotationPeriodInDays
        : undefined,
      facts?.rotationPeriodInDays,
    ].filter((p): p is number => p !== undefined);
    const period = periods.length > 0 ? Math.max(...periods) : undefined;
    const max = ctx.baseline.kms.maxRotationDays;
    const evidence = {
      keyArn: gate.key.arn,
      keyManager: manager ?? "unknown",
      rotationEnabled: enabled ?? "unknown",
      rotationPeriodInDays: period ?? "unknown",
      ...(max ? { maxRotationDays: max } : {}),
      phiBecause: gate.via,
    };
    if (enabled === undefined)
      return fail("cannot prove automatic rotation is on: rotation status not recorded or not readable", {
        ...evidence,
        proof: "cannot prove",
        ...(fact && !fact.ok ? { reason: fact.reason } : {}),
      });
    if (!enabled) return fail("automatic key rotation is off", evidence);
    if (max !== undefined && period === undefined)
      return fail(`cannot prove the rotation period is at most ${max} days`, {
        ...evidence,
        proof: "cannot prove",
      });
    if (max !== undefined && period! > max)
      return fail(`rotation period ${period} days exceeds the baseline's ${max}`, evidence);
    return pass("automatic rotation on", evidence);
  }),
});
