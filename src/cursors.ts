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
    this.#previous = cursorSeconds(input.saved?.[field]);
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
    this.#previous = cursorSeconds(progress?.[field]);
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

/**
 * Windows per parent (a campaign's deliveries...): a position per parent, `{created_by_parent: {id: end}}`,
 * moved after each of its windows. `created` is the position of parents without their own (a hand-made state).
 * The final state keeps only the parents that still exist.
 */
export class PerParentWindowCursor implements Cursor {
  readonly since = undefined;
  readonly #incremental: boolean;
  readonly #syncStart: number;
  readonly #lookback: number;
  readonly #windowSeconds: number;
  readonly #defaultPosition: number | undefined;
  readonly #positions: Record<string, number> = {};
  readonly #currentParents: () => AsyncIterable<string>;

  constructor(
    input: CursorInput,
    options: WindowCursorOptions & { currentParents: () => AsyncIterable<string> },
  ) {
    this.#incremental = input.syncMode === 'incremental';
    this.#syncStart = input.syncStart;
    this.#windowSeconds = options.windowSeconds;
    this.#lookback = this.#incremental ? options.lookbackSeconds : 0;
    this.#currentParents = options.currentParents;
    const progress = this.#incremental ? input.saved : (input.saved?.resume as JsonObject | undefined);
    this.#defaultPosition = cursorSeconds(progress?.created);
    const saved = (progress?.created_by_parent ?? {}) as Record<string, unknown>;
    for (const [id, value] of Object.entries(saved)) {
      const position = cursorSeconds(value);
      if (position !== undefined) this.#positions[id] = position;
    }
  }

  windows(parentId: string, floor: number): TimeWindow[] {
    const previous = this.#positions[parentId] ?? this.#defaultPosition;
    return timeWindows(windowStart(floor, previous, this.#lookback), this.#syncStart, this.#windowSeconds);
  }

  close(parentId: string, window: TimeWindow): void {
    this.#positions[parentId] = window.end;
  }

  accept(): boolean {
    return true;
  }

  checkpoint(): JsonObject {
    const progress = this.#state(this.#positions);
    return this.#incremental ? progress : { resume: progress };
  }

  async final(): Promise<JsonObject> {
    if (!this.#incremental) return FULL_REFRESH_COMPLETE_STATE;
    // Parents deleted since the last sync leave the state.
    const current: Record<string, number> = {};
    for await (const id of this.#currentParents()) {
      const position = this.#positions[id];
      if (position !== undefined) current[id] = position;
    }
    return this.#state(current);
  }

  #state(positions: Record<string, number>): JsonObject {
    const capped = Object.fromEntries(
      Object.entries(positions).map(([id, position]) => [id, Math.min(position, this.#syncStart)]),
    );
    return {
      ...(this.#defaultPosition === undefined
        ? {}
        : { created: Math.min(this.#defaultPosition, this.#syncStart) }),
      created_by_parent: capped,
    };
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
