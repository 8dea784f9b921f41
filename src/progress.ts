import type { LogLevel } from '@cio-connectors/kit/protocol';

/**
 * What a stream knows about how much it will read, as the read goes:
 * - `rows`: the records this sync will emit, counted by the API (an export's total, a segment's size...);
 * - `done` of `total` `unit`s (windows, segments, people...): the records are then extrapolated from those
 *   emitted so far, assuming the remaining units hold as many records each as those done.
 * A later report replaces an earlier one's figures; `rows` wins over units where both are known.
 */
export interface ProgressReport {
  rows?: number | undefined;
  done?: number | undefined;
  total?: number | undefined;
  unit?: string | undefined;
}

/** What streams report progress to (StreamContext.progress). */
export interface ProgressSink {
  report(update: ProgressReport): void;
}

/** Reports nowhere: for parents read for a child stream, whose own progress is the child's. */
export const NO_PROGRESS: ProgressSink = { report: () => undefined };

export interface ProgressOutput {
  estimate(stream: string, rows: number): void;
  log(level: LogLevel, message: string): void;
}

export interface ProgressTiming {
  /** Milliseconds between two progress LOG lines of a long stream; 30 s by default. */
  logEveryMs?: number;
  now?: () => number;
}

const DEFAULT_PROGRESS_LOG_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** An extrapolated estimate is sent again only once it moved by this share (the platform needs no more). */
const ESTIMATE_CHANGE = 0.02;
/** Extrapolated estimates wait at least this long between two ESTIMATE traces. */
const ESTIMATE_EVERY_MS = 1000;

/**
 * One stream's progress in a read: turns the stream's reports and the records emitted into ESTIMATE traces
 * (`row_estimate`, sent when first known and again when it moves) and, on a long stream, a LOG line every
 * `logEveryMs`: records so far, units done of total, rate and time left. At the end it sends the exact count
 * once, so the platform's progress ends at 100%.
 */
export class StreamProgress implements ProgressSink {
  readonly #stream: string;
  readonly #output: ProgressOutput;
  readonly #now: () => number;
  readonly #started: number;
  readonly #timer: NodeJS.Timeout | undefined;
  #records = 0;
  #rows: number | undefined;
  #done: number | undefined;
  #total: number | undefined;
  #unit: string | undefined;
  #sent: number | undefined;
  #sentAt = Number.NEGATIVE_INFINITY;

  constructor(stream: string, output: ProgressOutput, timing: ProgressTiming = {}) {
    this.#stream = stream;
    this.#output = output;
    this.#now = timing.now ?? Date.now;
    this.#started = this.#now();
    const every = timing.logEveryMs ?? DEFAULT_PROGRESS_LOG_MS;
    // Node runs an interval beyond its 32-bit limit every millisecond: such a value means none.
    const runs = every > 0 && every <= MAX_TIMER_MS;
    this.#timer = runs ? setInterval(() => this.#logProgress(), every) : undefined;
    this.#timer?.unref();
  }

  /** One record emitted. */
  recorded(): void {
    this.#records += 1;
    // Extrapolations move with every record: look again now and then, not at each one.
    if (this.#rows === undefined && this.#done !== undefined && (this.#records & 1023) === 0) {
      this.#maybeEstimate(false);
    }
  }

  report(update: ProgressReport): void {
    if (update.rows !== undefined && Number.isFinite(update.rows)) this.#rows = Math.max(0, update.rows);
    if (update.done !== undefined) this.#done = update.done;
    if (update.total !== undefined) this.#total = update.total;
    if (update.unit !== undefined) this.#unit = update.unit;
    this.#maybeEstimate(update.rows !== undefined);
  }

  /** The rows this sync is expected to emit, as well as known now; undefined while nothing tells. */
  get estimate(): number | undefined {
    if (this.#rows !== undefined) return Math.max(this.#rows, this.#records);
    const done = this.#done;
    const total = this.#total;
    if (done === undefined || total === undefined) return undefined;
    if (done >= total) return this.#records;
    if (done <= 0) return undefined;
    return Math.max(this.#records, Math.round((this.#records * total) / done));
  }

  /** The stream ended with every record emitted: the exact count, where an estimate was sent before. */
  finish(): void {
    this.stop();
    if (this.#sent !== undefined && this.#sent !== this.#records) this.#send(this.#records);
  }

  /** No more LOG lines (the stream ended, either way). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  #maybeEstimate(counted: boolean): void {
    const estimate = this.estimate;
    if (estimate === undefined || estimate <= 0 || estimate === this.#sent) return;
    if (!counted && this.#sent !== undefined) {
      if (Math.abs(estimate - this.#sent) < this.#sent * ESTIMATE_CHANGE) return;
      if (this.#now() - this.#sentAt < ESTIMATE_EVERY_MS) return;
    }
    this.#send(estimate);
  }

  #send(rows: number): void {
    this.#sent = rows;
    this.#sentAt = this.#now();
    this.#output.estimate(this.#stream, rows);
  }

  #logProgress(): void {
    this.#output.log('INFO', progressLine(this.#stream, this.#snapshot()));
  }

  #snapshot(): ProgressSnapshot {
    return {
      records: this.#records,
      elapsedMs: this.#now() - this.#started,
      estimate: this.estimate,
      done: this.#done,
      total: this.#total,
      unit: this.#unit,
    };
  }
}

export interface ProgressSnapshot {
  records: number;
  elapsedMs: number;
  estimate: number | undefined;
  done: number | undefined;
  total: number | undefined;
  unit: string | undefined;
}

/** "messages: 12,000 records so far (of about 48,000); 3 of 12 windows done; 400 records/s; about 1 min 30 s left." */
export function progressLine(stream: string, snapshot: ProgressSnapshot): string {
  const { records, elapsedMs, estimate, done, total, unit } = snapshot;
  const seconds = elapsedMs / 1000;
  const left = secondsLeft(snapshot);
  const of = estimate === undefined ? '' : ` (of about ${count(estimate)})`;
  const doneOf = total === undefined ? count(done ?? 0) : `${count(done ?? 0)} of ${count(total)}`;
  const units = done === undefined || unit === undefined ? '' : `; ${doneOf} ${unit} done`;
  const rate = count(seconds > 0 ? Math.round(records / seconds) : 0);
  const eta = left === undefined ? 'time left not known yet' : `about ${duration(left)} left`;
  return `${stream}: ${count(records)} records so far${of}${units}; ${rate} records/s; ${eta}.`;
}

/** By units where the stream counts them (their pace is steadier than records'), else by records. */
function secondsLeft({ records, elapsedMs, estimate, done, total }: ProgressSnapshot): number | undefined {
  const seconds = elapsedMs / 1000;
  if (done !== undefined && total !== undefined && done > 0) {
    return Math.max(0, (seconds * (total - done)) / done);
  }
  if (estimate !== undefined && records > 0) return Math.max(0, (seconds * (estimate - records)) / records);
  return undefined;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function duration(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
