import { MonthlyMetricsStream } from './monthly-metrics.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterMetricsMonthlyStream extends MonthlyMetricsStream {
  readonly name = 'newsletter_metrics_monthly';
  readonly path = '/v1/newsletters/{id}/metrics';
  readonly primaryKey = [['newsletter_id'], ['month']];
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
}
