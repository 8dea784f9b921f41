import type { JsonObject } from '../protocol.js';
import { ChildStream } from './base.js';
import { SegmentsStream } from './segments.js';

export class SegmentMembershipStream extends ChildStream {
  readonly name = 'segment_membership';
  readonly path = '/v1/segments/{id}/membership';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['segment_id'], ['cio_id']];
  readonly parent = new SegmentsStream();
  readonly parentFields = { segment_id: 'id' };
  // The documented maximum: most segments come back in one request.
  override readonly pageSize = 30_000;

  override transform(item: unknown): JsonObject {
    const person = item as JsonObject;
    return { cio_id: person.cio_id, id: person.id ?? null, email: person.email ?? null };
  }
}
