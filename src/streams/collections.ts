import { Stream } from './base.js';

export class CollectionsStream extends Stream {
  readonly name = 'collections';
  readonly path = '/v1/collections';
  readonly envelopeKey = 'collections';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated_at';
}
