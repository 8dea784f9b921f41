import type { JsonObject } from './protocol.js';
import { CHECKPOINT, type Stream, type StreamContext } from './streams/base.js';

function project(record: JsonObject, fields: readonly string[]): JsonObject {
  const projected: JsonObject = {};
  for (const field of fields) if (record[field] !== undefined) projected[field] = record[field];
  return projected;
}

/**
 * Parent records, read once per run and shared by every child stream (and by the parent's own read when it
 * is in the catalog). Only each parent's partitionFields are kept, so memory stays small.
 */
export class PartitionCache {
  readonly #complete = new Map<string, JsonObject[]>();

  /** The parent's records: from memory when already read in this run, otherwise read now and remembered. */
  async *partitions(stream: Stream, context: StreamContext): AsyncGenerator<JsonObject> {
    const cached = this.#complete.get(stream.name);
    if (cached !== undefined) {
      yield* cached;
      return;
    }
    const recorder = this.recorder(stream);
    for await (const item of stream.readRecords(context)) {
      if (item !== CHECKPOINT) yield recorder.add(item);
    }
    recorder.complete();
  }

  /** Lets the read loop remember a parent stream's records while it emits them. */
  recorder(stream: Stream): { add: (record: JsonObject) => JsonObject; complete: () => void } {
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
    };
  }

  has(stream: Stream): boolean {
    return this.#complete.has(stream.name);
  }
}
