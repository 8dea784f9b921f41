import { mergeConcurrent } from '../concurrency.js';
import type { SourceConfig } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { CustomerIoClient, PageRequest } from '../http-client.js';
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
}

export interface StreamContext {
  client: CustomerIoClient;
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
  readonly cursorField: string | undefined = undefined;
  readonly method: 'GET' | 'POST' = 'GET';
  /** Sent as `limit` on each page where the endpoint pages. */
  readonly pageSize: number | undefined = undefined;
  readonly pagination: 'cursor' | 'offset' = 'cursor';
  /** The fields a child stream needs from this stream's records when it reads them as partitions. */
  readonly partitionFields: readonly string[] = ['id'];

  get supportedSyncModes(): SyncMode[] {
    return ['full_refresh'];
  }

  get jsonSchema(): JsonObject {
    return loadSchema(this.name);
  }

  asAirbyteStream(): AirbyteStream {
    return {
      name: this.name,
      json_schema: this.jsonSchema,
      supported_sync_modes: this.supportedSyncModes,
      source_defined_primary_key: this.primaryKey,
      ...(this.cursorField === undefined ? {} : { default_cursor_field: [this.cursorField] }),
    };
  }

  /** Query parameters sent with every request of the stream. */
  params(_context: StreamContext): Params {
    return {};
  }

  /** The request sequences to read; one by default. */
  slices(_context: StreamContext, _parent?: JsonObject): Slice[] | Promise<Slice[]> {
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
      ...(body === undefined ? {} : { body }),
      ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }),
    };
  }

  async *readSlice(context: StreamContext, slice: Slice, _parent?: JsonObject): AsyncGenerator<JsonObject> {
    for await (const page of context.client.pages(this.pageRequest(context, slice))) {
      for (const item of page.records) {
        const record = this.transform(item, context);
        yield slice.fields === undefined ? record : { ...record, ...slice.fields };
      }
    }
  }

  async *readRecords(context: StreamContext): AsyncGenerator<JsonObject> {
    for (const slice of await this.slices(context)) yield* this.readSlice(context, slice);
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

  override async *readRecords(context: StreamContext): AsyncGenerator<JsonObject> {
    yield* mergeConcurrent(context.partitions(this.parent), context.partitionConcurrency, (parent) =>
      this.readPartition(context, parent),
    );
  }

  async *readPartition(context: StreamContext, parent: JsonObject): AsyncGenerator<JsonObject> {
    try {
      for (const slice of await this.slices(context, parent)) {
        for await (const record of this.readSlice(
          context,
          { path: this.pathFor(parent), ...slice },
          parent,
        )) {
          yield this.withParent(record, parent);
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
