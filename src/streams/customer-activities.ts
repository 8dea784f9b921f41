import type { ClientSideCursor, CursorInput, FullRefreshCursor } from '../cursors.js';
import { ActivitiesStream } from './activities.js';
import { hasPeopleFilter, keptForPeople, readAudience } from './audience.js';
import type { Slice, StreamContext } from './base.js';
import { recordCursor } from './family.js';
import type { StreamItem } from './items.js';
import { PersonStream } from './person-stream.js';
import { activitySlices, DAY_SECONDS } from './windows.js';

const ACTIVITY_PAGE_SIZE = 100;

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

  /** The workspace's log of existing people, as the bulk read's source. */
  readonly #log = new ActivitiesStream({ deletedPeople: false });

  /** In bulk, the log's cursor over the whole workspace. */
  override createBulkCursor(context: StreamContext, run: CursorInput): ActivitiesCursor {
    return this.#log.createCursor(context, run);
  }

  override slices(context: StreamContext): Slice[] {
    return activitySlices(context.config.activityTypes);
  }

  override async *readInBulk(context: StreamContext, cursor: ActivitiesCursor): AsyncGenerator<StreamItem> {
    const audience = hasPeopleFilter(context) ? await readAudience(context) : undefined;
    yield* keptForPeople(context, this.#log.readRecords(context, cursor), audience);
  }
}
