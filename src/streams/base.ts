import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream, LogLevel, SyncMode } from '@cio-connectors/kit/protocol';
import { answerId } from '../answer-ids.js';
import type { ApiClient, Params } from '../api-client.js';
import { inOrder, mergeConcurrent } from '../concurrency.js';
import type { SourceConfig } from '../config.js';
import {
  ClientSideCursor,
  type Cursor,
  type CursorInput,
  cursorSeconds,
  FullRefreshCursor,
} from '../cursors.js';
import { ChildEndpointNotFoundError, NotFoundError } from '../errors.js';
import type { PageRequest } from '../pagination.js';
import type { ProgressSink } from '../progress.js';
import type { RunMemo } from '../run-memo.js';
import { loadSchema } from '../schemas.js';
import type { RunTuning } from '../tuning.js';

/** One request sequence of a stream (a time window, a type filter...): what it adds to the stream's request. */
export interface Slice {
  path?: string;
  params?: Params;
  body?: JsonObject;
  /** Added to every record of the slice, e.g. the suppression type a path stands for. */
  fields?: JsonObject;
  /** Which records of the slice's answer are its own (a filter the API cannot apply); all by default. */
  keeps?: (record: JsonObject) => boolean;
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

/** Yielded between records where the stream's current state may be emitted: every record before it is out. */
export const CHECKPOINT = Symbol('checkpoint');
/** Ends a slice's items in `readSlices`. */
const SLICE_END = Symbol('slice end');
/** Pages a slice read ahead of its turn may hold before its read waits (see `Stream.slicesAtOnce`). */
const SLICE_PAGES_HELD = 1;

/**
 * A page's records, passed on whole: each layer between the API's pages and the read loop is an async generator,
 * and one record per step cost every layer a promise per record (about a fifth of a long read's CPU). Where the
 * page kept its records' texts (`recordsAsSent`), they ride along by position to the emitter; a step that returns
 * a record changed or copied drops its text.
 */
export class RecordBatch {
  readonly records: readonly JsonObject[];
  readonly texts: ReadonlyArray<string | undefined> | undefined;

  constructor(records: readonly JsonObject[], texts?: ReadonlyArray<string | undefined>) {
    this.records = records;
    this.texts = texts;
  }

  /** The page's records passed through `step`; each keeps its text only where `step` returned it as it was. */
  static ofPage(
    page: { records: readonly JsonObject[]; texts?: ReadonlyArray<string | undefined> | undefined },
    step: (record: JsonObject) => JsonObject,
  ): RecordBatch {
    const records = page.records.map(step);
    return new RecordBatch(records, sameTexts(page.records, records, page.texts));
  }

  map(step: (record: JsonObject) => JsonObject): RecordBatch {
    return RecordBatch.ofPage(this, step);
  }

  filter(keep: (record: JsonObject) => boolean): RecordBatch {
    const texts = this.texts;
    if (texts === undefined) return new RecordBatch(this.records.filter(keep));
    const records: JsonObject[] = [];
    const kept: Array<string | undefined> = [];
    this.records.forEach((record, index) => {
      if (!keep(record)) return;
      records.push(record);
      kept.push(texts[index]);
    });
    return new RecordBatch(records, kept);
  }
}

/** The texts of the records `after` holds unchanged from `before` (by position); none when nothing was kept. */
function sameTexts(
  before: readonly JsonObject[],
  after: readonly JsonObject[],
  texts: ReadonlyArray<string | undefined> | undefined,
): ReadonlyArray<string | undefined> | undefined {
  if (texts === undefined) return undefined;
  return after.map((record, index) => (record === before[index] ? texts[index] : undefined));
}

export type RecordItem = JsonObject | RecordBatch;
export type StreamItem = RecordItem | typeof CHECKPOINT;

/** The records an item holds: a batch's, or the one record. */
export function recordsIn(item: RecordItem): readonly JsonObject[] {
  return item instanceof RecordBatch ? item.records : [item];
}

/** One record at a time, checkpoints left out: for readers off the hot path (a stream's parents, a helper read). */
export async function* eachRecord(items: AsyncIterable<StreamItem>): AsyncGenerator<JsonObject> {
  for await (const item of items) if (item !== CHECKPOINT) yield* recordsIn(item);
}

/**
 * The state a read reached, yielded by `Stream.read` where it may be emitted (every record before it is out);
 * the last one, `final`, once every record has been emitted.
 */
export class StreamState {
  readonly state: JsonObject;
  readonly final: boolean;

  constructor(state: JsonObject, final: boolean) {
    this.state = state;
    this.final = final;
  }
}

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

  asAirbyteStream(): AirbyteStream {
    const incremental =
      this.cursorField === undefined
        ? {}
        : { source_defined_cursor: true, default_cursor_field: [this.cursorField] };
    return {
      name: this.name,
      json_schema: this.jsonSchema,
      supported_sync_modes: this.supportedSyncModes,
      source_defined_primary_key: this.primaryKey,
      ...incremental,
      ...(this.cursorField !== undefined || this.resumableFullRefresh ? { is_resumable: true } : {}),
    };
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

  /** Turns one item of the API's list into the record emitted. */
  transform(item: unknown, _context: StreamContext): JsonObject {
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
      yield new RecordBatch(this.extract({ path, body, today: serverTime ?? context.now }, slice, parent));
      return;
    }
    const { fields, keeps } = slice;
    for await (const page of context.client.pages(this.pageRequest(context, slice))) {
      if (page.records.length > 0) {
        const batch = RecordBatch.ofPage(page, (item) => {
          const record = this.transform(item, context);
          return fields === undefined ? record : { ...record, ...fields };
        });
        yield keeps === undefined ? batch : batch.filter(keeps);
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

  /** What a stream's slices are, in progress lines ("3 of 12 windows done"). */
  readonly sliceUnit: string = 'slices';

  /**
   * Every record of the stream, with CHECKPOINTs after slices that move the cursor; a stream of several slices
   * reports how many are done.
   */
  async *readRecords(context: StreamContext, cursor: C): AsyncGenerator<StreamItem> {
    yield* this.readSlices(context, undefined, cursor, undefined, (done, total) => {
      if (total > 1) context.progress.report({ done, total, unit: this.sliceUnit });
    });
  }

  /**
   * How many of the stream's slices are read at once (of one parent, for child streams). Slices do not depend on
   * each other, so while one waits on its chain of pages the next ones' use the budget; their records still come
   * out in slice order (a later slice's pages are held, SLICE_PAGES_HELD at most), so each slice's `done` moves
   * the cursor only past slices whose every record is out.
   */
  readonly slicesAtOnce: number = 4;

  /** The slices of the stream (or of one parent), each followed by a CHECKPOINT where it moves the cursor. */
  protected async *readSlices(
    context: StreamContext,
    parent: JsonObject | undefined,
    cursor: C,
    path?: string,
    onSliceRead?: (done: number, total: number) => void,
  ): AsyncGenerator<StreamItem> {
    const slices = await this.slices(context, parent, cursor);
    const withPaths = slices.map((slice) =>
      path === undefined || slice.path !== undefined ? slice : { ...slice, path },
    );
    let index = 0;
    const read = (slice: Slice) => this.#sliceThenEnd(context, slice, parent, cursor);
    const items =
      this.slicesAtOnce > 1 && slices.length > 1
        ? inOrder(withPaths, this.slicesAtOnce, SLICE_PAGES_HELD, read)
        : oneAfterAnother(withPaths, read);
    for await (const item of items) {
      if (item !== SLICE_END) {
        yield item;
        continue;
      }
      const slice = slices[index] as Slice;
      index += 1;
      onSliceRead?.(index, slices.length);
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

  /**
   * The read in a sync: the records to emit, and the cursor's state at each CHECKPOINT and at the end.
   * `observe` sees every record read, emitted or not (children need every parent).
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
    if (future.length > 0) {
      const start = new Date(run.syncStart * 1000).toISOString();
      await context.log(
        'WARN',
        `${this.name}: the saved state's ${namedFew(future)}, later than this sync's start (${start}): no sync can have reached it, so it is ignored and the stream reads from the sync's start minus its lookback (a full refresh reads everything). Reset this stream's state to read its history again.`,
      );
    }
    await this.#warnBeyondRetention(context, run);
    for await (const item of this.readRecords(context, cursor)) {
      if (item === CHECKPOINT) {
        yield new StreamState(this.#withSyncTime(run, cursor.checkpoint(), false), false);
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
    const final = this.#withSyncTime(run, cursor.final(), true);
    for (const notice of cursor.notices()) await context.log('WARN', `${this.name}: ${notice}`);
    yield new StreamState(final, true);
  }

  /**
   * Streams whose history Customer.io forgets keep, beside the cursor, when the last sync that read them to the
   * end started (`synced_at`): the cursor is the newest record's time, which says nothing about how long ago
   * the sync ran. Checkpoints carry the previous value forward; the end of a read sets this sync's start.
   */
  #withSyncTime(run: CursorInput, state: JsonObject, finished: boolean): JsonObject {
    if (this.retentionSeconds === undefined || run.syncMode !== 'incremental') return state;
    const syncedAt = finished ? run.syncStart : cursorSeconds(run.saved?.[SYNCED_AT]);
    return syncedAt === undefined ? state : { ...state, [SYNCED_AT]: syncedAt };
  }

  async #warnBeyondRetention(context: StreamContext, run: CursorInput): Promise<void> {
    if (
      run.syncMode !== 'incremental' ||
      this.retentionSeconds === undefined ||
      this.cursorField === undefined
    )
      return;
    const oldest = context.now - this.retentionSeconds;
    const days = Math.round(this.retentionSeconds / 86_400);
    const syncedAt = cursorSeconds(run.saved?.[SYNCED_AT]);
    if (syncedAt !== undefined) {
      if (syncedAt >= oldest) return;
      await context.log(
        'WARN',
        `${this.name}: the last sync ran more than ${days} days ago (${isoDate(syncedAt)}) and Customer.io keeps about ${days} days of this history, so some may be lost. Sync more often.`,
      );
      return;
    }
    // A state saved before `synced_at` existed: only the newest record's time is known.
    const newest = cursorSeconds(run.saved?.[this.cursorField]);
    if (newest === undefined || newest >= oldest) return;
    await context.log(
      'WARN',
      `${this.name}: the newest record in the saved state is more than ${days} days old (${isoDate(newest)}) and the state does not say when the last sync ran; if that was more than ${days} days ago, some of this history may be lost (Customer.io keeps about ${days} days).`,
    );
  }
}

/** The first three of a list, then how many more. */
function namedFew(items: readonly string[]): string {
  const more = items.length - 3;
  return more > 0 ? `${items.slice(0, 3).join(', ')} and ${more} more` : items.join(', ');
}

/** State key of streams with a retention: the start (epoch seconds) of the last sync that read them to the end. */
export const SYNCED_AT = 'synced_at';

function isoDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

async function* oneAfterAnother<T, R>(
  items: readonly T[],
  read: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  for (const item of items) yield* read(item);
}

/** A parent answering 404 is taken for one deleted during the sync only while most parents answer. */
const MAX_MISSING_PARENT_SHARE = 0.5;
/** Warnings for single missing parents stop here; the total comes at the end. */
const MISSING_PARENT_WARNINGS = 5;

/**
 * A stream read once per record of a parent stream, several parents at once. `path` holds `{field}`
 * placeholders filled from the parent record; `parentFields` (child field → parent field) are added to
 * each record that lacks them. A parent deleted during the sync (404) is skipped with a warning, but when
 * most parents answer 404 the endpoint itself is wrong or unavailable, and the stream fails.
 */
export abstract class ChildStream<C extends Cursor = Cursor> extends Stream<C> {
  abstract readonly parent: Stream;
  /**
   * Several parents are read at once already (partitionConcurrency), which keeps the budget busy: a parent's
   * slices are read one after another, so what a child stream holds stays a page or two per parent.
   */
  override readonly slicesAtOnce: number = 1;
  abstract readonly parentFields: Readonly<Record<string, string>>;

  override get probe(): Probe | undefined {
    return this.parent.probe;
  }

  pathFor(parent: JsonObject): string {
    return this.path.replace(/\{(\w+)\}/g, (_match, field: string) =>
      encodeURIComponent(answerId(parent[field], field, `a ${this.parent.name} record`)),
    );
  }

  /** The parents to read; the parent stream's records by default. */
  partitionSource(context: StreamContext, _cursor: C): AsyncIterable<JsonObject> {
    return context.partitions(this.parent);
  }

  /** How many parents this read goes through, where known before they are all read (progress estimates). */
  partitionTotal(context: StreamContext, _cursor: C): number | undefined {
    return context.partitionCount?.(this.parent);
  }

  override async *readRecords(context: StreamContext, cursor: C): AsyncGenerator<StreamItem> {
    const tally = { parents: 0, missing: 0, done: 0, idle: 0 };
    yield* mergeConcurrent(this.partitionSource(context, cursor), context.partitionConcurrency, (parent) =>
      this.#readPartition(context, parent, cursor, tally),
    );
    if (tally.missing > 0 && tally.missing > tally.parents * MAX_MISSING_PARENT_SHARE) {
      // No stream prefix here: the read loop adds it to every error of a stream.
      throw new ChildEndpointNotFoundError(
        `Customer.io answered 404 for ${tally.missing} of ${tally.parents} ${this.parent.name} at ${this.path}: the endpoint is wrong or unavailable for this workspace, not a few deletions. No records of this stream were lost silently; retry later or report it.`,
      );
    }
    if (tally.missing > MISSING_PARENT_WARNINGS) {
      await context.log(
        'WARN',
        `${this.name}: ${tally.missing} of ${tally.parents} ${this.parent.name} no longer existed (404) and were skipped.`,
      );
    }
  }

  async *#readPartition(
    context: StreamContext,
    parent: JsonObject,
    cursor: C,
    tally: { parents: number; missing: number; done: number; idle: number },
  ): AsyncGenerator<StreamItem> {
    tally.parents += 1;
    let sliced = false;
    const onSliceRead = () => {
      sliced = true;
    };
    try {
      for await (const item of this.readSlices(context, parent, cursor, this.pathFor(parent), onSliceRead)) {
        if (item === CHECKPOINT) yield item;
        else if (item instanceof RecordBatch) yield item.map((record) => this.withParent(record, parent));
        else yield this.withParent(item, parent);
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      tally.missing += 1;
      if (tally.missing <= MISSING_PARENT_WARNINGS) {
        await context.log(
          'WARN',
          `${this.name}: ${this.parent.name} ${this.pathFor(parent)} answered 404, taken for deleted during the sync; skipped.`,
        );
      }
    }
    // Progress counts the parents read in this attempt: one with nothing to read (finished by an earlier attempt,
    // or gone) would pass for one that had no records.
    if (sliced) tally.done += 1;
    else tally.idle += 1;
    const total = this.partitionTotal(context, cursor);
    context.progress.report({
      done: tally.done,
      total: total === undefined ? undefined : total - tally.idle,
      unit: this.parent.name,
    });
    if (this.partitionEnded(parent, cursor)) yield CHECKPOINT;
  }

  /** Called when a parent is done (read, or gone); returns whether that moved the cursor (a checkpoint follows). */
  partitionEnded(_parent: JsonObject, _cursor: C): boolean {
    return false;
  }

  withParent(record: JsonObject, parent: JsonObject): JsonObject {
    let result = record;
    for (const [field, parentField] of Object.entries(this.parentFields)) {
      if (result[field] == null) result = { ...result, [field]: parent[parentField] };
    }
    return result;
  }
}

/**
 * How child streams address one record of a stream: `path` with `{field}` placeholders filled from the
 * record, and `fields` (child field → field of the record) copied into each child record.
 */
export interface ItemAddress {
  path: string;
  fields: Readonly<Record<string, string>>;
}

/** A stream families hang children on: one whose table entry says how its records are addressed. */
export interface Addressable extends Stream {
  readonly item: ItemAddress;
}

/** What a family's table entry makes of a child stream's identity. */
export interface ChildEntry {
  name: string;
  path: string;
  primaryKey: string[][];
  parent: Stream;
  parentFields: Readonly<Record<string, string>>;
}

/**
 * A child of `parent` at `{parent item path}/{resource}`, keyed by the parent's fields then `bucket`: how every
 * family derives its children from the parent's item address.
 */
export function childOf(parent: Addressable, name: string, resource: string, bucket: string[][]): ChildEntry {
  return {
    name,
    parent,
    path: `${parent.item.path}/${resource}`,
    parentFields: parent.item.fields,
    primaryKey: [...Object.keys(parent.item.fields).map((field) => [field]), ...bucket],
  };
}

/** A child stream built from its table entry by a family (metrics, link metrics, deliveries...). */
export abstract class FamilyChildStream<C extends Cursor = Cursor> extends ChildStream<C> {
  readonly name: string;
  readonly path: string;
  readonly primaryKey: string[][];
  readonly parent: Stream;
  readonly parentFields: Readonly<Record<string, string>>;

  constructor(entry: ChildEntry) {
    super();
    this.name = entry.name;
    this.path = entry.path;
    this.primaryKey = entry.primaryKey;
    this.parent = entry.parent;
    this.parentFields = entry.parentFields;
  }
}

/** Client-side cursors re-read this many seconds before the cursor, for writes that landed late. */
const RECORD_CURSOR_LOOKBACK_SECONDS = 3600;

/**
 * The cursor of a list the API cannot filter: client-side on `cursorField` in incremental syncs (every record
 * read, the cursor moving at the end), none in a full refresh.
 */
export function recordCursor(
  stream: Pick<Stream, 'cursorField'>,
  context: StreamContext,
  run: CursorInput,
): ClientSideCursor | FullRefreshCursor {
  if (run.syncMode !== 'incremental' || stream.cursorField === undefined) return new FullRefreshCursor();
  return new ClientSideCursor(stream.cursorField, run, {
    lookbackSeconds: RECORD_CURSOR_LOOKBACK_SECONDS,
    startDate: context.config.startDate,
  });
}
