import { ChildStream } from './base.js';
import { CampaignsStream } from './campaigns.js';

export class CampaignActionsStream extends ChildStream {
  readonly name = 'campaign_actions';
  readonly path = '/v1/campaigns/{id}/actions';
  readonly envelopeKey = 'actions';
  readonly primaryKey = [['campaign_id'], ['id']];
  readonly parent = new CampaignsStream();
  readonly parentFields = { campaign_id: 'id' };
  override readonly cursorField = 'updated';
  override readonly partitionFields = ['campaign_id', 'id', 'created'];
}
