import { defineControl } from "../../control/define.ts";
import type { FactRequest } from "../../control/types.ts";
import { fail, notApplicable, pass } from "../../control/types.ts";
import { storeOfResource } from "../../plan/naming.ts";
import { customerManagedKey, isAwsManagedAlias } from "../../resource/kms-proof.ts";
import type { ResourceSnapshot } from "../../resource/snapshot.ts";
import { dataProtectionOperations } from "../../resource/sns-data-protection.ts";
import { TABLE as FINDINGS_TABLE, recoveryPeriodOf } from "../../table.ts";

/**
 * A tag that marks a resource as one of phiwatch's stores by hand. The deploy does not set it (its
 * tags are `Plan.resourceTags`): phiwatch's own stores are known by their names (`Plan.storeOf`).
 */
export const PHIWATCH_COMPONENT_TAG = "phiwatch:component";

/**
 * Which of phiwatch's stores a resource is: the table, topic or queue the deploy names
 * `phiwatch-<stage>-<what>` (`Plan.STORES`), or a resource tagged {@link PHIWATCH_COMPONENT_TAG}.
 * Undefined for anything else.
 */
export function phiwatchComponent(s: ResourceSnapshot): string | undefined {
  const tagged = s.tags[PHIWATCH_COMPONENT_TAG];
  if (tagged !== undefined) return tagged;
  return storeOfResource(s);
}

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
    "evidence. They need the same protection as the PHI they describe: a key whose policy you control, a " +
    "table that can be restored after deletion or corruption for the full 35 days phiwatch deploys, and an " +
    "alerts topic with no data-protection policy that denies or masks alerts. The stores are known by the " +
    "names the deploy gives them (phiwatch-<stage>-findings, -alerts, -access, -access-dlq, -deliveries.fifo, " +
    "-deliveries-dlq.fifo, -dead-letter), which cannot be changed, rather than by tags, which can be removed. " +
    "AWS Config records " +
    "neither the recovery period nor a topic's data-protection policy: the sweep and the Config-change handler " +
    "read both for their own deployment's table and topic; another stage's are judged when the item carries " +
    "them, and the evidence says when it does not (tamper-phiwatch reports both changes when they are made).",
  remediation: {
    console:
      "DynamoDB › table › Additional settings › Encryption: customer managed key; Backups › Point-in-time recovery " +
      "› Edit › On, 35 days. SNS/SQS › Encryption › choose a customer-managed key. SNS › topic › Data protection " +
      "policy › remove it. (Redeploy phiwatch with the stage's key set.)",
    cli:
      "aws dynamodb update-continuous-backups --table-name TABLE --point-in-time-recovery-specification " +
      "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35 && aws dynamodb update-table --table-name TABLE " +
      "--sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN && aws sns put-data-protection-policy " +
      "--resource-arn TOPIC_ARN --data-protection-policy ''",
  },
  facts(resource) {
    if (phiwatchComponent(resource) === undefined) return [];
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
    const component = phiwatchComponent(resource);
    if (component === undefined)
      return notApplicable(`not a phiwatch store (by name) nor tagged ${PHIWATCH_COMPONENT_TAG}`);
    const problems: string[] = [];
    const evidence: Record<string, unknown> = { component };
    const { key, none } = keyOf(resource);
    if (!key) problems.push(none!);
    else {
      const proof = customerManagedKey(ctx.facts, key, resource.accountId, resource.region);
      Object.assign(evidence, proof.evidence);
      if (!proof.ok) problems.push(proof.summary);
    }
    if (resource.resourceType === TABLE) recovery(resource, problems, evidence);
    if (resource.resourceType === TOPIC) dataProtection(resource, problems, evidence);
    if (problems.length > 0) return fail(problems.join("; "), evidence);
    return pass(
      resource.resourceType === TABLE
        ? "customer-managed key and point-in-time recovery on"
        : "encrypted with a customer-managed key",
      evidence,
    );
  },
});

/**
 * Point-in-time recovery on, for the period phiwatch deploys (`TABLE.recoveryPeriodDays`, AWS's
 * default and maximum). Config records the table's `ContinuousBackupsDescription` under
 * supplementaryConfiguration; the Config resource schema lists only `continuousBackupsStatus` and
 * `pointInTimeRecoveryDescription.pointInTimeRecoveryStatus` (awslabs/aws-config-resource-schema,
 * `AWS::DynamoDB::Table.properties.json`), and the published item has no period. A
 * `recoveryPeriodInDays` (the DynamoDB API's `RecoveryPeriodInDays`, 1–35) is judged when the item
 * carries one; without it the evidence says the period was not recorded, and the status alone decides.
 */
function recovery(resource: ResourceSnapshot, problems: string[], evidence: Record<string, unknown>): void {
  const backups = obj(field(resource.supplementary, "ContinuousBackupsDescription"));
  const description = obj(field(backups, "pointInTimeRecoveryDescription"));
  const pitr = str(field(description, "pointInTimeRecoveryStatus"));
  evidence.pointInTimeRecoveryStatus = pitr ?? "unknown";
  if (pitr === undefined) {
    problems.push("cannot prove point-in-time recovery: ContinuousBackupsDescription not recorded");
    evidence.proof = "cannot prove";
    return;
  }
  if (pitr !== "ENABLED") {
    problems.push(`point-in-time recovery ${pitr}`);
    return;
  }
  const days = recoveryPeriodOf(field(description, "recoveryPeriodInDays"));
  if (days === undefined) {
    evidence.recoveryPeriodInDays = "not recorded";
    return;
  }
  evidence.recoveryPeriodInDays = days;
  const full = FINDINGS_TABLE.recoveryPeriodDays;
  if (days < full)
    problems.push(
      `point-in-time recovery period ${days} day${days === 1 ? "" : "s"} (phiwatch deploys ${full}): findings, drift history and outbox deleted or altered earlier cannot be restored`,
    );
}

/** What a data-protection policy statement of each failing operation does to alerts. */
const DATA_PROTECTION_FAILS: Readonly<Record<string, string>> = {
  Deny: "denies messages that match its data identifiers (publishes refused or deliveries dropped)",
  Deidentify: "masks or redacts the parts of alerts that match its data identifiers",
};

/**
 * No message data-protection policy that drops or alters alerts on phiwatch's topic (phiwatch deploys
 * none). Config does not record a topic's policy (its item is the topic's attributes; the Config
 * resource schema lists no `DataProtectionPolicy`), so it is judged only when the snapshot carries one
 * (`DataProtectionPolicy`, the JSON string `GetDataProtectionPolicy` returns, under configuration or
 * supplementaryConfiguration); otherwise the evidence says it was not recorded. `Deny` and
 * `Deidentify` fail, `Audit` passes (no message changes), a policy whose operations cannot be told
 * fails saying so, as tamper-phiwatch reports it.
 */
function dataProtection(
  resource: ResourceSnapshot,
  problems: string[],
  evidence: Record<string, unknown>,
): void {
  const raw =
    field(resource.supplementary, "DataProtectionPolicy") ??
    field(resource.configuration, "DataProtectionPolicy");
  if (raw === undefined) {
    evidence.dataProtectionPolicy = "not recorded";
    return;
  }
  if (raw === null || raw === "") {
    evidence.dataProtectionPolicy = "none";
    return;
  }
  let policy: unknown = raw;
  if (typeof raw === "string")
    try {
      policy = JSON.parse(raw);
    } catch {
      policy = undefined;
    }
  const read = dataProtectionOperations(policy);
  if ("unreadable" in read) {
    evidence.dataProtectionPolicy = "unreadable";
    problems.push(
      `a data-protection policy that ${read.unreadable}: whether it drops or alters alerts cannot be told`,
    );
    return;
  }
  evidence.dataProtectionPolicy = read.operations.length > 0 ? read.operations.join(", ") : "none";
  const harmful = read.operations.filter((op) => Object.hasOwn(DATA_PROTECTION_FAILS, op));
  if (harmful.length > 0)
    problems.push(
      `a data-protection policy (phiwatch deploys none) that ${harmful.map((op) => DATA_PROTECTION_FAILS[op]).join("; and ")}`,
    );
}
