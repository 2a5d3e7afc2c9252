import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

const GROUPS: Record<string, string> = {
  AllUsers: "AllUsers",
  AuthenticatedUsers: "AuthenticatedUsers",
  "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
};

/** No ownership controls on the bucket: ACLs apply (every bucket created before April 2023 without a setting). */
const NO_OWNERSHIP_CONTROLS = "none";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Config nests the ACL as JSON, sometimes JSON inside a JSON string (older items): unwrap both. */
function acl(s: ResourceSnapshot): Record<string, unknown> | undefined | "unreadable" {
  let v: unknown = s.supplementary.AccessControlList;
  for (let i = 0; i < 3 && typeof v === "string"; i++) {
    try {
      v = JSON.parse(v);
    } catch {
      return "unreadable";
    }
  }
  if (v === undefined || v === null) return undefined;
  return obj(v) ?? "unreadable";
}

/**
 * Object Ownership as recorded (Config or API shape); `"none"` when the bucket has no ownership controls
 * (GetBucketOwnershipControls answered OwnershipControlsNotFoundError, recorded as no rules: ACLs apply);
 * undefined when the item does not carry it.
 */
function objectOwnership(s: ResourceSnapshot): string | undefined {
  const oc = supplementaryObject(s, "BucketOwnershipControls", "OwnershipControls");
  const holder = obj(oc?.ownershipControls) ?? oc;
  const rules = holder?.rules ?? holder?.Rules;
  if (!Array.isArray(rules)) return undefined;
  if (rules.length === 0) return NO_OWNERSHIP_CONTROLS;
  for (const r of rules) {
    const rule = obj(r);
    const v = rule?.objectOwnership ?? rule?.ObjectOwnership;
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** A grant that gives access beyond the bucket owner: public groups or another canonical user. */
function foreignGrants(a: Record<string, unknown>): Array<{ grantee: string; permission: unknown }> {
  const owner = obj(a.owner)?.id;
  const grants = Array.isArray(a.grantList) ? a.grantList : [];
  const out: Array<{ grantee: string; permission: unknown }> = [];
  for (const g of grants) {
    const grant = obj(g);
    if (!grant) continue;
    const grantee = grant.grantee;
    const permission = grant.permission;
    if (typeof grantee === "string") {
      if (GROUPS[grantee]) out.push({ grantee: GROUPS[grantee]!, permission });
      continue;
    }
    const ge = obj(grantee);
    const id = ge?.id ?? (ge?.typeIdentifier === "id" ? ge.identifier : undefined);
    const uri = ge?.uri ?? (ge?.typeIdentifier === "uri" ? ge.identifier : undefined);
    if (typeof uri === "string" && GROUPS[uri]) out.push({ grantee: GROUPS[uri]!, permission });
    else if (typeof id === "string" && id !== owner)
      out.push({ grantee: `canonical user ${id}`, permission });
    else if (ge?.typeIdentifier === "emailAddress") out.push({ grantee: "e-mail grantee", permission });
  }
  return out;
}

const stillApply = (ownership: string) =>
  ownership === NO_OWNERSHIP_CONTROLS
    ? "no Object Ownership setting on the bucket: ACLs still apply"
    : `Object Ownership is ${ownership}: ACLs still apply`;

export default defineControl({
  id: "s3-acls-disabled",
  title: "PHI buckets have ACLs disabled (bucket owner enforced) and no foreign ACL grants",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(a)(1)"],
  severity: "medium",
  rationale:
    "ACLs are a second, easily overlooked permission system: an object written with a public-read or " +
    "cross-account ACL escapes the bucket policy review. BucketOwnerEnforced turns ACLs off for good.",
  remediation: {
    console: "S3 › bucket › Permissions › Object Ownership › Edit › ACLs disabled (Bucket owner enforced).",
    cli: "aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'",
  },
  evaluate(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const a = acl(resource);
    const ownership = objectOwnership(resource);
    // ACLs still apply under any other recorded ownership: that fails whatever the ACL says.
    if (a === "unreadable" && ownership !== undefined && ownership !== "BucketOwnerEnforced")
      return fail(stillApply(ownership), {
        objectOwnership: ownership,
        accessControlList: "unreadable",
      });
    if (a === "unreadable")
      return fail("cannot prove ACLs are safe: AccessControlList unreadable", { proof: "cannot prove" });
    const foreign = a ? foreignGrants(a) : [];
    const evidence = {
      objectOwnership: ownership ?? "not recorded",
      ...(foreign.length ? { foreignGrants: foreign } : {}),
    };
    if (foreign.length > 0)
      return fail(
        `bucket ACL grants access to ${[...new Set(foreign.map((f) => f.grantee))].join(", ")}`,
        evidence,
      );
    if (ownership === "BucketOwnerEnforced") return pass("ACLs disabled (BucketOwnerEnforced)", evidence);
    if (ownership === undefined)
      return fail("cannot prove ACLs are disabled: Object Ownership not recorded in the configuration item", {
        ...evidence,
        proof: "cannot prove",
      });
    return fail(stillApply(ownership), evidence);
  },
});
