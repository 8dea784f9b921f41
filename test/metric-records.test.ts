import { describe, expect, test } from 'vitest';
import { dailyMetricRecords, v1FirstDay } from '../src/streams/metrics.js';
import { monthBefore, monthlyMetricRecords } from '../src/streams/monthly-metrics.js';

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

describe('monthlyMetricRecords', () => {
  test('months end with the current one, oldest first, across a year boundary', () => {
    const body = { metric: { series: { sent: [1, 2, 3] } } };
    expect(monthlyMetricRecords(body, '2026-02', undefined)).toEqual([
      { month: '2025-12', sent: 1 },
      { month: '2026-01', sent: 2 },
      { month: '2026-02', sent: 3 },
    ]);
  });

  test('months before the entity’s creation month are left out; its own month is kept', () => {
    const body = { metric: { series: { sent: [0, 0, 4, 5] } } };
    const created = Date.UTC(2026, 0, 31, 23) / 1000;
    expect(monthlyMetricRecords(body, '2026-03', created).map((record) => record.month)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });

  test('monthBefore counts back whole calendar months', () => {
    expect(monthBefore('2026-03', 0)).toBe('2026-03');
    expect(monthBefore('2026-03', 3)).toBe('2025-12');
    expect(monthBefore('2026-09', 119)).toBe('2016-10');
  });
});

describe('v1FirstDay', () => {
  test('a 45-day answer ends on today’s US Eastern date, even when UTC is already tomorrow', () => {
    const lateEvening = Date.UTC(2026, 8, 22, 2) / 1000; // 22:00 on the 21st in New York
    expect(v1FirstDay(lateEvening, 45)).toBe(Date.UTC(2026, 8, 21) / 1000 - 44 * DAY);
  });
});
