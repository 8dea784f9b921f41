import { CampaignsStream } from './campaigns.js';
import { LinkMetricsStream } from './link-metrics.js';

export class CampaignLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'campaign_link_metrics';
  readonly path = '/v1/campaigns/{id}/metrics/links';
  readonly primaryKey = [['campaign_id'], ['link_id'], ['day']];
  readonly parent = new CampaignsStream();
  readonly parentFields = { campaign_id: 'id' };
}
