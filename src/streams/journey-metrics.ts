import type { JsonObject } from '@cio-connectors/kit/json';
import {
  type ClientSideCursor,
  type CursorInput,
  type FullRefreshCursor,
  isoDay,
  timeWindows,
} from '../cursors.js';
import { UnexpectedResponseError } from '../errors.js';
import { expectObject } from '../pagination.js';
import type { Slice, SliceAnswer, Stream, StreamContext } from './base.js';
import { type Addressable, childOf, FamilyChildStream } from './family.js';
import { bucketCounts, dailyCountsCursor, dayOf, firstDailyBucket } from './metrics.js';
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
  return Array.from({ length: days }, (_, index) =>
    bucketCounts({ day: isoDay(dayOf(start) + index * DAY_SECONDS) }, series, index, JOURNEY_METRIC_NAMES),
  );
}

/**
 * How each campaign's journeys went, by the UTC day they started: `resolution=daily` (the backend reads
 * `resolution`, not `res`) in windows of at most 45 days from the campaign's creation (or start_date).
 */
class CampaignJourneyMetricsStream extends FamilyChildStream<ClientSideCursor | FullRefreshCursor> {
  readonly envelopeKey = 'journey_metric';
  override readonly cursorField = 'day';

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

/** Each campaign's journey metrics (`/v1/campaigns/{id}/journey_metrics`), keyed by the campaign and `day`. */
export function journeyMetrics(campaigns: Addressable): Stream {
  return new CampaignJourneyMetricsStream(
    childOf(campaigns, 'campaign_journey_metrics', 'journey_metrics', [['day']]),
  );
}
