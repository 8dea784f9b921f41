import { BroadcastActionsStream } from './broadcast-actions.js';
import { LinkMetricsStream } from './link-metrics.js';

export class BroadcastActionLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'broadcast_action_link_metrics';
  readonly path = '/v1/broadcasts/{broadcast_id}/actions/{id}/metrics/links';
  readonly primaryKey = [['broadcast_id'], ['action_id'], ['link_id'], ['day']];
  readonly parent = new BroadcastActionsStream();
  readonly parentFields = { broadcast_id: 'broadcast_id', action_id: 'id' };
}
