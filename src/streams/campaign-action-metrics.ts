import { CampaignActionsStream } from './campaign-actions.js';
import { MetricsStream } from './metrics.js';

export class CampaignActionMetricsStream extends MetricsStream {
  readonly name = 'campaign_action_metrics';
  readonly path = '/v1/campaigns/{campaign_id}/actions/{id}/metrics';
  readonly primaryKey = [['campaign_id'], ['action_id'], ['day']];
  readonly version = 2;
  readonly parent = new CampaignActionsStream();
  readonly parentFields = { campaign_id: 'campaign_id', action_id: 'id' };
}
