import { mapConcurrent } from '../concurrency.js';
import type { SourceConfig } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { CustomerIoClient, PageRequest } from '../http-client.js';
import type { AirbyteStream, JsonObject, LogLevel, SyncMode } from '../protocol.js';
import { loadSchema } from '../schemas.js';

export interface StreamContext {
  client: CustomerIoClient;
  config: SourceConfig;
  log: (level: LogLevel, message: string) => Promise<void>;
  /** How many parents a child stream reads at once; the client's rate limiter still caps requests/second. */
  partitionConcurrency: number;
}

/**
 * One Customer.io collection. Subclasses declare what differs (name, path, envelope key, keys, page size);
 * paging, retries and rate limiting live in the client, state and statuses in the read loop.
 */
export abstract class Stream {
  abstract readonly name: string;
  abstract readonly path: string;
  abstract readonly envelopeKey: string;
  abstract readonly primaryKey: string[][];
  readonly cursorField: string | undefined = undefined;
  /** Sent as `limit` on each page where the endpoint pages by `start`/`limit`. */
  readonly pageSize: number | undefined = undefined;

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

  /** Extra query parameters sent with every page. */
  params(_context: StreamContext): Record<string, string | number | boolean> {
    return {};
  }

  pageRequest(context: StreamContext, path: string = this.path): PageRequest {
    return {
      path,
      envelopeKey: this.envelopeKey,
      params: this.params(context),
      ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }),
    };
  }

  async *readRecords(context: StreamContext): AsyncGenerator<JsonObject> {
    for await (const page of context.client.pages(this.pageRequest(context))) {
      yield* page.records;
    }
  }
}

/**
 * A stream read once per record of a parent stream. `path` holds a `{parent_id}` placeholder; the parent's
 * id is injected into each child record as `parentIdField` when the API leaves it out.
 */
export abstract class ChildStream extends Stream {
  abstract readonly parent: Stream;
  abstract readonly parentIdField: string;

  parentId(parent: JsonObject): string | number {
    return parent.id as string | number;
  }

  override async *readRecords(context: StreamContext): AsyncGenerator<JsonObject> {
    const partitions = mapConcurrent(
      this.parent.readRecords(context),
      context.partitionConcurrency,
      (parent) => this.readPartition(context, this.parentId(parent)),
    );
    for await (const records of partitions) yield* records;
  }

  async readPartition(context: StreamContext, parentId: string | number): Promise<JsonObject[]> {
    const path = this.path.replace('{parent_id}', encodeURIComponent(String(parentId)));
    const records: JsonObject[] = [];
    try {
      for await (const page of context.client.pages(this.pageRequest(context, path))) {
        for (const record of page.records) {
          records.push(
            record[this.parentIdField] == null ? { ...record, [this.parentIdField]: parentId } : record,
          );
        }
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await context.log(
        'WARN',
        `${this.name}: ${this.parent.name} ${parentId} was deleted during the sync; skipped.`,
      );
      return [];
    }
    return records;
  }
}
