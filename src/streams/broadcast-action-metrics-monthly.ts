import { BroadcastActionsStream } from './broadcast-actions.js';
import { MonthlyMetricsStream } from './monthly-metrics.js';

export class BroadcastActionMetricsMonthlyStream extends MonthlyMetricsStream {
  readonly name = 'broadcast_action_metrics_monthly';
  readonly path = '/v1/broadcasts/{broadcast_id}/actions/{id}/metrics';
  readonly primaryKey = [['broadcast_id'], ['action_id'], ['month']];
  readonly parent = new BroadcastActionsStream();
  readonly parentFields = { broadcast_id: 'broadcast_id', action_id: 'id' };
}
