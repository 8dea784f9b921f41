import { BroadcastsStream } from './broadcasts.js';
import { MetricsStream } from './metrics.js';

export class BroadcastMetricsStream extends MetricsStream {
  readonly name = 'broadcast_metrics';
  readonly path = '/v1/broadcasts/{id}/metrics';
  readonly primaryKey = [['broadcast_id'], ['day']];
  readonly version = 1;
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
}
