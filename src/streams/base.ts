import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { LogLevel, SyncMode } from '@cio-connectors/kit/protocol';
import type { ApiClient } from '../api-client.js';
import { inOrder } from '../concurrency.js';
import type { SourceConfig } from '../config.js';
import { type Cursor, type CursorInput, cursorSeconds } from '../cursors.js';
import type { PageRequest } from '../pagination.js';
import { NO_PROGRESS, type ProgressReport, type ProgressSink } from '../progress.js';
import type { RunMemo } from '../run-memo.js';
import { loadSchema } from '../schemas.js';
import type { RunTuning } from '../tuning.js';
import {
  CHECKPOINT,
  eachRecord,
  RecordBatch,
  type RecordItem,
  recordsIn,
  type StreamItem,
  StreamState,
} from './items.js';
import { lookedUp, type ReadRecord, type RecordLookup } from './lookups.js';
import { savedStateWarnings, withSyncTime } from './saved-state.js';

/** One request sequence of a stream (a time window, a type filter...): what it adds to the stream's request. */
export interface Slice {
  path?: string;
  params?: Params;
  body?: JsonObject;
  /** Added to every record of the slice, e.g. the suppression type a path stands for. */
  fields?: JsonObject;
  /** Whether a record of the slice's answer is the slice's own (a filter the API cannot apply); all by default. */
  belongs?: (record: JsonObject) => boolean;
  /** Run once every record of the slice has been emitted, to move the cursor; a checkpoint follows. */
  done?: () => void;
}

/**
 * A whole answer, for streams whose records are not a paged list (`Stream.extract`): the path asked, the body,
 * and "today" by the server's clock (its Date header), for answers that count days up to it without saying so.
 */
export interface SliceAnswer {
  path: string;
  body: JsonObject;
  today: number;
}

/** A cheap request `check` sends to learn whether the key may read a family of streams (see probes.ts). */
export interface Probe {
  path: string;
  method?: 'POST';
  params?: Params;
  body?: JsonObject;
}

/** Ends a slice's items in `readSlices`. */
const SLICE_END = Symbol('slice end');
/**
 * Lookups asked ahead of the record emitted next, per partition read at once: one slow answer (a retry's
 * back-off) does not hold the others up, and the client's rate limiter paces them all.
 */
const LOOKUPS_AHEAD = 4;
/** Pages a slice read ahead of its turn may hold before its read waits (see `Stream.slicesAtOnce`). */
const SLICE_PAGES_HELD = 1;

export interface StreamContext {
  client: ApiClient;
  config: SourceConfig;
  log: (level: LogLevel, message: string) => Promise<void>;
  /** How many parents a child stream reads at once; the client's rate limiter still caps requests/second. */
  partitionConcurrency: number;
  /** A parent stream's records (projected on its partitionFields), read once per run and shared by its children. */
  partitions: (stream: Stream) => AsyncIterable<JsonObject>;
  /** Epoch seconds when the sync started: the upper bound of every time window. */
  now: number;
  /** How many records a parent stream has, once this run has read them all (partitions come from memory). */
  partitionCount?: (stream: Stream) => number | undefined;
  /** Where the stream being read reports how much it will read (ESTIMATE traces, progress LOG lines). */
  progress: ProgressSink;
  /** What the run reads once and its streams share (see RunMemo). */
  memo: RunMemo;
  /** The run's knobs from the environment, which tests shorten (e.g. an export's polls); absent: the defaults. */
  tuning?: RunTuning;
}

/** A full read with no state: how a parent is read for its children. */
export function fullRead(now: number): CursorInput {
  return { syncMode: 'full_refresh', saved: undefined, syncStart: now };
}

/** Every record of `stream`, read whole for another stream's use: no state, no progress of its own. */
export function wholeRead(stream: Stream, context: StreamContext): AsyncGenerator<JsonObject> {
  const cursor = stream.createCursor(context, fullRead(context.now));
  return eachRecord(stream.readRecords({ ...context, progress: NO_PROGRESS }, cursor));
}

/**
 * One Customer.io collection, read with cursor strategy `C` (one per read: nothing of a run lives on the
 * stream). Subclasses declare what differs (name, path, envelope key, keys, page size, slices, a record
 * transform); paging, retries and rate limiting live in the client, statuses in the read loop.
 */
export abstract class Stream<C extends Cursor = Cursor> {
  abstract readonly name: string;
  abstract readonly path: string;
  abstract readonly envelopeKey: string;
  abstract readonly primaryKey: string[][];
  /** Set where the records carry a time to sync incrementally on; the API cannot filter on it (see read). */
  readonly cursorField: string | undefined = undefined;
  /** A full refresh that checkpoints its progress, so a retried attempt resumes (see read). */
  readonly resumableFullRefresh: boolean = false;
  /** Pages come newest first by the cursor: an incremental read stops at the first page entirely older than it. */
  readonly newestFirst: boolean = false;
  /** How long the API keeps records (it forgets older ones): a state older than this gets a warning. */
  readonly retentionSeconds: number | undefined = undefined;
  readonly method: 'GET' | 'POST' = 'GET';
  /** Sent as `limit` on each page where the endpoint pages. */
  readonly pageSize: number | undefined = undefined;
  /**
   * Customer.io's docs warn that this stream's pages can repeat entries: the read drops a record whose key it
   * emitted among the last REPEAT_WINDOW records of the stream, and counts it.
   */
  readonly pagesMayRepeat: boolean = false;
  readonly pagination: 'cursor' | 'offset' = 'cursor';
  /** Long paged reads request the next page while the current one is emitted. */
  readonly prefetch: boolean = false;
  /**
   * The records are emitted as the API sent them (no transform changes them in place): their text from the
   * response is kept for the emitter to copy rather than serialize again (see record-text.ts). Set on the
   * high-volume delivery lists; a record copied on the way (normalized, given parent fields) is serialized anyway.
   */
  readonly recordsAsSent: boolean = false;
  /** The fields a child stream needs from this stream's records when it reads them as partitions. */
  readonly partitionFields: readonly string[] = ['id'];

  /** What `check` sends to learn whether the key may read this stream (shared by a family); undefined: nothing. */
  get probe(): Probe | undefined {
    return { path: this.path };
  }

  get supportedSyncModes(): SyncMode[] {
    return this.cursorField === undefined ? ['full_refresh'] : ['full_refresh', 'incremental'];
  }

  get jsonSchema(): JsonObject {
    return loadSchema(this.name);
  }

  /** The cursor strategy of one read: what it emits and the state it saves (see cursors.ts). */
  abstract createCursor(context: StreamContext, run: CursorInput): C;

  /** Query parameters sent with every request of the stream. */
  params(_context: StreamContext): Params {
    return {};
  }

  /** The request sequences to read (of one parent, for child streams); one by default. */
  slices(_context: StreamContext, _parent: JsonObject | undefined, _cursor: C): Slice[] | Promise<Slice[]> {
    return [{}];
  }

  /** Turns one item of the API's list into the record emitted; `position` counts the slice's items from 0. */
  transform(item: unknown, _context: StreamContext, _position: number): JsonObject {
    return item as JsonObject;
  }

  /** Whether a record read is one of the stream's (a filter the API cannot apply); all by default. */
  keeps(_record: JsonObject, _context: StreamContext): boolean {
    return true;
  }

  pageRequest(context: StreamContext, slice: Slice): PageRequest {
    const body = slice.body;
    return {
      path: slice.path ?? this.path,
      envelopeKey: this.envelopeKey,
      method: this.method,
      params: { ...this.params(context), ...slice.params },
      pagination: this.pagination,
      ...(this.prefetch ? { prefetch: true } : {}),
      ...(this.recordsAsSent ? { keepRecordText: true } : {}),
      ...(body === undefined ? {} : { body }),
      ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }),
    };
  }

  /**
   * Set where the records are not a paged list under `envelopeKey`: one request per slice, whose whole answer this
   * turns into the slice's records (metric series, a single object...).
   */
  extract?(answer: SliceAnswer, slice: Slice, parent: JsonObject | undefined): JsonObject[];

  async *readSlice(
    context: StreamContext,
    slice: Slice,
    parent: JsonObject | undefined,
    cursor: C,
  ): AsyncGenerator<RecordItem> {
    if (this.extract !== undefined) {
      const path = slice.path ?? this.path;
      const { body, serverTime } = await context.client.answer(path, {
        params: { ...this.params(context), ...slice.params },
      });
      const records = this.extract({ path, body, today: serverTime ?? context.now }, slice, parent);
      if (records.length > 0) yield new RecordBatch(records);
      return;
    }
    const { fields, belongs } = slice;
    let position = 0;
    for await (const page of context.client.pages(this.pageRequest(context, slice))) {
      if (page.records.length > 0) {
        const batch = RecordBatch.ofPage(page, (item) => {
          const record = this.transform(item, context, position++);
          return fields === undefined ? record : { ...record, ...fields };
        });
        const own = belongs === undefined ? batch : batch.filter(belongs);
        if (own.records.length > 0) yield own;
      }
      if (this.newestFirst && this.#isLastPage(page.records, cursor.since)) return;
    }
  }

  /** Newest-first pages end at an empty page (even one that still carries a token) or one older than the cursor. */
  #isLastPage(records: JsonObject[], stopBefore: number | undefined): boolean {
    if (records.length === 0) return true;
    if (stopBefore === undefined || this.cursorField === undefined) return false;
    const field = this.cursorField;
    return records.every((record) => (cursorSeconds(record[field]) ?? 0) < stopBefore);
  }

  /**
   * What a stream's slices are, in progress lines ("3 of 12 windows done"). Where slices move the cursor, those
   * are counted (a window read with several type filters is one), otherwise every slice.
   */
  readonly sliceUnit: string = 'slices';

  /**
   * Every record of the stream, with CHECKPOINTs after slices that move the cursor; a stream of several slices
   * reports how many are done.
   */
  async *readRecords(context: StreamContext, cursor: C): AsyncGenerator<StreamItem> {
    yield* this.readSlices(context, undefined, cursor, undefined, (done, total) => {
      if (total > 1 && this.progressWithin === undefined)
        context.progress.report({ done, total, unit: this.sliceUnit });
    });
  }

  /**
   * Set where progress is better measured within slices than by slices done (activities: days of the log read
   * down): given the read's cursor and how many slices it has, where the read stands once it has read the page
   * ending with `last` in slice `slice`, or (`last` undefined) once `slice` slices are read whole.
   */
  progressWithin?(
    context: StreamContext,
    cursor: C,
    slices: number,
  ): (slice: number, last: JsonObject | undefined) => ProgressReport;

  /**
   * How many of the stream's slices are read at once (of one parent, for child streams). Slices do not depend on
   * each other, so while one waits on its chain of pages the next ones' use the budget; their records still come
   * out in slice order (a later slice's pages are held, SLICE_PAGES_HELD at most), so each slice's `done` moves
   * the cursor only past slices whose every record is out.
   */
  readonly slicesAtOnce: number = 4;

  /**
   * The slices of the stream (or of one parent), each followed by a CHECKPOINT where it moves the cursor.
   * `onSliceRead` is told how many progress units (see `sliceUnit`) are done of how many.
   */
  protected async *readSlices(
    context: StreamContext,
    parent: JsonObject | undefined,
    cursor: C,
    path?: string,
    onSliceRead?: (done: number, total: number) => void,
  ): AsyncGenerator<StreamItem> {
    const slices = await this.slices(context, parent, cursor);
    const within = this.progressWithin?.(context, cursor, slices.length);
    const withPaths = slices.map((slice) =>
      path === undefined || slice.path !== undefined ? slice : { ...slice, path },
    );
    let index = 0;
    const moving = slices.filter((slice) => slice.done !== undefined).length;
    const units = moving > 0 ? moving : slices.length;
    let unitsDone = 0;
    const read = (slice: Slice) => this.#sliceThenEnd(context, slice, parent, cursor);
    const items =
      this.slicesAtOnce > 1 && slices.length > 1
        ? inOrder(withPaths, this.slicesAtOnce, SLICE_PAGES_HELD, read)
        : oneAfterAnother(withPaths, read);
    for await (const item of items) {
      if (item !== SLICE_END) {
        if (within !== undefined) context.progress.report(within(index, recordsIn(item).at(-1)));
        yield item;
        continue;
      }
      const slice = slices[index] as Slice;
      index += 1;
      if (within !== undefined) context.progress.report(within(index, undefined));
      if (moving === 0 || slice.done !== undefined) {
        unitsDone += 1;
        onSliceRead?.(unitsDone, units);
      }
      if (slice.done !== undefined) {
        slice.done();
        yield CHECKPOINT;
      }
    }
  }

  async *#sliceThenEnd(
    context: StreamContext,
    slice: Slice,
    parent: JsonObject | undefined,
    cursor: C,
  ): AsyncGenerator<RecordItem | typeof SLICE_END> {
    yield* this.readSlice(context, slice, parent, cursor);
    yield SLICE_END;
  }

  /** Set where each record emitted needs one more request to be complete (see RecordLookup). */
  readonly lookup: RecordLookup | undefined = undefined;

  /**
   * The read in a sync: the records to emit, and the cursor's state at each CHECKPOINT and at the end.
   * `observe` sees every record read, emitted or not (children need every parent), in the order read.
   */
  async *read(
    context: StreamContext,
    run: CursorInput,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<RecordItem | StreamState> {
    const future: string[] = [];
    const cursor = this.createCursor(context, {
      ...run,
      onFuturePosition: (field, value) => future.push(`"${field}" is ${JSON.stringify(value)}`),
    });
    for (const warning of savedStateWarnings(this, run, future, context.now))
      await context.log('WARN', `${this.name}: ${warning}`);
    const checkpoint = () =>
      new StreamState(withSyncTime(this.retentionSeconds, run, cursor.checkpoint(), false), false);
    if (this.lookup === undefined) {
      yield* this.#emitted(context, cursor, checkpoint, observe);
    } else {
      const asking = {
        ask: (path: string, params: Params | undefined) => context.client.get(path, params),
        warn: (message: string) => context.log('WARN', `${this.name}: ${message}`),
        atOnce: context.partitionConcurrency * LOOKUPS_AHEAD,
      };
      for await (const item of lookedUp(
        this.#everyRecord(context, cursor, checkpoint),
        this.lookup,
        asking,
      )) {
        if (item instanceof StreamState) {
          yield item;
          continue;
        }
        observe?.(item.record);
        if (item.emitted) yield item.record;
      }
    }
    const final = withSyncTime(this.retentionSeconds, run, cursor.final(), true);
    for (const notice of cursor.notices()) await context.log('WARN', `${this.name}: ${notice}`);
    yield new StreamState(final, true);
  }

  /** The records the stream emits, whole pages at a time, and its states where it checkpoints. */
  async *#emitted(
    context: StreamContext,
    cursor: C,
    checkpoint: () => StreamState,
    observe: ((record: JsonObject) => void) | undefined,
  ): AsyncGenerator<RecordItem | StreamState> {
    for await (const item of this.readRecords(context, cursor)) {
      if (item === CHECKPOINT) {
        yield checkpoint();
        continue;
      }
      if (!(item instanceof RecordBatch)) {
        observe?.(item);
        if (this.keeps(item, context) && cursor.accept(item)) yield item;
        continue;
      }
      const kept = item.filter((record) => {
        observe?.(record);
        return this.keeps(record, context) && cursor.accept(record);
      });
      if (kept.records.length > 0) yield kept;
    }
  }

  /**
   * Every record read, marked emitted or not, and the states where the stream checkpoints, taken in place:
   * what the lookups read ahead has not moved them.
   */
  async *#everyRecord(
    context: StreamContext,
    cursor: C,
    checkpoint: () => StreamState,
  ): AsyncGenerator<ReadRecord | StreamState> {
    for await (const item of this.readRecords(context, cursor)) {
      if (item === CHECKPOINT) yield checkpoint();
      else
        for (const record of recordsIn(item))
          yield { record, emitted: this.keeps(record, context) && cursor.accept(record) };
    }
  }
}

async function* oneAfterAnother<T, R>(
  items: readonly T[],
  read: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  for (const item of items) yield* read(item);
}
