import { MetricsStream } from './metrics.js';
import { TransactionalMessagesStream } from './transactional-messages.js';

export class TransactionalMessageMetricsStream extends MetricsStream {
  readonly name = 'transactional_message_metrics';
  readonly path = '/v1/transactional/{id}/metrics';
  readonly primaryKey = [['transactional_message_id'], ['day']];
  readonly version = 1;
  readonly parent = new TransactionalMessagesStream();
  readonly parentFields = { transactional_message_id: 'id' };
}
