import type { Principal } from "../activity/principal.ts";
import type { AccessProfile } from "../activity/profile.ts";
import type { CloudTrailRecord } from "../activity/record.ts";
import type { AccessDetectorSettings } from "../activity/settings.ts";
import type { WindowDelta, WindowTotals } from "../activity/window.ts";
import type { Baseline } from "../baseline/schema.ts";
import { DefinitionError } from "../errors.ts";
import type { Evidence, FindingSubject, Severity } from "../finding/types.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";

/** What a detector found: becomes one `activity` observation (one finding per subject and discriminator). */
export interface DetectionDraft {
  subject: FindingSubject;
  /** One line, no PHI, observed vs expected. */
  summary: string;
  evidence: Evidence;
  /** Event time of the detection (the first bad event, or the window's last event). */
  observedAt: string;
  /** Event id behind it. */
  cause: string;
  /** One finding per incident: the window start, a day, a source, or "" for once-per-subject findings. */
  discriminator: string;
  windowStart?: string;
  count?: number;
  /** Overrides the detector's default severity (e.g. a critical variant). */
  severity?: Severity;
}

export interface Detection extends DetectionDraft {
  ruleId: string;
  title: string;
  severity: Severity;
  hipaa: string[];
  remediation: string;
}

/** Settings every access detector sees: the baseline's `detectors` section, resolved. */
export interface ResolvedSettings extends AccessDetectorSettings {
  learningDays: number;
  windowMinutes: number;
  volume: { floor: number; sigma: number; ratio: number };
  timeZone: string;
}

/** One window of the day (reads and hour-of-week slot). */
export interface DayWindow {
  windowStart: string;
  reads: number;
  slot: number;
}

/** One (target, principal, window) after a batch, with everything a detector may compare it with. */
export interface WindowContext {
  baseline: Baseline;
  settings: ResolvedSettings;
  delta: WindowDelta;
  totals: WindowTotals;
  principal: Principal;
  /** Learned profile as of its last fold (never includes this window unless `folded`). */
  profile: AccessProfile | undefined;
  /** The target has been watched longer than the learning period. */
  targetLearned: boolean;
  /** The principal's profile is older than the learning period. */
  principalMature: boolean;
  /** The profile already folded this window (a replay or very late events): learned detectors skip it. */
  folded: boolean;
  /** Hour-of-week slot of the window in the organisation's time zone, and its label ("Tue 02h"). */
  slot: number;
  /** Local times of the window ("02:00"–"02:15"). */
  localStart: string;
  localEnd: string;
  /** The window lies outside the baseline's business hours. */
  offHours: boolean;
  /** Reads of the principal on the target this local day, including this window, and its windows. */
  day: { date: string; dow: number; reads: number; windows: DayWindow[] };
  /** Subject of findings about this window (target + principal). */
  subject: FindingSubject;
}

/** Stored resources of one type in one account and region that a management detector needs. */
export interface InventoryQuery {
  accountId: string;
  region: string;
  resourceType: string;
}

/** What the tamper handler read from the stored inventory for one {@link InventoryQuery}. */
export interface InventoryRead extends InventoryQuery {
  /** Present (not deleted) snapshots. */
  snapshots: ResourceSnapshot[];
  /** Every page was read. False: the read stopped at its page cap, or failed (`reason` says which). */
  complete: boolean;
  reason?: string;
}

/** One management event with the identity already normalised. */
export interface RecordContext {
  baseline: Baseline;
  principal: Principal;
  /** The caller-supplied `requestParameters` field, parsed when it is a JSON string (policies). */
  json(value: unknown): unknown;
  /**
   * What the handler read of the stored inventory for a query the detector declared (`inventory`);
   * undefined when nothing was read (no inventory in this mode, e.g. a pure test or a dry run).
   */
  inventory(query: InventoryQuery): InventoryRead | undefined;
}

interface Common {
  /** Kebab-case, equal to the file name (checked by a meta-test). */
  id: string;
  /** What the detector watches for, as a plain statement. */
  title: string;
  hipaa: readonly string[];
  severity: Severity;
  rationale: string;
  remediation: string;
}

export interface AccessDetectorDefinition extends Common {
  input: "access";
  /** Target kinds this detector looks at. */
  targets: readonly ("AWS::S3::Bucket" | "AWS::KMS::Key")[];
  evaluate(ctx: WindowContext): DetectionDraft[];
}

export interface ManagementDetectorDefinition extends Common {
  input: "management";
  /**
   * `eventSource:eventName` pairs this detector reads (builds the EventBridge rule); `*` after the
   * colon = every event of that source.
   */
  events: readonly string[];
  /**
   * The stored inventory this record needs (the tamper handler reads it before `evaluate`, bounded);
   * most detectors judge the record and the baseline alone and leave it out.
   */
  inventory?(record: CloudTrailRecord): InventoryQuery[];
  evaluate(record: CloudTrailRecord, ctx: RecordContext): DetectionDraft[];
}

export type DetectorDefinition = AccessDetectorDefinition | ManagementDetectorDefinition;
/** A detector ready to run. */
export type Detector = DetectorDefinition & { readonly kind: "detector" };

const ID = /^[a-z0-9]+(-[a-z0-9]+)+$/;

/**
 * Declare an activity detector. Validates the definition once, at load.
 *
 * @example
 * ```ts
 * export default defineDetector({ id: "access-volume-spike", input: "access", targets: ["AWS::S3::Bucket"], … });
 * ```
 */
export function defineDetector(definition: DetectorDefinition): Detector {
  if (!ID.test(definition.id))
    throw new DefinitionError(`detector id "${definition.id}" is not kebab-case <service>-<what>`);
  if (definition.hipaa.length === 0)
    throw new DefinitionError(`detector ${definition.id}: no HIPAA citation`);
  for (const cite of definition.hipaa) {
    if (!/^164\.\d{3}(\([a-zA-Z0-9]+\))*$/.test(cite))
      throw new DefinitionError(`detector ${definition.id}: bad citation ${cite}`);
  }
  if (definition.input === "management" && definition.events.length === 0)
    throw new DefinitionError(`detector ${definition.id}: no events`);
  return { ...definition, kind: "detector" };
}

/** A detection about the window's (target, principal). */
export function windowDetection(
  ctx: WindowContext,
  d: Omit<DetectionDraft, "subject" | "discriminator" | "observedAt" | "cause" | "windowStart"> &
    Partial<Pick<DetectionDraft, "discriminator" | "observedAt" | "cause">>,
): DetectionDraft {
  const last = ctx.delta.events[ctx.delta.events.length - 1]!;
  return {
    subject: ctx.subject,
    discriminator: d.discriminator ?? ctx.delta.windowStart,
    windowStart: ctx.delta.windowStart,
    observedAt: d.observedAt ?? last.eventTime,
    cause: d.cause ?? last.eventId,
    ...d,
  };
}

/** Format a number for explanations: integers as is, others with one decimal. */
export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
