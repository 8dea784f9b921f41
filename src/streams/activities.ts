import type { PageRequest } from '../http-client.js';
import type { JsonObject } from '../protocol.js';
import {
  cursorSeconds,
  laterOf,
  type Params,
  type Slice,
  Stream,
  type StreamContext,
  type StreamItem,
  type StreamRun,
} from './base.js';
import { DAY_SECONDS, filterSlices } from './windows.js';

/** Customer.io guarantees 30 days of activity history; older entries may already be gone. */
const RETENTION_SECONDS = 30 * DAY_SECONDS;
const ACTIVITY_LOOKBACK_SECONDS = 3600;

/** Where an incremental activity read may stop: the cursor minus the lookback, or start_date. */
export function activitiesSince(context: StreamContext, run: StreamRun | undefined): number | undefined {
  if (run?.syncMode !== 'incremental') return undefined;
  const previous = cursorSeconds(run.input?.timestamp);
  return laterOf(
    previous === undefined ? undefined : previous - ACTIVITY_LOOKBACK_SECONDS,
    context.config.startDate,
  );
}

/**
 * Activity pages come newest first and the API takes no time filter: the read stops at the first page whose
 * activities all predate `since`, instead of paging through the whole retained history.
 */
export async function* activityPages(
  context: StreamContext,
  request: PageRequest,
  since: number | undefined,
): AsyncGenerator<JsonObject> {
  for await (const page of context.client.pages(request)) {
    yield* page.records;
    const timestamps = page.records.map((record) => cursorSeconds(record.timestamp) ?? 0);
    if (since !== undefined && timestamps.length > 0 && timestamps.every((timestamp) => timestamp < since))
      return;
    // An empty page ends the read even when it still carries a token.
    if (page.records.length === 0) return;
  }
}

export async function warnIfBeyondRetention(
  context: StreamContext,
  run: StreamRun,
  name: string,
): Promise<void> {
  const previous = cursorSeconds(run.input?.timestamp);
  if (
    run.syncMode === 'incremental' &&
    previous !== undefined &&
    previous < context.now - RETENTION_SECONDS
  ) {
    await context.log(
      'WARN',
      `${name}: the last sync is more than 30 days old and Customer.io keeps about 30 days of activity, so some activity may be lost. Sync at least every few weeks.`,
    );
  }
}

/** The workspace's activity log, newest first. */
export class ActivitiesStream extends Stream {
  readonly name = 'activities';
  readonly path = '/v1/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly cursorLookbackSeconds = ACTIVITY_LOOKBACK_SECONDS;
  override readonly pageSize = 100;

  override params(context: StreamContext): Params {
    return context.config.includeDeletedPeopleActivities ? { deleted: true } : {};
  }

  override slices(context: StreamContext): Slice[] {
    return filterSlices('type', context.config.activityTypes);
  }

  override readSlice(
    context: StreamContext,
    slice: Slice,
    _parent?: JsonObject,
    run?: StreamRun,
  ): AsyncGenerator<JsonObject> {
    return activityPages(context, this.pageRequest(context, slice), activitiesSince(context, run));
  }

  override async *read(
    context: StreamContext,
    run: StreamRun,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<StreamItem> {
    await warnIfBeyondRetention(context, run, this.name);
    yield* super.read(context, run, observe);
  }
}
