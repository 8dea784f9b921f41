import { type Slice, Stream, type StreamContext } from './base.js';
import { DELIVERY_PAGE_SIZE, earliestMessageParent } from './deliveries.js';
import { filterSlices, readFrom, windowSlices } from './windows.js';

/** Every delivery of the workspace (GET /v1/messages). */
export class MessagesStream extends Stream {
  readonly name = 'messages';
  readonly path = '/v1/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly pageSize = DELIVERY_PAGE_SIZE;

  override async slices(context: StreamContext): Promise<Slice[]> {
    const from = readFrom(context, await earliestMessageParent(context));
    return windowSlices(from, context.now, filterSlices('type', context.config.messageTypes));
  }
}
