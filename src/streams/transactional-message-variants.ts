import { ChildStream } from './base.js';
import { TransactionalMessagesStream } from './transactional-messages.js';

export class TransactionalMessageVariantsStream extends ChildStream {
  readonly name = 'transactional_message_variants';
  readonly path = '/v1/transactional/{id}/contents';
  readonly envelopeKey = 'contents';
  readonly primaryKey = [['transactional_message_id'], ['id']];
  readonly parent = new TransactionalMessagesStream();
  readonly parentFields = { transactional_message_id: 'id' };
  override readonly cursorField = 'updated';
}
