/**
 * Every AWS SDK command the sweep and `phiwatch scan` send, with the IAM action it needs. This is
 * the single source of the read-only policy in docs/scan.md; a test records the commands the code
 * really sends (through aws-sdk-client-mock) and checks each is listed here, and that the policy in
 * the docs equals {@link readOnlyPolicy}.
 */
export const SWEEP_COMMANDS: Readonly<Record<string, string>> = {
  GetCallerIdentityCommand: "sts:GetCallerIdentity",
  DescribeConfigurationRecordersCommand: "config:DescribeConfigurationRecorders",
  DescribeConfigurationRecorderStatusCommand: "config:DescribeConfigurationRecorderStatus",
  ListDiscoveredResourcesCommand: "config:ListDiscoveredResources",
  BatchGetResourceConfigCommand: "config:BatchGetResourceConfig",
  DescribeKeyCommand: "kms:DescribeKey",
  DescribeManagedPrefixListsCommand: "ec2:DescribeManagedPrefixLists",
  GetKeyPolicyCommand: "kms:GetKeyPolicy",
  GetKeyRotationStatusCommand: "kms:GetKeyRotationStatus",
  DescribeTrailsCommand: "cloudtrail:DescribeTrails",
  GetEventSelectorsCommand: "cloudtrail:GetEventSelectors",
  GetTrailStatusCommand: "cloudtrail:GetTrailStatus",
  GetPublicAccessBlockCommand: "s3:GetAccountPublicAccessBlock",
  GetBucketOwnershipControlsCommand: "s3:GetBucketOwnershipControls",
  ListInstancesCommand: "connect:ListInstances",
  ListInstanceAttributesCommand: "connect:ListInstanceAttributes",
  ListInstanceStorageConfigsCommand: "connect:ListInstanceStorageConfigs",
  ListContactFlowsCommand: "connect:ListContactFlows",
  DescribeContactFlowCommand: "connect:DescribeContactFlow",
  ListContactFlowModulesCommand: "connect:ListContactFlowModules",
  DescribeContactFlowModuleCommand: "connect:DescribeContactFlowModule",
};

/**
 * The commands the sweep (and the config-change handler) send to phiwatch's OWN findings table and
 * alerts topic only (`enrichSnapshot`'s `ownStores`): in the functions' roles on those two ARNs
 * (`Plan.iamStatements`), never in {@link readOnlyPolicy} or the member accounts' read role — the
 * stores are in the account phiwatch runs in, and `phiwatch scan` does not read them.
 */
export const OWN_STORE_COMMANDS: Readonly<Record<string, string>> = {
  DescribeContinuousBackupsCommand: "dynamodb:DescribeContinuousBackups",
  GetDataProtectionPolicyCommand: "sns:GetDataProtectionPolicy",
};

/**
 * The least-privilege, read-only IAM policy the sweep and `phiwatch scan` need (no data-plane
 * reads: never s3:GetObject). Connect's ListInstances also needs ds:DescribeDirectories for
 * instances that use an AWS Directory Service directory.
 *
 * @example
 * ```ts
 * JSON.stringify(readOnlyPolicy(), null, 2); // the document in docs/scan.md
 * ```
 */
export function readOnlyPolicy(): { Version: string; Statement: Array<Record<string, unknown>> } {
  const actions = [...new Set(Object.values(SWEEP_COMMANDS))].sort();
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PhiwatchReadOnlyPosture",
        Effect: "Allow",
        Action: [...actions, "ds:DescribeDirectories"],
        Resource: "*",
      },
    ],
  };
}

/**
 * The policy of the read role in each member account (`infra/member-read-role.yaml`): the sweep's
 * read-only policy, plus `config:GetResourceConfigHistory` for the config-change handler, which
 * fetches a member account's oversized configuration items with the same role.
 *
 * @example
 * ```ts
 * memberReadPolicy().Statement[0].Action.includes("config:GetResourceConfigHistory"); // true
 * ```
 */
export function memberReadPolicy(): { Version: string; Statement: Array<Record<string, unknown>> } {
  const [statement] = readOnlyPolicy().Statement as [{ Action: string[] }];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PhiwatchMemberRead",
        Effect: "Allow",
        Action: [...statement.Action, "config:GetResourceConfigHistory"].sort(),
        Resource: "*",
      },
    ],
  };
}
