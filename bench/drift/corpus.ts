// A corpus of configuration items shaped like the Config change stream of a contact-center account
// (Northwind Health, examples/baseline.yaml), for the drift benchmark.
//
// Mix (share of items; what a Config recorder in such an account emits over a day of changes):
//   IAM roles 24%      service, SSO, Connect, Lambda and app roles: URL-encoded trust policy (as Config
//                      records it), 0-3 inline policies, 2-8 attached managed policies, tags, last used;
//                      a few reach PHI buckets (QA supervisors, recording export, analytics, a legacy
//                      role with s3:* on "*")
//   IAM policies 14%   customer-managed policies with 1-4 URL-encoded versions of app permissions
//                      (DynamoDB, SQS, Logs, app buckets, KMS), some naming PHI buckets
//   IAM users 2%       break-glass and CI users with inline and attached policies
//   security groups 20% 3-14 ingress rules (ipv4 ranges, group pairs, descriptions), egress; ~3% open SSH
//   S3 buckets 20%     ~60 distinct non-PHI buckets (logs, artefacts, web, data lake, CDK assets) and
//                      the baseline's 5 PHI buckets (≈ 15% of bucket items): ACL (JSON string), policy
//                      (TLS deny + 1-5 grants), versioning, lifecycle (JSON string), tagging,
//                      notifications, logging, SSE (CMK for PHI, mostly SSE-S3 / aws/s3 otherwise),
//                      Block Public Access, ownership controls, Object Lock on some PHI buckets
//   KMS keys 8%        customer-managed (75%) with a realistic key policy (JSON string) and rotation
//                      status, AWS-managed (25%)
//   CloudTrail 1%      two trails (organisation trail with KMS + validation, a data-event trail)
//   other types 10%    EC2 instances, volumes, network interfaces, Lambda functions, DynamoDB tables
//                      (only the "*" controls apply), built from the AWS docs' snapshot-file items
//   account BPA 0.5%, deletions 0.5% (buckets and roles, configuration null)
// Items average ≈ 3-4 KB of JSON (real CIs are often several KB; IAM roles and buckets are the largest).
import { readFileSync } from "node:fs";
import {
  bucketConfigurationItem,
  denyInsecureTransport,
  kmsKeyConfigurationItem,
} from "../../packages/cli/src/demo/config-events.ts";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
const SAMPLES = "test/fixtures/config";
const sample = (name: string) =>
  JSON.parse(readFileSync(`${SAMPLES}/${name}`, "utf8")) as Record<string, unknown>;

/** The baseline's PHI buckets (examples/baseline.yaml): a handful among many. */
export const PHI_BUCKETS = [
  "northwind-connect-recordings",
  "northwind-contact-lens-transcripts",
  "northwind-ctr-2024",
  "northwind-ctr-2025",
  "northwind-ctr-archive",
];
const OTHER_BUCKET_KINDS = [
  "nw-app-logs",
  "nw-alb-access-logs",
  "nw-build-artifacts",
  "nw-static-site",
  "nw-data-lake-raw",
  "nw-data-lake-curated",
  "cdk-hnb659fds-assets",
  "nw-athena-results",
  "nw-terraform-state",
  "nw-backups",
  "nw-config-delivery",
  "nw-cloudtrail-logs",
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
type Rand = () => number;
const pickOf = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: Rand, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join("");
const upperId = (r: Rand, prefix: string) =>
  prefix +
  Array.from({ length: 17 }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Math.floor(r() * 32)]).join("");
/** Config records IAM documents URL-encoded. */
const urlDoc = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

function statement(r: Rand): Record<string, unknown> {
  const kind = Math.floor(r() * 7);
  const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/nw-${pickOf(r, ["agents", "queues", "callbacks", "surveys", "routing"])}`;
  switch (kind) {
    case 0:
      return {
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
        Resource: [table, `${table}/index/*`],
      };
    case 1:
      return {
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/nw-*`,
      };
    case 2:
      return {
        Effect: "Allow",
        Action: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:nw-${pickOf(r, ["callbacks", "exports", "surveys"])}`,
      };
    case 3: {
      const b = `${pickOf(r, OTHER_BUCKET_KINDS)}-${Math.floor(r() * 5)}`;
      return {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
      };
    }
    case 4:
      return {
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`,
        Condition: { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } },
      };
    case 5:
      return {
        Effect: "Allow",
        Action: ["connect:DescribeContact", "connect:GetContactAttributes", "connect:ListQueues"],
        Resource: `arn:aws:connect:${REGION}:${ACCOUNT}:instance/8f1c2b7e-0d4a-4e8e-9b51-3f1f0c9a1e22/*`,
      };
    default:
      return {
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData", "xray:PutTraceSegments"],
        Resource: "*",
      };
  }
}

/** A statement that touches PHI (the few roles and policies that should, and a legacy one that should not). */
function phiStatement(r: Rand): Record<string, unknown> {
  const b = pickOf(r, PHI_BUCKETS);
  switch (Math.floor(r() * 4)) {
    case 0:
      return { Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${b}/connect/*` };
    case 1:
      return { Effect: "Allow", Action: "s3:*", Resource: "*" };
    case 2:
      return {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
        Condition: { Bool: { "aws:SecureTransport": "true" } },
      };
    default:
      return {
        Effect: "Allow",
        Action: ["s3:DeleteObject", "s3:PutObject"],
        Resource: `arn:aws:s3:::${b}/*`,
      };
  }
}

function policyDoc(r: Rand, phi: boolean): Record<string, unknown> {
  const n = 1 + Math.floor(r() * 4);
  const Statement = Array.from({ length: n }, () => statement(r));
  if (phi) Statement.push(phiStatement(r));
  return { Version: "2012-10-17", Statement };
}

const base = (r: Rand, type: string, id: string, capturedAt: string, arn: string, name?: string) => ({
  version: "1.3",
  awsAccountId: ACCOUNT,
  configurationItemCaptureTime: capturedAt,
  configurationItemStatus: "OK",
  configurationStateId: String(Date.parse(capturedAt)),
  configurationItemMD5Hash: "",
  ARN: arn,
  resourceType: type,
  resourceId: id,
  ...(name ? { resourceName: name } : {}),
  awsRegion: type.startsWith("AWS::IAM::") ? "global" : REGION,
  availabilityZone: type.startsWith("AWS::IAM::") ? "Not Applicable" : "Regional",
  resourceCreationTime: "2024-05-02T11:20:31.000Z",
  relatedEvents: [`${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`],
});

const ROLE_KINDS = [
  ["lambda", "lambda.amazonaws.com", "/service-role/"],
  ["connect", "connect.amazonaws.com", "/service-role/"],
  ["ecs-task", "ecs-tasks.amazonaws.com", "/"],
  ["ec2", "ec2.amazonaws.com", "/"],
  [
    "sso",
    "arn:aws:iam::111122223333:saml-provider/AWSSSO_a1b2c3d4e5f6_DO_NOT_DELETE",
    "/aws-reserved/sso.amazonaws.com/",
  ],
] as const;

function role(r: Rand, i: number, capturedAt: string): Record<string, unknown> {
  const [kind, trustee, path] = pickOf(r, ROLE_KINDS);
  // The baseline's designated roles and a few others reach PHI; most roles do not.
  const named =
    r() < 0.06
      ? pickOf(r, ["recording-export-svc", "connect-recordings-ops", "analytics-qa", "legacy-etl"])
      : undefined;
  const name =
    named ??
    `nw-${kind}-${pickOf(r, ["api", "worker", "etl", "router", "survey", "crm-sync", "reporting"])}-${i % 97}`;
  const id = upperId(r, "AROA");
  const arn = `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
  const trust = {
    Version: "2012-10-17",
    Statement: [
      trustee.startsWith("arn:")
        ? {
            Effect: "Allow",
            Principal: { Federated: trustee },
            Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
          }
        : { Effect: "Allow", Principal: { Service: trustee }, Action: "sts:AssumeRole" },
    ],
  };
  const inline = Math.floor(r() * 4);
  const attached = 2 + Math.floor(r() * 7);
  const managed = [
    "AWSLambdaBasicExecutionRole",
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
    "AWSXRayDaemonWriteAccess",
    "ReadOnlyAccess",
    "AmazonConnect_FullAccess",
  ];
  return {
    ...base(r, "AWS::IAM::Role", id, capturedAt, arn, name),
    tags: { team: pickOf(r, ["platform", "contact-center", "data"]), env: "prod" },
    relationships: Array.from({ length: Math.min(attached, 3) }, (_, k) => ({
      resourceType: "AWS::IAM::Policy",
      resourceId: upperId(r, "ANPA"),
      resourceName: `nw-policy-${(i + k) % 50}`,
      relationshipName: "Is attached to CustomerManagedPolicy",
    })),
    configuration: {
      path,
      roleName: name,
      roleId: id,
      arn,
      createDate: "2024-05-02T11:20:31.000Z",
      assumeRolePolicyDocument: urlDoc(trust),
      instanceProfileList: [],
      rolePolicyList: Array.from({ length: named ? Math.max(inline, 1) : inline }, (_, k) => ({
        policyName: `${name}-inline-${k}`,
        policyDocument: urlDoc(policyDoc(r, named !== undefined && k === 0)),
      })),
      attachedManagedPolicies: Array.from({ length: attached }, (_, k) =>
        k % 2 === 0
          ? {
              policyName: `nw-policy-${(i + k) % 50}`,
              policyArn: `arn:aws:iam::${ACCOUNT}:policy/nw-policy-${(i + k) % 50}`,
            }
          : {
              policyName: managed[k % managed.length],
              policyArn: `arn:aws:iam::aws:policy/${managed[k % managed.length]}`,
            },
      ),
      permissionsBoundary: null,
      tags: [
        { key: "team", value: "contact-center" },
        { key: "env", value: "prod" },
      ],
      roleLastUsed: { lastUsedDate: "2026-02-27T09:12:00.000Z", region: REGION },
    },
    supplementaryConfiguration: {},
  };
}

function managedPolicy(r: Rand, i: number, capturedAt: string): Record<string, unknown> {
  const name = `nw-policy-${i % 50}`;
  const id = upperId(r, "ANPA");
  const arn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
  const versions = 1 + Math.floor(r() * 4);
  const phi = r() < 0.08;
  return {
    ...base(r, "AWS::IAM::Policy", id, capturedAt, arn, name),
    tags: {},
    relationships: [
      {
        resourceType: "AWS::IAM::Role",
        resourceId: upperId(r, "AROA"),
        resourceName: `nw-lambda-api-${i % 97}`,
        relationshipName: "Is attached to Role",
      },
    ],
    configuration: {
      policyName: name,
      policyId: id,
      arn,
      path: "/",
      defaultVersionId: `v${versions}`,
      attachmentCount: 1 + Math.floor(r() * 6),
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      description: "Application permissions managed by Terraform",
      createDate: "2024-05-02T11:20:31.000Z",
      updateDate: capturedAt,
      policyVersionList: Array.from({ length: versions }, (_, k) => ({
        document: urlDoc(policyDoc(r, phi && k === versions - 1)),
        versionId: `v${k + 1}`,
        isDefaultVersion: k === versions - 1,
        createDate: "2025-01-10T08:00:00.000Z",
      })),
    },
    supplementaryConfiguration: {},
  };
}

function user(r: Rand, i: number, capturedAt: string): Record<string, unknown> {
  const name = pickOf(r, ["break-glass-admin", "ci-deployer", "legacy-sftp", "vendor-wfm-sync"]);
  const id = upperId(r, "AIDA");
  const arn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
  return {
    ...base(r, "AWS::IAM::User", id, capturedAt, arn, name),
    tags: {},
    relationships: [],
    configuration: {
      path: "/",
      userName: name,
      userId: id,
      arn,
      createDate: "2023-11-02T11:20:31.000Z",
      userPolicyList: [{ policyName: `${name}-inline`, policyDocument: urlDoc(policyDoc(r, i % 5 === 0)) }],
      groupList: ["nw-engineers"],
      attachedManagedPolicies: [
        { policyName: "ReadOnlyAccess", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      ],
      permissionsBoundary: null,
      tags: [],
    },
    supplementaryConfiguration: {},
  };
}

function securityGroup(r: Rand, i: number, capturedAt: string): Record<string, unknown> {
  const id = `sg-0${hex(r, 16)}`;
  const name = `nw-${pickOf(r, ["alb", "api", "worker", "db", "bastion", "vpce", "lambda"])}-${i % 40}`;
  const rules = 3 + Math.floor(r() * 12);
  const ingress = Array.from({ length: rules }, (_, k) => {
    const port = pickOf(r, [443, 443, 80, 5432, 6379, 8080, 3306, 22]);
    const open = port === 22 ? r() < 0.1 : port === 443 || port === 80;
    const cidr = open ? "0.0.0.0/0" : `10.${20 + (k % 4)}.0.0/16`;
    return {
      fromPort: port,
      ipProtocol: "tcp",
      ipv6Ranges: [],
      prefixListIds: [],
      toPort: port,
      userIdGroupPairs:
        k % 3 === 0 ? [{ groupId: `sg-0${hex(r, 16)}`, userId: ACCOUNT, description: "from app tier" }] : [],
      ipv4Ranges: [{ cidrIp: cidr, description: `rule ${k} managed by terraform` }],
      ipRanges: [cidr],
    };
  });
  return {
    ...base(
      r,
      "AWS::EC2::SecurityGroup",
      id,
      capturedAt,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`,
      name,
    ),
    tags: { Name: name, env: "prod" },
    relationships: [
      {
        resourceId: `vpc-0${hex(r, 16)}`,
        resourceName: null,
        resourceType: "AWS::EC2::VPC",
        name: "Is contained in Vpc",
      },
      {
        resourceId: `eni-0${hex(r, 16)}`,
        resourceName: null,
        resourceType: "AWS::EC2::NetworkInterface",
        name: "Is associated with NetworkInterface",
      },
    ],
    configuration: {
      description: `${name} security group`,
      groupName: name,
      ipPermissions: ingress,
      ownerId: ACCOUNT,
      groupId: id,
      ipPermissionsEgress: [
        {
          ipProtocol: "-1",
          ipv6Ranges: [],
          prefixListIds: [],
          userIdGroupPairs: [],
          ipv4Ranges: [{ cidrIp: "0.0.0.0/0" }],
          ipRanges: ["0.0.0.0/0"],
        },
      ],
      tags: [{ key: "Name", value: name }],
      vpcId: `vpc-0${hex(r, 16)}`,
    },
    supplementaryConfiguration: {},
  };
}

function bucket(r: Rand, capturedAt: string, keys: string[]): Record<string, unknown> {
  const phi = r() < 0.15;
  const name = phi ? pickOf(r, PHI_BUCKETS) : `${pickOf(r, OTHER_BUCKET_KINDS)}-${Math.floor(r() * 5)}`;
  const readers = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, k) => ({
    Sid: `Readers${k}`,
    Effect: "Allow",
    Principal: {
      AWS: `arn:aws:iam::${ACCOUNT}:role/${phi ? pickOf(r, ["recording-export-svc", "analytics-qa", "connect-recordings-ops"]) : `nw-lambda-api-${k}`}`,
    },
    Action: k === 0 ? ["s3:GetObject"] : ["s3:GetObject", "s3:ListBucket"],
    Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
  }));
  const item = bucketConfigurationItem({
    name,
    capturedAt,
    sse: phi
      ? { algorithm: "aws:kms", kmsKeyId: r() < 0.85 ? pickOf(r, keys) : "alias/aws/s3", bucketKey: true }
      : r() < 0.6
        ? { algorithm: "AES256" }
        : { algorithm: "aws:kms", kmsKeyId: r() < 0.5 ? "alias/aws/s3" : pickOf(r, keys) },
    publicAccessBlock:
      r() < 0.9
        ? {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: r() < 0.95,
          }
        : null,
    versioning: phi || r() < 0.5 ? "Enabled" : "Suspended",
    policy: {
      Version: "2012-10-17",
      Statement: [denyInsecureTransport(name), ...readers],
    },
    tags: { team: phi ? "contact-center" : "platform", "data-classification": phi ? "phi" : "internal" },
    lifecycle: [
      { id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpirationInDays: 30 },
      ...(phi
        ? [{ id: "retention", status: "Enabled" as const, expirationInDays: 2555 }]
        : [{ id: "expire", status: "Enabled" as const, expirationInDays: 90 }]),
    ],
  });
  const sup = item.supplementaryConfiguration as Record<string, unknown>;
  sup.BucketTaggingConfiguration = { tagSets: [{ tags: item.tags }] };
  sup.BucketNotificationConfiguration = {
    configurations: phi
      ? {
          "recording-indexer": {
            events: ["s3:ObjectCreated:*"],
            filter: null,
            objectPrefixes: [],
            functionARN: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:nw-recording-indexer`,
            type: "LambdaConfiguration",
          },
        }
      : {},
  };
  sup.BucketLoggingConfiguration = {
    destinationBucketName: "nw-s3-access-logs-0",
    logFilePrefix: `${name}/`,
  };
  sup.BucketOwnershipControls = { ownershipControls: { rules: [{ ownership: "BucketOwnerEnforced" }] } };
  if (phi && r() < 0.5)
    sup.ObjectLockConfiguration = {
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 2555 } },
    };
  return item;
}

function key(r: Rand, capturedAt: string, keys: string[]): Record<string, unknown> {
  const customer = r() < 0.75;
  const arn = customer
    ? pickOf(r, keys)
    : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;
  const keyId = arn.split("/")[1]!;
  const item = kmsKeyConfigurationItem({ keyId, keyManager: customer ? "CUSTOMER" : "AWS", capturedAt });
  const policy = {
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "Allow administration of the key",
        Effect: "Allow",
        Principal: {
          AWS: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_KeyAdmins_${hex(r, 16)}`,
        },
        Action: [
          "kms:Create*",
          "kms:Describe*",
          "kms:Enable*",
          "kms:List*",
          "kms:Put*",
          "kms:Update*",
          "kms:Revoke*",
          "kms:Disable*",
          "kms:Get*",
          "kms:Delete*",
          "kms:ScheduleKeyDeletion",
          "kms:CancelKeyDeletion",
        ],
        Resource: "*",
      },
      {
        Sid: "Allow use of the key",
        Effect: "Allow",
        Principal: {
          AWS: [
            `arn:aws:iam::${ACCOUNT}:role/recording-export-svc`,
            `arn:aws:iam::${ACCOUNT}:role/connect-recordings-ops`,
          ],
        },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "Allow Connect",
        Effect: "Allow",
        Principal: { Service: "connect.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ],
  };
  item.supplementaryConfiguration = {
    ...(item.supplementaryConfiguration as Record<string, unknown>),
    Policy: JSON.stringify(policy, null, 2),
    KeyRotationStatus: customer ? r() < 0.9 : true,
    Tags: customer ? [{ tagKey: "purpose", tagValue: "phi" }] : [],
  };
  return item;
}

function trail(r: Rand, capturedAt: string, template: Record<string, unknown>): Record<string, unknown> {
  const org = r() < 0.7;
  const name = org ? "nw-organization-trail" : "nw-phi-data-events";
  const arn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${name}`;
  return {
    ...template,
    ...base(r, "AWS::CloudTrail::Trail", name, capturedAt, arn, name),
    tags: {},
    relationships: [],
    configuration: {
      ...(template.configuration as Record<string, unknown>),
      name,
      s3BucketName: "nw-cloudtrail-logs-0",
      homeRegion: REGION,
      trailARN: arn,
      kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11`,
      isOrganizationTrail: org,
      logFileValidationEnabled: org || r() < 0.5,
    },
  };
}

/** An item of a type only the "*" controls evaluate, from the AWS docs' snapshot-file items. */
function other(
  r: Rand,
  i: number,
  capturedAt: string,
  templates: Record<string, unknown>[],
): Record<string, unknown> {
  const t = pickOf(r, templates);
  const type = String(t.resourceType);
  const id = `${String(t.resourceId).split("-")[0]}-0${hex(r, 16)}`;
  const { accountId: _a, arn: _arn, ...rest } = t;
  return {
    ...rest,
    ...base(
      r,
      type,
      id,
      capturedAt,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:${type.split("::")[2]!.toLowerCase()}/${id}`,
    ),
    tags: { Name: `nw-${i % 30}`, env: "prod" },
  };
}

const mix = [
  ["AWS::IAM::Role", 0.24],
  ["AWS::IAM::Policy", 0.14],
  ["AWS::IAM::User", 0.02],
  ["AWS::EC2::SecurityGroup", 0.2],
  ["AWS::S3::Bucket", 0.2],
  ["AWS::KMS::Key", 0.08],
  ["AWS::CloudTrail::Trail", 0.01],
  ["other", 0.1],
  ["AWS::S3::AccountPublicAccessBlock", 0.005],
  ["deleted", 0.005],
] as const;

/** `n` configuration items as JSON texts (what arrives on the wire), deterministic for a seed. */
export function corpus(n: number, seed = 42): string[] {
  const r = rng(seed);
  const trailTemplate = sample("rdk__AWS_Cloudtrail_Trail.json");
  const pab = sample("rdk__AWS_S3_AccountPublicAccessBlock.json");
  const snapshotFile = JSON.parse(
    readFileSync(`${SAMPLES}/awsdocs__configuration_snapshot_file.json`, "utf8"),
  );
  const others = snapshotFile.configurationItems as Record<string, unknown>[];
  // ~30 customer-managed keys; the first protects the PHI buckets (as in the baseline).
  const keys = [
    `arn:aws:kms:${REGION}:${ACCOUNT}:key/6f2c1f1e-8c55-4c3a-9d2e-0a4b7e9d1c11`,
    ...Array.from(
      { length: 29 },
      () =>
        `arn:aws:kms:${REGION}:${ACCOUNT}:key/${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`,
    ),
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const capturedAt = new Date(Date.UTC(2026, 2, 1) + i * 43_000).toISOString();
    let x = r();
    let kind: string = mix[0][0];
    for (const [k, share] of mix) {
      if (x < share) {
        kind = k;
        break;
      }
      x -= share;
    }
    let item: Record<string, unknown>;
    switch (kind) {
      case "AWS::IAM::Role":
        item = role(r, i, capturedAt);
        break;
      case "AWS::IAM::Policy":
        item = managedPolicy(r, i, capturedAt);
        break;
      case "AWS::IAM::User":
        item = user(r, i, capturedAt);
        break;
      case "AWS::EC2::SecurityGroup":
        item = securityGroup(r, i, capturedAt);
        break;
      case "AWS::S3::Bucket":
        item = bucket(r, capturedAt, keys);
        break;
      case "AWS::KMS::Key":
        item = key(r, capturedAt, keys);
        break;
      case "AWS::CloudTrail::Trail":
        item = trail(r, capturedAt, trailTemplate);
        break;
      case "AWS::S3::AccountPublicAccessBlock": {
        const { accountId: _a, ...rest } = pab;
        item = {
          ...rest,
          awsAccountId: ACCOUNT,
          resourceId: ACCOUNT,
          configurationItemCaptureTime: capturedAt,
        };
        break;
      }
      case "deleted": {
        const gone = r() < 0.5 ? bucket(r, capturedAt, keys) : role(r, i, capturedAt);
        item = {
          ...gone,
          configurationItemStatus: "ResourceDeleted",
          configuration: null,
          supplementaryConfiguration: {},
        };
        break;
      }
      default:
        item = other(r, i, capturedAt, others);
    }
    out.push(JSON.stringify(item));
  }
  return out;
}

/** What the corpus holds, for the benchmark's report. */
export function describeCorpus(texts: string[]): Record<string, unknown> {
  const byType: Record<string, number> = {};
  let phiBucketItems = 0;
  let deleted = 0;
  const sizes: number[] = [];
  for (const t of texts) {
    const ci = JSON.parse(t) as { resourceType: string; resourceId: string; configurationItemStatus: string };
    byType[ci.resourceType] = (byType[ci.resourceType] ?? 0) + 1;
    if (ci.resourceType === "AWS::S3::Bucket" && PHI_BUCKETS.includes(ci.resourceId)) phiBucketItems++;
    if (ci.configurationItemStatus.startsWith("ResourceDeleted")) deleted++;
    sizes.push(t.length);
  }
  sizes.sort((a, b) => a - b);
  return {
    byType,
    phiBucketItems,
    deleted,
    bytesPerItem: {
      mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
      median: sizes[sizes.length >> 1],
      p90: sizes[Math.floor(sizes.length * 0.9)],
      max: sizes[sizes.length - 1],
    },
  };
}
