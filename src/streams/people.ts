import { EVERYONE_FILTER } from '../config.js';
import { FullRefreshCursor } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import { type Probe, Stream, type StreamContext } from './base.js';

/**
 * The people matching `customers_filter` (everyone by default), as identifiers: the parent of customers and
 * every per-person stream. Internal: not in the catalog. Reads `identifiers`, not `ids`, which has "" for
 * people without an id.
 */
export class PeopleStream extends Stream {
  readonly name = 'people';
  readonly path = '/v1/customers';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['cio_id']];
  override readonly method = 'POST';
  override readonly pageSize = 1000;
  override readonly prefetch = true;
  override readonly partitionFields = ['cio_id'];

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  /** One person of everyone: whether the key may search people at all, whatever `customers_filter` says. */
  override get probe(): Probe {
    return { path: this.path, method: 'POST', params: { limit: 1 }, body: { filter: EVERYONE_FILTER } };
  }

  override slices(context: StreamContext): Array<{ body: JsonObject }> {
    return [{ body: { filter: context.config.customersFilter } }];
  }
}

export const PEOPLE = new PeopleStream();
