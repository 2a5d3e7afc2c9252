import { defineControl } from "../../control/define.ts";
import type { FactRequest } from "../../control/types.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { customerManagedKey, isAwsManagedAlias } from "../../resource/kms-proof.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";

/** Tag that marks phiwatch's own resources (set by infra/ on the table, topics and queues). */
export const PHIWATCH_COMPONENT_TAG = "phiwatch:component";

const TABLE = "AWS::DynamoDB::Table";
const TOPIC = "AWS::SNS::Topic";
const QUEUE = "AWS::SQS::Queue";

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
/** Case-insensitive read: Config writes `sSEDescription`, its schema `ssedescription`, the API `SSEDescription`. */
function field(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The KMS key a phiwatch component is encrypted with, or why there is none. */
function keyOf(s: ResourceSnapshot): { key?: string; none?: string } {
  if (s.resourceType === TABLE) {
    const sse = obj(field(s.configuration, "sseDescription"));
    const key = str(field(sse, "kmsMasterKeyArn"));
    if (key && field(sse, "status") !== "DISABLED") return { key };
    return { none: "encrypted with the AWS-owned key (no SSE-KMS)" };
  }
  const key = str(field(s.configuration, "KmsMasterKeyId"));
  if (key) return { key };
  if (s.resourceType === QUEUE && String(field(s.configuration, "SqsManagedSseEnabled")) === "true")
    return { none: "SSE-SQS (AWS-owned key)" };
  return { none: "not encrypted with KMS" };
}

export default defineControl({
  id: "phiwatch-self-protection",
  title: "phiwatch's own table, topics and queues use customer-managed keys and point-in-time recovery",
  resourceTypes: [TABLE, TOPIC, QUEUE],
  hipaa: ["164.312(a)(2)(iv)"],
  severity: "medium",
  rationale:
    "phiwatch's table holds the drift history an auditor relies on, and its topics and queues carry finding " +
    "evidence. They need the same protection as the PHI they describe: a key whose policy you control, and a " +
    "table that can be restored after deletion or corruption.",
  remediation: {
    console:
      "DynamoDB › table › Additional settings › Encryption: customer managed key; Backups › Point-in-time recovery " +
      "› Edit › On. SNS/SQS › Encryption › choose a customer-managed key. (Redeploy phiwatch with the stage's key set.)",
    cli:
      "aws dynamodb update-continuous-backups --table-name TABLE --point-in-time-recovery-specification " +
      "PointInTimeRecoveryEnabled=true && aws dynamodb update-table --table-name TABLE --sse-specification " +
      "Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN",
  },
  facts(resource) {
    if (!(PHIWATCH_COMPONENT_TAG in resource.tags)) return [];
    const { key } = keyOf(resource);
    if (!key || isAwsManagedAlias(key)) return [];
    return [
      {
        kind: "kms-key",
        ref: key,
        accountId: resource.accountId,
        region: resource.region,
      } satisfies FactRequest,
    ];
  },
  evaluate(resource, ctx) {
    const component = resource.tags[PHIWATCH_COMPONENT_TAG];
    if (component === undefined) return notApplicable(`not tagged ${PHIWATCH_COMPONENT_TAG}`);
    const problems: string[] = [];
    const evidence: Record<string, unknown> = { component };
    const { key, none } = keyOf(resource);
    if (!key) problems.push(none!);
    else {
      const proof = customerManagedKey(ctx.facts, key, resource.accountId, resource.region);
      Object.assign(evidence, proof.evidence);
      if (!proof.ok) problems.push(proof.summary);
    }
    if (resource.resourceType === TABLE) {
      const backups = obj(field(resource.supplementary, "ContinuousBackupsDescription"));
      const pitr = str(
        field(obj(field(backups, "pointInTimeRecoveryDescription")), "pointInTimeRecoveryStatus"),
      );
      evidence.pointInTimeRecoveryStatus = pitr ?? "unknown";
      if (pitr === undefined) {
        problems.push("cannot prove point-in-time recovery: ContinuousBackupsDescription not recorded");
        evidence.proof = "cannot prove";
      } else if (pitr !== "ENABLED") problems.push(`point-in-time recovery ${pitr}`);
    }
    if (problems.length > 0) return fail(problems.join("; "), evidence);
    return pass(
      resource.resourceType === TABLE
        ? "customer-managed key and point-in-time recovery on"
        : "encrypted with a customer-managed key",
      evidence,
    );
  },
});
