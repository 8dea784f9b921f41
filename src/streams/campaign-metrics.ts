import { CampaignsStream } from './campaigns.js';
import { MetricsStream } from './metrics.js';

export class CampaignMetricsStream extends MetricsStream {
  readonly name = 'campaign_metrics';
  readonly path = '/v1/campaigns/{id}/metrics';
  readonly primaryKey = [['campaign_id'], ['day']];
  readonly version = 2;
  readonly parent = new CampaignsStream();
  readonly parentFields = { campaign_id: 'id' };
}
