import { ChildStream } from './base.js';
import { BroadcastsStream } from './broadcasts.js';

export class BroadcastTriggersStream extends ChildStream {
  readonly name = 'broadcast_triggers';
  readonly path = '/v1/broadcasts/{id}/triggers';
  readonly envelopeKey = 'triggers';
  readonly primaryKey = [['broadcast_id'], ['id']];
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
}
