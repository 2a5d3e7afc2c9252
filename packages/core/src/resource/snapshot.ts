/**
 * One shape for a resource, whatever the source: a Config configuration item, an API read or a
 * CloudTrail record all become a `ResourceSnapshot` (as Cloud Custodian's `load_resource` does),
 * so a control sees one shape.
 */
export interface ResourceSnapshot {
  accountId: string;
  region: string;
  /** CloudFormation-style type, e.g. `AWS::S3::Bucket`. */
  resourceType: string;
  /** Bucket name, key id, role name, … (Config's `resourceId`). */
  resourceId: string;
  resourceName?: string;
  arn?: string;
  /** When this state was captured (Config `configurationItemCaptureTime`), ISO-8601. */
  capturedAt: string;
  /** `OK`/`ResourceDiscovered` = exists; `ResourceDeleted…` = gone; `ResourceNotRecorded` = unknown. */
  state: "present" | "deleted" | "not-recorded";
  /** Config `configuration`. */
  configuration: Record<string, unknown>;
  /** Config `supplementaryConfiguration`, with JSON-string values parsed. */
  supplementary: Record<string, unknown>;
  tags: Record<string, string>;
  source: "config" | "api" | "cloudtrail" | "file";
  /** Config relationships (for cross-resource controls). */
  relationships?: Array<{ resourceType?: string; resourceId?: string; resourceName?: string; name?: string }>;
}
