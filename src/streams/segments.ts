import type { CursorInput } from '../cursors.js';
import { NotFoundError, UnexpectedResponseError } from '../errors.js';
import type { JsonObject } from '../protocol.js';
import { type StreamContext, StreamState } from './base.js';
import { ListStream } from './lists.js';

/**
 * Segments, each emitted with its size from GET /v1/segments/{id}/customer_count (one request per segment
 * emitted; none when segments are read only as the parent of other streams).
 */
export class SegmentsStream extends ListStream {
  override async *read(
    context: StreamContext,
    run: CursorInput,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<JsonObject | StreamState> {
    for await (const item of super.read(context, run, observe)) {
      yield item instanceof StreamState
        ? item
        : { ...item, customer_count: await customerCount(context, item.id) };
    }
  }
}

/** The segment's size; null for a segment deleted since the list was read (404). */
export async function customerCount(context: StreamContext, id: unknown): Promise<number | null> {
  const path = `/v1/segments/${encodeURIComponent(String(id))}/customer_count`;
  let body: JsonObject;
  try {
    body = await context.client.request(path);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  if (typeof body.count !== 'number') {
    throw new UnexpectedResponseError(
      `Customer.io answered ${path} with 200 but no "count" number; stopping rather than emitting a wrong segment size.`,
    );
  }
  return body.count;
}
