import { resourceName } from "./naming.ts";
import { FUNCTION_NAMES } from "./permissions.ts";

/** KMS actions that administer a key (never use it): what key administrators get. */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/** KMS actions that use a key for data. */
export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"] as const;

export interface KeyPolicyInput {
  partition: string;
  region: string;
  accountId: string;
  /** The stage: CloudWatch Logs may use the key for this stage's function log groups only. */
  stage: string;
  /** Principals that administer the key (default: the account, i.e. IAM policies decide who). */
  admins: string[];
  /** phiwatch's function roles: use only. */
  users: string[];
}

/**
 * The key policy of phiwatch's own CMK, with administration and use separated (the
 * kms-separation-of-duties control, applied to ourselves): administrators may manage but not
 * decrypt; function roles may use but not manage; AWS services use the key only on behalf of this
 * account's resources (conditions on source account). No `kms:*`, no `Principal: *`.
 *
 * @example
 * ```ts
 * keyPolicy({ partition: "aws", region: "us-east-1", accountId: "111122223333", stage: "prod", admins: ["arn:aws:iam::111122223333:root"], users: [] });
 * ```
 */
export function keyPolicy(input: KeyPolicyInput): { Version: "2012-10-17"; Statement: unknown[] } {
  const { partition: p, region, accountId } = input;
  // SQS and SNS encrypt a message for the service that sends it, and for EventBridge the KMS request
  // carries no aws:SourceAccount (SNS developer guide, "Key management": the source condition keys are
  // not supported for EventBridge-to-encrypted topics; the SQS guide's statement has no condition). A
  // StringEquals would deny every delivery — access events and dead letters lost, alarms unsent. When
  // the key is present (EventBridge encrypting an event bus with this key, CloudWatch), it must be ours.
  const sourceAccount = { StringEqualsIfExists: { "aws:SourceAccount": accountId } };
  const statements: unknown[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: [...input.admins].sort() },
      Action: [...KEY_ADMIN_ACTIONS],
      Resource: "*",
    },
  ];
  if (input.users.length > 0) {
    statements.push({
      Sid: "PhiwatchFunctionsUse",
      Effect: "Allow",
      Principal: { AWS: [...input.users].sort() },
      Action: [...KEY_USE_ACTIONS],
      Resource: "*",
    });
  }
  statements.push(
    {
      // EventBridge delivers to the encrypted access queue; CloudWatch alarms publish to the topic.
      Sid: "ServicesDeliverToEncryptedQueuesAndTopic",
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: sourceAccount,
    },
    {
      Sid: "LogsEncryptFunctionLogs",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
      ],
      Resource: "*",
      // The encryption context is the log group's ARN. Each of this stage's functions by name (as
      // infra names them): a `phiwatch-*` pattern let every stage's key serve every other stage's
      // log groups (`dev` and `dev2`), and any function someone names phiwatch-….
      Condition: {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": FUNCTION_NAMES.map(
            (fn) =>
              `arn:${p}:logs:${region}:${accountId}:log-group:/aws/lambda/${resourceName(input.stage, fn)}`,
          ),
        },
      },
    },
    {
      // DynamoDB encrypts the table through grants it creates while the table is created or updated by
      // the deployer; the grant only works through DynamoDB in this account.
      Sid: "DynamoDBTableEncryption",
      Effect: "Allow",
      Principal: { AWS: [...input.admins].sort() },
      Action: ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:ReEncrypt*"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:ViaService": `dynamodb.${region}.amazonaws.com`,
          "kms:CallerAccount": accountId,
        },
      },
    },
    {
      // Lambda encrypts each function's environment with the key when the deployer creates or updates
      // the function, using the deployer's permissions to create a grant and encrypt ("Securing
      // environment variables", Lambda developer guide). Without this, every deploy after the key
      // policy is in place fails to create or update the functions. No Decrypt: deploys do not read
      // the environment back, so administrators still cannot read it (PHIWATCH_HASH_KEY).
      Sid: "LambdaFunctionEnvironments",
      Effect: "Allow",
      Principal: { AWS: [...input.admins].sort() },
      Action: ["kms:CreateGrant", "kms:Encrypt"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:ViaService": `lambda.${region}.amazonaws.com`,
          "kms:CallerAccount": accountId,
        },
      },
    },
  );
  return { Version: "2012-10-17", Statement: statements };
}
