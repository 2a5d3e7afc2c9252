import { phiBucketOf } from "../../baseline/match.ts";
import { defineControl } from "../../control/define.ts";
import type { FactRequest } from "../../control/types.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { supplementaryObject } from "../../policy/resources.ts";
import { bucketName } from "../../resource/s3.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

interface Destination {
  rule: string;
  bucket: string;
  /**
   * Destination account, when the rule names one. S3 needs it only with AccessControlTranslation (owner
   * override) and checks it only then, so a cross-account rule may leave it out.
   */
  account?: string;
}

/**
 * The accounts whose inventory may hold a destination bucket: the one the rule names, or, when it names
 * none, the source account and then every account of the baseline (bucket names are global: the account
 * that holds the bucket is its owner).
 */
function candidateAccounts(d: Destination, source: string, baselineAccounts: readonly string[]): string[] {
  if (d.account !== undefined) return [d.account];
  return [source, ...baselineAccounts.filter((a) => a !== source)];
}

/**
 * Enabled replication destinations, from Config's shape (`rules` keyed by rule id, `destinationConfig`)
 * or the API's (`Rules[].Destination`), and what could not be read: a rule that may replicate
 * somewhere unknown is "cannot prove", never skipped.
 */
function destinations(s: ResourceSnapshot): { dests: Destination[]; unreadable: string[] } {
  const recorded = s.supplementary.BucketReplicationConfiguration ?? s.supplementary.ReplicationConfiguration;
  const rc = supplementaryObject(s, "BucketReplicationConfiguration", "ReplicationConfiguration");
  if (!rc)
    return {
      dests: [],
      unreadable: recorded === undefined || recorded === null ? [] : ["BucketReplicationConfiguration"],
    };
  const raw = rc.rules ?? rc.Rules;
  if (raw !== undefined && raw !== null && !Array.isArray(raw) && !obj(raw))
    return { dests: [], unreadable: ["rules"] };
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((r, i) => [String(obj(r)?.ID ?? obj(r)?.id ?? `#${i}`), r])
    : Object.entries(obj(raw) ?? {});
  const dests: Destination[] = [];
  const unreadable: string[] = [];
  for (const [id, r] of entries) {
    const rule = obj(r);
    const status = rule?.status ?? rule?.Status;
    if (status === "Disabled") continue;
    if (!rule || status !== "Enabled") {
      unreadable.push(`rule ${id}: status`);
      continue;
    }
    const d = obj(rule.destinationConfig) ?? obj(rule.Destination) ?? {};
    const arn = d.bucketARN ?? d.Bucket;
    if (typeof arn !== "string" || arn === "") {
      unreadable.push(`rule ${id}: destination bucket`);
      continue;
    }
    const account = d.account ?? d.Account;
    dests.push({
      rule: id,
      bucket: arn.replace(/^arn:aws[\w-]*:s3:::/, ""),
      ...(typeof account === "string" && /^\d{12}$/.test(account) ? { account } : {}),
    });
  }
  return { dests, unreadable };
}

export default defineControl({
  id: "s3-replication-residency",
  title: "PHI buckets replicate only to allowed accounts and regions",
  resourceTypes: ["AWS::S3::Bucket"],
  hipaa: ["164.312(a)(1)"],
  severity: "high",
  rationale:
    "Replication copies every new recording to another bucket: to an account outside the organisation's " +
    "control, or a region outside the allowed list, it moves PHI out of scope of every other control. A rule " +
    "need not name the destination's account (S3 asks for it only to change the replicas' owner): the account " +
    "whose inventory holds the destination bucket is its owner, and a bucket no baseline account holds cannot " +
    "be proven to stay in scope.",
  remediation: {
    console:
      "S3 › bucket › Management › Replication rules › delete or edit rules whose destination is not allowed.",
    cli: "aws s3api delete-bucket-replication --bucket BUCKET  # or put-bucket-replication with allowed destinations only",
  },
  facts(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags)) return [];
    return destinations(resource).dests.flatMap((d) =>
      candidateAccounts(d, resource.accountId, ctx.baseline.accounts).map(
        (accountId): FactRequest => ({
          kind: "inventory",
          resourceType: "AWS::S3::Bucket",
          accountId,
          ref: d.bucket,
        }),
      ),
    );
  },
  evaluate(resource, ctx) {
    if (!phiBucketOf(ctx.baseline, bucketName(resource), resource.tags))
      return notApplicable("not a PHI bucket in the baseline");
    const { dests, unreadable } = destinations(resource);
    if (dests.length === 0 && unreadable.length === 0)
      return pass("no enabled replication rule", { replication: "none" });
    const problems: Record<string, unknown>[] = unreadable.map((what) => ({
      unreadable: what,
      why: "cannot prove the destination: replication configuration unreadable",
    }));
    const ok: Record<string, unknown>[] = [];
    for (const d of dests) {
      let found: ResourceSnapshot | undefined;
      for (const account of candidateAccounts(d, resource.accountId, ctx.baseline.accounts)) {
        found = ctx.facts
          .inventory("AWS::S3::Bucket", account, d.bucket)
          ?.find((b) => b.state === "present" && bucketName(b) === d.bucket);
        if (found) break;
      }
      const account = d.account ?? found?.accountId;
      const region = found?.region;
      const entry = {
        rule: d.rule,
        destinationBucket: d.bucket,
        destinationAccount: account ?? "not recorded",
        region: region ?? "unknown",
      };
      if (account === undefined)
        problems.push({
          ...entry,
          why: "cannot prove the destination account: the rule names none and no baseline account's inventory holds the bucket",
        });
      else if (!ctx.baseline.accounts.includes(account))
        problems.push({ ...entry, why: "account not in the baseline" });
      else if (!region)
        problems.push({ ...entry, why: "cannot prove the destination region: bucket not in the inventory" });
      else if (!ctx.baseline.allowedRegions.includes(region))
        problems.push({ ...entry, why: "region not allowed" });
      else ok.push(entry);
    }
    if (problems.length === 0)
      return pass("every replication destination is in an allowed account and region", { destinations: ok });
    const cannotProve = problems.every((p) => String(p.why).startsWith("cannot prove"));
    return fail(
      cannotProve
        ? "cannot prove replication stays in allowed regions"
        : "replication to an account or region outside the baseline",
      { violations: problems, ...(cannotProve ? { proof: "cannot prove" } : {}) },
    );
  },
});
