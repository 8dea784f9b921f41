import { describe, expect, test } from 'vitest';
import { parseConfig } from '../src/config.js';
import { timeWindows, windowStart } from '../src/cursors.js';
import type { StreamContext } from '../src/streams/base.js';
import { CustomersStream } from '../src/streams/customers.js';
import { dailyMetricRecords, easternDay } from '../src/streams/metrics.js';
import { withoutCredentials } from '../src/streams/record-steps.js';
import {
  CUSTOMER_IO_EPOCH,
  DELIVERY_WINDOW_SECONDS,
  filterSlices,
  readFrom,
  windowSlices,
} from '../src/streams/windows.js';

const DAY = 86_400;
const JAN_1 = Date.parse('2026-01-01T00:00:00Z') / 1000;

function contextWith(config: Record<string, unknown> = {}): StreamContext {
  return {
    config: parseConfig({ app_api_key: 'k', ...config }, Date.parse('2026-11-24T00:00:00Z')),
    now: JAN_1 + 365 * DAY,
  } as StreamContext;
}

describe('time windows', () => {
  test('cover the range oldest first, inclusive bounds, no gap and no overlap', () => {
    const windows = timeWindows(100, 100 + 2 * DELIVERY_WINDOW_SECONDS + 10, DELIVERY_WINDOW_SECONDS);
    expect(windows).toEqual([
      { start: 100, end: 100 + DELIVERY_WINDOW_SECONDS - 1 },
      { start: 100 + DELIVERY_WINDOW_SECONDS, end: 100 + 2 * DELIVERY_WINDOW_SECONDS - 1 },
      { start: 100 + 2 * DELIVERY_WINDOW_SECONDS, end: 100 + 2 * DELIVERY_WINDOW_SECONDS + 10 },
    ]);
    expect(timeWindows(5, 5, 10)).toEqual([{ start: 5, end: 5 }]);
    expect(timeWindows(6, 5, 10)).toEqual([]);
  });

  test('an incremental window read starts after the cursor minus the lookback, never before the floor', () => {
    expect(windowStart(1000, undefined, 50)).toBe(1000);
    expect(windowStart(1000, 5000, 50)).toBe(4951);
    expect(windowStart(1000, 1010, 50)).toBe(1000);
    expect(windowStart(1000, 5000, 0)).toBe(5001);
  });

  test('a read starts at the later of start_date and what the data cannot predate', () => {
    expect(readFrom(contextWith(), JAN_1)).toBe(JAN_1);
    expect(readFrom(contextWith({ start_date: '2026-03-01T00:00:00Z' }), JAN_1)).toBe(JAN_1 + 59 * DAY);
    expect(readFrom(contextWith(), undefined)).toBe(CUSTOMER_IO_EPOCH);
    expect(readFrom(contextWith({ start_date: '2026-03-01T00:00:00Z' }), undefined)).toBe(JAN_1 + 59 * DAY);
  });

  test('list filters multiply the windows, one request sequence per value', () => {
    expect(filterSlices('type', [])).toEqual([{}]);
    const done: number[] = [];
    const slices = windowSlices(
      timeWindows(0, DELIVERY_WINDOW_SECONDS + 1, DELIVERY_WINDOW_SECONDS),
      ['email', 'push'],
      (window) => done.push(window.end),
    );
    expect(slices.map((slice) => slice.params)).toEqual([
      { type: 'email', start_ts: 0, end_ts: DELIVERY_WINDOW_SECONDS - 1 },
      { type: 'push', start_ts: 0, end_ts: DELIVERY_WINDOW_SECONDS - 1 },
      { type: 'email', start_ts: DELIVERY_WINDOW_SECONDS, end_ts: DELIVERY_WINDOW_SECONDS + 1 },
      { type: 'push', start_ts: DELIVERY_WINDOW_SECONDS, end_ts: DELIVERY_WINDOW_SECONDS + 1 },
    ]);
    // The state moves once per window, after its last type.
    expect(slices.map((slice) => slice.done !== undefined)).toEqual([false, true, false, true]);
    for (const slice of slices) slice.done?.();
    expect(done).toEqual([DELIVERY_WINDOW_SECONDS - 1, DELIVERY_WINDOW_SECONDS + 1]);
    expect(filterSlices('type', [])).toEqual([{}]);
  });
});

describe('daily metrics', () => {
  test('one record per day, documented series as columns, the rest kept in additional_metrics', () => {
    const body = { metric: { series: { sent: [1, 2, 3], opened: [0, 1, 1], brand_new_metric: [7, 8, 9] } } };
    expect(dailyMetricRecords(body, JAN_1, undefined)).toEqual([
      { day: '2026-01-01', sent: 1, opened: 0, additional_metrics: { brand_new_metric: 7 } },
      { day: '2026-01-02', sent: 2, opened: 1, additional_metrics: { brand_new_metric: 8 } },
      { day: '2026-01-03', sent: 3, opened: 1, additional_metrics: { brand_new_metric: 9 } },
    ]);
  });

  test('version-1 days are US Eastern calendar days', () => {
    expect(easternDay(JAN_1 + 3 * 3600)).toBe(JAN_1 - DAY);
    expect(easternDay(JAN_1 + 6 * 3600)).toBe(JAN_1);
  });

  test('days before the entity existed are left out; an empty series gives no record', () => {
    const body = { metric: { series: { sent: [0, 0, 5] } } };
    expect(dailyMetricRecords(body, JAN_1, JAN_1 + 2 * DAY + 3600).map((record) => record.day)).toEqual([
      '2026-01-03',
    ]);
    expect(dailyMetricRecords({ metric: { series: {} } }, JAN_1, undefined)).toEqual([]);
    expect(dailyMetricRecords({}, JAN_1, undefined)).toEqual([]);
  });
});

describe('customers', () => {
  // Looked up by cio_id, the item's own `id` is that cio_id: it must not become the person's id.
  const person = {
    id: 'a1',
    identifiers: { cio_id: 'a1', email: 'ann@example.com', id: null },
    attributes: { cio_id: 'a1', email: 'ann@example.com', plan: 'pro', city: 'Oslo' },
    timestamps: { plan: 1 },
    unsubscribed: false,
    devices: [],
  };

  test('reads people whether or not the API wraps them in {customer: ...}', () => {
    const stream = new CustomersStream();
    const expected = {
      cio_id: 'a1',
      id: null,
      email: 'ann@example.com',
      identifiers: person.identifiers,
      attributes: person.attributes,
      timestamps: { plan: 1 },
      unsubscribed: false,
      devices: [],
    };
    expect(stream.transform(person, contextWith())).toEqual(expected);
    expect(stream.transform({ customer: person }, contextWith())).toEqual(expected);
  });

  test('customer_attributes keeps only the listed attributes', () => {
    const record = new CustomersStream().transform(person, contextWith({ customer_attributes: ['plan'] }));
    expect(record.attributes).toEqual({ plan: 'pro' });
  });
});

test('credentials embedded in webhook endpoints are removed', () => {
  expect(withoutCredentials('https://user:s3cret@hooks.example.com/cio?x=1')).toBe(
    'https://hooks.example.com/cio?x=1',
  );
  expect(withoutCredentials('https://hooks.example.com/cio')).toBe('https://hooks.example.com/cio');
  expect(withoutCredentials('not a url //user:pw@host')).toBe('not a url //host');
  expect(withoutCredentials(null)).toBeNull();
});
