import { type Params, type Slice, Stream, type StreamContext } from './base.js';
import { filterSlices } from './windows.js';

/** The workspace's activity log, newest first; the API keeps about 30 days and takes no time filter. */
export class ActivitiesStream extends Stream {
  readonly name = 'activities';
  readonly path = '/v1/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly pageSize = 100;

  override params(context: StreamContext): Params {
    return context.config.includeDeletedPeopleActivities ? { deleted: true } : {};
  }

  override slices(context: StreamContext): Slice[] {
    return filterSlices('type', context.config.activityTypes);
  }
}
