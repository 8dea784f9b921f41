import { Stream } from './base.js';

export class NewslettersStream extends Stream {
  readonly name = 'newsletters';
  readonly path = '/v1/newsletters';
  readonly envelopeKey = 'newsletters';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated';

  // No documented maximum; 100 is what the API is known to honour.
  override readonly pageSize = 100;
  override readonly partitionFields = ['id', 'created'];
}
