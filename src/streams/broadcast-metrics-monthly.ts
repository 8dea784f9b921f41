import { BroadcastsStream } from './broadcasts.js';
import { MonthlyMetricsStream } from './monthly-metrics.js';

export class BroadcastMetricsMonthlyStream extends MonthlyMetricsStream {
  readonly name = 'broadcast_metrics_monthly';
  readonly path = '/v1/broadcasts/{id}/metrics';
  readonly primaryKey = [['broadcast_id'], ['month']];
  readonly parent = new BroadcastsStream();
  readonly parentFields = { broadcast_id: 'id' };
}
