/** IAM types Config records once per account, with region `global`. */
export const GLOBAL_TYPES: ReadonlySet<string> = new Set([
  "AWS::IAM::Role",
  "AWS::IAM::User",
  "AWS::IAM::Policy",
  "AWS::IAM::Group",
]);

/**
 * Regions where AWS Config was available before February 2022: the only ones where it can record the
 * global IAM types, whatever the recording group says (AWS Config developer guide, "Recording AWS
 * resources | Global resources"). Elsewhere (Hyderabad, Melbourne, Spain, Zurich, Tel Aviv, UAE,
 * Calgary and later Regions) an empty IAM listing proves nothing, so it is never read as complete.
 */
export const IAM_RECORDING_REGIONS: ReadonlySet<string> = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-north-1",
  "me-south-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "cn-north-1",
  "cn-northwest-1",
]);

/**
 * A configuration recorder's `recordingGroup` as `DescribeConfigurationRecorders` returns it and as
 * CloudTrail records a `PutConfigurationRecorder` request (the Config API's camelCase members).
 */
export interface RecordingGroup {
  allSupported?: boolean;
  includeGlobalResourceTypes?: boolean;
  resourceTypes?: readonly string[];
  exclusionByResourceTypes?: { resourceTypes?: readonly string[] };
  recordingStrategy?: { useOnly?: string };
}

/**
 * Whether a recorder with this recording group records `type` in `region` (the recorder running).
 * No group is Config's default: every supported type, the global IAM types excluded. One definition
 * for the sweep (which types it may call deleted) and the tamper detector (which types a new
 * recording group stops recording).
 *
 * @example
 * ```ts
 * recordsType({ allSupported: false, resourceTypes: ["AWS::KMS::Key"] }, "AWS::S3::Bucket", "us-east-1"); // false
 * recordsType(undefined, "AWS::S3::Bucket", "us-east-1"); // true
 * ```
 */
export function recordsType(group: RecordingGroup | undefined, type: string, region: string): boolean {
  const g = group;
  const strategy = g?.recordingStrategy?.useOnly;
  const global = GLOBAL_TYPES.has(type);
  let yes: boolean;
  if (strategy === "INCLUSION_BY_RESOURCE_TYPES" || (g && g.allSupported === false && !strategy))
    yes = (g?.resourceTypes ?? []).includes(type);
  // Exclusion records every type not excluded, the IAM types included: includeGlobalResourceTypes
  // has no effect on this strategy (API reference, ExclusionByResourceTypes / RecordingGroup).
  else if (strategy === "EXCLUSION_BY_RESOURCE_TYPES")
    yes = !(g?.exclusionByResourceTypes?.resourceTypes ?? []).includes(type);
  // All supported types: the IAM types only with includeGlobalResourceTypes (not by default).
  else yes = !global || g?.includeGlobalResourceTypes === true;
  if (global && !IAM_RECORDING_REGIONS.has(region)) yes = false;
  return yes;
}

/** A recorder's `recordingMode` (Config API members, camelCase as CloudTrail records them). */
export interface RecordingMode {
  recordingFrequency?: string;
  recordingModeOverrides?: readonly { resourceTypes?: readonly string[]; recordingFrequency?: string }[];
}

/**
 * How often a recorder with this mode records changes of `type`: `CONTINUOUS` (each change, within
 * minutes) or `DAILY` (one item per day at most). An override naming the type wins; no mode is
 * continuous (Config's default).
 *
 * @example
 * ```ts
 * recordingFrequency({ recordingFrequency: "DAILY" }, "AWS::S3::Bucket"); // "DAILY"
 * ```
 */
export function recordingFrequency(mode: RecordingMode | undefined, type: string): string {
  for (const o of mode?.recordingModeOverrides ?? [])
    if ((o.resourceTypes ?? []).includes(type) && o.recordingFrequency) return o.recordingFrequency;
  return mode?.recordingFrequency ?? "CONTINUOUS";
}
