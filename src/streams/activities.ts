import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import {
  type ClientSideCursor,
  type CursorInput,
  cursorSeconds,
  type FullRefreshCursor,
} from '../cursors.js';
import type { ProgressReport } from '../progress.js';
import { type Probe, type Slice, Stream, type StreamContext } from './base.js';
import { recordCursor } from './family.js';
import { activitySlices, DAY_SECONDS } from './windows.js';

/** Pages of the activity logs (the workspace's and each person's): the documented maximum. */
export const ACTIVITY_PAGE_SIZE = 100;

/** The workspace's activity log, newest first; Customer.io guarantees about 30 days of it. */
export class ActivitiesStream extends Stream<ClientSideCursor | FullRefreshCursor> {
  readonly #deletedPeople: boolean;

  /**
   * `deletedPeople: false` reads only existing people's activities whatever the config says, as the people's own
   * logs give them (bulk `customer_activities`).
   */
  constructor(options: { deletedPeople?: boolean } = {}) {
    super();
    this.#deletedPeople = options.deletedPeople ?? true;
  }

  readonly name = 'activities';
  readonly path = '/v1/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly newestFirst = true;
  override readonly retentionSeconds = 30 * DAY_SECONDS;
  override readonly pageSize = ACTIVITY_PAGE_SIZE;

  override get probe(): Probe {
    return { path: this.path, params: { limit: 1 } };
  }

  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return recordCursor(this, context, run);
  }

  override params(context: StreamContext): Params {
    return this.#deletedPeople && context.config.includeDeletedPeopleActivities ? { deleted: true } : {};
  }

  override slices(context: StreamContext): Slice[] {
    return activitySlices(context.config.activityTypes);
  }

  /**
   * Progress in days of the log read down, per type slice (one report per page): each slice reads from the sync's
   * start back to the cursor, or as far as Customer.io keeps the log.
   */
  override progressWithin(
    { now }: StreamContext,
    cursor: ClientSideCursor | FullRefreshCursor,
    slices: number,
  ): (slice: number, last: JsonObject | undefined) => ProgressReport {
    const days = Math.max(1, (now - Math.max(cursor.since ?? 0, now - this.retentionSeconds)) / DAY_SECONDS);
    return (slice, last) => {
      const oldest = cursorSeconds(last?.timestamp);
      const covered = oldest === undefined ? 0 : Math.min(days, Math.max(0, (now - oldest) / DAY_SECONDS));
      return { done: slice * days + covered, total: slices * days, unit: 'days of the activity log' };
    };
  }
}
