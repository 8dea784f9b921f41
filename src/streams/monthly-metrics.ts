import type { JsonObject } from '@cio-connectors/kit/json';
import { FullRefreshCursor } from '../cursors.js';
import { expectObject } from '../pagination.js';
import type { Slice, SliceAnswer } from './base.js';
import { type Addressable, childOf, FamilyChildStream } from './family.js';
import { easternDay, seriesLength, seriesRecords } from './metrics.js';
import { createdAt } from './windows.js';

/**
 * Version-1 `period=months` steps requested: the current spec allows 121, the 2024 spec 120; 120 is valid
 * under both and still reaches back ten years.
 */
const V1_MONTH_STEPS = 120;

const isoMonth = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().slice(0, 7);

/** The "YYYY-MM" month `back` months before the one `month` ("YYYY-MM") names. */
export function monthBefore(month: string, back: number): string {
  const [year, monthNumber] = month.split('-').map(Number);
  return isoMonth(Date.UTC(year ?? 1970, (monthNumber ?? 1) - 1 - back, 1) / 1000);
}

/**
 * One record per month from a version-1 monthly answer whose last element is `lastMonth`; months before
 * the one of `notBefore` (the entity's creation) are left out.
 */
export function monthlyMetricRecords(
  body: JsonObject,
  lastMonth: string,
  notBefore: number | undefined,
): JsonObject[] {
  const length = seriesLength(body);
  const floor = notBefore === undefined ? undefined : isoMonth(notBefore);
  const labels = Array.from({ length }, (_, index) => {
    const month = monthBefore(lastMonth, length - 1 - index);
    return floor !== undefined && month < floor ? undefined : month;
  });
  return seriesRecords(body, 'month', labels);
}

/**
 * Monthly metrics of each parent over the last ten years, for version-1 entities (broadcasts, their
 * actions, newsletters, transactional messages), whose daily series stop at 45 days: the history a first
 * sync backfills. Months are US Eastern calendar months ending with the current one (partial) by the
 * server's clock. One request per parent answers the whole history, so the stream is a full refresh.
 */
export class MonthlyMetricsStream extends FamilyChildStream {
  readonly envelopeKey = 'metric';

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override slices(): Slice[] {
    return [{ params: { period: 'months', steps: V1_MONTH_STEPS } }];
  }

  override extract(
    { path, body, today }: SliceAnswer,
    _slice: Slice,
    parent: JsonObject | undefined,
  ): JsonObject[] {
    expectObject(body, ['metric', 'series'], path);
    const lastMonth = isoMonth(easternDay(today));
    return monthlyMetricRecords(body, lastMonth, parent === undefined ? undefined : createdAt(parent));
  }
}

export function monthlyMetrics(parent: Addressable, entry: { name: string }): MonthlyMetricsStream {
  return new MonthlyMetricsStream(childOf(parent, entry.name, 'metrics', [['month']]));
}
