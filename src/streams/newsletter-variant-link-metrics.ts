import { LinkMetricsStream } from './link-metrics.js';
import { NewsletterVariantsStream } from './newsletter-variants.js';

export class NewsletterVariantLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'newsletter_variant_link_metrics';
  readonly path = '/v1/newsletters/{newsletter_id}/contents/{id}/metrics/links';
  readonly primaryKey = [['newsletter_id'], ['content_id'], ['link_id'], ['day']];
  readonly parent = new NewsletterVariantsStream();
  readonly parentFields = { newsletter_id: 'newsletter_id', content_id: 'id' };
}
