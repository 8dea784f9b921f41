import { LinkMetricsStream } from './link-metrics.js';
import { TransactionalMessagesStream } from './transactional-messages.js';

export class TransactionalMessageLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'transactional_message_link_metrics';
  readonly path = '/v1/transactional/{id}/metrics/links';
  readonly primaryKey = [['transactional_message_id'], ['link_id'], ['day']];
  readonly parent = new TransactionalMessagesStream();
  readonly parentFields = { transactional_message_id: 'id' };
}
