import { Stream } from './base.js';

export class BroadcastsStream extends Stream {
  readonly name = 'broadcasts';
  readonly path = '/v1/broadcasts';
  readonly envelopeKey = 'broadcasts';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated';

  override readonly partitionFields = ['id', 'created'];
}
