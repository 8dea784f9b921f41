import type { ClientSideCursor, CursorInput, FullRefreshCursor } from '../cursors.js';
import { type Params, type Probe, recordCursor, type Slice, Stream, type StreamContext } from './base.js';
import { activitySlices, DAY_SECONDS } from './windows.js';

/** The workspace's activity log, newest first; Customer.io guarantees about 30 days of it. */
export class ActivitiesStream extends Stream {
  readonly name = 'activities';
  readonly path = '/v1/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly newestFirst = true;
  override readonly retentionSeconds = 30 * DAY_SECONDS;
  override readonly pageSize = 100;

  override get probe(): Probe {
    return { path: this.path, params: { limit: 1 } };
  }

  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return recordCursor(this, context, run);
  }

  override params(context: StreamContext): Params {
    return context.config.includeDeletedPeopleActivities ? { deleted: true } : {};
  }

  override slices(context: StreamContext): Slice[] {
    return activitySlices(context.config.activityTypes);
  }
}
