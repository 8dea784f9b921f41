import type { JsonObject, SyncMode } from './protocol.js';

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
  return input.syncMode === 'incremental' ? input.syncStart : undefined;
}

export interface Cursor {
  /** The oldest cursor value still emitted (incremental reads), for streams that can stop or filter early. */
  readonly since: number | undefined;
  /** Whether a record read is emitted; also where the cursor observes it. */
  accept(record: JsonObject): boolean;
  /** The state to emit at a CHECKPOINT: everything before it has been emitted. */
  checkpoint(): JsonObject;
  /** The state to emit once every record has been emitted. */
  final(): JsonObject | Promise<JsonObject>;
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

/** The later of two optional bounds. */
export function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

/** No cursor: every record, and the full-refresh end state. */
export class FullRefreshCursor implements Cursor {
  readonly since = undefined;

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    return {};
  }

  final(): JsonObject {
    return FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
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
  readonly #syncStart: number;
  readonly #format: (epochSeconds: number) => string | number;
  readonly #future: FutureDated;
  #newest: number | undefined;

  constructor(field: string, input: CursorInput, options: ClientSideCursorOptions) {
    this.#field = field;
    this.#previous = savedSeconds(input.saved?.[field], input, field);
    this.#syncStart = input.syncStart;
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
    return value === undefined ? {} : { [this.#field]: this.#format(Math.min(value, this.#syncStart)) };
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

/**
 * For lists the API filters by a creation-time window: windows oldest first up to the sync's start. In
 * incremental syncs the state is `{field: end of the last window read}`; a full refresh checkpoints the same
 * position under `resume`, so a retried attempt carries on from it, and ends with the full-refresh state.
 */
export class WindowCursor implements Cursor {
  readonly since = undefined;
  readonly #field: string;
  readonly #incremental: boolean;
  readonly #syncStart: number;
  readonly #lookback: number;
  readonly #windowSeconds: number;
  readonly #previous: number | undefined;
  #position: number | undefined;

  constructor(field: string, input: CursorInput, options: WindowCursorOptions) {
    this.#field = field;
    this.#incremental = input.syncMode === 'incremental';
    this.#syncStart = input.syncStart;
    this.#windowSeconds = options.windowSeconds;
    // A full refresh resumes its own progress exactly: nothing to re-read.
    this.#lookback = this.#incremental ? options.lookbackSeconds : 0;
    const progress = this.#incremental ? input.saved : (input.saved?.resume as JsonObject | undefined);
    this.#previous = savedSeconds(progress?.[field], input, field);
    this.#position = this.#previous;
  }

  /** Whether the read continues from a saved position (a floor then only matters when it is later). */
  get hasPosition(): boolean {
    return this.#previous !== undefined;
  }

  /** The windows to read, from `floor` (when the data can start) or the saved position. */
  windows(floor: number): TimeWindow[] {
    return timeWindows(
      windowStart(floor, this.#previous, this.#lookback),
      this.#syncStart,
      this.#windowSeconds,
    );
  }

  /** Every record created up to `end` has been emitted. */
  close(window: TimeWindow): void {
    this.#position = window.end;
  }

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    if (this.#position === undefined) return {};
    const position = { [this.#field]: Math.min(this.#position, this.#syncStart) };
    return this.#incremental ? position : { resume: position };
  }

  final(): JsonObject {
    return this.#incremental ? { [this.#field]: this.#syncStart } : FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
  }
}

/** Orders parent ids as numbers when both are numeric (campaign ids), as text otherwise. */
export function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b) || a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Windows per parent (a campaign's deliveries...), read as one sweep over the parents in id order toward a
 * target time (the sync's start). The state stays small however many parents there are:
 * `{created: W, sweep: {target: T, through: X}, created_by_parent: {...}}` means every parent is read up to W,
 * the parents up to id X also up to T, and the few others listed (in progress, or finished out of order) up to
 * their own value. A completed sweep leaves `{created: T}`. A killed sweep resumes toward its own target,
 * skipping the parents it finished, so the cursor never passes the start of the sync that began the sweep.
 * States written before sweeps existed (`created_by_parent` for every parent) are read as they are.
 */
export class PerParentWindowCursor implements Cursor {
  readonly since = undefined;
  readonly #incremental: boolean;
  readonly #target: number;
  readonly #lookback: number;
  readonly #windowSeconds: number;
  readonly #watermark: number | undefined;
  readonly #resumedThrough: string | undefined;
  readonly #positions = new Map<string, number>();
  #order: string[] = [];
  #frontier = 0;
  #through: string | undefined;
  readonly #finishedAhead = new Set<string>();

  constructor(input: CursorInput, options: WindowCursorOptions) {
    this.#incremental = input.syncMode === 'incremental';
    this.#windowSeconds = options.windowSeconds;
    this.#lookback = this.#incremental ? options.lookbackSeconds : 0;
    const progress = this.#incremental ? input.saved : (input.saved?.resume as JsonObject | undefined);
    const sweep = (progress?.sweep ?? {}) as JsonObject;
    const futureTarget = (cursorSeconds(sweep.target) ?? 0) > input.syncStart;
    this.#target = savedSeconds(sweep.target, input, 'sweep.target') ?? input.syncStart;
    // A sweep toward a future target is no sweep this connector ran: its parents are read again.
    this.#resumedThrough = typeof sweep.through === 'string' && !futureTarget ? sweep.through : undefined;
    this.#through = this.#resumedThrough;
    this.#watermark = this.#savedPosition(progress?.created, input, 'created');
    const saved = (progress?.created_by_parent ?? {}) as Record<string, unknown>;
    for (const [id, value] of Object.entries(saved)) {
      const position = this.#savedPosition(value, input, `created_by_parent.${id}`);
      if (position !== undefined) this.#positions.set(id, position);
    }
  }

  /**
   * A saved position, at most the target. One later than the sync's start reads the lookback before the target
   * (a position at the target means a parent finished in this sweep, with nothing left to read).
   */
  #savedPosition(value: unknown, input: CursorInput, field: string): number | undefined {
    const seconds = savedSeconds(value, input, field);
    if (seconds === undefined) return undefined;
    return (cursorSeconds(value) ?? 0) > input.syncStart ? this.#target - 1 : Math.min(seconds, this.#target);
  }

  /** The parents of this read in the order they are read: sorted by id, so progress is one position. */
  plan(ids: readonly string[]): string[] {
    this.#order = [...ids].sort(compareIds);
    return this.#order;
  }

  windows(parentId: string, floor: number): TimeWindow[] {
    if (this.#resumedThrough !== undefined && compareIds(parentId, this.#resumedThrough) <= 0) return [];
    const previous = this.#positions.get(parentId) ?? this.#watermark;
    if (previous !== undefined && previous >= this.#target) return [];
    return timeWindows(windowStart(floor, previous, this.#lookback), this.#target, this.#windowSeconds);
  }

  close(parentId: string, window: TimeWindow): void {
    this.#positions.set(parentId, window.end);
  }

  /** Every window of the parent is read (or it has none, or it no longer exists). */
  finish(parentId: string): void {
    this.#finishedAhead.add(parentId);
    while (this.#frontier < this.#order.length) {
      const next = this.#order[this.#frontier] ?? '';
      if (!this.#finishedAhead.has(next)) break;
      this.#finishedAhead.delete(next);
      this.#positions.delete(next);
      // A resumed sweep re-passes the parents it had finished: its position never goes back.
      if (this.#through === undefined || compareIds(next, this.#through) > 0) this.#through = next;
      this.#frontier += 1;
    }
  }

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    const progress: JsonObject = {
      ...(this.#watermark === undefined ? {} : { created: this.#watermark }),
      sweep: { target: this.#target, ...(this.#through === undefined ? {} : { through: this.#through }) },
      created_by_parent: Object.fromEntries(this.#positions),
    };
    return this.#incremental ? progress : { resume: progress };
  }

  final(): JsonObject {
    return this.#incremental ? { created: this.#target } : FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
  }
}

/**
 * A full refresh that checkpoints the partitions (e.g. segments) it has finished, `{resume: {[key]: [ids]}}`,
 * so a retried attempt skips them; the completed read ends with the full-refresh state.
 */
export class CompletedPartitionsCursor implements Cursor {
  readonly since = undefined;
  readonly #key: string;
  readonly #completed: Array<string | number>;

  constructor(key: string, input: CursorInput) {
    this.#key = key;
    const saved = (input.saved?.resume as JsonObject | undefined)?.[key];
    this.#completed = Array.isArray(saved)
      ? saved.filter((id): id is string | number => typeof id === 'string' || typeof id === 'number')
      : [];
  }

  isComplete(id: string | number): boolean {
    return this.#completed.includes(id);
  }

  complete(id: string | number): void {
    this.#completed.push(id);
  }

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    return { resume: { [this.#key]: [...this.#completed] } };
  }

  final(): JsonObject {
    return FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
  }
}

/**
 * A full refresh through one paged list, checkpointing the next page's token, `{resume: {next}}`, so a retried
 * attempt resumes there; the completed read ends with the full-refresh state.
 */
export class ResumeTokenCursor implements Cursor {
  readonly since = undefined;
  readonly savedToken: string | undefined;
  #token: string | undefined;

  constructor(input: CursorInput) {
    const saved = (input.saved?.resume as JsonObject | undefined)?.next;
    this.savedToken = typeof saved === 'string' && saved !== '' ? saved : undefined;
    this.#token = this.savedToken;
  }

  advance(next: string): void {
    this.#token = next;
  }

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    return this.#token === undefined ? {} : { resume: { next: this.#token } };
  }

  final(): JsonObject {
    return FULL_REFRESH_COMPLETE_STATE;
  }

  notices(): string[] {
    return [];
  }
}

interface PeoplePage {
  /** The `start` token the page was read with; undefined for the first page. */
  token: string | undefined;
  ids: string[];
  done: Set<string>;
}

/**
 * Progress through the people search for per-person streams: pages in order, people within a page in any
 * order (several are read at once). Saved as `{started, page, after}`: the sweep began at `started`, and every
 * person before the page read with `page`, and that page's people up to cio_id `after`, are done. Keeping the
 * last cio_id rather than a count means a person deleted meanwhile cannot make a resumed read skip someone.
 */
export class PeopleProgress {
  /** When the sweep began: a resumed sweep keeps its first attempt's start, which bounds the cursor. */
  readonly started: number;
  readonly resumePage: string | undefined;
  readonly resumeAfter: string | undefined;
  readonly #pages: PeoplePage[] = [];

  constructor(saved: JsonObject | undefined, syncStart: number) {
    const started = cursorSeconds(saved?.started);
    this.started = started === undefined ? syncStart : Math.min(started, syncStart);
    this.resumePage = typeof saved?.page === 'string' ? saved.page : undefined;
    this.resumeAfter = typeof saved?.after === 'string' ? saved.after : undefined;
  }

  beginPage(token: string | undefined, ids: string[]): void {
    this.#pages.push({ token, ids, done: new Set() });
  }

  personDone(cioId: string): void {
    const page = this.#pages.find((candidate) => candidate.ids.includes(cioId));
    page?.done.add(cioId);
    // A finished page is forgotten once the next has begun: the next page's token then says it all.
    while (this.#pages.length > 1 && this.#isFinished(this.#pages[0])) this.#pages.shift();
  }

  #isFinished(page: PeoplePage | undefined): boolean {
    return page?.ids.every((id) => page.done.has(id)) ?? false;
  }

  state(): JsonObject {
    const [page] = this.#pages;
    if (page === undefined) {
      return {
        started: this.started,
        ...(this.resumePage === undefined ? {} : { page: this.resumePage }),
        ...(this.resumeAfter === undefined ? {} : { after: this.resumeAfter }),
      };
    }
    let prefix = 0;
    while (prefix < page.ids.length && page.done.has(page.ids[prefix] ?? '')) prefix += 1;
    const after = prefix > 0 ? page.ids[prefix - 1] : this.#resumedAfter(page);
    return {
      started: this.started,
      ...(page.token === undefined ? {} : { page: page.token }),
      ...(after === undefined ? {} : { after }),
    };
  }

  /** On the page a resumed read started with, the people skipped count as done. */
  #resumedAfter(page: PeoplePage): string | undefined {
    return page.token === this.resumePage ? this.resumeAfter : undefined;
  }
}

/**
 * A per-person stream's cursor: the stream's own cursor (`inner`, bounded by the sweep's start) plus its
 * progress through the people, checkpointed as `people` so a killed read resumes with the next person.
 */
export class PeopleSweepCursor<C extends Cursor = Cursor> implements Cursor {
  readonly inner: C;
  readonly progress: PeopleProgress;
  readonly #incremental: boolean;

  constructor(inner: C, progress: PeopleProgress, incremental: boolean) {
    this.inner = inner;
    this.progress = progress;
    this.#incremental = incremental;
  }

  /** The saved people progress of a run, and the run as the inner cursor sees it: ending at the sweep start. */
  static input(run: CursorInput): { progress: PeopleProgress; innerInput: CursorInput } {
    const incremental = run.syncMode === 'incremental';
    const holder = incremental ? run.saved : (run.saved?.resume as JsonObject | undefined);
    const progress = new PeopleProgress(holder?.people as JsonObject | undefined, run.syncStart);
    return { progress, innerInput: { ...run, syncStart: progress.started } };
  }

  get since(): number | undefined {
    return this.inner.since;
  }

  accept(record: JsonObject): boolean {
    return this.inner.accept(record);
  }

  checkpoint(): JsonObject {
    const people = this.progress.state();
    return this.#incremental ? { ...this.inner.checkpoint(), people } : { resume: { people } };
  }

  final(): JsonObject | Promise<JsonObject> {
    return this.inner.final();
  }

  notices(): string[] {
    return this.inner.notices();
  }
}
