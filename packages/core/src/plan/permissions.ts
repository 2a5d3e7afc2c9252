import type { Baseline } from "../baseline/schema.ts";
import { DefinitionError } from "../errors.ts";
import { memberAccounts, memberReadRoleArn } from "./naming.ts";

/** The Lambda entry points (`functions/<name>.ts`, each exporting `handler`). */
export const FUNCTION_NAMES = [
  "config-change",
  "tamper",
  "access",
  "notify",
  "forward",
  "sweep",
  "api",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Queues and topics a function may send to (SST link names). */
export type Destination = "Alerts" | "Deliveries" | "DeliveriesDlq" | "DeadLetter";

/**
 * The SDK commands each function's code sends, as `client:Command` (client = the `@aws-sdk/client-*`
 * package). Checked in, reviewed, and proved equal to the code by test/unit/infra/permissions.test.ts,
 * which scans the import graph of `functions/<name>.ts` (see docs/deploy.md, "Least privilege").
 * `sends` names where the messages of a send command go (the code reads them from SST links).
 */
export const SDK_CALLS: Record<FunctionName, { calls: readonly string[]; sends: readonly Destination[] }> = {
  "config-change": {
    calls: [
      "cloudtrail:GetEventSelectors",
      "cloudtrail:GetTrailStatus",
      "config-service:GetResourceConfigHistory",
      "dynamodb:BatchGetItem",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "ec2:DescribeManagedPrefixLists",
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "s3:GetBucketOwnershipControls",
      "sns:GetDataProtectionPolicy",
      "sqs:SendMessage",
      "sts:AssumeRole",
    ],
    sends: ["DeadLetter"],
  },
  tamper: {
    calls: [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "sqs:SendMessage",
    ],
    sends: ["DeadLetter"],
  },
  access: {
    calls: [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "dynamodb:UpdateItem",
      "s3:GetObject",
      "sqs:SendMessage",
    ],
    sends: ["DeadLetter"],
  },
  notify: {
    calls: [
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "dynamodb:UpdateItem",
      "sns:Publish",
      "sqs:ChangeMessageVisibility",
      "sqs:SendMessage",
      "sqs:SendMessageBatch",
    ],
    sends: ["Alerts", "Deliveries", "DeadLetter"],
  },
  forward: {
    calls: [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "secrets-manager:GetSecretValue",
      "sns:Publish",
      "sqs:ChangeMessageVisibility",
      "sqs:SendMessage",
      "sqs:SendMessageBatch",
      "ssm:GetParameter",
    ],
    sends: ["Alerts", "Deliveries", "DeliveriesDlq", "DeadLetter"],
  },
  sweep: {
    calls: [
      "cloudtrail:DescribeTrails",
      "cloudtrail:GetEventSelectors",
      "cloudtrail:GetTrailStatus",
      "config-service:BatchGetResourceConfig",
      "config-service:DescribeConfigurationRecorderStatus",
      "config-service:DescribeConfigurationRecorders",
      "config-service:ListDiscoveredResources",
      "connect:DescribeContactFlow",
      "connect:DescribeContactFlowModule",
      "connect:ListContactFlowModules",
      "connect:ListContactFlows",
      "connect:ListInstanceAttributes",
      "connect:ListInstanceStorageConfigs",
      "connect:ListInstances",
      "dynamodb:BatchGetItem",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "ec2:DescribeManagedPrefixLists",
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "s3-control:GetPublicAccessBlock",
      "s3:GetBucketOwnershipControls",
      "sns:GetDataProtectionPolicy",
      "sqs:SendMessage",
      "sts:AssumeRole",
      "sts:GetCallerIdentity",
    ],
    sends: ["DeadLetter"],
  },
  api: {
    calls: [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:TransactWriteItems",
      "sqs:SendMessage",
    ],
    sends: ["DeadLetter"],
  },
};

/** How a function is invoked; the trigger's own reads (event source mappings) need permissions too. */
export type Trigger =
  | { kind: "rule" }
  | { kind: "schedule" }
  | { kind: "http" }
  | { kind: "queue"; queue: "AccessQueue" | "Deliveries" }
  | { kind: "stream" };

export const TRIGGERS: Record<FunctionName, Trigger> = {
  "config-change": { kind: "rule" },
  tamper: { kind: "rule" },
  access: { kind: "queue", queue: "AccessQueue" },
  notify: { kind: "stream" },
  forward: { kind: "queue", queue: "Deliveries" },
  sweep: { kind: "schedule" },
  api: { kind: "http" },
};

/** ARNs of the deployed resources a policy may name. */
export interface ResourceArns {
  partition: string;
  region: string;
  /** The security (tooling) account phiwatch runs in. */
  accountId: string;
  table: string;
  tableStream: string;
  key: string;
  logGroup: (fn: FunctionName) => string;
  queues: Record<"AccessQueue" | "Deliveries" | "DeliveriesDlq" | "DeadLetter", string>;
  topics: Record<"Alerts", string>;
}

export interface Statement {
  sid: string;
  effect: "Allow";
  actions: string[];
  resources: string[];
}

/** Actions with no resource-level permissions in IAM: `Resource: "*"` is the only form AWS accepts. */
const UNSCOPED = new Set([
  "cloudtrail:DescribeTrails",
  "config:GetResourceConfigHistory",
  "config:BatchGetResourceConfig",
  "config:ListDiscoveredResources",
  "config:DescribeConfigurationRecorders",
  "config:DescribeConfigurationRecorderStatus",
  "connect:ListInstances",
  "ds:DescribeDirectories",
  // EC2's Describe* actions take no resource-level permissions (EC2 User Guide, IAM policy examples).
  "ec2:DescribeManagedPrefixLists",
  "s3:GetAccountPublicAccessBlock",
]);

/** Calls that need no permission at all (sts:GetCallerIdentity works for every principal). */
const NO_PERMISSION = new Set(["sts:GetCallerIdentity"]);

/**
 * IAM action(s) for one SDK call. TransactWriteItems is authorised per item: phiwatch's transactions
 * hold `Put` items (findings-store), so PutItem; the store's conditional puts need nothing more.
 */
export function iamActionsOf(call: string): string[] {
  if (NO_PERMISSION.has(call)) return [];
  const [client, command] = call.split(":") as [string, string];
  if (!command) throw new DefinitionError(`"${call}" is not client:Command`);
  switch (client) {
    case "dynamodb":
      if (command === "TransactWriteItems") return ["dynamodb:PutItem"];
      return [`dynamodb:${command}`];
    case "sqs":
      return [`sqs:${command === "SendMessageBatch" ? "SendMessage" : command}`];
    case "config-service":
      return [`config:${command}`];
    case "secrets-manager":
      return [`secretsmanager:${command}`];
    case "connect":
      // ListInstances also reads the instances' Directory Service directories (Connect API reference).
      if (command === "ListInstances") return ["connect:ListInstances", "ds:DescribeDirectories"];
      return [`connect:${command}`];
    case "s3-control":
      if (command === "GetPublicAccessBlock") return ["s3:GetAccountPublicAccessBlock"];
      return [`s3:${command}`];
    case "sns":
    case "ec2":
    case "kms":
    case "s3":
    case "ssm":
    case "sts":
    case "cloudtrail":
      return [`${client}:${command}`];
    default:
      throw new DefinitionError(`no IAM mapping for "${call}": add it to plan/permissions.ts`);
  }
}

/**
 * The IAM statements of one function's role: exactly the actions its code needs (from SDK_CALLS),
 * the reads of its trigger, its own log group, and KMS use of phiwatch's key where it sends to or
 * reads from an encrypted queue or topic. No `*` actions; `Resource: "*"` only for actions that AWS
 * does not scope (listed in UNSCOPED).
 *
 * @example
 * ```ts
 * iamStatements("tamper", arns, baseline).flatMap((s) => s.actions); // ["logs:CreateLogStream", …, "dynamodb:GetItem", …]
 * ```
 */
export function iamStatements(fn: FunctionName, arns: ResourceArns, baseline: Baseline): Statement[] {
  const plan = SDK_CALLS[fn];
  const byResource = new Map<string, Set<string>>();
  const add = (resources: string[], actions: string[]) => {
    for (const r of resources) {
      let set = byResource.get(r);
      if (!set) {
        set = new Set();
        byResource.set(r, set);
      }
      for (const a of actions) set.add(a);
    }
  };
  const { partition: p, region, accountId } = arns;
  const accounts = [...new Set([accountId, ...baseline.accounts])];
  let usesKey = false;

  add([`${arns.logGroup(fn)}:*`], ["logs:CreateLogStream", "logs:PutLogEvents"]);

  for (const call of plan.calls) {
    for (const action of iamActionsOf(call)) {
      const [service] = action.split(":") as [string];
      if (UNSCOPED.has(action)) {
        add(["*"], [action]);
        continue;
      }
      switch (service) {
        case "dynamodb":
          // phiwatch's own table only (DescribeContinuousBackups too: the sweep and config-change read
          // the recovery period of this table, never of another; docs/deploy.md).
          add(action === "dynamodb:Query" ? [arns.table, `${arns.table}/index/*`] : [arns.table], [action]);
          break;
        case "sqs": {
          const targets =
            action === "sqs:ChangeMessageVisibility"
              ? [arns.queues.Deliveries]
              : plan.sends
                  .filter((d) => d !== "Alerts")
                  .map((d) => arns.queues[d as keyof ResourceArns["queues"]]);
          add(targets, [action]);
          usesKey = true;
          break;
        }
        case "sns":
          // phiwatch's own topic only (Publish; the sweep's and config-change's read of its
          // data-protection policy). Only Publish has SNS encrypt with phiwatch's key for the caller.
          add([arns.topics.Alerts], [action]);
          if (action === "sns:Publish") usesKey = true;
          break;
        case "kms":
          // Controls read facts of any key in the watched accounts (which keys protect PHI is only
          // known from the buckets' configuration at evaluation time).
          add(
            accounts.map((a) => `arn:${p}:kms:*:${a}:key/*`),
            [action],
          );
          break;
        case "s3": {
          if (action === "s3:GetBucketOwnershipControls") {
            // Bucket-level read of the PHI buckets only (by name or prefix; a tag-matched bucket's name
            // is unknown before deployment, so tag entries widen this one read action to every bucket).
            const buckets = baseline.phiBuckets.map((b) =>
              b.name !== undefined
                ? `arn:${p}:s3:::${b.name}`
                : b.prefix !== undefined
                  ? `arn:${p}:s3:::${b.prefix}*`
                  : `arn:${p}:s3:::*`,
            );
            add([...new Set(buckets)], [action]);
            break;
          }
          const trail = baseline.ingest.trail;
          if (action !== "s3:GetObject") throw new DefinitionError(`${fn}: no resource rule for ${action}`);
          if (!trail) continue; // only the trail-logs path reads objects (log files, never PHI)
          const prefix = trail.prefix === "" ? "" : `${trail.prefix.replace(/\/+$/, "")}/`;
          add([`arn:${p}:s3:::${trail.bucket}/${prefix}AWSLogs/*`], [action]);
          if (trail.kmsKey) add([trail.kmsKey], ["kms:Decrypt"]);
          break;
        }
        case "cloudtrail":
          // Any account's trail: an organisation trail belongs to the management account, which is
          // seldom a baseline account, and a member reads it by its ARN. These are reads of trail
          // settings, and CloudTrail answers them only for trails that apply to the caller's account.
          add([`arn:${p}:cloudtrail:*:*:trail/*`], [action]);
          break;
        case "connect":
          add(
            accounts.flatMap((a) => [
              `arn:${p}:connect:*:${a}:instance/*`,
              `arn:${p}:connect:*:${a}:instance/*/*`,
            ]),
            [action],
          );
          break;
        case "sts":
          // Only the sweep's read-only role in each member account of the baseline (none: no statement).
          if (action !== "sts:AssumeRole") throw new DefinitionError(`${fn}: no resource rule for ${action}`);
          add(
            memberAccounts(baseline.accounts, accountId).map((a) => memberReadRoleArn(p, a)),
            [action],
          );
          break;
        case "ssm": {
          const names = webhookSecretRefs(baseline, "ssm");
          if (names.length > 0)
            add(
              names.map((n) => `arn:${p}:ssm:${region}:${accountId}:parameter${n}`),
              [action],
            );
          break;
        }
        case "secretsmanager": {
          const names = webhookSecretRefs(baseline, "secretsManager");
          if (names.length > 0)
            add(
              names.map((n) =>
                n.startsWith("arn:")
                  ? n
                  : `arn:${p}:secretsmanager:${region}:${accountId}:secret:${n}-??????`,
              ),
              [action],
            );
          break;
        }
        default:
          throw new DefinitionError(`${fn}: no resource rule for ${action}`);
      }
    }
  }

  const trigger = TRIGGERS[fn];
  if (trigger.kind === "queue") {
    add([arns.queues[trigger.queue]], ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]);
    usesKey = true;
  } else if (trigger.kind === "stream") {
    add([arns.tableStream], ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]);
    add(["*"], ["dynamodb:ListStreams"]);
  }
  // SQS and SNS encrypt with phiwatch's key on behalf of the caller: senders need GenerateDataKey
  // and Decrypt, receivers Decrypt (AWS: "Key management" in the SQS and SNS developer guides).
  if (usesKey) add([arns.key], ["kms:GenerateDataKey", "kms:Decrypt"]);

  const statements: Statement[] = [];
  for (const [resource, actions] of [...byResource].sort(([a], [b]) => a.localeCompare(b))) {
    statements.push({
      sid: sidOf(statements.length),
      effect: "Allow",
      actions: [...actions].sort(),
      resources: [resource],
    });
  }
  return mergeByActions(statements);
}

/** Statements with the same actions are merged into one with several resources (shorter policies). */
function mergeByActions(statements: Statement[]): Statement[] {
  const byActions = new Map<string, Statement>();
  for (const s of statements) {
    const key = s.actions.join(",");
    const prior = byActions.get(key);
    if (prior) prior.resources.push(...s.resources);
    else byActions.set(key, { ...s, resources: [...s.resources] });
  }
  return [...byActions.values()].map((s, i) => ({ ...s, sid: sidOf(i), resources: s.resources.sort() }));
}

function sidOf(i: number): string {
  return `Phiwatch${String(i).padStart(2, "0")}`;
}

function webhookSecretRefs(baseline: Baseline, kind: "ssm" | "secretsManager"): string[] {
  const out = new Set<string>();
  for (const w of baseline.webhooks) {
    for (const src of [w.secret, w.token]) {
      if (src && kind in src) out.add((src as Record<string, string>)[kind]!);
    }
  }
  return [...out].sort();
}
