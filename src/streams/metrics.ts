import type { JsonObject } from '@cio-connectors/kit/json';
import { ClientSideCursor, type CursorInput, FullRefreshCursor, isoDay, timeWindows } from '../cursors.js';
import { expectObject } from '../pagination.js';
import type { Slice, SliceAnswer, StreamContext } from './base.js';
import { type Addressable, type ChildEntry, childOf, FamilyChildStream } from './family.js';
import { createdAt, DAY_SECONDS, readFrom } from './windows.js';

/** Series the API documents; anything else it sends goes to `additional_metrics`, so nothing is dropped. */
const METRIC_NAMES = new Set([
  'attempted',
  'bounced',
  'clicked',
  'converted',
  'created',
  'deferred',
  'delivered',
  'drafted',
  'failed',
  'human_clicked',
  'human_opened',
  'link_untracked',
  'machine_clicked',
  'open_untracked',
  'opened',
  'prefetch_opened',
  'replied',
  'sent',
  'spammed',
  'suppressed',
  'topic_unsubscribed',
  'tracking_consent_denied',
  'tracking_consent_granted',
  'undeliverable',
  'unsubscribed',
  'untracked',
]);
/** Version-1 metrics answer at most 45 daily steps. */
export const V1_MAX_DAYS = 45;
const V2_MAX_WINDOW_SECONDS = 3650 * DAY_SECONDS;

export const dayOf = (epochSeconds: number): number => Math.floor(epochSeconds / DAY_SECONDS) * DAY_SECONDS;

/** Daily counts keep changing for a while: incremental syncs re-read the days within the lookback. */
export function dailyCountsCursor(
  context: StreamContext,
  run: CursorInput,
): ClientSideCursor | FullRefreshCursor {
  if (run.syncMode !== 'incremental') return new FullRefreshCursor();
  return new ClientSideCursor('day', run, {
    lookbackSeconds: context.config.messagesLookbackSeconds,
    startDate: context.config.startDate,
    format: isoDay,
  });
}

/** The UTC day a parent's daily series starts: its creation (or start_date), or the cursor when later. */
export function firstDailyBucket(
  context: StreamContext,
  parent: JsonObject,
  cursor: ClientSideCursor | FullRefreshCursor,
): number {
  return dayOf(Math.max(readFrom(context, createdAt(parent)), cursor.since ?? 0));
}
const easternDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' });

/** Midnight UTC of the calendar date it is in US Eastern time at `epochSeconds` (version-1 days are Eastern). */
export function easternDay(epochSeconds: number): number {
  return Date.parse(`${easternDate.format(new Date(epochSeconds * 1000))}T00:00:00Z`) / 1000;
}

export function seriesLength(body: JsonObject): number {
  const series = ((body.metric as JsonObject | undefined)?.series ?? {}) as Record<string, unknown>;
  return Math.max(0, ...Object.values(series).map((values) => (Array.isArray(values) ? values.length : 0)));
}

/**
 * The series of one language variant of an action metrics answer: documented only as "{action_id: metrics}",
 * so `{series}`, `{metric: {series}}` and a bare `{name: [counts]}` are all read.
 */
function variantSeries(metrics: unknown): Record<string, unknown> {
  if (typeof metrics !== 'object' || metrics === null) return {};
  const value = metrics as JsonObject;
  const nested = (value.metric as JsonObject | undefined)?.series ?? value.series;
  return (typeof nested === 'object' && nested !== null ? nested : value) as Record<string, unknown>;
}

/** Bucket `index` of each language variant: {variant action id: {series name: count}}; undefined without variants. */
function variantsInBucket(body: JsonObject, index: number): JsonObject | undefined {
  const variants = body.language_variants;
  if (typeof variants !== 'object' || variants === null || Array.isArray(variants)) return undefined;
  const entries = Object.entries(variants as JsonObject);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([id, metrics]) => [
      id,
      Object.fromEntries(
        Object.entries(variantSeries(metrics)).map(([name, values]) => [
          name,
          Array.isArray(values) ? (values[index] ?? null) : null,
        ]),
      ),
    ]),
  );
}

/** Adds bucket `index` of each series to `record`: documented names as columns, the rest in `additional_metrics`. */
export function bucketCounts(
  record: JsonObject,
  series: Record<string, unknown>,
  index: number,
  names: ReadonlySet<string>,
): JsonObject {
  const additional: JsonObject = {};
  for (const [name, values] of Object.entries(series)) {
    const value = Array.isArray(values) ? (values[index] ?? null) : null;
    if (names.has(name)) record[name] = value;
    else additional[name] = value;
  }
  if (Object.keys(additional).length > 0) record.additional_metrics = additional;
  return record;
}

/**
 * One record per bucket from `{metric: {series: {name: [count per bucket, oldest first]}}}`, the bucket named
 * in `bucketField` by `labels[index]` (buckets without a label are left out); an action's `language_variants`
 * ({variant action id: its series}) become each bucket's `language_variants` column.
 */
export function seriesRecords(
  body: JsonObject,
  bucketField: string,
  labels: ReadonlyArray<string | undefined>,
): JsonObject[] {
  const series = ((body.metric as JsonObject | undefined)?.series ?? {}) as Record<string, unknown>;
  const records: JsonObject[] = [];
  labels.forEach((label, index) => {
    if (label === undefined) return;
    const record = bucketCounts({ [bucketField]: label }, series, index, METRIC_NAMES);
    const variants = variantsInBucket(body, index);
    if (variants !== undefined) record.language_variants = variants;
    records.push(record);
  });
  return records;
}

/** One record per day from a metrics answer whose first element is `firstDay`; days before `notBefore` are left out. */
export function dailyMetricRecords(
  body: JsonObject,
  firstDay: number,
  notBefore: number | undefined,
): JsonObject[] {
  const floor = notBefore === undefined ? undefined : dayOf(notBefore);
  const labels = Array.from({ length: seriesLength(body) }, (_, index) => {
    const day = firstDay + index * DAY_SECONDS;
    return floor !== undefined && day < floor ? undefined : isoDay(day);
  });
  return seriesRecords(body, 'day', labels);
}

/** The first day of a version-1 daily answer of `length` days: they end today in US Eastern time. */
export function v1FirstDay(serverTime: number, length: number): number {
  return easternDay(serverTime) - (length - 1) * DAY_SECONDS;
}

/**
 * Daily metrics of each parent record. Version 2 (campaigns and their actions) takes any window of up to
 * ten years, from the parent's creation (or start_date) to today, in UTC days; version 1 (broadcasts,
 * newsletters, transactional messages) answers the last 45 days, in US Eastern days ending today by the
 * server's clock (its Date header), which the response does not otherwise state.
 */
export class MetricsStream extends FamilyChildStream<ClientSideCursor | FullRefreshCursor> {
  readonly envelopeKey: string = 'metric';
  override readonly cursorField = 'day';
  readonly version: 1 | 2;

  constructor(child: ChildEntry, version: 1 | 2) {
    super(child);
    this.version = version;
  }

  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return dailyCountsCursor(context, run);
  }

  override slices(
    context: StreamContext,
    parent: JsonObject,
    cursor: ClientSideCursor | FullRefreshCursor,
  ): Slice[] {
    if (this.version === 1) return [{ params: { period: 'days', steps: V1_MAX_DAYS } }];
    const from = firstDailyBucket(context, parent, cursor);
    return timeWindows(from, context.now, V2_MAX_WINDOW_SECONDS).map(({ start, end }) => ({
      params: { version: 2, res: 'days', start, end },
    }));
  }

  override extract(
    { path, body, today }: SliceAnswer,
    slice: Slice,
    parent: JsonObject | undefined,
  ): JsonObject[] {
    expectObject(body, ['metric', 'series'], path);
    const firstDay =
      this.version === 1
        ? v1FirstDay(today, seriesLength(body))
        : dayOf(typeof body.start === 'string' ? Date.parse(body.start) / 1000 : Number(slice.params?.start));
    return dailyMetricRecords(body, firstDay, parent === undefined ? undefined : createdAt(parent));
  }
}

export function dailyMetrics(parent: Addressable, entry: { name: string; version: 1 | 2 }): MetricsStream {
  return new MetricsStream(childOf(parent, entry.name, 'metrics', [['day']]), entry.version);
}
