import type { JsonObject } from '@cio-connectors/kit/protocol';
import { FullRefreshCursor } from '../cursors.js';
import { expectObject } from '../pagination.js';
import type { Slice, StreamContext } from './base.js';
import { PersonStream } from './person-stream.js';

/** One request per person: the API has no bulk list of preferences (see README, "Subscription preferences"). */
export class CustomerSubscriptionPreferencesStream extends PersonStream<FullRefreshCursor> {
  readonly name = 'customer_subscription_preferences';
  readonly path = '/v1/customers/{cio_id}/subscription_preferences';
  readonly envelopeKey = 'customer';
  readonly primaryKey = [['cio_id']];

  createPersonCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override async *readSlice(context: StreamContext, slice: Slice): AsyncGenerator<JsonObject> {
    const path = slice.path ?? this.path;
    const body = await context.client.request(path, { params: { ...this.params(), ...slice.params } });
    yield expectObject(body, ['customer'], path);
  }
}
