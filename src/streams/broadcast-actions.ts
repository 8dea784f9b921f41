import { ChildStream } from './base.js';
import { BroadcastsStream } from './broadcasts.js';

export class BroadcastActionsStream extends ChildStream {
  readonly name = 'broadcast_actions';
  readonly path = '/v1/broadcasts/{id}/actions';
  readonly envelopeKey = 'actions';
  readonly primaryKey = [['broadcast_id'], ['id']];
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
  override readonly cursorField = 'updated';
  override readonly partitionFields = ['broadcast_id', 'id', 'created'];
}
