import { Stream } from './base.js';

export class SnippetsStream extends Stream {
  readonly name = 'snippets';
  readonly path = '/v1/snippets';
  readonly envelopeKey = 'snippets';
  readonly primaryKey = [['name']];
  override readonly cursorField = 'updated_at';
}
