import {
  decide,
  type Finding,
  type FindingStore,
  type FindingSubject,
  findingId,
  type Observation,
  recordObservation,
} from "@phiwatch/core";

/** A verdict that could not be recorded (the write failed): the other verdicts were recorded. */
export interface RecordFailure {
  ruleId: string;
  error: unknown;
}

/** A write that failed, with its finding's subject: which resource's findings are not all recorded. */
export interface WriteFailure extends RecordFailure {
  subject: FindingSubject;
}

export interface RecorderOptions {
  /**
   * Whether the time budget is spent: once it says so, no read or write is started, and the
   * observations left are returned as `unrecorded` (the caller evaluates their resources again later).
   */
  stop?: () => boolean;
}

/** Keys DynamoDB takes in one BatchGetItem: the most findings one read covers. */
const READ_AHEAD = 100;

interface Entry {
  obs: Observation;
  id: string;
  now: Date;
}

/** Whether `e` leaves `current` as it is (a decision that throws is left to `recordObservation`, to report). */
function unchanged(current: Finding | undefined, e: Entry): boolean {
  try {
    return decide(current, e.obs, e.now) === undefined;
  } catch {
    return false;
  }
}

/**
 * Records the observations of several evaluations (a Config change's own and its dependants'): their
 * findings are read together, up to 100 in one strongly consistent `getFindings` (BatchGetItem),
 * instead of one read per evaluation.
 *
 * What a read of many findings must not do is let a decision rest on an old copy. So, right after each
 * read, every verdict that leaves its finding as read (the common case: re-evaluated, unchanged) is
 * decided on it — with no request in between, the copy is as fresh as a read per evaluation gives, or
 * fresher. Only the verdicts that change a finding remain, and each is written conditionally on the
 * revision it was decided on, as always: a copy another writer has changed since costs a conflict and
 * a re-read, never a wrong write (`recordObservation`).
 *
 * @example
 * ```ts
 * const recorder = new FindingRecorder(store);
 * await recorder.add(ownObservations, now);
 * for (const d of dependants) await recorder.add(observationsOf(d), now);
 * const { transitions, failures } = await recorder.finish();
 * ```
 */
export class FindingRecorder {
  private readonly queue: Entry[] = [];
  private transitions = 0;
  private readonly failures: WriteFailure[] = [];
  private readonly unrecorded: FindingSubject[] = [];
  private readonly stop: () => boolean;

  constructor(
    private readonly store: FindingStore,
    options: RecorderOptions = {},
  ) {
    this.stop = options.stop ?? (() => false);
  }

  /** Queue one evaluation's observations; records the queue each time a full read's worth waits. */
  async add(observations: readonly Observation[], now: Date): Promise<void> {
    for (const obs of observations)
      this.queue.push({ obs, id: findingId(obs.ruleId, obs.subject, obs.discriminator ?? ""), now });
    while (this.queue.length >= READ_AHEAD) await this.record(this.queue.splice(0, READ_AHEAD));
  }

  /**
   * Record everything still queued. `unrecorded`: the subjects of the observations `stop()` left
   * neither decided nor written (empty without `stop`).
   */
  async finish(): Promise<{
    transitions: number;
    failures: WriteFailure[];
    unrecorded: FindingSubject[];
  }> {
    while (this.queue.length > 0) await this.record(this.queue.splice(0, READ_AHEAD));
    return { transitions: this.transitions, failures: [...this.failures], unrecorded: [...this.unrecorded] };
  }

  /** One read for `entries` (one finding alone is read by `recordObservation`), then their records. */
  private async record(entries: readonly Entry[]): Promise<void> {
    if (this.stop()) {
      for (const e of entries) this.unrecorded.push(e.obs.subject);
      return;
    }
    // A failed batch read only means each finding is read on its own, as without it.
    const read =
      this.store.getFindings && entries.length > 1
        ? await this.store
            .getFindings(entries.map((e) => e.id))
            .catch(() => new Map<string, Finding | undefined>())
        : new Map<string, Finding | undefined>();
    // The copy read serves only the first entry of its finding: a later one (the same finding observed
    // twice) is decided after the first is written, on its own read, as one read per evaluation would.
    const seen = new Set<string>();
    const onRead = entries.map((e) => {
      const first = !seen.has(e.id);
      seen.add(e.id);
      return first && read.has(e.id); // an id left out of the map was not read
    });
    // The unchanged first, at once on their fresh copies.
    const changes = entries.flatMap((e, i) =>
      onRead[i] && unchanged(read.get(e.id), e) ? [] : [{ e, onRead: onRead[i]! }],
    );
    for (const [i, { e, onRead: decidedOnRead }] of changes.entries()) {
      // Past the deadline no write starts: the verdicts left wait for their resource's next evaluation.
      if (this.stop()) {
        for (const c of changes.slice(i)) this.unrecorded.push(c.e.obs.subject);
        return;
      }
      try {
        const r = await recordObservation(
          this.store,
          e.obs,
          e.now,
          decidedOnRead ? { current: read.get(e.id) } : undefined,
        );
        if (r.transitioned) this.transitions++;
      } catch (error) {
        this.failures.push({ ruleId: e.obs.ruleId, error, subject: e.obs.subject });
      }
    }
  }
}
