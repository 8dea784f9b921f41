import { Stream } from './base.js';

export class ExportsStream extends Stream {
  readonly name = 'exports';
  readonly path = '/v1/exports';
  readonly envelopeKey = 'exports';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated_at';
}
