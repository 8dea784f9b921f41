import { CampaignActionsStream } from './campaign-actions.js';
import { LinkMetricsStream } from './link-metrics.js';

export class CampaignActionLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'campaign_action_link_metrics';
  readonly path = '/v1/campaigns/{campaign_id}/actions/{id}/metrics/links';
  readonly primaryKey = [['campaign_id'], ['action_id'], ['link_id'], ['day']];
  readonly parent = new CampaignActionsStream();
  readonly parentFields = { campaign_id: 'campaign_id', action_id: 'id' };
}
