import type { Slice, StreamContext } from './base.js';
import { PersonStream } from './person-stream.js';
import { DAY_SECONDS, filterSlices } from './windows.js';

export class CustomerActivitiesStream extends PersonStream {
  readonly name = 'customer_activities';
  readonly path = '/v1/customers/{cio_id}/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly newestFirst = true;
  override readonly retentionSeconds = 30 * DAY_SECONDS;
  override readonly pageSize = 100;

  override slices(context: StreamContext): Slice[] {
    return filterSlices('type', context.config.activityTypes);
  }
}
