import type { JsonObject } from '@cio-connectors/kit/json';
import { extractRecords } from '../pagination.js';
import type { Slice, SliceAnswer } from './base.js';
import { type Addressable, childOf } from './family.js';
import { dailyMetricRecords, MetricsStream, seriesLength, V1_MAX_DAYS, v1FirstDay } from './metrics.js';
import { createdAt } from './windows.js';

/**
 * Daily clicks of each tracked link of each parent, from `.../metrics/links`: version-1 daily series (the
 * last 45 US Eastern days) per link, `{links: [{link: {id, href}, metric: {series}}]}`. One record per
 * parent, link and day; the cursor and lookback are the daily metrics' own. Counts are every click
 * (`unique=false`), like the message metrics' `clicked`.
 */
class LinkMetricsStream extends MetricsStream {
  override readonly envelopeKey = 'links';

  override slices(): Slice[] {
    return [{ params: { period: 'days', steps: V1_MAX_DAYS, unique: false } }];
  }

  override extract(
    { path, body, today }: SliceAnswer,
    _slice: Slice,
    parent: JsonObject | undefined,
  ): JsonObject[] {
    const notBefore = parent === undefined ? undefined : createdAt(parent);
    const records: JsonObject[] = [];
    for (const entry of extractRecords(body, this.envelopeKey, path)) {
      const link = (entry.link ?? {}) as JsonObject;
      const firstDay = v1FirstDay(today, seriesLength(entry));
      for (const record of dailyMetricRecords(entry, firstDay, notBefore)) {
        records.push({ link_id: link.id ?? null, href: link.href ?? null, ...record });
      }
    }
    return records;
  }
}

export function linkMetrics(parent: Addressable, entry: { name: string }): MetricsStream {
  return new LinkMetricsStream(childOf(parent, entry.name, 'metrics/links', [['link_id'], ['day']]), 1);
}
