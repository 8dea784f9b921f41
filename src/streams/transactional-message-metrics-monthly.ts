import { MonthlyMetricsStream } from './monthly-metrics.js';
import { TransactionalMessagesStream } from './transactional-messages.js';

export class TransactionalMessageMetricsMonthlyStream extends MonthlyMetricsStream {
  readonly name = 'transactional_message_metrics_monthly';
  readonly path = '/v1/transactional/{id}/metrics';
  readonly primaryKey = [['transactional_message_id'], ['month']];
  readonly parent = new TransactionalMessagesStream();
  readonly parentFields = { transactional_message_id: 'id' };
}
