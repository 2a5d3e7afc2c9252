import { createHash } from "node:crypto";

/**
 * Builders of AWS Config "Config Configuration Item Change" EventBridge events in the exact shape AWS
 * sends (envelope as in AWS's documented EFS example; S3 configuration item fields as in a real 2025
 * S3 item — see test/fixtures/README.md). AWS publishes no EventBridge sample for an S3 bucket, so the
 * demo and the tests build them here.
 */

export interface BucketState {
  name: string;
  accountId?: string;
  region?: string;
  capturedAt: string;
  status?: "OK" | "ResourceDiscovered" | "ResourceDeleted";
  sse?: {
    algorithm: "AES256" | "aws:kms" | "aws:kms:dsse";
    kmsKeyId?: string | null;
    bucketKey?: boolean;
  } | null;
  publicAccessBlock?: {
    blockPublicAcls: boolean;
    ignorePublicAcls: boolean;
    blockPublicPolicy: boolean;
    restrictPublicBuckets: boolean;
  } | null;
  versioning?: "Off" | "Enabled" | "Suspended";
  policy?: unknown;
  tags?: Record<string, string>;
  lifecycle?: Array<{
    id: string;
    status: "Enabled" | "Disabled";
    expirationInDays?: number;
    noncurrentVersionExpirationInDays?: number;
  }>;
}

function uuidFrom(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A configuration item for an S3 bucket (recordVersion 1.3). */
export function bucketConfigurationItem(b: BucketState): Record<string, unknown> {
  const accountId = b.accountId ?? "111122223333";
  const region = b.region ?? "us-east-1";
  const supplementary: Record<string, unknown> = {
    AccessControlList: JSON.stringify({
      grantSet: null,
      grantList: [
        {
          grantee: {
            id: "c15b1edf57016ab181a87188cfd5b572e761d5c01386c6a7bb0fb2fb230f3bef",
            displayName: null,
          },
          permission: "FullControl",
        },
      ],
      owner: { displayName: null, id: "c15b1edf57016ab181a87188cfd5b572e761d5c01386c6a7bb0fb2fb230f3bef" },
      isRequesterCharged: false,
    }),
    BucketLoggingConfiguration: {
      destinationBucketName: null,
      logFilePrefix: null,
      targetObjectKeyFormat: null,
    },
    BucketPolicy: { policyText: b.policy === undefined ? null : JSON.stringify(b.policy) },
    BucketVersioningConfiguration: { status: b.versioning ?? "Enabled", isMfaDeleteEnabled: null },
    IsRequesterPaysEnabled: false,
  };
  if (b.publicAccessBlock) supplementary.PublicAccessBlockConfiguration = b.publicAccessBlock;
  if (b.lifecycle) {
    // Shape of Config's BucketLifecycleConfiguration (see the custodian lifecycle sample in test/fixtures).
    // Config records it as a JSON string.
    supplementary.BucketLifecycleConfiguration = JSON.stringify({
      rules: b.lifecycle.map((r) => ({
        id: r.id,
        prefix: null,
        status: r.status,
        filter: { predicate: { type: "LifecyclePrefixPredicate", prefix: "" } },
        expirationInDays: r.expirationInDays ?? -1,
        expiredObjectDeleteMarker: false,
        noncurrentVersionExpirationInDays: r.noncurrentVersionExpirationInDays ?? -1,
        expirationDate: null,
        transitions: [],
        noncurrentVersionTransitions: [],
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      })),
    });
  }
  if (b.sse) {
    supplementary.ServerSideEncryptionConfiguration = {
      rules: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: b.sse.algorithm,
            kmsMasterKeyID: b.sse.kmsKeyId ?? null,
          },
          bucketKeyEnabled: b.sse.bucketKey ?? false,
        },
      ],
    };
  }
  const deleted = b.status === "ResourceDeleted";
  return {
    relatedEvents: [],
    relationships: [],
    configuration: deleted
      ? null
      : {
          name: b.name,
          owner: {
            displayName: null,
            id: "c15b1edf57016ab181a87188cfd5b572e761d5c01386c6a7bb0fb2fb230f3bef",
          },
          creationDate: "2024-09-02T14:03:11.000Z",
          region,
        },
    supplementaryConfiguration: deleted ? {} : supplementary,
    tags: b.tags ?? {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: b.capturedAt,
    configurationStateId: Date.parse(b.capturedAt),
    awsAccountId: accountId,
    configurationItemStatus: b.status ?? "OK",
    resourceType: "AWS::S3::Bucket",
    resourceId: b.name,
    resourceName: b.name,
    ARN: `arn:aws:s3:::${b.name}`,
    awsRegion: region,
    availabilityZone: "Regional",
    configurationStateMd5Hash: "",
    resourceCreationTime: "2024-09-02T14:03:11.000Z",
    configurationItemDeliveryTime: null,
    recordingFrequency: "CONTINUOUS",
  };
}

/** Wrap a configuration item in the EventBridge envelope AWS Config emits. */
export function configChangeEvent(
  item: Record<string, unknown>,
  changeType: "CREATE" | "UPDATE" | "DELETE" = "UPDATE",
): Record<string, unknown> {
  const capturedAt = String(item.configurationItemCaptureTime);
  const notified = new Date(Date.parse(capturedAt) + 1200).toISOString();
  return {
    version: "0",
    id: uuidFrom(`${item.resourceId}|${capturedAt}`),
    "detail-type": "Config Configuration Item Change",
    source: "aws.config",
    account: item.awsAccountId,
    time: `${notified.slice(0, 19)}Z`,
    region: item.awsRegion,
    resources: [item.ARN],
    detail: {
      recordVersion: "1.3",
      messageType: "ConfigurationItemChangeNotification",
      configurationItemDiff: { changedProperties: {}, changeType },
      notificationCreationTime: notified,
      configurationItem: item,
    },
  };
}

/**
 * The EventBridge event Config sends for a bucket item over 256 KB: a summary only, the item to be
 * fetched with GetResourceConfigHistory (shape of the published oversized-notification sample).
 */
export function oversizedBucketChangeEvent(b: {
  name: string;
  accountId: string;
  region: string;
  capturedAt: string;
  eventId: string;
}): Record<string, unknown> {
  const summary = {
    ARN: `arn:aws:s3:::${b.name}`,
    awsAccountId: b.accountId,
    awsRegion: b.region,
    changeType: "UPDATE",
    configurationItemCaptureTime: b.capturedAt,
    configurationItemStatus: "OK",
    configurationItemVersion: "1.3",
    configurationStateId: Date.parse(b.capturedAt),
    resourceId: b.name,
    resourceName: b.name,
    resourceType: "AWS::S3::Bucket",
  };
  const notified = new Date(Date.parse(b.capturedAt) + 1000).toISOString();
  return {
    version: "0",
    id: b.eventId,
    "detail-type": "Config Configuration Item Change",
    source: "aws.config",
    account: b.accountId,
    time: `${notified.slice(0, 19)}Z`,
    region: b.region,
    resources: [summary.ARN],
    detail: {
      recordVersion: "1.0",
      messageType: "OversizedConfigurationItemChangeNotification",
      notificationCreationTime: notified,
      configurationItemSummary: summary,
      s3DeliverySummary: { s3BucketLocation: "config-bucket/oversized.json.gz" },
    },
  };
}

/** A configuration item of a KMS key (shape of AWS Config's AWS::KMS::Key items). */
export function kmsKeyConfigurationItem(k: {
  keyId: string;
  accountId?: string;
  region?: string;
  keyManager: "CUSTOMER" | "AWS";
  capturedAt: string;
  description?: string;
}): Record<string, unknown> {
  const accountId = k.accountId ?? "111122223333";
  const region = k.region ?? "us-east-1";
  const arn = `arn:aws:kms:${region}:${accountId}:key/${k.keyId}`;
  return {
    relatedEvents: [],
    relationships: [],
    configuration: {
      keyId: k.keyId,
      arn,
      creationDate: 1725285791000,
      enabled: true,
      description: k.description ?? "",
      keyUsage: "ENCRYPT_DECRYPT",
      keyState: "Enabled",
      origin: "AWS_KMS",
      keyManager: k.keyManager,
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      keySpec: "SYMMETRIC_DEFAULT",
      encryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      signingAlgorithms: [],
      multiRegion: false,
      awsaccountId: accountId,
    },
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: k.capturedAt,
    configurationStateId: Date.parse(k.capturedAt),
    awsAccountId: accountId,
    configurationItemStatus: "OK",
    resourceType: "AWS::KMS::Key",
    resourceId: k.keyId,
    ARN: arn,
    awsRegion: region,
    availabilityZone: "Not Applicable",
    configurationStateMd5Hash: "",
  };
}

/** Managed policies as Config lists them on a role, user or group (`attachedManagedPolicies`). */
const attached = (arns: readonly string[] | undefined) =>
  (arns ?? []).map((policyArn) => ({ policyName: policyArn.split("/").pop(), policyArn }));
/** Inline policies as Config records them (documents URL-encoded). */
const inlineList = (policies: Record<string, unknown> | undefined) =>
  Object.entries(policies ?? {}).map(([policyName, doc]) => ({
    policyName,
    policyDocument: encodeURIComponent(JSON.stringify(doc)),
  }));
/** An IAM id (`AROA…`, `AIDA…`, `AGPA…`, `ANPA…`) derived from the name. */
const iamId = (prefix: string, name: string) =>
  `${prefix}${createHash("sha256").update(name).digest("hex").slice(0, 17).toUpperCase()}`;

/** The envelope of an IAM configuration item (Config records IAM in the `global` region). */
function iamItem(i: {
  resourceType: string;
  resourceId: string;
  resourceName: string;
  arn: string;
  accountId: string;
  capturedAt: string;
  status?: "OK" | "ResourceDeleted";
  configuration: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    relatedEvents: [],
    relationships: [],
    configuration: i.status === "ResourceDeleted" ? null : i.configuration,
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: i.capturedAt,
    configurationStateId: Date.parse(i.capturedAt),
    awsAccountId: i.accountId,
    configurationItemStatus: i.status ?? "OK",
    resourceType: i.resourceType,
    resourceId: i.resourceId,
    resourceName: i.resourceName,
    ARN: i.arn,
    awsRegion: "global",
    availabilityZone: "Not Applicable",
    configurationStateMd5Hash: "",
  };
}

/**
 * A configuration item of a customer-managed IAM policy: one version, the default, its document
 * URL-encoded (shape of Config's AWS::IAM::Policy items, test/fixtures/config/rdk__AWS_IAM_Policy.json).
 */
export function iamPolicyConfigurationItem(p: {
  policyName: string;
  path?: string;
  accountId?: string;
  capturedAt: string;
  document: unknown;
  status?: "OK" | "ResourceDeleted";
}): Record<string, unknown> {
  const accountId = p.accountId ?? "111122223333";
  const path = p.path ?? "/";
  const arn = `arn:aws:iam::${accountId}:policy${path}${p.policyName}`;
  const policyId = iamId("ANPA", arn);
  return iamItem({
    resourceType: "AWS::IAM::Policy",
    resourceId: policyId,
    resourceName: p.policyName,
    arn,
    accountId,
    capturedAt: p.capturedAt,
    ...(p.status ? { status: p.status } : {}),
    configuration: {
      policyName: p.policyName,
      policyId,
      arn,
      path,
      defaultVersionId: "v1",
      attachmentCount: 1,
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      createDate: "2025-01-14T16:20:00.000Z",
      updateDate: p.capturedAt,
      policyVersionList: [
        {
          document: encodeURIComponent(JSON.stringify(p.document)),
          versionId: "v1",
          isDefaultVersion: true,
          createDate: p.capturedAt,
        },
      ],
    },
  });
}

/** A configuration item of an IAM group (shape of Config's AWS::IAM::Group items). */
export function iamGroupConfigurationItem(g: {
  groupName: string;
  accountId?: string;
  capturedAt: string;
  attachedPolicies?: string[];
  inlinePolicies?: Record<string, unknown>;
  status?: "OK" | "ResourceDeleted";
}): Record<string, unknown> {
  const accountId = g.accountId ?? "111122223333";
  const arn = `arn:aws:iam::${accountId}:group/${g.groupName}`;
  const groupId = iamId("AGPA", g.groupName);
  return iamItem({
    resourceType: "AWS::IAM::Group",
    resourceId: groupId,
    resourceName: g.groupName,
    arn,
    accountId,
    capturedAt: g.capturedAt,
    ...(g.status ? { status: g.status } : {}),
    configuration: {
      path: "/",
      groupName: g.groupName,
      groupId,
      arn,
      createDate: "2025-01-14T16:20:00.000Z",
      groupPolicyList: inlineList(g.inlinePolicies),
      attachedManagedPolicies: attached(g.attachedPolicies),
    },
  });
}

/** A configuration item of an IAM user (shape of test/fixtures/config/rdk__AWS_IAM_User.json). */
export function iamUserConfigurationItem(u: {
  userName: string;
  accountId?: string;
  capturedAt: string;
  groups?: string[];
  attachedPolicies?: string[];
  inlinePolicies?: Record<string, unknown>;
}): Record<string, unknown> {
  const accountId = u.accountId ?? "111122223333";
  const arn = `arn:aws:iam::${accountId}:user/${u.userName}`;
  const userId = iamId("AIDA", u.userName);
  return iamItem({
    resourceType: "AWS::IAM::User",
    resourceId: userId,
    resourceName: u.userName,
    arn,
    accountId,
    capturedAt: u.capturedAt,
    configuration: {
      path: "/",
      userName: u.userName,
      userId,
      arn,
      createDate: "2025-01-14T16:20:00.000Z",
      userPolicyList: inlineList(u.inlinePolicies),
      groupList: u.groups ?? [],
      attachedManagedPolicies: attached(u.attachedPolicies),
      permissionsBoundary: null,
      tags: [],
    },
  });
}

/** A configuration item of an IAM role with inline policies (documents URL-encoded, as Config records them). */
export function iamRoleConfigurationItem(r: {
  roleName: string;
  accountId?: string;
  capturedAt: string;
  trustedService?: string;
  inlinePolicies: Record<string, unknown>;
  /** Managed policy ARNs (`attachedManagedPolicies`). */
  attachedPolicies?: string[];
}): Record<string, unknown> {
  const accountId = r.accountId ?? "111122223333";
  const arn = `arn:aws:iam::${accountId}:role/${r.roleName}`;
  return {
    relatedEvents: [],
    relationships: [],
    configuration: {
      path: "/",
      roleName: r.roleName,
      roleId: `AROA${createHash("sha256").update(r.roleName).digest("hex").slice(0, 17).toUpperCase()}`,
      arn,
      createDate: "2025-01-14T16:20:00.000Z",
      assumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: r.trustedService ?? "ec2.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
      ),
      instanceProfileList: [],
      rolePolicyList: Object.entries(r.inlinePolicies).map(([policyName, doc]) => ({
        policyName,
        policyDocument: encodeURIComponent(JSON.stringify(doc)),
      })),
      attachedManagedPolicies: attached(r.attachedPolicies),
      permissionsBoundary: null,
      tags: [],
      roleLastUsed: null,
    },
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: r.capturedAt,
    configurationStateId: Date.parse(r.capturedAt),
    awsAccountId: accountId,
    configurationItemStatus: "OK",
    resourceType: "AWS::IAM::Role",
    resourceId: `AROA${createHash("sha256").update(r.roleName).digest("hex").slice(0, 17).toUpperCase()}`,
    resourceName: r.roleName,
    ARN: arn,
    awsRegion: "global",
    availabilityZone: "Not Applicable",
    configurationStateMd5Hash: "",
  };
}

/** A configuration item of a CloudTrail trail (Config records no selectors: see resource/cloudtrail.ts). */
export function trailConfigurationItem(t: {
  name: string;
  accountId?: string;
  region?: string;
  capturedAt: string;
  multiRegion: boolean;
  logFileValidation: boolean;
  kmsKeyId?: string;
  s3BucketName: string;
}): Record<string, unknown> {
  const accountId = t.accountId ?? "111122223333";
  const region = t.region ?? "us-east-1";
  const arn = `arn:aws:cloudtrail:${region}:${accountId}:trail/${t.name}`;
  return {
    relatedEvents: [],
    relationships: [],
    configuration: {
      name: t.name,
      s3BucketName: t.s3BucketName,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: t.multiRegion,
      homeRegion: region,
      trailARN: arn,
      logFileValidationEnabled: t.logFileValidation,
      ...(t.kmsKeyId ? { kmsKeyId: t.kmsKeyId } : {}),
      hasCustomEventSelectors: false,
      hasInsightSelectors: false,
      isOrganizationTrail: false,
    },
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: t.capturedAt,
    configurationStateId: Date.parse(t.capturedAt),
    awsAccountId: accountId,
    configurationItemStatus: "OK",
    resourceType: "AWS::CloudTrail::Trail",
    resourceId: t.name,
    resourceName: t.name,
    ARN: arn,
    awsRegion: region,
    availabilityZone: "Not Applicable",
    configurationStateMd5Hash: "",
  };
}

/** The statement that refuses plain HTTP to a bucket for everyone (what s3-tls-only asks for). */
export function denyInsecureTransport(bucket: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A bucket policy that only refuses plain HTTP. */
export function tlsOnlyPolicy(bucket: string): { Version: string; Statement: unknown[] } {
  return { Version: "2012-10-17", Statement: [denyInsecureTransport(bucket)] };
}
