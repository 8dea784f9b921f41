import type { Slice, StreamContext } from './base.js';
import { DELIVERY_PAGE_SIZE, earliestMessageParent } from './deliveries.js';
import { PersonStream } from './person-stream.js';
import { filterSlices, readFrom, windowSlices } from './windows.js';

export class CustomerMessagesStream extends PersonStream {
  readonly name = 'customer_messages';
  readonly path = '/v1/customers/{cio_id}/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly pageSize = DELIVERY_PAGE_SIZE;

  override async slices(context: StreamContext): Promise<Slice[]> {
    const from = readFrom(context, await earliestMessageParent(context));
    return windowSlices(from, context.now, filterSlices('type', context.config.messageTypes));
  }
}
