import { ParentDeliveriesStream } from './deliveries.js';
import { TransactionalMessagesStream } from './transactional-messages.js';

export class TransactionalMessageDeliveriesStream extends ParentDeliveriesStream {
  readonly name = 'transactional_message_deliveries';
  readonly path = '/v1/transactional/{id}/messages';
  readonly parent = new TransactionalMessagesStream();
  readonly parentFields = { transactional_message_id: 'id' };
}
