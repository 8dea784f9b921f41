import { Stream } from './base.js';

export class TransactionalMessagesStream extends Stream {
  readonly name = 'transactional_messages';
  readonly path = '/v1/transactional';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated_at';

  override readonly partitionFields = ['id', 'created_at'];
}
