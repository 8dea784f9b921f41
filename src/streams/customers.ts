import { chunks, mergeConcurrent } from '../concurrency.js';
import { extractRecords } from '../http-client.js';
import type { JsonObject } from '../protocol.js';
import { Stream, type StreamContext } from './base.js';
import { PEOPLE } from './people.js';

/** The attributes endpoint takes at most 100 ids per request. */
const ATTRIBUTE_BATCH = 100;

/** Everyone matching `customers_filter`: search for cio_ids, then fetch attributes 100 people at a time. */
export class CustomersStream extends Stream {
  readonly name = 'customers';
  readonly path = '/v1/customers/attributes';
  readonly envelopeKey = 'customers';
  readonly primaryKey = [['cio_id']];

  override async *readRecords(context: StreamContext): AsyncGenerator<JsonObject> {
    const batches = chunks(context.partitions(PEOPLE), ATTRIBUTE_BATCH);
    yield* mergeConcurrent(batches, context.partitionConcurrency, (people) =>
      this.#readBatch(context, people),
    );
  }

  async *#readBatch(context: StreamContext, people: JsonObject[]): AsyncGenerator<JsonObject> {
    const body = await context.client.request(this.path, {
      method: 'POST',
      params: { id_type: 'cio_id' },
      body: { ids: people.map((person) => person.cio_id) },
    });
    for (const item of extractRecords(body, this.envelopeKey, this.path)) yield this.transform(item, context);
  }

  override transform(item: unknown, context: StreamContext): JsonObject {
    // The spec wraps each person in {"customer": ...}; the live API does not.
    const person = ((item as JsonObject).customer ?? item) as JsonObject;
    const identifiers = (person.identifiers ?? {}) as JsonObject;
    const attributes = (person.attributes ?? {}) as JsonObject;
    return {
      cio_id: identifiers.cio_id ?? attributes.cio_id,
      id: identifiers.id ?? person.id ?? null,
      email: identifiers.email ?? attributes.email ?? null,
      identifiers: person.identifiers ?? null,
      attributes: keepAttributes(attributes, context.config.customerAttributes),
      timestamps: person.timestamps ?? null,
      unsubscribed: person.unsubscribed ?? null,
      devices: person.devices ?? [],
    };
  }
}

function keepAttributes(attributes: JsonObject, names: readonly string[]): JsonObject {
  if (names.length === 0) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.includes(name)));
}
