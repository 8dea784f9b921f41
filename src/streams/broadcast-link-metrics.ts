import { BroadcastsStream } from './broadcasts.js';
import { LinkMetricsStream } from './link-metrics.js';

export class BroadcastLinkMetricsStream extends LinkMetricsStream {
  readonly name = 'broadcast_link_metrics';
  readonly path = '/v1/broadcasts/{id}/metrics/links';
  readonly primaryKey = [['broadcast_id'], ['link_id'], ['day']];
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
}
