import type { LogLevel } from '@cio-connectors/kit/protocol';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type ProgressOutput, progressLine, StreamProgress } from '../src/progress.js';

interface Captured {
  output: ProgressOutput;
  estimates: number[];
  logs: string[];
}

function capture(): Captured {
  const estimates: number[] = [];
  const logs: string[] = [];
  return {
    estimates,
    logs,
    output: {
      estimate: (stream, rows) => estimates.push(stream === 'messages' ? rows : -1),
      log: (level: LogLevel, message) => logs.push(`${level} ${message}`),
    },
  };
}

function records(progress: StreamProgress, count: number): void {
  for (let index = 0; index < count; index += 1) progress.recorded();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamProgress estimates', () => {
  test('a counted total is sent at once, once, and the exact count at the end', () => {
    const { output, estimates } = capture();
    const progress = new StreamProgress('messages', output, { logEveryMs: 0 });
    progress.report({ rows: 120 });
    progress.report({ rows: 120 });
    records(progress, 118);
    progress.finish();
    expect(estimates).toEqual([120, 118]);
  });

  test('no estimate while nothing tells, and none at the end either', () => {
    const { output, estimates } = capture();
    const progress = new StreamProgress('messages', output, { logEveryMs: 0 });
    records(progress, 5);
    progress.report({ done: 2, unit: 'windows' });
    progress.finish();
    expect(estimates).toEqual([]);
  });

  test('units done of total extrapolate the records emitted so far, and never fall below them', () => {
    const { output, estimates } = capture();
    let now = 0;
    const progress = new StreamProgress('messages', output, { logEveryMs: 0, now: () => now });
    records(progress, 30);
    progress.report({ done: 1, total: 4, unit: 'windows' });
    expect(progress.estimate).toBe(120);
    // One second later, a moved estimate is sent again.
    now = 1000;
    records(progress, 10);
    progress.report({ done: 2, total: 4 });
    expect(estimates).toEqual([120, 80]);
    // Every unit done: the estimate is what was emitted.
    progress.report({ done: 4, total: 4 });
    expect(progress.estimate).toBe(40);
  });

  test('extrapolated estimates wait a second, and a move under 2% is not sent', () => {
    const { output, estimates } = capture();
    let now = 0;
    const progress = new StreamProgress('messages', output, { logEveryMs: 0, now: () => now });
    records(progress, 100);
    progress.report({ done: 1, total: 2, unit: 'windows' });
    records(progress, 50);
    progress.report({ done: 1, total: 2 });
    expect(estimates).toEqual([200]);
    now = 5000;
    records(progress, 1);
    progress.report({ done: 1, total: 2 });
    expect(estimates).toEqual([200, 302]);
    now = 10_000;
    records(progress, 2);
    progress.report({ done: 1, total: 2 });
    // 306 is within 2% of 302.
    expect(estimates).toEqual([200, 302]);
  });

  test('a zero or negative estimate is never sent', () => {
    const { output, estimates } = capture();
    const progress = new StreamProgress('messages', output, { logEveryMs: 0 });
    progress.report({ done: 3, total: 30, unit: 'windows' });
    progress.report({ rows: 0 });
    expect(estimates).toEqual([]);
  });
});

describe('StreamProgress LOG lines', () => {
  test('one line every interval while the stream runs, none after it ends', () => {
    vi.useFakeTimers();
    let now = 0;
    const { output, logs } = capture();
    const progress = new StreamProgress('messages', output, { logEveryMs: 30_000, now: () => now });
    records(progress, 3000);
    progress.report({ done: 1, total: 4, unit: 'windows' });
    now = 30_000;
    vi.advanceTimersByTime(30_000);
    expect(logs).toEqual([
      'INFO messages: 3,000 records so far (of about 12,000); 1 of 4 windows done; 100 records/s; about 1 min 30 s left.',
    ]);
    progress.finish();
    vi.advanceTimersByTime(120_000);
    expect(logs).toHaveLength(1);
  });
});

describe('StreamProgress LOG interval', () => {
  test('0, or beyond what a Node timer holds, writes no LOG line at all', () => {
    vi.useFakeTimers();
    for (const logEveryMs of [0, 2 ** 31, Number.POSITIVE_INFINITY]) {
      const { output, logs } = capture();
      const progress = new StreamProgress('messages', output, { logEveryMs });
      vi.advanceTimersByTime(60_000);
      progress.finish();
      expect(logs).toEqual([]);
    }
  });
});

describe('progressLine', () => {
  test('without a total or estimate it says what it knows', () => {
    expect(
      progressLine('customers', {
        records: 0,
        elapsedMs: 0,
        estimate: undefined,
        done: undefined,
        total: undefined,
        unit: undefined,
      }),
    ).toBe('customers: 0 records so far; 0 records/s; time left not known yet.');
    expect(
      progressLine('segment_membership', {
        records: 45_000,
        elapsedMs: 3_600_000 * 2,
        estimate: undefined,
        done: 7,
        total: undefined,
        unit: 'segments',
      }),
    ).toBe(
      'segment_membership: 45,000 records so far; 7 segments done; 6 records/s; time left not known yet.',
    );
  });

  test('hours when long', () => {
    expect(
      progressLine('customer_relationships', {
        records: 100,
        elapsedMs: 3_600_000,
        estimate: 1000,
        done: 10,
        total: 100,
        unit: 'people',
      }),
    ).toBe(
      'customer_relationships: 100 records so far (of about 1,000); 10 of 100 people done; 0 records/s; about 9 h 0 min left.',
    );
  });
});
