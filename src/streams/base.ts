import { mergeConcurrent } from '../concurrency.js';
import type { SourceConfig } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { ApiClient, PageRequest } from '../http-client.js';
import type { AirbyteStream, JsonObject, LogLevel, SyncMode } from '../protocol.js';
import { loadSchema } from '../schemas.js';

export type Params = Record<string, string | number | boolean>;

/** One request sequence of a stream (a time window, a type filter...): what it adds to the stream's request. */
export interface Slice {
  path?: string;
  params?: Params;
  body?: JsonObject;
  /** Added to every record of the slice, e.g. the suppression type a path stands for. */
  fields?: JsonObject;
  /** Run once every record of the slice has been emitted, to move the stream's state; a checkpoint follows. */
  done?: () => void;
}

/** Yielded between records where the stream's current state may be emitted: every record before it is out. */
export const CHECKPOINT = Symbol('checkpoint');
export type StreamItem = JsonObject | typeof CHECKPOINT;

/** State a full-refresh stream ends with: it has no cursor, the next sync reads everything again. */
export const FULL_REFRESH_COMPLETE_STATE: JsonObject = { __ab_no_cursor_state_message: true };

/** One stream's read in one sync: its mode, the state passed in, and the state it has reached. */
export interface StreamRun {
  readonly syncMode: SyncMode;
  readonly input: JsonObject | undefined;
  /** Emitted by the read loop at each CHECKPOINT and at the end. */
  state: JsonObject;
  /** Cursors of child streams that keep one per parent, by parent id. */
  readonly parentCursors: Record<string, number>;
}

export function newRun(syncMode: SyncMode, input?: JsonObject): StreamRun {
  return { syncMode, input, state: {}, parentCursors: {} };
}

/** The later of two optional bounds. */
export function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

/** A cursor value as epoch seconds: numbers as they are, RFC 3339 strings parsed (as hand-made states use). */
export function cursorSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
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
}

/**
 * One Customer.io collection. Subclasses declare what differs (name, path, envelope key, keys, page size,
 * slices, a record transform); paging, retries and rate limiting live in the client, state and statuses in
 * the read loop.
 */
export abstract class Stream {
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
  /** Client-side cursors re-read this many seconds before the cursor, for writes that landed late. */
  readonly cursorLookbackSeconds: number = 3600;
  readonly method: 'GET' | 'POST' = 'GET';
  /** Sent as `limit` on each page where the endpoint pages. */
  readonly pageSize: number | undefined = undefined;
  readonly pagination: 'cursor' | 'offset' = 'cursor';
  /** Long paged reads request the next page while the current one is emitted. */
  readonly prefetch: boolean = false;
  /** The fields a child stream needs from this stream's records when it reads them as partitions. */
  readonly partitionFields: readonly string[] = ['id'];

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

  /** Query parameters sent with every request of the stream. */
  params(_context: StreamContext): Params {
    return {};
  }

  /** The request sequences to read; one by default. */
  slices(_context: StreamContext, _parent?: JsonObject, _run?: StreamRun): Slice[] | Promise<Slice[]> {
    return [{}];
  }

  /** Turns one item of the API's list into the record emitted. */
  transform(item: unknown, _context: StreamContext): JsonObject {
    return item as JsonObject;
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
      ...(body === undefined ? {} : { body }),
      ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }),
    };
  }

  async *readSlice(
    context: StreamContext,
    slice: Slice,
    _parent?: JsonObject,
    run?: StreamRun,
  ): AsyncGenerator<JsonObject> {
    const stopBefore = this.newestFirst ? this.cursorSince(context, run) : undefined;
    for await (const page of context.client.pages(this.pageRequest(context, slice))) {
      for (const item of page.records) {
        const record = this.transform(item, context);
        yield slice.fields === undefined ? record : { ...record, ...slice.fields };
      }
      if (this.newestFirst && this.#isLastPage(page.records, stopBefore)) return;
    }
  }

  /** Newest-first pages end at an empty page (even one that still carries a token) or one older than the cursor. */
  #isLastPage(records: JsonObject[], stopBefore: number | undefined): boolean {
    if (records.length === 0) return true;
    if (stopBefore === undefined || this.cursorField === undefined) return false;
    const field = this.cursorField;
    return records.every((record) => (cursorSeconds(record[field]) ?? 0) < stopBefore);
  }

  /** In incremental syncs, the oldest cursor value still emitted: the cursor minus the lookback, or start_date. */
  cursorSince(context: StreamContext, run: StreamRun | undefined): number | undefined {
    if (run?.syncMode !== 'incremental' || this.cursorField === undefined) return undefined;
    const previous = cursorSeconds(run.input?.[this.cursorField]);
    return laterOf(
      previous === undefined ? undefined : previous - this.cursorLookbackSeconds,
      context.config.startDate,
    );
  }

  /** Every record of the stream, with CHECKPOINTs after slices that move the state. */
  async *readRecords(context: StreamContext, run?: StreamRun): AsyncGenerator<StreamItem> {
    for (const slice of await this.slices(context, undefined, run)) {
      yield* this.readSlice(context, slice, undefined, run);
      if (slice.done !== undefined) {
        slice.done();
        yield CHECKPOINT;
      }
    }
  }

  /**
   * The read in a sync: records, CHECKPOINTs, and `run.state` at the end. Full refresh reads everything.
   * Incremental with a client-side cursor still reads the whole list (the API cannot filter) and emits the
   * records at or after the cursor minus the lookback; the cursor moves to the newest value seen, at the end
   * only, since lists come unsorted. `observe` sees every record read, emitted or not.
   */
  async *read(
    context: StreamContext,
    run: StreamRun,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<StreamItem> {
    const field = this.cursorField;
    const previous = field === undefined ? undefined : cursorSeconds(run.input?.[field]);
    const since = this.cursorSince(context, run);
    if (
      run.syncMode === 'incremental' &&
      this.retentionSeconds !== undefined &&
      previous !== undefined &&
      previous < context.now - this.retentionSeconds
    ) {
      const days = Math.round(this.retentionSeconds / 86_400);
      await context.log(
        'WARN',
        `${this.name}: the last sync is more than ${days} days old and Customer.io keeps about ${days} days of this history, so some may be lost. Sync more often.`,
      );
    }
    let newest = previous;
    for await (const item of this.readRecords(context, run)) {
      if (item === CHECKPOINT || field === undefined || run.syncMode !== 'incremental') {
        if (item !== CHECKPOINT) observe?.(item);
        yield item;
        continue;
      }
      observe?.(item);
      const value = cursorSeconds(item[field]);
      if (since !== undefined && value !== undefined && value < since) continue;
      if (value !== undefined && (newest === undefined || value > newest)) newest = value;
      yield item;
    }
    if (run.syncMode !== 'incremental' || field === undefined) run.state = FULL_REFRESH_COMPLETE_STATE;
    else run.state = newest === undefined ? {} : { [field]: newest };
  }
}

/**
 * A stream read once per record of a parent stream, several parents at once. `path` holds `{field}`
 * placeholders filled from the parent record; `parentFields` (child field → parent field) are added to
 * each record that lacks them. A parent deleted during the sync (404) is skipped with a warning.
 */
export abstract class ChildStream extends Stream {
  abstract readonly parent: Stream;
  abstract readonly parentFields: Readonly<Record<string, string>>;

  pathFor(parent: JsonObject): string {
    return this.path.replace(/\{(\w+)\}/g, (_match, field: string) =>
      encodeURIComponent(String(parent[field])),
    );
  }

  override async *readRecords(context: StreamContext, run?: StreamRun): AsyncGenerator<StreamItem> {
    yield* mergeConcurrent(context.partitions(this.parent), context.partitionConcurrency, (parent) =>
      this.readPartition(context, parent, run),
    );
  }

  async *readPartition(
    context: StreamContext,
    parent: JsonObject,
    run?: StreamRun,
  ): AsyncGenerator<StreamItem> {
    try {
      for (const slice of await this.slices(context, parent, run)) {
        const withPath = { path: this.pathFor(parent), ...slice };
        for await (const record of this.readSlice(context, withPath, parent, run)) {
          yield this.withParent(record, parent);
        }
        if (slice.done !== undefined) {
          slice.done();
          yield CHECKPOINT;
        }
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await context.log(
        'WARN',
        `${this.name}: ${this.parent.name} ${this.pathFor(parent)} no longer exists (404), deleted during the sync; skipped.`,
      );
    }
  }

  withParent(record: JsonObject, parent: JsonObject): JsonObject {
    let result = record;
    for (const [field, parentField] of Object.entries(this.parentFields)) {
      if (result[field] == null) result = { ...result, [field]: parent[parentField] };
    }
    return result;
  }
}

/** Reads one object per request (no list, no paging): the stream turns the body into records. */
export async function* singleBody(
  context: StreamContext,
  path: string,
  params: Params,
  toRecords: (body: JsonObject) => Iterable<JsonObject>,
): AsyncGenerator<JsonObject> {
  yield* toRecords(await context.client.get(path, params));
}
