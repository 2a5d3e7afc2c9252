import { baselineSuppression } from "../baseline/match.ts";
import type { Baseline } from "../baseline/schema.ts";
import type {
  DayWindow,
  Detection,
  DetectionDraft,
  Detector,
  InventoryQuery,
  InventoryRead,
  RecordContext,
  ResolvedSettings,
  WindowContext,
} from "../detectors/types.ts";
import { type ErrorDetails, errorDetails } from "../errors.ts";
import type { Observation } from "../finding/lifecycle.ts";
import type { FindingStore } from "../finding/ports.ts";
import { recordObservation } from "../finding/record.ts";
import type { Severity } from "../finding/types.ts";
import type { AccessEvent } from "./access-event.ts";
import { parseEventTime } from "./event-time.ts";
import { dailyThreshold, volumeThreshold } from "./expect.ts";
import { isBusinessHoursAt, isoAt, localDateAt, localTimeAt } from "./local-clock.ts";
import type { AccessStore } from "./ports.ts";
import { principalOf } from "./principal.ts";
import { type AccessProfile, emptyProfile, type FoldSettings, foldWindows } from "./profile.ts";
import type { CloudTrailRecord } from "./record.ts";
import { aggregate, pairKey, type WindowDelta, windowStartOf } from "./window.ts";

const DAY_MS = 86_400_000;
/** Windows live this long (long enough to be folded after a principal's month of silence). */
const WINDOW_TTL_DAYS = 35;

/** The baseline's detector settings with the organisation's time zone. */
export function resolveSettings(baseline: Baseline): ResolvedSettings {
  const d = baseline.detectors;
  return {
    ...d.access,
    learningDays: d.learningDays,
    windowMinutes: d.windowMinutes,
    volume: d.volume,
    timeZone: baseline.organisation.timeZone,
  };
}

function foldSettings(s: ResolvedSettings): FoldSettings {
  const learningMs = s.learningDays * DAY_MS;
  return {
    windowMinutes: s.windowMinutes,
    timeZone: s.timeZone,
    alpha: s.ewmaAlpha,
    ttlDays: s.profileTtlDays,
    // Once a profile is mature, a spike is folded in only up to the spike threshold: an incident
    // barely moves what is "normal", while a new routine is still learned within about a week.
    clip: (p, slot) =>
      parseEventTime(p.foldedThrough) - parseEventTime(p.firstSeen) >= learningMs
        ? volumeThreshold(p, slot, s.volume).threshold
        : Number.POSITIVE_INFINITY,
    clipDay: (p, dow) =>
      parseEventTime(p.foldedThrough) - parseEventTime(p.firstSeen) >= learningMs
        ? dailyThreshold(p, dow, { floor: s.daily.floor, sigma: s.volume.sigma, ratio: s.daily.ratio })
            .threshold
        : Number.POSITIVE_INFINITY,
  };
}

export interface AccessDeps {
  store: AccessStore;
  baseline: Baseline;
  detectors: readonly Detector[];
  /** Where detections are recorded; without it they are only returned (dry runs, the bench). */
  findings?: FindingStore;
  now?: Date;
  /** `learn` only builds windows and profiles (backfill): no detector runs. */
  mode?: "detect" | "learn";
}

export interface AccessResult {
  events: number;
  windows: number;
  detections: Detection[];
  /** Detections that changed a finding (new, higher count, re-opened). */
  recorded: number;
  profilesFolded: number;
  /** Detectors that threw (a bug): reported, never a silent pass. */
  /**
   * Detectors that threw: the detector and what {@link errorDetails} keeps of the error (never its
   * message, which can quote the event).
   */
  errors: Array<{ detectorId: string; error: ErrorDetails }>;
  /** (target, principal) pairs touched, with their first and latest event times (learn folds them at the end). */
  touched: Array<{ key: WindowDelta; minAt: number; maxAt: number }>;
}

/**
 * The access path: aggregate a batch of PHI access events per (target, principal, window), add it to
 * the store (one update per key), run the access detectors on each touched window against the
 * learned profiles, record one finding per incident, then fold completed windows into the profiles.
 * Idempotent end to end: the same events processed twice change no window, profile or finding.
 *
 * @example
 * ```ts
 * const r = await processAccessEvents(events, { store, baseline, detectors: DETECTORS, findings });
 * r.detections.map((d) => d.ruleId); // ["access-volume-spike", "access-off-hours"]
 * ```
 */
export async function processAccessEvents(
  events: readonly AccessEvent[],
  deps: AccessDeps,
): Promise<AccessResult> {
  const result: AccessResult = {
    events: events.length,
    windows: 0,
    detections: [],
    recorded: 0,
    profilesFolded: 0,
    errors: [],
    touched: [],
  };
  if (events.length === 0) return result;
  const s = resolveSettings(deps.baseline);
  const deltas = aggregate(events, s.windowMinutes);
  result.windows = deltas.length;
  const ttl = (d: WindowDelta) => Math.floor(d.windowStartMs / 1000) + WINDOW_TTL_DAYS * 86_400;
  const totals = await deps.store.addWindows(deltas, ttl);

  // Learning-period start of each target: the earliest event seen on it since it was last silent for
  // longer than profiles live (then every profile learned on it has expired, and it learns again).
  const targetSpan = new Map<string, { first: number; last: number }>();
  for (const e of events) {
    const span = targetSpan.get(e.target.id);
    if (!span) targetSpan.set(e.target.id, { first: e.at, last: e.at });
    else {
      span.first = Math.min(span.first, e.at);
      span.last = Math.max(span.last, e.at);
    }
  }
  const targetSince = new Map<string, string>();
  for (const [t, span] of targetSpan) {
    const iso = new Date(span.first).toISOString();
    const expiresAt = Math.floor(span.last / 1000) + s.profileTtlDays * 86_400;
    let st = await deps.store.getTarget(t);
    const expired = st?.expiresAt !== undefined && st.expiresAt <= Math.floor(span.first / 1000);
    // The expiry moves with activity, written at most about once a day per target.
    if (!st || expired || st.firstSeen > iso || (st.expiresAt ?? 0) < expiresAt - 86_400)
      st = await deps.store.touchTarget(t, iso, expiresAt);
    targetSince.set(t, st.firstSeen);
  }

  const pairs = new Map<
    string,
    { delta: WindowDelta; minAt: number; maxAt: number; profile?: AccessProfile }
  >();
  for (const d of deltas) {
    const k = pairKey(d.target, d.principal.id);
    const minAt = d.events[0]!.at;
    const maxAt = d.events[d.events.length - 1]!.at;
    const cur = pairs.get(k);
    if (!cur) pairs.set(k, { delta: d, minAt, maxAt });
    else {
      cur.minAt = Math.min(cur.minAt, minAt);
      cur.maxAt = Math.max(cur.maxAt, maxAt);
    }
  }

  if ((deps.mode ?? "detect") === "detect") {
    const now = deps.now ?? new Date();
    for (const p of pairs.values()) {
      // As of the principal's first event here: a profile that expired before it (the reader was away
      // longer than profiles live) is absent even while DynamoDB's TTL has not deleted it yet.
      const prof = await deps.store.getProfile(p.delta.target, p.delta.principal.id, p.minAt);
      if (prof) p.profile = prof;
    }
    const dayCache = new Map<string, DayWindow[]>();
    const accessDetectors = deps.detectors.filter((d) => d.input === "access");
    for (let i = 0; i < deltas.length; i++) {
      const delta = deltas[i]!;
      const pair = pairs.get(pairKey(delta.target, delta.principal.id))!;
      const ctx = await windowContext(delta, totals[i]!, pair.profile, targetSince, s, deps, dayCache, now);
      for (const det of accessDetectors) {
        if (det.input !== "access" || !det.targets.includes(delta.targetType)) continue;
        let drafts: DetectionDraft[];
        try {
          drafts = det.evaluate(ctx);
        } catch (error) {
          result.errors.push({ detectorId: det.id, error: errorDetails(error) });
          continue;
        }
        for (const draft of drafts) result.detections.push(complete(det, draft, deps.baseline));
      }
    }
    // Windows that raised a finding are flagged once, so folding does not learn an incident as routine.
    const flag = new Map<string, { target: string; principal: string; windowStart: string }>();
    for (let i = 0; i < deltas.length; i++) {
      const d = deltas[i]!;
      if (totals[i]!.flagged) continue;
      if (
        result.detections.some(
          (x) =>
            x.windowStart === d.windowStart &&
            x.subject.resourceId === d.target &&
            x.subject.principal === d.principal.id,
        )
      )
        flag.set(`${pairKey(d.target, d.principal.id)}\u0000${d.windowStart}`, {
          target: d.target,
          principal: d.principal.id,
          windowStart: d.windowStart,
        });
    }
    if (flag.size > 0) await deps.store.flagWindows([...flag.values()]);
    if (deps.findings) {
      for (const det of result.detections) {
        const obs = observationOfDetection(det);
        // Baseline suppressions hold for activity findings too (recorded SUPPRESSED, never alerted).
        const suppressedBy = baselineSuppression(deps.baseline, obs.ruleId, obs.subject, now);
        const r = await recordObservation(deps.findings, suppressedBy ? { ...obs, suppressedBy } : obs, now);
        if (r.changed) result.recorded += 1;
      }
    }
  }

  result.touched = [...pairs.values()].map((p) => ({ key: p.delta, minAt: p.minAt, maxAt: p.maxAt }));
  // Backfill folds once at the end, after every file is in (files arrive in any order).
  if (deps.mode === "learn") return result;
  for (const p of pairs.values()) {
    const cutoff = windowStartOf(p.maxAt - s.foldGraceMinutes * 60_000, s.windowMinutes);
    if (await foldProfile(deps.store, p.delta, cutoff, s, p.minAt)) result.profilesFolded += 1;
  }
  return result;
}

/**
 * Fold every completed window of one (target, principal) before `untilMs` into its profile, with a
 * conditional write; retried on a concurrent fold. Returns whether the profile changed. A profile that
 * expired by `atMs` (the first event of the activity folded) is not extended: a new one replaces it.
 */
export async function foldProfile(
  store: AccessStore,
  key: Pick<WindowDelta, "target" | "targetType" | "principal" | "accountId" | "region">,
  untilMs: number,
  s: ResolvedSettings,
  atMs: number,
): Promise<boolean> {
  const fs = foldSettings(s);
  const len = s.windowMinutes * 60_000;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.getProfile(key.target, key.principal.id, atMs);
    // A new profile reads back at most 28 days, and never further than the profile lifetime: a profile
    // absent because it expired ended with its reader's absence, and windows (kept 35 days) from before
    // it are that ended routine, not the returning reader's.
    const from = current
      ? isoAt(parseEventTime(current.foldedThrough) + len)
      : isoAt(untilMs - Math.min(28, s.profileTtlDays) * DAY_MS);
    const until = isoAt(untilMs);
    if (from >= until) return false;
    const windows = await store.listWindows(key.target, key.principal.id, from, until);
    let base = current;
    if (!base) {
      const first = windows.find((w) => w.reads > 0 || w.lists > 0);
      if (!first) return false;
      base = emptyProfile(
        {
          target: key.target,
          targetType: key.targetType,
          principal: key.principal.id,
          accountId: key.accountId,
          region: key.region,
        },
        first.windowStart,
        fs,
      );
    }
    const next = foldWindows(base, windows, untilMs, fs);
    if (next.foldedThrough === current?.foldedThrough) return false;
    const r = await store.putProfile(next, current?.foldedThrough ?? null, atMs);
    if (r === "applied") return true;
  }
  return false;
}

async function windowContext(
  delta: WindowDelta,
  totals: WindowContext["totals"],
  profile: AccessProfile | undefined,
  targetSince: Map<string, string>,
  s: ResolvedSettings,
  deps: AccessDeps,
  dayCache: Map<string, DayWindow[]>,
  now: Date,
): Promise<WindowContext> {
  const lt = localTimeAt(s.timeZone, delta.windowStartMs);
  const le = localTimeAt(s.timeZone, delta.windowStartMs + s.windowMinutes * 60_000);
  const learningMs = s.learningDays * DAY_MS;
  const since = targetSince.get(delta.target)!;
  const date = localDateAt(s.timeZone, delta.windowStartMs);
  const dk = `${pairKey(delta.target, delta.principal.id)}\u0000${date}`;
  let dayWindows = dayCache.get(dk);
  if (dayWindows === undefined) {
    const from = isoAt(delta.windowStartMs - DAY_MS);
    const to = isoAt(delta.windowStartMs + DAY_MS);
    const ws = await deps.store.listWindows(delta.target, delta.principal.id, from, to);
    dayWindows = ws
      .filter((w) => localDateAt(s.timeZone, parseEventTime(w.windowStart)) === date)
      .map((w) => {
        const t = localTimeAt(s.timeZone, parseEventTime(w.windowStart));
        return { windowStart: w.windowStart, reads: w.reads, slot: t.day * 24 + t.hour };
      });
    dayCache.set(dk, dayWindows);
  }
  // This batch may have raised the current window since the cached read.
  const cur = dayWindows.find((w) => w.windowStart === delta.windowStart);
  if (cur) cur.reads = totals.reads;
  else dayWindows.push({ windowStart: delta.windowStart, reads: totals.reads, slot: lt.day * 24 + lt.hour });
  // Learning is measured in event time (backfills and replays), bounded by the wall clock.
  const eventNow = Math.min(delta.events[delta.events.length - 1]!.at, now.getTime() + 5 * 60_000);
  return {
    baseline: deps.baseline,
    settings: s,
    delta,
    totals,
    principal: delta.principal,
    profile,
    targetLearned: eventNow - parseEventTime(since) >= learningMs,
    principalMature: !!profile && eventNow - parseEventTime(profile.firstSeen) >= learningMs,
    folded: !!profile && profile.foldedThrough >= delta.windowStart,
    slot: lt.day * 24 + lt.hour,
    localStart: hhmm(lt.minutes),
    localEnd: hhmm(le.minutes),
    offHours: !isBusinessHoursAt(deps.baseline, delta.windowStartMs),
    day: { date, dow: lt.day, reads: dayWindows.reduce((a, w) => a + w.reads, 0), windows: dayWindows },
    subject: {
      accountId: delta.accountId,
      region: delta.region,
      resourceType: delta.targetType,
      resourceId: delta.target,
      principal: delta.principal.id,
    },
  };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function complete(det: Detector, draft: DetectionDraft, baseline: Baseline): Detection {
  const override = baseline.severityOverrides[det.id] as Severity | undefined;
  return {
    ...draft,
    ruleId: det.id,
    title: det.title,
    severity: override ?? draft.severity ?? det.severity,
    hipaa: [...det.hipaa],
    remediation: det.remediation,
  };
}

/** The `activity` observation of a detection (one finding per subject and discriminator). */
export function observationOfDetection(d: Detection): Observation {
  return {
    kind: "activity",
    ruleId: d.ruleId,
    title: d.title,
    severity: d.severity,
    hipaa: d.hipaa,
    subject: d.subject,
    verdict: "fail",
    summary: d.summary,
    evidence: d.evidence,
    remediation: d.remediation,
    observedAt: d.observedAt,
    cause: d.cause,
    discriminator: d.discriminator,
    ...(d.windowStart ? { windowStart: d.windowStart } : {}),
    ...(d.count !== undefined ? { count: d.count } : {}),
  };
}

/**
 * The tamper path: run the management-event detectors on one CloudTrail record.
 *
 * @example
 * ```ts
 * const detections = detectManagement(record, baseline, DETECTORS); // StopLogging → tamper-audit-logging
 * ```
 */
export function detectManagement(
  record: CloudTrailRecord,
  baseline: Baseline,
  detectors: readonly Detector[],
  /** What the handler read for `inventoryQueries(record, detectors)`; none = no inventory in this mode. */
  reads: readonly InventoryRead[] = [],
): { detections: Detection[]; errors: AccessResult["errors"] } {
  const principal = principalOf(record.userIdentity, record.recipientAccountId ?? "", "detail.userIdentity");
  const ctx: RecordContext = {
    baseline,
    principal,
    json: parseMaybeJson,
    inventory: (q) =>
      reads.find(
        (r) => r.accountId === q.accountId && r.region === q.region && r.resourceType === q.resourceType,
      ),
  };
  const detections: Detection[] = [];
  const errors: AccessResult["errors"] = [];
  for (const det of detectors) {
    if (det.input !== "management") continue;
    if (!det.events.some((e) => matchesEvent(e, record))) continue;
    try {
      for (const draft of det.evaluate(record, ctx)) detections.push(complete(det, draft, baseline));
    } catch (error) {
      errors.push({ detectorId: det.id, error: errorDetails(error) });
    }
  }
  return { detections, errors };
}

/**
 * Pages of the stored inventory the tamper handler reads for one query at most (DynamoDB pages of up
 * to 1 MB, gzip'd snapshots: a few thousand buckets of one account and region). Past it the read is
 * incomplete and the detectors say so in their findings.
 */
export const INVENTORY_READ_MAX_PAGES = 4;

/**
 * The stored inventory the management detectors need to judge this record (deduplicated); the tamper
 * handler reads each, bounded by {@link INVENTORY_READ_MAX_PAGES}, and passes them to `detectManagement`.
 *
 * @example
 * ```ts
 * inventoryQueries(updateAliasRecord, DETECTORS); // [{ accountId, region, resourceType: "AWS::S3::Bucket" }]
 * ```
 */
export function inventoryQueries(record: CloudTrailRecord, detectors: readonly Detector[]): InventoryQuery[] {
  const out = new Map<string, InventoryQuery>();
  for (const det of detectors) {
    if (det.input !== "management" || !det.inventory) continue;
    if (!det.events.some((e) => matchesEvent(e, record))) continue;
    for (const q of det.inventory(record)) out.set(`${q.accountId}#${q.region}#${q.resourceType}`, q);
  }
  return [...out.values()];
}

function matchesEvent(pattern: string, r: CloudTrailRecord): boolean {
  const [source, name] = pattern.split(":");
  return (source === "*" || r.eventSource === source) && (name === "*" || name === r.eventName);
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (value.length > 256 * 1024) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
