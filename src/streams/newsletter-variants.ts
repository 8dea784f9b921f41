import { ChildStream } from './base.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterVariantsStream extends ChildStream {
  readonly name = 'newsletter_variants';
  readonly path = '/v1/newsletters/{id}/contents';
  readonly envelopeKey = 'contents';
  readonly primaryKey = [['newsletter_id'], ['id']];
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
  override readonly cursorField = 'updated';
  override readonly partitionFields = ['newsletter_id', 'id'];
}
