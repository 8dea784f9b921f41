import { UnexpectedResponseError } from '../errors.js';
import type { RecordLookup } from './lookups.js';

/**
 * Each segment emitted gets its size from GET /v1/segments/{id}/customer_count (none is asked when segments are
 * read only as the parent of other streams); null for a segment deleted since the list was read (404).
 */
export const segmentSize: RecordLookup = {
  path: (segment) => `/v1/segments/${encodeURIComponent(String(segment.id))}/customer_count`,
  complete: (segment, answer, path) => {
    if (typeof answer.count !== 'number') {
      throw new UnexpectedResponseError(
        `Customer.io answered ${path} with 200 but no "count" number; stopping rather than emitting a wrong segment size.`,
      );
    }
    return { ...segment, customer_count: answer.count };
  },
  whenGone: (segment) => ({ ...segment, customer_count: null }),
};
