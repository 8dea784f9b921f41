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
  /**
   * `observe` (what children read as partitions) sees each emitted segment with its count, so that
   * segment_membership read in the same sync knows how many members to expect; a segment not emitted (older than
   * the cursor) is observed as listed, without one.
   */
  override async *read(
    context: StreamContext,
    run: CursorInput,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<JsonObject | StreamState> {
    let listed: JsonObject | undefined;
    const flush = () => {
      if (listed !== undefined) observe?.(listed);
      listed = undefined;
    };
    const observeListed = (record: JsonObject) => {
      flush();
      listed = record;
    };
    for await (const item of super.read(context, run, observeListed)) {
      if (item instanceof StreamState) {
        flush();
        yield item;
        continue;
      }
      const counted = { ...item, customer_count: await customerCount(context, item.id) };
      listed = undefined;
      observe?.(counted);
      yield counted;
    }
    flush();
  }
}

/** The members segments' counts promise, when every one of them was counted in this sync; undefined otherwise. */
export function countedMembers(segments: readonly JsonObject[]): number | undefined {
  let total = 0;
  for (const segment of segments) {
    if (typeof segment.customer_count !== 'number') return undefined;
    total += segment.customer_count;
  }
  return total;
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
