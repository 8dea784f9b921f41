import { CompletedPartitionsCursor, type CursorInput } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import { ChildStream, type Slice, type Stream, type StreamContext } from './base.js';

/**
 * One record per member of each segment. A long full refresh checkpoints the segments it has finished, so a
 * retried attempt resumes with the others; the completed stream resets that progress.
 */
export class SegmentMembershipStream extends ChildStream {
  readonly name = 'segment_membership';
  readonly path = '/v1/segments/{id}/membership';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['segment_id'], ['cio_id']];
  override readonly resumableFullRefresh = true;
  readonly parent: Stream;
  readonly parentFields = { segment_id: 'id' };

  constructor(parent: Stream) {
    super();
    this.parent = parent;
  }
  // The documented maximum: most segments come back in one request.
  override readonly pageSize = 30_000;
  override readonly prefetch = true;

  override createCursor(_context: StreamContext, run: CursorInput): CompletedPartitionsCursor {
    return new CompletedPartitionsCursor('completed_segments', run);
  }

  override slices(_context: StreamContext, segment: JsonObject, cursor: CompletedPartitionsCursor): Slice[] {
    const id = segment.id as number;
    if (cursor.isComplete(id)) return [];
    return [{ done: () => cursor.complete(id) }];
  }

  override transform(item: unknown): JsonObject {
    const person = item as JsonObject;
    return { cio_id: person.cio_id, id: person.id ?? null, email: person.email ?? null };
  }
}
