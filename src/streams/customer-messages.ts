import type { JsonObject } from '@cio-connectors/kit/json';
import { chunks, inOrder } from '../concurrency.js';
import type { CursorInput, Resumable, WindowCursorOptions } from '../cursors.js';
import { covered, PersonResolver, readAudience, released } from './audience.js';
import { CHECKPOINT, type Slice, type StreamContext, type StreamItem } from './base.js';
import { ATTRIBUTE_BATCH, attributesCioId, firstSeen, readAttributes } from './customers.js';
import { DELIVERY_PAGE_SIZE } from './deliveries.js';
import { type PersonCursor, PersonStream } from './person-stream.js';
import {
  DELIVERY_WINDOW_SECONDS,
  filterSlices,
  readFrom,
  WindowCursor,
  windowCursor,
  windowSlices,
} from './windows.js';

/** Delivery windows read at once in bulk, and the pages a window read ahead of its turn may hold. */
const WINDOWS_AT_ONCE = 4;
const PAGES_HELD = 1;

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
    return new WindowCursor('created', run, windowOptions(context));
  }

  override createBulkCursor(context: StreamContext, run: CursorInput): Resumable<WindowCursor> {
    return windowCursor('created', run, windowOptions(context));
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

  override async *readInBulk(
    context: StreamContext,
    { strategy: windows }: Resumable<WindowCursor>,
  ): AsyncGenerator<StreamItem> {
    const audience = await readAudience(context);
    const resolver = new PersonResolver(context);
    const toRead = windows.windows(readFrom(context, undefined));
    // Windows do not depend on each other: several are read at once, their pages taken in window order.
    const requests = toRead.flatMap((window, index) => {
      const filters = filterSlices('type', context.config.messageTypes);
      return filters.map((filter, at) => ({
        window,
        index,
        closesWindow: at === filters.length - 1,
        request: {
          path: '/v1/messages',
          envelopeKey: 'messages',
          params: { ...filter.params, start_ts: window.start, end_ts: window.end },
          pageSize: DELIVERY_PAGE_SIZE,
          prefetch: true,
        },
      }));
    });
    type Read = (typeof requests)[number];
    async function* pagesThenEnd(read: Read): AsyncGenerator<JsonObject[] | Read> {
      for await (const page of context.client.pages(read.request)) yield page.records;
      yield read;
    }
    for await (const item of inOrder(requests, WINDOWS_AT_ONCE, PAGES_HELD, pagesThenEnd)) {
      if (Array.isArray(item)) {
        for (const delivery of item) {
          const cioId = resolver.cioIdOf(delivery);
          if (cioId !== undefined) yield* covered(delivery, cioId, audience);
        }
        if (resolver.due) yield* released(await resolver.flushFull(), audience);
        continue;
      }
      if (!item.closesWindow) continue;
      yield* released(await resolver.flush(), audience);
      windows.close(item.window);
      context.progress.report({ done: item.index + 1, total: toRead.length, unit: 'delivery windows' });
      yield CHECKPOINT;
    }
    if (resolver.unnamed > 0) {
      await context.log(
        'WARN',
        `${this.name}: ${resolver.unnamed} deliveries name no person (customer_identifiers and customer_id are null), so they belong to nobody's messages and are left out; the messages stream has them (no per-person read can reach a delivery that names nobody either).`,
      );
    }
  }
}

function windowOptions(context: StreamContext): WindowCursorOptions {
  return { windowSeconds: DELIVERY_WINDOW_SECONDS, lookbackSeconds: context.config.messagesLookbackSeconds };
}
