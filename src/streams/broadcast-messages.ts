import { BroadcastsStream } from './broadcasts.js';
import { ParentDeliveriesStream } from './deliveries.js';

export class BroadcastMessagesStream extends ParentDeliveriesStream {
  readonly name = 'broadcast_messages';
  readonly path = '/v1/broadcasts/{id}/messages';
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
}
