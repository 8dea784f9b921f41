import type { JsonObject } from '@cio-connectors/kit/json';
import type { SyncMode } from '@cio-connectors/kit/protocol';

/**
 * Cursor strategies: what one stream's read in one sync emits and which state it saves. A stream declares
 * which strategy it uses; the strategy is created per run, so nothing of a run lives on a stream instance.
 *
 * One rule holds for every strategy: the state saved at the end of a sync is never later than the time the
 * sync started (`syncStart`). Records dated after it are emitted, but do not move the cursor, so records
 * written later with an earlier date (a future-dated event followed by real ones, or a person read early in
 * a long sync getting new activity) are still read by the next sync.
 */

/** State a full-refresh stream ends with: it has no cursor, the next sync reads everything again. */
export const FULL_REFRESH_COMPLETE_STATE: JsonObject = { __ab_no_cursor_state_message: true };

/**
 * The cursor rule, in one place: a position a strategy saves or resumes from is never later than the sync's
 * start. Every strategy bounds the positions it saves through this one function.
 */
export function notAfterSyncStart(seconds: number, input: Pick<CursorInput, 'syncStart'>): number {
  return Math.min(seconds, input.syncStart);
}

/** The run values every strategy starts from. */
export interface CursorInput {
  syncMode: SyncMode;
  /** The stream's state passed in with --state, if any. */
  saved: JsonObject | undefined;
  /** Epoch seconds when the sync started. */
  syncStart: number;
  /** Told of a saved position later than `syncStart` (read as `syncStart` instead; see savedSeconds). */
  onFuturePosition?: (field: string, value: unknown) => void;
}

/**
 * A saved position as epoch seconds, never later than the sync's start. A later one is no position a sync can
 * have reached (a hand-edited state, a clock far ahead): it is read as the sync's start, so the read goes back
 * the usual lookback from there, and it is reported through `onFuturePosition`.
 */
export function savedSeconds(value: unknown, input: CursorInput, field: string): number | undefined {
  const seconds = cursorSeconds(value);
  if (seconds === undefined || seconds <= input.syncStart) return seconds;
  input.onFuturePosition?.(field, value);
  // A full refresh's resume point is only a shortcut: without a valid one it reads everything again.
  return input.syncMode === 'incremental' ? notAfterSyncStart(seconds, input) : undefined;
}

export interface Cursor {
  /** The oldest cursor value still emitted (incremental reads), for streams that can stop or filter early. */
  readonly since: number | undefined;
  /** Whether a record read is emitted; also where the cursor observes it. */
  accept(record: JsonObject): boolean;
  /** The state to emit at a CHECKPOINT: everything before it has been emitted. */
  checkpoint(): JsonObject;
  /** The state to emit once every record has been emitted. */
  final(): JsonObject;
  /** Things the user should hear once about this read (e.g. future-dated records). */
  notices(): string[];
}

/** A cursor value as epoch seconds: numbers as they are, RFC 3339 strings parsed (as hand-made states use). */
export function cursorSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
}

/** The UTC date ("YYYY-MM-DD") of an epoch-seconds time. */
export const isoDay = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toISOString().slice(0, 10);

/** The later of two optional bounds. */
function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

/**
 * A cursor that emits every record it is given (the requests do the filtering, or nothing does): what differs is
 * only the state it saves. A full refresh's by default: a completed read starts over next time.
 */
export abstract class EveryRecordCursor implements Cursor {
  readonly since: number | undefined = undefined;

  accept(): boolean {
    return true;
  }

  abstract checkpoint(): JsonObject;

  final(): JsonObject {
    return FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
  }
}

/** No cursor: every record, and the full-refresh end state. */
export class FullRefreshCursor extends EveryRecordCursor {
  checkpoint(): JsonObject {
    return {};
  }
}

/** Counts records dated after the sync's start, to say once that they did not move the cursor. */
class FutureDated {
  readonly #syncStart: number;
  #count = 0;
  #newest = 0;

  constructor(syncStart: number) {
    this.#syncStart = syncStart;
  }

  observe(value: number): void {
    if (value <= this.#syncStart) return;
    this.#count += 1;
    this.#newest = Math.max(this.#newest, value);
  }

  notices(field: string): string[] {
    if (this.#count === 0) return [];
    const newest = new Date(this.#newest * 1000).toISOString();
    return [
      `${this.#count} record(s) have a "${field}" later than the sync's start (the latest ${newest}); they were emitted, and the cursor stays at the sync's start so that nothing written meanwhile is skipped. They are read again until that time has passed.`,
    ];
  }
}

export interface ClientSideCursorOptions {
  /** Re-read this many seconds before the saved cursor, for writes that landed late. */
  lookbackSeconds: number;
  startDate: number | undefined;
  /** How the cursor is written into the state (epoch seconds by default). */
  format?: (epochSeconds: number) => string | number;
}

/**
 * For lists the API cannot filter: every record is read, those at or after the cursor minus the lookback (and
 * start_date) are emitted, and the cursor moves to the newest value emitted, capped at the sync's start, once
 * the whole list is read (lists come unsorted, so there is no safe point before the end).
 */
export class ClientSideCursor implements Cursor {
  readonly since: number | undefined;
  readonly #field: string;
  readonly #previous: number | undefined;
  readonly #input: CursorInput;
  readonly #format: (epochSeconds: number) => string | number;
  readonly #future: FutureDated;
  #newest: number | undefined;

  constructor(field: string, input: CursorInput, options: ClientSideCursorOptions) {
    this.#field = field;
    this.#previous = savedSeconds(input.saved?.[field], input, field);
    this.#input = input;
    this.#format = options.format ?? ((seconds) => seconds);
    this.#future = new FutureDated(input.syncStart);
    this.since = laterOf(
      this.#previous === undefined ? undefined : this.#previous - options.lookbackSeconds,
      options.startDate,
    );
  }

  accept(record: JsonObject): boolean {
    const value = cursorSeconds(record[this.#field]);
    if (value === undefined) return true;
    if (this.since !== undefined && value < this.since) return false;
    this.#future.observe(value);
    if (this.#newest === undefined || value > this.#newest) this.#newest = value;
    return true;
  }

  checkpoint(): JsonObject {
    return this.#state(this.#previous);
  }

  final(): JsonObject {
    return this.#state(laterOf(this.#previous, this.#newest));
  }

  #state(value: number | undefined): JsonObject {
    return value === undefined ? {} : { [this.#field]: this.#format(notAfterSyncStart(value, this.#input)) };
  }

  notices(): string[] {
    return this.#future.notices(this.#field);
  }
}

/** Where a window read starts: after the cursor minus the lookback, never before `floor`. */
export function windowStart(floor: number, previous: number | undefined, lookback: number): number {
  return previous === undefined ? floor : Math.max(floor, previous + 1 - lookback);
}

export interface TimeWindow {
  start: number;
  end: number;
}

/** Consecutive [start, end] windows (both inclusive), oldest first, covering `from`..`to`. */
export function timeWindows(from: number, to: number, size: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  for (let start = from; start <= to; start += size)
    windows.push({ start, end: Math.min(start + size - 1, to) });
  return windows;
}

export interface WindowCursorOptions {
  windowSeconds: number;
  /** Re-read this many seconds before the saved cursor in incremental syncs (deliveries' metrics change). */
  lookbackSeconds: number;
}

/** Seconds to re-read before a saved position: a full refresh resumes its own progress exactly. */
export function lookbackOf(input: CursorInput, seconds: number): number {
  return input.syncMode === 'incremental' ? seconds : 0;
}

/** An object value of a state, or undefined (a state is the user's file: anything can be in it). */
export function objectIn(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** A cursor around another: it reads as `inner` does, and its subclasses change what it saves. */
export abstract class CursorAround<C extends Cursor> implements Cursor {
  readonly inner: C;

  constructor(inner: C) {
    this.inner = inner;
  }

  get since(): number | undefined {
    return this.inner.since;
  }

  accept(record: JsonObject): boolean {
    return this.inner.accept(record);
  }

  checkpoint(): JsonObject {
    return this.inner.checkpoint();
  }

  final(): JsonObject {
    return this.inner.final();
  }

  notices(): string[] {
    return this.inner.notices();
  }
}

/**
 * Resumable full refresh, one way for every strategy that has progress to save. In
 * incremental syncs the strategy's own state is the state. In a full refresh its progress is saved under
 * `resume`, so a retried attempt carries on from it, and the completed read ends with the full-refresh state.
 * The strategy reads and writes its state as in an incremental sync, whatever the mode.
 */
export class Resumable<S extends Cursor> extends CursorAround<S> {
  readonly #incremental: boolean;

  constructor(run: CursorInput, create: (input: CursorInput) => S) {
    const incremental = run.syncMode === 'incremental';
    super(create({ ...run, saved: incremental ? run.saved : objectIn(run.saved?.resume) }));
    this.#incremental = incremental;
  }

  get strategy(): S {
    return this.inner;
  }

  override checkpoint(): JsonObject {
    const progress = this.inner.checkpoint();
    if (this.#incremental || Object.keys(progress).length === 0) return progress;
    return { resume: progress };
  }

  override final(): JsonObject {
    return this.#incremental ? this.inner.final() : FULL_REFRESH_COMPLETE_STATE;
  }
}

/** The next page's token of one paged list, `{next}`, so a retried full refresh resumes there. */
export class ResumeTokenCursor extends EveryRecordCursor {
  readonly savedToken: string | undefined;
  #token: string | undefined;

  constructor(input: CursorInput) {
    super();
    const saved = input.saved?.next;
    this.savedToken = typeof saved === 'string' && saved !== '' ? saved : undefined;
    this.#token = this.savedToken;
  }

  advance(next: string): void {
    this.#token = next;
  }

  checkpoint(): JsonObject {
    return this.#token === undefined ? {} : { next: this.#token };
  }
}

export function resumeTokenCursor(run: CursorInput): Resumable<ResumeTokenCursor> {
  return new Resumable(run, (input) => new ResumeTokenCursor(input));
}
