import { chunks, mergeConcurrent } from '../concurrency.js';
import { UnexpectedResponseError } from '../errors.js';
import { extractRecords } from '../http-client.js';
import type { JsonObject } from '../protocol.js';
import {
  CHECKPOINT,
  FULL_REFRESH_COMPLETE_STATE,
  Stream,
  type StreamContext,
  type StreamItem,
  type StreamRun,
} from './base.js';
import { PEOPLE } from './people.js';

/** The attributes endpoint takes at most 100 ids per request. */
const ATTRIBUTE_BATCH = 100;

/** Everyone matching `customers_filter`: search for cio_ids, then fetch attributes 100 people at a time. */
export class CustomersStream extends Stream {
  readonly name = 'customers';
  readonly path = '/v1/customers/attributes';
  readonly envelopeKey = 'customers';
  readonly primaryKey = [['cio_id']];
  override readonly resumableFullRefresh = true;

  /**
   * Search pages are taken one at a time (their people hydrated several batches at once), so that after each
   * page the next page's token is a resume point: a long full refresh checkpoints it, and a retried attempt
   * resumes there. The completed stream resets it.
   */
  override async *read(context: StreamContext, run: StreamRun): AsyncGenerator<StreamItem> {
    const resumeFrom = (run.input?.resume as JsonObject | undefined)?.next;
    let resumed = false;
    try {
      for await (const item of this.#readFrom(
        context,
        run,
        typeof resumeFrom === 'string' ? resumeFrom : undefined,
      )) {
        resumed = true;
        yield item;
      }
    } catch (error) {
      // Only a refused saved token starts over; a failure later in the read is a failure.
      if (resumed || typeof resumeFrom !== 'string' || !(error instanceof UnexpectedResponseError))
        throw error;
      await context.log(
        'WARN',
        `customers: the saved search position was refused (${error.message}); starting over.`,
      );
      yield* this.#readFrom(context, run, undefined);
    }
    run.state = FULL_REFRESH_COMPLETE_STATE;
  }

  /** Every customer, for callers that want records only. */
  override async *readRecords(context: StreamContext): AsyncGenerator<StreamItem> {
    yield* this.#readFrom(context, undefined, undefined);
  }

  async *#readFrom(
    context: StreamContext,
    run: StreamRun | undefined,
    start: string | undefined,
  ): AsyncGenerator<StreamItem> {
    const [slice = {}] = PEOPLE.slices(context);
    const request = { ...PEOPLE.pageRequest(context, slice), ...(start === undefined ? {} : { start }) };
    for await (const page of context.client.pages(request)) {
      const batches = chunks(fromArray(page.records), ATTRIBUTE_BATCH);
      yield* mergeConcurrent(batches, context.partitionConcurrency, (people) =>
        this.#readBatch(context, people),
      );
      if (run !== undefined && page.next !== undefined) {
        run.state = { resume: { next: page.next } };
        yield CHECKPOINT;
      }
    }
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
      // Not `person.id`: looked up by cio_id, that is the cio_id, even for people who have no id.
      id: identifiers.id ?? attributes.id ?? null,
      email: identifiers.email ?? attributes.email ?? null,
      identifiers: person.identifiers ?? null,
      attributes: keepAttributes(attributes, context.config.customerAttributes),
      timestamps: person.timestamps ?? null,
      unsubscribed: person.unsubscribed ?? null,
      devices: person.devices ?? [],
    };
  }
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

function keepAttributes(attributes: JsonObject, names: readonly string[]): JsonObject {
  if (names.length === 0) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.includes(name)));
}
