// A concrete reference for CloudTrail event selection: is ONE event recorded by ONE trail? Written to be
// obviously right rather than fast, from the AWS documentation (sources per rule below), and used by
// trail-coverage-differential.test.ts to check phiwatch's symbolic coverage answers by enumeration.
//
// - PutEventSelectors / GetEventSelectors: a trail uses advanced selectors or classic ones, never both;
//   an event is logged when it matches ANY selector. No selectors read and no custom selectors = the
//   default: every management event, no data event.
// - API_DataResource (classic): `Values` are ARN prefixes: `arn:aws:s3` (every object), `arn:aws:s3:::`
//   (every object, prowler#554), `arn:aws:s3:::bucket/` (the bucket), `arn:aws:s3:::bucket/prefix`. A
//   bucket ARN without the slash is rejected by the API (terraform-provider-aws#4043), so never occurs.
//   `ReadWriteType` ReadOnly / WriteOnly / All; `IncludeManagementEvents` (default true);
//   `ExcludeManagementEventSources` drops management events of those sources (kms, rdsdata).
// - API_AdvancedFieldSelector / user guide "Filtering data events": all field selectors of a selector
//   must match (AND). Values of Equals / StartsWith / EndsWith are alternatives (OR, "CloudTrail adds an
//   OR between values"); values of NotEquals / NotStartsWith / NotEndsWith each exclude (the guide
//   excludes two buckets with two NotStartsWith values, terraform-provider-aws#28582), i.e. the AND of
//   the negations. How two DIFFERENT positive operators in one field selector combine (Equals and
//   StartsWith, say) is not documented: the reference takes it as a parameter (`Semantics`) and the
//   differential test demands phiwatch's answer under both readings.
// - "Logging data events": a single-region trail logs data events of buckets in its own region only.
// - A trail that is deleted or not logging records nothing.

/** How distinct positive operators inside one field selector combine (undocumented by AWS). */
export type Semantics = "or" | "and";
export const SEMANTICS: readonly Semantics[] = ["or", "and"];

export interface TrailEvent {
  region: string;
  account: string;
  eventCategory: "Data" | "Management";
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  /** `resources[].type` / `.ARN`: data events only. */
  resourceType?: string;
  arn?: string;
  userArn: string;
}

export interface FieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}
export interface AdvancedSelector {
  Name?: string;
  FieldSelectors: FieldSelector[];
}
export interface ClassicSelector {
  ReadWriteType?: "ReadOnly" | "WriteOnly" | "All";
  IncludeManagementEvents?: boolean;
  ExcludeManagementEventSources?: string[];
  DataResources?: Array<{ Type: string; Values: string[] }>;
}

export interface RefTrail {
  account: string;
  homeRegion: string;
  multiRegion: boolean;
  present: boolean;
  logging: boolean;
  /** Non-empty: these decide. Otherwise `classic`; neither = the default selector. */
  advanced?: AdvancedSelector[];
  classic?: ClassicSelector[];
}

function fieldValue(ev: TrailEvent, field: string): string | undefined {
  switch (field) {
    case "eventCategory":
      return ev.eventCategory;
    case "eventSource":
      return ev.eventSource;
    case "eventName":
      return ev.eventName;
    case "readOnly":
      return String(ev.readOnly);
    case "resources.type":
      return ev.resourceType;
    case "resources.ARN":
      return ev.arn;
    case "userIdentity.arn":
      return ev.userArn;
    default:
      return undefined;
  }
}

export function fieldSelectorMatches(fs: FieldSelector, ev: TrailEvent, sem: Semantics): boolean {
  const v = fieldValue(ev, fs.Field);
  if (v === undefined) return false;
  const positives: boolean[] = [];
  if (fs.Equals) positives.push(fs.Equals.includes(v));
  if (fs.StartsWith) positives.push(fs.StartsWith.some((p) => v.startsWith(p)));
  if (fs.EndsWith) positives.push(fs.EndsWith.some((p) => v.endsWith(p)));
  const positive =
    positives.length === 0 || (sem === "or" ? positives.some(Boolean) : positives.every(Boolean));
  const excluded =
    (fs.NotEquals ?? []).includes(v) ||
    (fs.NotStartsWith ?? []).some((p) => v.startsWith(p)) ||
    (fs.NotEndsWith ?? []).some((p) => v.endsWith(p));
  return positive && !excluded;
}

function classicMatches(sel: ClassicSelector, ev: TrailEvent): boolean {
  const rw = sel.ReadWriteType ?? "All";
  if (rw === "ReadOnly" && !ev.readOnly) return false;
  if (rw === "WriteOnly" && ev.readOnly) return false;
  if (ev.eventCategory === "Management")
    return (
      (sel.IncludeManagementEvents ?? true) &&
      !(sel.ExcludeManagementEventSources ?? []).includes(ev.eventSource)
    );
  return (sel.DataResources ?? []).some(
    (d) =>
      d.Type === ev.resourceType &&
      ev.arn !== undefined &&
      d.Values.some((value) => (ev.arn as string).startsWith(value)),
  );
}

/** Is this one event recorded by this one trail? */
export function recorded(trail: RefTrail, ev: TrailEvent, sem: Semantics): boolean {
  if (!trail.present || !trail.logging) return false;
  if (ev.account !== trail.account) return false;
  if (!trail.multiRegion && ev.region !== trail.homeRegion) return false;
  if (trail.advanced && trail.advanced.length > 0)
    return trail.advanced.some((s) => s.FieldSelectors.every((fs) => fieldSelectorMatches(fs, ev, sem)));
  if (trail.classic) return trail.classic.some((s) => classicMatches(s, ev));
  return ev.eventCategory === "Management";
}
