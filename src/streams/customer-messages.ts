import { chunks } from '../concurrency.js';
import { type CursorInput, type PeopleSweepCursor, WindowCursor } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import type { Slice, StreamContext } from './base.js';
import { ATTRIBUTE_BATCH, attributesCioId, firstSeen, readAttributes } from './customers.js';
import { DELIVERY_PAGE_SIZE } from './deliveries.js';
import { PersonStream } from './person-stream.js';
import { DELIVERY_WINDOW_SECONDS, readFrom, windowSlices } from './windows.js';

/**
 * Each person's deliveries, in windows of 180 days. A first read starts each person when they first existed
 * (their `created_at` or earliest attribute timestamp, one attributes request per 100 people), never at the
 * oldest campaign still there: deliveries of deleted campaigns stay with their people. One cursor for all
 * people (a cursor per person would make the state as large as the audience), set to the sync's start once
 * every person has been read.
 */
export class CustomerMessagesStream extends PersonStream<WindowCursor> {
  readonly name = 'customer_messages';
  readonly path = '/v1/customers/{cio_id}/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;

  override createPersonCursor(context: StreamContext, run: CursorInput): WindowCursor {
    return new WindowCursor('created', run, {
      windowSeconds: DELIVERY_WINDOW_SECONDS,
      lookbackSeconds: context.config.messagesLookbackSeconds,
    });
  }

  override async *partitionSource(
    context: StreamContext,
    cursor: PeopleSweepCursor<WindowCursor>,
  ): AsyncGenerator<JsonObject> {
    const people = super.partitionSource(context, cursor);
    if (cursor.inner.hasPosition) {
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

  override slices(
    context: StreamContext,
    person: JsonObject,
    cursor: PeopleSweepCursor<WindowCursor>,
  ): Slice[] {
    const firstSeenAt = typeof person.first_seen === 'number' ? person.first_seen : undefined;
    return windowSlices(cursor.inner.windows(readFrom(context, firstSeenAt)), context.config.messageTypes);
  }
}
