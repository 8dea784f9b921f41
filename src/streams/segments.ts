import type { JsonObject } from '@cio-connectors/kit/json';
import type { CursorInput } from '../cursors.js';
import { NotFoundError, UnexpectedResponseError } from '../errors.js';
import type { StreamContext } from './base.js';
import { recordsIn, StreamState } from './items.js';
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
    // Every segment listed, in order; those emitted are observed with their count as they are yielded.
    let listed: JsonObject[] = [];
    let next = 0;
    const observeUntil = (emitted: JsonObject | undefined) => {
      // Not `observe?.(listed[next++])`: optional chaining would skip the increment when nothing observes.
      for (; next < listed.length && listed[next] !== emitted; next += 1)
        observe?.(listed[next] as JsonObject);
      if (next < listed.length) next += 1;
      if (next === listed.length) {
        listed = [];
        next = 0;
      }
    };
    for await (const item of super.read(context, run, (record) => listed.push(record))) {
      if (item instanceof StreamState) {
        observeUntil(undefined);
        yield item;
        continue;
      }
      for (const segment of recordsIn(item)) {
        observeUntil(segment);
        const counted = { ...segment, customer_count: await customerCount(context, segment.id) };
        observe?.(counted);
        yield counted;
      }
    }
    observeUntil(undefined);
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
async function customerCount(context: StreamContext, id: unknown): Promise<number | null> {
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
