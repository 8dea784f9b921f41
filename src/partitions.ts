import type { JsonObject } from '@cio-connectors/kit/json';
import {
  asConnectorError,
  type ConnectorError,
  ParentStreamFailedError,
  RequestCancelledError,
} from './errors.js';
import { fullRead, type Stream, type StreamContext } from './streams/base.js';
import { eachRecord } from './streams/items.js';

function project(record: JsonObject, fields: readonly string[]): JsonObject {
  const projected: JsonObject = {};
  for (const field of fields) if (record[field] !== undefined) projected[field] = record[field];
  return projected;
}

export interface PartitionRecorder {
  add: (record: JsonObject) => JsonObject;
  complete: () => void;
  fail: (error: unknown) => void;
}

/**
 * Parent records, read once per run and shared by every child stream (and by the parent's own read when it
 * is in the catalog). Only each parent's partitionFields are kept, so memory stays small. A parent whose read
 * failed is remembered: its children fail at once with its error instead of reading it again.
 */
export class PartitionCache {
  readonly #complete = new Map<string, JsonObject[]>();
  readonly #failed = new Map<string, ConnectorError>();

  /** The parent's records: from memory when already read in this run, otherwise read now and remembered. */
  async *partitions(stream: Stream, context: StreamContext): AsyncGenerator<JsonObject> {
    const failure = this.#failed.get(stream.name);
    if (failure !== undefined) throw new ParentStreamFailedError(stream.name, failure);
    const cached = this.#complete.get(stream.name);
    if (cached !== undefined) {
      yield* cached;
      return;
    }
    const recorder = this.recorder(stream);
    try {
      const cursor = stream.createCursor(context, fullRead(context.now));
      for await (const record of eachRecord(stream.readRecords(context, cursor))) yield recorder.add(record);
    } catch (error) {
      recorder.fail(error);
      throw error;
    }
    recorder.complete();
  }

  /** How many records the parent has, once this run has read them all; undefined before. */
  count(stream: Stream): number | undefined {
    return this.#complete.get(stream.name)?.length;
  }

  /** Lets the read loop remember a parent stream's records while it emits them. */
  recorder(stream: Stream): PartitionRecorder {
    const kept: JsonObject[] = [];
    return {
      add: (record) => {
        const projected = project(record, stream.partitionFields);
        kept.push(projected);
        return projected;
      },
      complete: () => {
        this.#complete.set(stream.name, kept);
      },
      fail: (error) => {
        // A read cancelled because the stream reading it ended says nothing about the parent.
        if (error instanceof RequestCancelledError) return;
        this.#failed.set(stream.name, asConnectorError(error));
      },
    };
  }
}
