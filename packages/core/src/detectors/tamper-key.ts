import {
  isPhiKey,
  keyArnOf,
  managementDetection,
  policyWeaknesses,
  succeeded,
} from "../activity/management.ts";
import { matchesAny } from "../baseline/match.ts";
import { defineDetector } from "./types.ts";

export default defineDetector({
  id: "tamper-key",
  title: "PHI keys are never disabled, scheduled for deletion or opened up",
  input: "management",
  events: [
    "kms.amazonaws.com:DisableKeyRotation",
    "kms.amazonaws.com:DisableKey",
    "kms.amazonaws.com:ScheduleKeyDeletion",
    "kms.amazonaws.com:PutKeyPolicy",
    "kms.amazonaws.com:CreateGrant",
    "kms.amazonaws.com:DeleteImportedKeyMaterial",
  ],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "high",
  rationale:
    "Encryption: disabling or scheduling deletion of the key that protects recordings makes them unreadable (availability) and a key policy or grant that admits outsiders makes them decryptable by others.",
  remediation:
    "Cancel the deletion (aws kms cancel-key-deletion), re-enable the key and its rotation, re-import deleted key material (aws kms import-key-material, same material), restore the key policy, revoke unexpected grants (aws kms revoke-grant); restrict kms:ScheduleKeyDeletion/DisableKey/DeleteImportedKeyMaterial/PutKeyPolicy to key administrators.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    const key = keyArnOf(r);
    if (!key || !isPhiKey(ctx.baseline, key)) return [];
    const req = r.requestParameters ?? {};
    const subject = { resourceType: "AWS::KMS::Key", resourceId: key };
    const d = (
      summary: string,
      evidence: Record<string, unknown>,
      severity?: "critical" | "high" | "medium",
    ) => [managementDetection(r, ctx, subject, summary, evidence, severity ? { severity } : {})];
    switch (r.eventName) {
      case "DisableKeyRotation":
        return d(`rotation disabled on PHI key ${key}`, {}, "medium");
      case "DisableKey":
        return d(`PHI key ${key} disabled (recordings become unreadable)`, {}, "critical");
      case "ScheduleKeyDeletion":
        return d(
          `PHI key ${key} scheduled for deletion in ${Number(req.pendingWindowInDays ?? 30)} days`,
          { pendingWindowInDays: Number(req.pendingWindowInDays ?? 30) },
          "critical",
        );
      case "DeleteImportedKeyMaterial":
        // A key with imported (EXTERNAL) material becomes PendingImport at once: no waiting period.
        return d(
          `imported key material deleted from PHI key ${key} (recordings unreadable until it is re-imported)`,
          {},
          "critical",
        );
      case "PutKeyPolicy": {
        const weak = policyWeaknesses(ctx.json(req.policy), ctx.baseline.accounts);
        if (weak.length === 0) return [];
        return d(`key policy of PHI key ${key} ${weak.join("; ")}`, { weakened: weak }, "critical");
      }
      case "CreateGrant": {
        const grantee = String(req.granteePrincipal ?? "");
        const acct = /(\d{12})/.exec(grantee)?.[1];
        const p = ctx.baseline.principals;
        const known =
          matchesAny([...p.rawReaders, ...p.operators, ...p.analytics], grantee) ||
          p.services.includes(grantee);
        if (known || (acct && ctx.baseline.accounts.includes(acct) && !grantee.includes(":root"))) return [];
        return d(`grant on PHI key ${key} to ${grantee.slice(0, 256) || "an unknown principal"}`, {
          grantee: grantee.slice(0, 256),
          operations: Array.isArray(req.operations) ? req.operations.slice(0, 20) : [],
        });
      }
      default:
        return [];
    }
  },
});
