import type { JsonObject } from '@cio-connectors/kit/json';
import { type ClientSideCursor, type CursorInput, type FullRefreshCursor, timeWindows } from '../cursors.js';
import { UnexpectedResponseError } from '../errors.js';
import { expectObject } from '../pagination.js';
import type { Slice, SliceAnswer, Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';
import { dailyCountsCursor, dayOf, firstDailyBucket, isoDay } from './metrics.js';
import { DAY_SECONDS } from './windows.js';

/** The series the API documents; anything else it sends goes to `additional_metrics`. */
const JOURNEY_METRIC_NAMES = new Set([
  'activated',
  'converted',
  'exited_early',
  'finished',
  'messaged',
  'never_activated',
  'started',
]);
/**
 * Days per request. The API documents no limit: this is the documented daily limit of version-1 metrics, the
 * closest known bound (docs/design.md, "Metrics history").
 */
const JOURNEY_WINDOW_DAYS = 45;

/**
 * One record per UTC day of a `{journey_metric: {name: [count per day, oldest first]}}` answer for the days
 * `start`..`end`. Every series must hold exactly one count per day: an answer cut short (or longer) would put
 * counts on the wrong days, so it is an error, not something to read around.
 */
function journeyRecords(body: JsonObject, start: number, end: number, path: string): JsonObject[] {
  const series = expectObject(body, ['journey_metric'], path);
  const days = Math.round((dayOf(end) - dayOf(start)) / DAY_SECONDS) + 1;
  for (const [name, values] of Object.entries(series)) {
    const length = Array.isArray(values) ? values.length : undefined;
    if (length !== days) {
      throw new UnexpectedResponseError(
        `Customer.io answered ${path} for ${days} days (${isoDay(start)} to ${isoDay(end)}) with ${length === undefined ? 'no list' : `${length} counts`} in journey_metric.${name}; stopping rather than putting counts on the wrong days. Report it: the window the endpoint accepts may be shorter than ${JOURNEY_WINDOW_DAYS} days.`,
      );
    }
  }
  return Array.from({ length: days }, (_, index) => {
    const record: JsonObject = { day: isoDay(dayOf(start) + index * DAY_SECONDS) };
    const additional: JsonObject = {};
    for (const [name, values] of Object.entries(series)) {
      const value = (values as unknown[])[index] ?? null;
      if (JOURNEY_METRIC_NAMES.has(name)) record[name] = value as JsonObject[string];
      else additional[name] = value as JsonObject[string];
    }
    if (Object.keys(additional).length > 0) record.additional_metrics = additional;
    return record;
  });
}

/**
 * How each campaign's journeys went, by the UTC day they started: `resolution=daily` (the backend reads
 * `resolution`, not `res`) in windows of at most 45 days from the campaign's creation (or start_date).
 */
export class CampaignJourneyMetricsStream extends ChildStream<ClientSideCursor | FullRefreshCursor> {
  readonly name = 'campaign_journey_metrics';
  readonly path = '/v1/campaigns/{id}/journey_metrics';
  readonly envelopeKey = 'journey_metric';
  readonly primaryKey = [['campaign_id'], ['day']];
  override readonly cursorField = 'day';
  readonly parentFields = { campaign_id: 'id' };
  readonly parent: Stream;

  /** `campaigns`: its records need `id` and `created`. */
  constructor(campaigns: Stream) {
    super();
    this.parent = campaigns;
  }

  /** A day's counts grow while its journeys go on: incremental syncs re-read the metrics' lookback. */
  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return dailyCountsCursor(context, run);
  }

  override slices(
    context: StreamContext,
    parent: JsonObject,
    cursor: ClientSideCursor | FullRefreshCursor,
  ): Slice[] {
    const from = firstDailyBucket(context, parent, cursor);
    return timeWindows(from, context.now, JOURNEY_WINDOW_DAYS * DAY_SECONDS).map(({ start, end }) => ({
      params: { start, end, resolution: 'daily' },
    }));
  }

  override extract({ path, body }: SliceAnswer, slice: Slice): JsonObject[] {
    return journeyRecords(body, Number(slice.params?.start), Number(slice.params?.end), path);
  }
}
