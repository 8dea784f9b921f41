import { Stream } from './base.js';

export class SegmentsStream extends Stream {
  readonly name = 'segments';
  readonly path = '/v1/segments';
  readonly envelopeKey = 'segments';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated_at';
}
