import type { JsonObject } from '@cio-connectors/kit/json';
import { chunks } from '../concurrency.js';
import type { CursorInput, Resumable } from '../cursors.js';
import { peopleRecordsOf } from './audience.js';
import type { Slice, StreamContext } from './base.js';
import { DELIVERY_PAGE_SIZE } from './deliveries.js';
import { MessagesStream } from './messages.js';
import { ATTRIBUTE_BATCH, attributesCioId, firstSeen, readAttributes } from './people.js';
import { type PersonCursor, PersonStream } from './person-stream.js';
import { deliveryWindows, readFrom, WindowCursor, windowSlices } from './windows.js';

type MessagesCursor = PersonCursor<WindowCursor, Resumable<WindowCursor>>;

/**
 * Each person's deliveries. In bulk: the workspace's deliveries (GET /v1/messages) in windows of 180 days, both
 * bounds always sent, from start_date (or 2012) or the cursor minus the lookback, each kept for the person it
 * names when the stream covers them: W × K + ⌈deliveries ÷ 1000⌉ requests plus one people search (deliveries of
 * people deleted since stay in that list, and only the search knows who still exists). A delivery whose
 * `customer_identifiers` is null is looked up by its `customer_id` (the person's id, 100 a request); one with
 * neither names nobody and is left out, with a warning (it is in `messages`; per_person reads it).
 *
 * Per person: each person's deliveries, in windows of 180 days. A first read starts each person when they first existed
 * (their `created_at` or earliest attribute timestamp, one attributes request per 100 people), never at the
 * oldest campaign still there: deliveries of deleted campaigns stay with their people. One cursor for all
 * people (a cursor per person would make the state as large as the audience), set to the sync's start once
 * every person has been read.
 */
export class CustomerMessagesStream extends PersonStream<WindowCursor, Resumable<WindowCursor>> {
  readonly name = 'customer_messages';
  readonly path = '/v1/customers/{cio_id}/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;

  createPersonCursor(context: StreamContext, run: CursorInput): WindowCursor {
    return new WindowCursor('created', run, deliveryWindows(context));
  }

  override async *partitionSource(
    context: StreamContext,
    cursor: MessagesCursor,
  ): AsyncGenerator<JsonObject> {
    const people = super.partitionSource(context, cursor);
    if (cursor.sweep.strategy.inner.hasPosition) {
      yield* people;
      return;
    }
    for await (const batch of chunks(people, ATTRIBUTE_BATCH)) {
      const attributes = await readAttributes(
        context,
        batch.map((person) => String(person.cio_id)),
      );
      const since = new Map(attributes.map((person) => [attributesCioId(person), firstSeen(person)]));
      for (const person of batch) yield { ...person, first_seen: since.get(String(person.cio_id)) ?? null };
    }
  }

  override slices(context: StreamContext, person: JsonObject, cursor: MessagesCursor): Slice[] {
    const firstSeenAt = typeof person.first_seen === 'number' ? person.first_seen : undefined;
    return windowSlices(
      cursor.sweep.strategy.inner.windows(readFrom(context, firstSeenAt)),
      context.config.messageTypes,
    );
  }

  override readonly bulk = peopleRecordsOf(new MessagesStream({ trackedResponses: false }), {
    search: 'always',
    unnamed: (count) =>
      `${this.name}: ${count} deliveries name no person (customer_identifiers and customer_id are null), so they belong to nobody's messages and are left out; the messages stream has them (no per-person read can reach a delivery that names nobody either).`,
  });
}
