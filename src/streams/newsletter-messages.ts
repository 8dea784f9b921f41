import { ParentDeliveriesStream } from './deliveries.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterMessagesStream extends ParentDeliveriesStream {
  readonly name = 'newsletter_messages';
  readonly path = '/v1/newsletters/{id}/messages';
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
}
