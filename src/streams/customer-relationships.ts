import type { JsonObject } from '../protocol.js';
import { PersonStream } from './person-stream.js';

export class CustomerRelationshipsStream extends PersonStream {
  readonly name = 'customer_relationships';
  readonly path = '/v1/customers/{cio_id}/relationships';
  readonly envelopeKey = 'cio_relationships';
  readonly primaryKey = [['cio_id'], ['object_type_id'], ['object_id']];
  override readonly pageSize = 100;

  override transform(item: unknown): JsonObject {
    const relationship = item as JsonObject;
    const identifiers = (relationship.identifiers ?? {}) as JsonObject;
    return {
      ...relationship,
      object_id: identifiers.object_id ?? null,
      cio_object_id: identifiers.cio_object_id ?? null,
    };
  }
}
