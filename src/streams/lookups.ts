import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import { inOrder } from '../concurrency.js';
import { NotFoundError } from '../errors.js';
import type { StreamState } from './items.js';

/**
 * One more request per record emitted (after the cursor's filter), whose answer completes the record: a segment's
 * size, an object's attributes. Several are asked at once; the records keep their order.
 */
export interface RecordLookup {
  path(record: JsonObject): string;
  params?: Params;
  /** The record emitted, from the answer. */
  complete(record: JsonObject, answer: JsonObject, path: string): JsonObject;
  /** The lookup answered 404 (deleted since it was listed): the record emitted, or a warning and no record. */
  whenGone(record: JsonObject, path: string): JsonObject | string;
}

/** A record read, and whether the stream emits it (children also see the others). */
export interface ReadRecord {
  record: JsonObject;
  emitted: boolean;
}

/** How lookups are asked: the request (GET, answer checked by the client), warnings, and how many at once. */
export interface LookupRun {
  ask(path: string, params: Params | undefined): Promise<JsonObject>;
  warn(message: string): Promise<void>;
  atOnce: number;
}

/** Lookups whose answers wait to be taken, per record asked ahead of the one emitted next. */
const ANSWERS_HELD = 1;

/**
 * The records read, each emitted one completed by its lookup, in the order read; states pass in place. A record
 * whose lookup finds it gone and skips it is neither emitted nor seen by children, as if it was never listed.
 */
export function lookedUp(
  items: AsyncIterable<ReadRecord | StreamState>,
  lookup: RecordLookup,
  run: LookupRun,
): AsyncGenerator<ReadRecord | StreamState> {
  return inOrder(items, run.atOnce, ANSWERS_HELD, (item) => lookUp(item, lookup, run));
}

async function* lookUp(
  item: ReadRecord | StreamState,
  lookup: RecordLookup,
  run: LookupRun,
): AsyncGenerator<ReadRecord | StreamState> {
  if (!('emitted' in item) || !item.emitted) {
    yield item;
    return;
  }
  const path = lookup.path(item.record);
  let answer: JsonObject;
  try {
    answer = await run.ask(path, lookup.params);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const gone = lookup.whenGone(item.record, path);
    if (typeof gone === 'string') await run.warn(gone);
    else yield { record: gone, emitted: true };
    return;
  }
  yield { record: lookup.complete(item.record, answer, path), emitted: true };
}
