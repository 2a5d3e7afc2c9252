import {
  asRecord,
  managementDetection,
  policyWeaknesses,
  requestMember,
  succeeded,
} from "../activity/management.ts";
import type { CloudTrailRecord } from "../activity/record.ts";
import { type Severity, severityRank } from "../finding/types.ts";
import { MEMBER_READ_ROLE } from "../plan/naming.ts";
import { type DataProtectionOperation, dataProtectionOperations } from "../resource/sns-data-protection.ts";
import { recoveryPeriodOf, TABLE } from "../table.ts";
import { defineDetector, type RecordContext } from "./types.ts";

/** Names phiwatch gives its functions, topic and table (`phiwatch-<stage>-<what>`, `Plan.resourceName`). */
const PHIWATCH_NAME = /^phiwatch-[a-z0-9-]{1,58}$/;

/** The function name of a Lambda request: a name, an ARN or a partial ARN, with or without qualifier. */
function functionName(ref: unknown): string | undefined {
  if (typeof ref !== "string") return undefined;
  const name = /(?:^|:function:)([^:]+)(?::[^:]*)?$/.exec(ref)?.[1];
  return name && PHIWATCH_NAME.test(name) ? name : undefined;
}

/**
 * The phiwatch table a DynamoDB request names: DynamoDB takes the table's name or its ARN
 * (`arn:…:dynamodb:REGION:ACCOUNT:table/NAME`) wherever it takes `TableName`, and CloudTrail records the
 * request as sent.
 */
function tableName(ref: unknown): string | undefined {
  if (typeof ref !== "string") return undefined;
  const name = ref.startsWith("arn:")
    ? /^arn:[\w-]+:dynamodb:[^:]*:\d{12}:table\/([^/]+)$/.exec(ref)?.[1]
    : ref;
  return name && PHIWATCH_NAME.test(name) ? name : undefined;
}

/** The topic name of a topic ARN (`arn:…:sns:REGION:ACCOUNT:NAME`) or subscription ARN (`…:NAME:ID`). */
function topicName(arn: unknown, subscription: boolean): string | undefined {
  if (typeof arn !== "string") return undefined;
  const parts = arn.split(":");
  const name = parts[subscription ? parts.length - 2 : parts.length - 1];
  return name && PHIWATCH_NAME.test(name) ? name : undefined;
}

export default defineDetector({
  id: "tamper-phiwatch",
  title: "phiwatch's own functions, alerts topic, table and member role are never silenced",
  input: "management",
  events: [
    // Lambda logs these under versioned event names (Lambda developer guide, CloudTrail).
    "lambda.amazonaws.com:PutFunctionConcurrency20171031",
    "lambda.amazonaws.com:DeleteFunction20150331",
    "lambda.amazonaws.com:UpdateEventSourceMapping20150331",
    "lambda.amazonaws.com:DeleteEventSourceMapping20150331",
    "sns.amazonaws.com:DeleteTopic",
    "sns.amazonaws.com:Unsubscribe",
    // The alerts topic's access policy, encryption and HTTP/S delivery retries (SNS_ATTRIBUTE_CHANGES).
    "sns.amazonaws.com:SetTopicAttributes",
    "sns.amazonaws.com:RemovePermission",
    // A data-protection policy can deny or mask messages: drop or alter alerts.
    "sns.amazonaws.com:PutDataProtectionPolicy",
    "dynamodb.amazonaws.com:DeleteTable",
    // The table's deletion protection, stream (the notifier reads it), encryption key, point-in-time
    // recovery (and its period) and TTL.
    "dynamodb.amazonaws.com:UpdateTable",
    "dynamodb.amazonaws.com:UpdateContinuousBackups",
    "dynamodb.amazonaws.com:UpdateTimeToLive",
    // IAM is global: CloudTrail delivers its events to EventBridge in us-east-1 only (docs/detectors.md).
    "iam.amazonaws.com:UpdateAssumeRolePolicy",
    "iam.amazonaws.com:DeleteRole",
    "iam.amazonaws.com:PutRolePolicy",
    "iam.amazonaws.com:DeleteRolePolicy",
    "iam.amazonaws.com:DetachRolePolicy",
    "iam.amazonaws.com:PutRolePermissionsBoundary",
  ],
  hipaa: ["164.312(b)"],
  severity: "critical",
  rationale:
    "Audit controls: the cheapest way to silence a monitor is to switch off its delivery path rather than the logging it reads — a function throttled to zero or deleted, the stream trigger of the notifier disabled, the alerts subscription removed or a data-protection policy that denies alerts put on their topic, the findings table deleted or put under a key someone else controls, or the role the sweep reads member accounts with changed. Several of these leave no error, throttle or dead letter behind for phiwatch's alarms to see.",
  remediation:
    "Redeploy phiwatch (sst deploy restores functions, triggers, concurrency, topic and table; restore the table from point-in-time recovery or its backup; a redeploy turns its stream, recovery, TTL and deletion protection back as deployed, and a new stream needs the notifier's trigger redeployed), put the table back under phiwatch's key and its recovery period back to 35 days (aws dynamodb update-table --table-name TABLE --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=alias/phiwatch-STAGE-key; aws dynamodb update-continuous-backups --table-name TABLE --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35), re-subscribe the alerts topic (a redeploy also restores its key; remove an access or delivery policy phiwatch does not set, and a data-protection policy: aws sns put-data-protection-policy --resource-arn TOPIC_ARN --data-protection-policy ''), redeploy infra/member-read-role.yaml; find out who made the change, and deny lambda:DeleteFunction/PutFunctionConcurrency/UpdateEventSourceMapping/DeleteEventSourceMapping, sns:DeleteTopic/Unsubscribe/SetTopicAttributes/RemovePermission/PutDataProtectionPolicy, dynamodb:DeleteTable/UpdateTable/UpdateContinuousBackups/UpdateTimeToLive on phiwatch-* and iam:* on phiwatch-member-read with an SCP outside the deploy and break-glass roles.",
  evaluate(r, ctx) {
    if (!succeeded(r)) return [];
    const found = silenced(r, ctx);
    if (!found) return [];
    return [
      managementDetection(
        r,
        ctx,
        { resourceType: found.type, resourceId: found.name },
        `phiwatch ${found.what}`,
        { change: found.change },
        found.severity ? { severity: found.severity } : {},
      ),
    ];
  },
});

/** What each IAM event read does to the member read role (PutRolePolicy: the rest). */
const MEMBER_ROLE_CHANGES: Readonly<Record<string, string>> = {
  UpdateAssumeRolePolicy: "trust policy replaced",
  DeleteRole: "role deleted",
  PutRolePermissionsBoundary: "permissions boundary set",
  DetachRolePolicy: "managed policy detached",
  DeleteRolePolicy: "inline policy deleted",
};

interface Silenced {
  type: string;
  name: string;
  what: string;
  change: string;
  severity?: Severity;
}

/** A topic Silenced. */
function topicChange(name: string, change: string, severity?: Severity): Silenced {
  return {
    type: "AWS::SNS::Topic",
    name,
    what: `topic ${name}: ${change}`,
    change,
    ...(severity ? { severity } : {}),
  };
}

/**
 * SetTopicAttributes on the alerts topic: the attributes whose change can stop or expose alerts. phiwatch
 * deploys the topic with its own key and no access or delivery policy (infra/alerts.ts), so a change of
 * these is made outside the deploy. Others (DisplayName, TracingConfig, SignatureVersion, the delivery
 * status logging roles) change nothing about whether an alert arrives.
 */
function topicAttributeChange(
  name: string,
  req: Record<string, unknown>,
  ctx: RecordContext,
): Silenced | undefined {
  const attribute = requestMember(req, "attributeName");
  const value = requestMember(req, "attributeValue");
  switch (attribute) {
    case "Policy": {
      // Who may publish (CloudWatch alarms publish through it), subscribe or delete the topic.
      const weak = policyWeaknesses(ctx.json(value), ctx.baseline.accounts);
      return weak.length > 0
        ? topicChange(name, `access policy replaced: ${weak.join("; ")}`, "critical")
        : topicChange(
            name,
            "access policy replaced (who may publish to, subscribe to or delete the topic)",
            "high",
          );
    }
    case "KmsMasterKeyId":
      if (value === undefined || value === null || value === "")
        return topicChange(name, "encryption at rest removed: alerts are stored unencrypted", "medium");
      // CloudWatch cannot use the AWS-managed SNS key: phiwatch's alarms stop reaching the topic.
      if (typeof value === "string" && /(^|:)alias\/aws\/sns$/.test(value))
        return topicChange(
          name,
          "encryption key set to the AWS-managed alias/aws/sns: CloudWatch alarms can no longer publish",
          "high",
        );
      return topicKeyChange(name, value);
    case "DeliveryPolicy":
      return topicChange(
        name,
        "delivery retry policy changed: HTTP/S subscribers may lose alerts on a transient failure",
        "medium",
      );
    default:
      return undefined;
  }
}

/**
 * The alerts topic's key set to another key than phiwatch's. SNS makes every publisher use the topic's
 * key (kms:GenerateDataKey*, kms:Decrypt), and phiwatch's functions may use only phiwatch's key
 * (`alias/phiwatch-<stage>-key`, docs/deploy.md): under any other key their publishes fail, and
 * CloudWatch's unless its key policy admits CloudWatch. The deploy names the key by ARN, which the
 * record cannot be compared with: only phiwatch's alias (name or ARN) is known to be phiwatch's key.
 * The new key is named in the finding only when it reads as a KMS key or alias reference.
 */
function topicKeyChange(name: string, value: unknown): Silenced | undefined {
  const own = ownKeyAlias(name, "alerts");
  const ref = typeof value === "string" ? value : "";
  if (namesOwnKey(ref, own)) return undefined;
  return topicChange(
    name,
    `encryption key changed${shownKey(ref)}: unless it is phiwatch's key (${own ?? OWN_KEY_PLACEHOLDER}), phiwatch's functions cannot publish alerts to it (they may use only that key), nor CloudWatch alarms unless the new key's policy admits them`,
    "high",
  );
}

const OWN_KEY_PLACEHOLDER = "alias/phiwatch-<stage>-key";

/**
 * phiwatch's key alias for the stage a resource's name carries (`phiwatch-<stage>-alerts` →
 * `alias/phiwatch-<stage>-key`, docs/deploy.md), or undefined for a name of another shape.
 */
function ownKeyAlias(name: string, what: "alerts" | "findings"): string | undefined {
  const stage = new RegExp(`^phiwatch-([a-z0-9-]+)-${what}$`).exec(name)?.[1];
  return stage ? `alias/phiwatch-${stage}-key` : undefined;
}

/**
 * Whether a KMS key reference is phiwatch's alias, by name or alias ARN. The deploy names the key by
 * its key ARN, which a record cannot be compared with: only the alias is known to be phiwatch's key.
 */
function namesOwnKey(ref: string, own: string | undefined): boolean {
  const aliasOfArn = /^arn:[\w-]+:kms:[^:]*:\d{12}:(alias\/.+)$/.exec(ref)?.[1];
  return own !== undefined && (ref === own || aliasOfArn === own);
}

/** ` to <ref>` when the reference reads as a KMS key or alias (what may be echoed), else nothing. */
const shownKey = (ref: string) => (KMS_REF.test(ref) ? ` to ${ref}` : "");

/** A KMS key id (UUID or multi-Region `mrk-…`), key ARN, alias name or alias ARN: what may be echoed. */
const KEY_ID = "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})";
const KMS_REF = new RegExp(
  `^(?:arn:[\\w-]+:kms:[a-z0-9-]{1,32}:\\d{12}:(?:key/${KEY_ID}|alias/[A-Za-z0-9/_-]{1,250})|alias/[A-Za-z0-9/_-]{1,250}|${KEY_ID})$`,
);

/** A Lambda function name as Lambda allows it (for evidence), from a name or (partial) ARN. */
function anyFunctionName(ref: unknown): string | undefined {
  if (typeof ref !== "string") return undefined;
  const name = /(?:^|:function:)([^:]+)(?::[^:]*)?$/.exec(ref)?.[1];
  return name && /^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : undefined;
}

/** The phiwatch table or queue a mapping reads (`table/NAME/stream/…`, `arn:…:sqs:…:NAME[.fifo]`). */
function phiwatchSource(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const name =
    /:table\/([^/]+)\/stream\//.exec(arn)?.[1] ??
    /^arn:[\w-]+:sqs:[^:]*:\d{12}:([^:]+?)(?:\.fifo)?$/.exec(arn)?.[1];
  return name && PHIWATCH_NAME.test(name) ? name : undefined;
}

/**
 * The function phiwatch triggers from each source it deploys a mapping on (infra/functions.ts): the
 * table's stream → notify, the access queue → access, the deliveries queue → forward.
 */
const TRIGGERED: Readonly<Record<string, string>> = {
  findings: "notify",
  access: "access",
  deliveries: "forward",
};

/** The function phiwatch deploys on a phiwatch source (`phiwatch-<stage>-findings` → `phiwatch-<stage>-notify`). */
function triggeredBy(source: string | undefined): string | undefined {
  const m = source ? /^phiwatch-([a-z0-9-]+)-(findings|access|deliveries)$/.exec(source) : null;
  return m ? `phiwatch-${m[1]}-${TRIGGERED[m[2]!]}` : undefined;
}

/** Whether a function name is one phiwatch triggers through a mapping (`phiwatch-<stage>-notify|access|forward`). */
const isTriggeredFunction = (name: string | undefined) =>
  !!name && /^phiwatch-[a-z0-9-]+-(notify|access|forward)$/.test(name);

/** A non-empty `FilterCriteria.Filters` (CloudTrail: `filterCriteria.filters`). */
function hasFilters(criteria: unknown): boolean {
  const filters = requestMember(asRecord(criteria), "filters");
  return Array.isArray(filters) && filters.length > 0;
}

/**
 * UpdateEventSourceMapping / DeleteEventSourceMapping of one of phiwatch's triggers (the access and
 * deliveries queues, the table stream): disabled, deleted, re-pointed to a function outside phiwatch,
 * or given filter criteria (a filter can drop every record, and phiwatch deploys none). Which mapping it
 * is comes from the response (`functionArn` — after an update, the new function — and
 * `eventSourceArn`), as the API reference documents the response; no published CloudTrail record of
 * these calls shows it (docs/detectors.md). A record without either is reported at medium as one that
 * cannot be told, rather than passed.
 */
function mappingChange(
  r: CloudTrailRecord,
  req: Record<string, unknown>,
  res: Record<string, unknown>,
): Silenced | undefined {
  const deleted = r.eventName === "DeleteEventSourceMapping20150331";
  const requested = requestMember(req, "functionName");
  const target = anyFunctionName(requested);
  // A name is anyone's to take (`phiwatch-prod-drain`): a mapping on a phiwatch source is re-pointed
  // unless it names the function phiwatch deploys on that source; without the source (no response),
  // unless it names a function phiwatch triggers at all.
  const expected = triggeredBy(phiwatchSource(res.eventSourceArn));
  const repointed =
    typeof requested === "string" &&
    requested !== "" &&
    (expected ? target !== expected : !isTriggeredFunction(target));
  const filtered = hasFilters(requestMember(req, "filterCriteria"));
  const disabled = isFalse(requestMember(req, "enabled"));
  if (!deleted && !disabled && !repointed && !filtered) return undefined;
  const changes: string[] = [];
  let severity: Severity = "high";
  if (deleted || disabled) {
    changes.push(`its trigger (event source mapping) ${deleted ? "deleted" : "disabled"}`);
    severity = "critical";
  }
  if (repointed) {
    changes.push(
      `its trigger re-pointed to ${target ?? "another function"}, outside phiwatch${expected ? ` (phiwatch's function on it is ${expected})` : ""}`,
    );
    severity = "critical";
  }
  if (filtered) changes.push("filter criteria set on its trigger (a filter can drop every record)");
  const change = changes.join("; ");
  const rawId = requestMember(req, "uUID") ?? requestMember(req, "uuid") ?? res.uUID;
  const uuid = typeof rawId === "string" && /^[0-9A-Za-z-]{1,64}$/.test(rawId) ? rawId : "unknown";
  const mapping = (name: string, what: string, sev: Severity): Silenced => ({
    type: "AWS::Lambda::EventSourceMapping",
    name,
    what,
    change,
    severity: sev,
  });
  if (typeof res.functionArn !== "string" && typeof res.eventSourceArn !== "string")
    return mapping(
      uuid,
      `event source mapping ${uuid}: ${change}; the record carries no response, so whether it is phiwatch's trigger cannot be told`,
      "medium",
    );
  const source = phiwatchSource(res.eventSourceArn);
  // After a re-pointing the response names the new function: the source says it was phiwatch's.
  const fnName = repointed ? undefined : functionName(res.functionArn);
  if (fnName)
    return {
      type: "AWS::Lambda::Function",
      name: fnName,
      what: `function ${fnName}: ${change}`,
      change,
      severity,
    };
  if (source) return mapping(uuid, `trigger ${uuid} reading ${source}: ${change}`, severity);
  return undefined;
}

const isFalse = (v: unknown) => v === false || v === "false";
const isTrue = (v: unknown) => v === true || v === "true";

/** One change read from a request and how bad it is. */
interface Judged {
  change: string;
  severity: Severity;
}

/**
 * What an UpdateTable / UpdateContinuousBackups / UpdateTimeToLive does to phiwatch's table, as
 * infra/storage.ts deploys it: stream on (NEW_AND_OLD_IMAGES, read by the notifier's trigger), SSE under
 * phiwatch's key, point-in-time recovery on with its default period (`TABLE.recoveryPeriodDays`), TTL on
 * `expiresAt`, deletion protection on protected stages. Several changes in one UpdateTable are reported
 * together, at the worst one's severity. Other changes (capacity, indexes, table class) are not read.
 */
function tableChange(event: string, name: string, req: Record<string, unknown>): Judged | undefined {
  if (event === "UpdateContinuousBackups") return recoveryChange(req);
  if (event === "UpdateTimeToLive") {
    // Disabling TTL only keeps expired rows; TTL on another attribute deletes every item whose value
    // there reads as a past epoch time, within about two days.
    const ttl = asRecord(requestMember(req, "timeToLiveSpecification"));
    const attribute = requestMember(ttl, "attributeName");
    return isTrue(requestMember(ttl, "enabled")) && attribute !== TABLE.ttlAttribute
      ? {
          change: `TTL moved off ${TABLE.ttlAttribute} (items can expire by another attribute)`,
          severity: "high",
        }
      : undefined;
  }
  const found: Judged[] = [];
  if (isFalse(requestMember(req, "deletionProtectionEnabled")))
    found.push({ change: "deletion protection turned off", severity: "high" });
  const stream = asRecord(requestMember(req, "streamSpecification"));
  const streamEnabled = requestMember(stream, "streamEnabled");
  if (isFalse(streamEnabled)) {
    found.push({
      change: "stream disabled (the notifier reads it: no alert goes out)",
      severity: "critical",
    });
  } else if (isTrue(streamEnabled)) {
    // DynamoDB accepts this only on a table without a stream: the new stream has a new ARN, which
    // the notifier's trigger does not read.
    found.push({
      change: "a new stream enabled (the notifier's trigger still reads the old one)",
      severity: "high",
    });
  }
  const sse = asRecord(requestMember(req, "SSESpecification"));
  const key = sse ? tableKeyChange(name, sse) : undefined;
  if (key) found.push(key);
  if (found.length === 0) return undefined;
  return {
    change: found.map((c) => c.change).join("; "),
    severity: found.reduce<Severity>(
      (worst, c) => (severityRank(c.severity) > severityRank(worst) ? c.severity : worst),
      "info",
    ),
  };
}

/**
 * UpdateContinuousBackups: point-in-time recovery turned off, or its period (1–35 days) set below the
 * one phiwatch deploys. Either way findings, drift history and outbox deleted or altered earlier can no
 * longer be restored; one shortened to a day and then waited out does what turning recovery off does,
 * so both are high.
 */
function recoveryChange(req: Record<string, unknown>): Judged | undefined {
  const pitr = asRecord(requestMember(req, "pointInTimeRecoverySpecification"));
  if (isFalse(requestMember(pitr, "pointInTimeRecoveryEnabled")))
    return {
      change: "point-in-time recovery turned off (no restore of findings, drift history or outbox)",
      severity: "high",
    };
  const days = recoveryPeriodOf(requestMember(pitr, "recoveryPeriodInDays"));
  if (days === undefined || days >= TABLE.recoveryPeriodDays) return undefined;
  return {
    change: `point-in-time recovery period shortened to ${days} day${days === 1 ? "" : "s"} (phiwatch deploys ${TABLE.recoveryPeriodDays}): findings, drift history and outbox deleted or altered earlier can no longer be restored`,
    severity: "high",
  };
}

/**
 * UpdateTable's `SSESpecification` (CloudTrail: `sSESpecification` with `enabled`, `sSEType`,
 * `kMSMasterKeyId`, as a published record shows) moving phiwatch's table off phiwatch's key. The API
 * reference: `Enabled` false or not given is an AWS owned key; true without `KMSMasterKeyId` is the AWS
 * managed `alias/aws/dynamodb`; a named key is that key. AWS owned or managed: medium — the table stays
 * encrypted and phiwatch keeps working, but no key policy of phiwatch's decides who may read findings
 * and evidence any more (findings carry no PHI). Another key: high — whoever controls it can make the
 * table inaccessible (a disabled key or a revoked grant stops its reads and writes; DynamoDB archives a
 * table whose key stays inaccessible for seven days). As for the topic, only phiwatch's alias is known
 * to be its key.
 */
function tableKeyChange(name: string, sse: Record<string, unknown>): Judged | undefined {
  const enabled = requestMember(sse, "Enabled");
  const rawKey = requestMember(sse, "KMSMasterKeyId");
  const key = typeof rawKey === "string" ? rawKey : "";
  const owned: Judged = {
    change:
      "encryption moved to an AWS owned key: no key policy of phiwatch's decides who may read findings, drift history and evidence, and use of the key is not in CloudTrail",
    severity: "medium",
  };
  const managed: Judged = {
    change:
      "encryption moved to the AWS managed key alias/aws/dynamodb: its key policy, which no one can change, lets any principal of the account allowed to use the table read it",
    severity: "medium",
  };
  if (isFalse(enabled)) return owned;
  if (key === "") return isTrue(enabled) ? managed : owned;
  if (/(^|:)alias\/aws\/dynamodb$/.test(key)) return managed;
  const own = ownKeyAlias(name, "findings");
  if (namesOwnKey(key, own)) return undefined;
  return {
    change: `encryption key changed${shownKey(key)}: unless it is phiwatch's key (${own ?? OWN_KEY_PLACEHOLDER}), whoever controls that key can make the table inaccessible (a disabled key or a revoked grant stops its reads and writes, and DynamoDB archives a table whose key stays inaccessible for seven days)`,
    severity: "high",
  };
}

/** How bad each operation of a data-protection policy statement is for alerts. */
const DATA_PROTECTION_KINDS: Readonly<Record<DataProtectionOperation, Judged>> = {
  Deny: {
    change:
      "denies messages that match its data identifiers (Inbound: publishes refused, phiwatch's alarms' included; Outbound: deliveries dropped with no error to the publisher)",
    severity: "critical",
  },
  Deidentify: {
    change: "masks or redacts the parts of alerts that match its data identifiers",
    severity: "high",
  },
  Audit: {
    change: "audits alert content (findings go to the destinations it names)",
    severity: "low",
  },
};

/**
 * PutDataProtectionPolicy on the alerts topic. phiwatch deploys no data-protection policy, so one set is
 * set outside the deploy, and an empty one (which removes it) restores the deploy. Which alerts a
 * statement matches cannot be told from the event: a custom data identifier is any regular
 * expression, and managed ones (IP addresses, names) can match an alert's evidence. So a Deny
 * statement is critical (its only effect is to stop messages: Outbound drops deliveries with nothing
 * for phiwatch to see; Inbound refuses the publishes of phiwatch and of its own alarms on the same
 * topic), a De-identify one high (alerts arrive with what makes them actionable masked), an Audit one
 * low (no message changes). A policy or operation it cannot read: medium, saying so, never passed.
 */
function dataProtectionChange(name: string, raw: unknown, ctx: RecordContext): Silenced | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const read = dataProtectionOperations(ctx.json(raw));
  if ("unreadable" in read)
    return topicChange(
      name,
      `data-protection policy set that ${read.unreadable}: whether it drops or alters alerts cannot be told`,
      "medium",
    );
  if (read.operations.length === 0) return undefined;
  const kinds = read.operations
    .map((op) => DATA_PROTECTION_KINDS[op])
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return topicChange(
    name,
    `data-protection policy set (phiwatch deploys none) that ${kinds.map((k) => k.change).join("; and ")}`,
    kinds[0]!.severity,
  );
}

function silenced(r: CloudTrailRecord, ctx: RecordContext): Silenced | undefined {
  const req = r.requestParameters ?? {};
  const res = (r.responseElements ?? {}) as Record<string, unknown>;
  const fn = (name: string | undefined, change: string): Silenced | undefined =>
    name ? { type: "AWS::Lambda::Function", name, what: `function ${name}: ${change}`, change } : undefined;
  switch (r.eventName) {
    case "PutFunctionConcurrency20171031":
      // Zero reserved concurrency throttles every invocation; any other value is a tuning choice.
      if (Number(req.reservedConcurrentExecutions) !== 0) return undefined;
      return fn(functionName(req.functionName), "reserved concurrency 0 (every invocation throttled)");
    case "DeleteFunction20150331":
      return fn(functionName(req.functionName), "deleted");
    case "UpdateEventSourceMapping20150331":
    case "DeleteEventSourceMapping20150331":
      return mappingChange(r, req, res);
    case "DeleteTopic":
    case "Unsubscribe": {
      const del = r.eventName === "DeleteTopic";
      const name = topicName(del ? req.topicArn : req.subscriptionArn, !del);
      if (!name) return undefined;
      const change = del ? "topic deleted" : "a subscription removed";
      return {
        type: "AWS::SNS::Topic",
        name,
        what: `topic ${name}: ${change}: alerts no longer reach it`,
        change,
      };
    }
    case "SetTopicAttributes": {
      const name = topicName(req.topicArn, false);
      return name ? topicAttributeChange(name, req, ctx) : undefined;
    }
    case "RemovePermission": {
      // SNS's RemovePermission (Lambda's is RemovePermission20150331v2): a statement of the topic
      // policy removed, e.g. the default one that lets the account's CloudWatch alarms publish.
      const name = r.eventSource === "sns.amazonaws.com" ? topicName(req.topicArn, false) : undefined;
      return name ? topicChange(name, "a statement removed from its access policy", "high") : undefined;
    }
    case "PutDataProtectionPolicy": {
      // SNS's (CloudWatch Logs has an operation of the same name).
      const name =
        r.eventSource === "sns.amazonaws.com"
          ? topicName(requestMember(req, "resourceArn"), false)
          : undefined;
      return name ? dataProtectionChange(name, requestMember(req, "dataProtectionPolicy"), ctx) : undefined;
    }
    case "UpdateTable":
    case "UpdateContinuousBackups":
    case "UpdateTimeToLive": {
      const name = tableName(req.tableName);
      if (!name) return undefined;
      const found = tableChange(r.eventName, name, req);
      return found
        ? { type: "AWS::DynamoDB::Table", name, what: `table ${name}: ${found.change}`, ...found }
        : undefined;
    }
    case "DeleteTable": {
      const name = tableName(req.tableName);
      if (!name) return undefined;
      const change = "table deleted (findings, drift history and outbox gone)";
      return { type: "AWS::DynamoDB::Table", name, what: `table ${name}: ${change}`, change };
    }
    default: {
      if (r.eventSource !== "iam.amazonaws.com" || req.roleName !== MEMBER_READ_ROLE) return undefined;
      const change = Object.hasOwn(MEMBER_ROLE_CHANGES, r.eventName)
        ? MEMBER_ROLE_CHANGES[r.eventName]!
        : "inline policy written";
      return {
        type: "AWS::IAM::Role",
        name: MEMBER_READ_ROLE,
        what: `member read role ${MEMBER_READ_ROLE}: ${change}: the hourly sweep may no longer read this account, or others may assume the role`,
        change,
        severity: r.eventName === "DeleteRole" ? "critical" : "high",
      };
    }
  }
}
