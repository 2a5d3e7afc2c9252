import type * as z from "zod";
import type { Baseline } from "../baseline/schema.ts";
import type { Evidence, Severity } from "../finding/types.ts";
import type { PublicAccessBlock } from "../resource/s3.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";

/** Facts a control needs that a configuration item does not carry (resolved before evaluation). */
export type FactRequest =
  | { kind: "kms-key"; ref: string; accountId: string; region: string }
  | { kind: "s3-account-public-access-block"; accountId: string; region: string; ref?: undefined }
  /** Latest recorded snapshots of other resources (cross-resource controls): by type, optionally one id. */
  | { kind: "inventory"; resourceType: string; accountId: string; region?: string; ref?: string }
  /**
   * An AWS-managed prefix list by id (`pl-…`), as EC2 `DescribeManagedPrefixLists` (owner AWS) returns it
   * in this account and region: Config never records AWS-managed lists.
   */
  | { kind: "aws-prefix-list"; ref: string; accountId: string; region: string };

/** A managed prefix list's owner and name, as EC2 `DescribeManagedPrefixLists` returns them. */
export interface PrefixListFacts {
  prefixListId: string;
  /** AWS's own lists are named `com.amazonaws.<region|global>.<service>` (VPC User Guide). */
  prefixListName: string;
  /** `AWS` for an AWS-managed list, else the owning account id. */
  ownerId: string;
}

/** What KMS `DescribeKey` (or a KMS Config item) says about a key. */
export interface KeyFacts {
  arn: string;
  keyManager: "CUSTOMER" | "AWS";
  keyState?: string;
  /** Where the key material comes from: `AWS_KMS`, `EXTERNAL` (imported), `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`. */
  origin?: string;
  rotationEnabled?: boolean;
  rotationPeriodInDays?: number;
}

/** A resolved fact, or why it could not be resolved (denied, not found): controls then say "cannot prove". */
export type FactResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Synchronous view of the facts resolved for this evaluation. */
export interface FactLookup {
  kmsKey(ref: string, accountId: string, region: string): FactResult<KeyFacts> | undefined;
  accountPublicAccessBlock(accountId: string): FactResult<PublicAccessBlock> | undefined;
  /**
   * Latest snapshots of other resources from the inventory (requested with a `kind: "inventory"` fact),
   * e.g. every `AWS::CloudTrail::Trail` of the account. `undefined` = not requested or not resolvable.
   */
  inventory(resourceType: string, accountId: string, resourceId?: string): ResourceSnapshot[] | undefined;
  /**
   * The AWS-managed prefix list with this id in the account and region (requested with a
   * `kind: "aws-prefix-list"` fact), or why it is not known to be one (not AWS's, the read failed).
   * Absent, or `undefined`, where it was not resolved (local mode has no EC2 endpoint): only one control
   * asks, and a lookup without it means "not read", never "not the internet".
   */
  awsManagedPrefixList?(
    prefixListId: string,
    accountId: string,
    region: string,
  ): FactResult<PrefixListFacts> | undefined;
}

export interface EvaluationContext<P = unknown> {
  baseline: Baseline;
  facts: FactLookup;
  params: P;
  now: Date;
}

export type EvaluationStatus = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE" | "ERROR";

/** What a control's `evaluate` returns. */
export interface Verdict {
  status: Exclude<EvaluationStatus, "ERROR">;
  /** One line, no PHI. */
  summary: string;
  evidence: Evidence;
}

export interface ControlDefinition<P = Record<string, never>> {
  /** Kebab-case `<service>-<what>`, equal to the file name (checked by a meta-test). */
  id: string;
  /** The secure state, not "Ensure…". */
  title: string;
  resourceTypes: readonly string[];
  /** 45 CFR Part 164 citations, e.g. `164.312(a)(2)(iv)`. */
  hipaa: readonly string[];
  severity: Severity;
  params?: z.ZodType<P>;
  rationale: string;
  remediation: { console: string; cli: string };
  /**
   * Resource types whose change can change this control's verdict on *other* resources (a trail's
   * selectors decide `s3-access-audited` of a bucket): when one changes, dependants are re-evaluated.
   */
  dependsOn?: readonly string[];
  /**
   * Whether a change to `changed` (of a `dependsOn` type) can change this control's verdict on
   * `resource`: only those resources are re-evaluated. Without it, every resource of the control's
   * types in the account is (a trail decides every bucket). Must not say no where the verdict could move.
   *
   * `previous` is what the inventory held for `changed` before this change, which the resource's last
   * verdict was decided on: the item the change replaced, `null` when there was none (its first record:
   * no verdict was decided with it), `undefined` when that is not known (a redelivery or retry, which
   * replaces an item with itself; an item that could not be read) — then answer as if it could have
   * been anything. A control whose verdict reads only what `changed` is now (a prefix list's entries)
   * can ignore it.
   *
   * @example
   * ```ts
   * // kms-*: a bucket change moves the keys the bucket's old or new default encryption names.
   * affectedBy: (key, bucket, previous) => bucketChangeMovesKey(key, bucket, previous),
   * ```
   */
  affectedBy?(resource: ResourceSnapshot, changed: ResourceSnapshot, previous?: PreviousSnapshot): boolean;
  /** Facts to resolve before `evaluate` (KMS DescribeKey, inventory, …). */
  facts?(resource: ResourceSnapshot, ctx: EvaluationContext<P>): FactRequest[];
  /**
   * Facts that only the facts `facts()` asked for can name, asked again with those in `ctx.facts` and
   * resolved in a second round before `evaluate` (the kms-* controls: DescribeKey of each alias the PHI
   * buckets of the bucket inventory name). Return `[]` when what they depend on is not known.
   */
  followUpFacts?(resource: ResourceSnapshot, ctx: EvaluationContext<P>): FactRequest[];
  /** Pure: same snapshot, baseline and facts give the same verdict. May throw: the engine records ERROR. */
  evaluate(resource: ResourceSnapshot, ctx: EvaluationContext<P>): Verdict;
}

/**
 * What the inventory held for a changed resource before the change (`affectedBy`): the replaced
 * snapshot, `null` for none, `undefined` when not known.
 */
export type PreviousSnapshot = ResourceSnapshot | null | undefined;

/** A control ready to run: params defaulted and validated once at load. */
export type Control = ControlDefinition<unknown> & { readonly kind: "control" };

/** The result of one control on one resource. */
export interface Evaluation {
  controlId: string;
  title: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  status: EvaluationStatus;
  severity: Severity;
  hipaa: readonly string[];
  summary: string;
  evidence: Evidence;
  capturedAt: string;
}

export const pass = (summary: string, evidence: Evidence = {}): Verdict => ({
  status: "COMPLIANT",
  summary,
  evidence,
});
export const fail = (summary: string, evidence: Evidence = {}): Verdict => ({
  status: "NON_COMPLIANT",
  summary,
  evidence,
});
export const notApplicable = (summary: string, evidence: Evidence = {}): Verdict => ({
  status: "NOT_APPLICABLE",
  summary,
  evidence,
});
