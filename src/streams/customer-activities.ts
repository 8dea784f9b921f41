import type { ClientSideCursor, CursorInput, FullRefreshCursor } from '../cursors.js';
import { ACTIVITY_PAGE_SIZE, ActivitiesStream } from './activities.js';
import { peopleRecordsOf } from './audience.js';
import type { Slice, StreamContext } from './base.js';
import { recordCursor } from './family.js';
import { PersonStream } from './person-stream.js';
import { activitySlices, DAY_SECONDS } from './windows.js';

/**
 * Each person's activity log. In bulk, the workspace's log (GET /v1/activities, newest first, down to the cursor
 * in incremental syncs), each activity kept for the person its `customer_identifiers` names when the stream
 * covers them: K × ⌈activities ÷ 100⌉ requests (+ the people search with customers_filter). Activities of no
 * person (objects' changes) belong to no one's log and are left out; one whose identifiers are null but whose
 * `customer_id` is set is looked up by that id.
 */
type ActivitiesCursor = ClientSideCursor | FullRefreshCursor;

export class CustomerActivitiesStream extends PersonStream<ActivitiesCursor, ActivitiesCursor> {
  readonly name = 'customer_activities';
  readonly path = '/v1/customers/{cio_id}/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly newestFirst = true;
  override readonly retentionSeconds = 30 * DAY_SECONDS;
  override readonly pageSize = ACTIVITY_PAGE_SIZE;

  createPersonCursor(context: StreamContext, run: CursorInput): ActivitiesCursor {
    return recordCursor(this, context, run);
  }

  override readonly bulk = peopleRecordsOf(new ActivitiesStream({ deletedPeople: false }), {
    search: 'withFilter',
  });

  override slices(context: StreamContext): Slice[] {
    return activitySlices(context.config.activityTypes);
  }
}
