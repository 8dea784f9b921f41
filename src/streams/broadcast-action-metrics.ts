import { BroadcastActionsStream } from './broadcast-actions.js';
import { MetricsStream } from './metrics.js';

export class BroadcastActionMetricsStream extends MetricsStream {
  readonly name = 'broadcast_action_metrics';
  readonly path = '/v1/broadcasts/{broadcast_id}/actions/{id}/metrics';
  readonly primaryKey = [['broadcast_id'], ['action_id'], ['day']];
  readonly version = 1;
  readonly parent = new BroadcastActionsStream();
  readonly parentFields = { broadcast_id: 'broadcast_id', action_id: 'id' };
}
