import type { JsonObject } from '../protocol.js';
import {
  cursorSeconds,
  FULL_REFRESH_COMPLETE_STATE,
  type Slice,
  type StreamContext,
  type StreamItem,
  type StreamRun,
} from './base.js';
import {
  DELIVERY_PAGE_SIZE,
  deliveryWindows,
  earliestMessageParent,
  lookback,
  windowStart,
} from './deliveries.js';
import { PersonStream } from './person-stream.js';
import { DELIVERY_WINDOW_SECONDS, readFrom } from './windows.js';

/**
 * Each person's deliveries, in windows of 180 days. One cursor for all people (a cursor per person would make
 * the state as large as the audience), moved to the sync's start once every person has been read.
 */
export class CustomerMessagesStream extends PersonStream {
  readonly name = 'customer_messages';
  readonly path = '/v1/customers/{cio_id}/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;
  #from = 0;

  override slices(context: StreamContext, _person: JsonObject): Slice[] {
    return deliveryWindows(this.#from, context.now, DELIVERY_WINDOW_SECONDS, context.config.messageTypes);
  }

  override async *read(context: StreamContext, run: StreamRun): AsyncGenerator<StreamItem> {
    const incremental = run.syncMode === 'incremental';
    const previous = incremental ? cursorSeconds(run.input?.created) : undefined;
    const floor =
      previous === undefined
        ? readFrom(context, await earliestMessageParent(context))
        : (context.config.startDate ?? 0);
    this.#from = windowStart(floor, previous, lookback(context, run));
    if (previous !== undefined) run.state = { created: previous };
    yield* this.readRecords(context, run);
    run.state = incremental
      ? { created: Math.max(previous ?? context.now, context.now) }
      : FULL_REFRESH_COMPLETE_STATE;
  }
}
