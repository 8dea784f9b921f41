import { Stream } from './base.js';

export class CampaignsStream extends Stream {
  readonly name = 'campaigns';
  readonly path = '/v1/campaigns';
  readonly envelopeKey = 'campaigns';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'updated';

  override readonly partitionFields = ['id', 'created'];
}
