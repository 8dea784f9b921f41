import { MetricsStream } from './metrics.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterMetricsStream extends MetricsStream {
  readonly name = 'newsletter_metrics';
  readonly path = '/v1/newsletters/{id}/metrics';
  readonly primaryKey = [['newsletter_id'], ['day']];
  readonly version = 1;
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
}
