import { LinkMetricsStream } from './link-metrics.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'newsletter_link_metrics';
  readonly path = '/v1/newsletters/{id}/metrics/links';
  readonly primaryKey = [['newsletter_id'], ['link_id'], ['day']];
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
}
