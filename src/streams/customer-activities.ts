import type { JsonObject } from '@cio-connectors/kit/json';
import {
  type ClientSideCursor,
  type CursorInput,
  cursorSeconds,
  type FullRefreshCursor,
} from '../cursors.js';
import { covered, hasPeopleFilter, PersonResolver, readAudience, released } from './audience.js';
import { recordCursor, type Slice, type StreamContext, type StreamItem } from './base.js';
import { PersonStream } from './person-stream.js';
import { activityLogProgress, activitySlices, DAY_SECONDS } from './windows.js';

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

  /** In bulk, the same cursor over the whole workspace's log. */
  override createBulkCursor(context: StreamContext, run: CursorInput): ActivitiesCursor {
    return recordCursor(this, context, run);
  }

  override slices(context: StreamContext): Slice[] {
    return activitySlices(context.config.activityTypes);
  }

  override async *readInBulk(context: StreamContext, cursor: ActivitiesCursor): AsyncGenerator<StreamItem> {
    const audience = hasPeopleFilter(context) ? await readAudience(context) : undefined;
    const resolver = new PersonResolver(context);
    const slices = this.slices(context);
    const log = activityLogProgress(context, cursor.since, this.retentionSeconds, slices.length);
    for (const [index, slice] of slices.entries()) {
      const request = {
        path: '/v1/activities',
        envelopeKey: 'activities',
        pageSize: ACTIVITY_PAGE_SIZE,
        ...(slice.params === undefined ? {} : { params: slice.params }),
      };
      for await (const page of context.client.pages(request)) {
        for (const activity of page.records) {
          const cioId = resolver.cioIdOf(activity);
          if (cioId !== undefined) yield* covered(activity, cioId, audience);
        }
        if (resolver.due) yield* released(await resolver.flushFull(), audience);
        context.progress.report(log.at(index, oldestOf(page.records)));
        if (isLastPage(page.records, cursor.since)) break;
      }
      yield* released(await resolver.flush(), audience);
      context.progress.report(log.at(index + 1, undefined));
    }
  }
}

function oldestOf(records: readonly JsonObject[]): number | undefined {
  let oldest: number | undefined;
  for (const record of records) {
    const at = cursorSeconds(record.timestamp);
    if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
  }
  return oldest;
}

/** Newest-first pages end at an empty page or one entirely older than the cursor. */
function isLastPage(records: readonly JsonObject[], since: number | undefined): boolean {
  if (records.length === 0) return true;
  if (since === undefined) return false;
  return records.every((record) => (cursorSeconds(record.timestamp) ?? 0) < since);
}
