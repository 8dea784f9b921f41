import { ChildStream } from './base.js';
import { NewslettersStream } from './newsletters.js';

export class NewsletterTestGroupsStream extends ChildStream {
  readonly name = 'newsletter_test_groups';
  readonly path = '/v1/newsletters/{id}/test_groups';
  readonly envelopeKey = 'test_groups';
  readonly primaryKey = [['newsletter_id'], ['id']];
  readonly parent = new NewslettersStream();
  readonly parentFields = { newsletter_id: 'id' };
}
