import { CampaignsStream } from './campaigns.js';
import { ParentDeliveriesStream } from './deliveries.js';

export class CampaignMessagesStream extends ParentDeliveriesStream {
  readonly name = 'campaign_messages';
  readonly path = '/v1/campaigns/{id}/messages';
  readonly parent = new CampaignsStream();
  readonly parentFields = { campaign_id: 'id' };
}
