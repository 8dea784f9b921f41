import { describe, expect, test } from 'vitest';
import { dailyMetricRecords } from '../src/streams/metrics.js';

const DAY = 86_400;
const FIRST = Date.UTC(2026, 0, 1) / 1000;

describe('dailyMetricRecords', () => {
  test('one record per day; unknown series land in additional_metrics', () => {
    const body = { metric: { series: { sent: [3, 4], dropped: [1, 0] } } };
    expect(dailyMetricRecords(body, FIRST, undefined)).toEqual([
      { day: '2026-01-01', sent: 3, additional_metrics: { dropped: 1 } },
      { day: '2026-01-02', sent: 4, additional_metrics: { dropped: 0 } },
    ]);
  });

  test.each([
    ['{series}', { 77: { series: { sent: [1, 2] } } }],
    ['{metric: {series}}', { 77: { metric: { series: { sent: [1, 2] } } } }],
    ['a bare series map', { 77: { sent: [1, 2] } }],
  ])('language_variants given as %s become each day’s counts per variant', (_shape, variants) => {
    const body = { metric: { series: { sent: [5, 6] } }, language_variants: variants };
    expect(dailyMetricRecords(body, FIRST, undefined).map((record) => record.language_variants)).toEqual([
      { 77: { sent: 1 } },
      { 77: { sent: 2 } },
    ]);
  });

  test('no language_variants column without variants, and days before the entity are left out', () => {
    const body = { metric: { series: { sent: [1, 2, 3] } }, language_variants: {} };
    const records = dailyMetricRecords(body, FIRST, FIRST + DAY + 5);
    expect(records.map((record) => record.day)).toEqual(['2026-01-02', '2026-01-03']);
    expect(records.every((record) => !('language_variants' in record))).toBe(true);
  });
});
