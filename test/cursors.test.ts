import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import {
  ClientSideCursor,
  type CursorInput,
  FULL_REFRESH_COMPLETE_STATE,
  FullRefreshCursor,
  resumeTokenCursor,
  timeWindows,
  windowStart,
} from '../src/cursors.js';
import { compareIds, PerParentWindowCursor, perParentWindowCursor } from '../src/streams/deliveries.js';
import { PeopleProgress, peopleSweepCursor } from '../src/streams/people-sweep.js';
import { completedPartitionsCursor } from '../src/streams/segment-membership.js';
import { WindowCursor, windowCursor } from '../src/streams/windows.js';

const START = 1_800_000_000;
const DAY = 86_400;
const incremental = (saved?: JsonObject): CursorInput => ({
  syncMode: 'incremental',
  saved,
  syncStart: START,
});
const fullRefresh = (saved?: JsonObject): CursorInput => ({
  syncMode: 'full_refresh',
  saved,
  syncStart: START,
});

describe('client-side cursor', () => {
  const options = { lookbackSeconds: 3600, startDate: undefined };

  test('emits from the saved cursor minus the lookback and saves the newest value emitted', () => {
    const cursor = new ClientSideCursor('updated', incremental({ updated: START - DAY }), options);
    expect(cursor.since).toBe(START - DAY - 3600);
    expect(cursor.accept({ updated: START - DAY - 7200 })).toBe(false);
    expect(cursor.accept({ updated: START - DAY - 10 })).toBe(true);
    expect(cursor.accept({ updated: START - 60 })).toBe(true);
    expect(cursor.accept({ name: 'no cursor value' })).toBe(true);
    // Nothing moves mid-read: lists come unsorted.
    expect(cursor.checkpoint()).toEqual({ updated: START - DAY });
    expect(cursor.final()).toEqual({ updated: START - 60 });
    expect(cursor.notices()).toEqual([]);
  });

  test('a record dated after the sync start is emitted but the cursor stops at the sync start, said once', () => {
    const cursor = new ClientSideCursor('timestamp', incremental(), options);
    expect(cursor.accept({ timestamp: START + DAY })).toBe(true);
    expect(cursor.accept({ timestamp: START + 2 * DAY })).toBe(true);
    expect(cursor.final()).toEqual({ timestamp: START });
    expect(cursor.notices()).toHaveLength(1);
    expect(cursor.notices()[0]).toMatch(/2 record\(s\) have a "timestamp" later than the sync's start/);
  });

  test('a saved cursor in the future (abnormal state) is read as the sync start, and reported', () => {
    const reported: unknown[] = [];
    const input = {
      ...incremental({ updated: START + 100 * DAY }),
      onFuturePosition: (field: string, value: unknown) => reported.push([field, value]),
    };
    const cursor = new ClientSideCursor('updated', input, options);
    expect(cursor.since).toBe(START - 3600);
    expect(cursor.accept({ updated: START - 3601 })).toBe(false);
    expect(cursor.accept({ updated: START - 5 })).toBe(true);
    expect(cursor.final()).toEqual({ updated: START });
    expect(reported).toEqual([['updated', START + 100 * DAY]]);
  });

  test('start_date bounds what is emitted; RFC 3339 cursors and formatted states are read and written', () => {
    const cursor = new ClientSideCursor('day', incremental({ day: '2026-01-10' }), {
      lookbackSeconds: 2 * DAY,
      startDate: Date.parse('2026-01-09T00:00:00Z') / 1000,
      format: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10),
    });
    expect(cursor.since).toBe(Date.parse('2026-01-09T00:00:00Z') / 1000);
    expect(cursor.accept({ day: '2026-01-08' })).toBe(false);
    expect(cursor.accept({ day: '2026-01-12' })).toBe(true);
    expect(cursor.final()).toEqual({ day: '2026-01-12' });
  });
});

describe('window cursor', () => {
  const options = { windowSeconds: 10 * DAY, lookbackSeconds: 2 * DAY };

  test('incremental windows start at the cursor minus the lookback and end at the sync start', () => {
    const cursor = new WindowCursor('created', incremental({ created: START - 15 * DAY }), options);
    expect(cursor.hasPosition).toBe(true);
    const windows = cursor.windows(0);
    expect(windows[0]?.start).toBe(START - 17 * DAY + 1);
    expect(windows.at(-1)?.end).toBe(START);
    expect(cursor.checkpoint()).toEqual({ created: START - 15 * DAY });
    const [first] = windows;
    if (first) cursor.close(first);
    expect(cursor.checkpoint()).toEqual({ created: first?.end });
    expect(cursor.final()).toEqual({ created: START });
  });

  test('a full refresh resumes its own progress without lookback and ends with the full-refresh state', () => {
    const cursor = windowCursor('created', fullRefresh({ resume: { created: START - 5 * DAY } }), options);
    expect(cursor.strategy.windows(0)[0]?.start).toBe(START - 5 * DAY + 1);
    const fresh = windowCursor('created', fullRefresh(), options);
    expect(fresh.strategy.hasPosition).toBe(false);
    expect(fresh.checkpoint()).toEqual({});
    const [first] = fresh.strategy.windows(START - 20 * DAY);
    if (first) fresh.strategy.close(first);
    expect(fresh.checkpoint()).toEqual({ resume: { created: first?.end } });
    expect(fresh.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);
  });

  test('a far-future saved position reads the lookback before the sync start and saves the sync start', () => {
    const cursor = new WindowCursor('created', incremental({ created: START + 365 * DAY }), options);
    expect(cursor.windows(0)).toEqual([{ start: START + 1 - options.lookbackSeconds, end: START }]);
    expect(cursor.checkpoint()).toEqual({ created: START });
    expect(cursor.final()).toEqual({ created: START });
  });

  test('a far-future resume point of a full refresh is dropped: the read starts over', () => {
    const cursor = windowCursor('created', fullRefresh({ resume: { created: START + DAY } }), options);
    expect(cursor.strategy.hasPosition).toBe(false);
    expect(cursor.strategy.windows(START - 25 * DAY)[0]?.start).toBe(START - 25 * DAY);
  });
});

describe('per-parent window cursor', () => {
  const options = { windowSeconds: 10 * DAY, lookbackSeconds: DAY };

  test('far-future positions read the lookback before the target; a far-future sweep is not resumed', () => {
    const saved = {
      created: START + 9 * DAY,
      sweep: { target: START + 9 * DAY, through: '5' },
      created_by_parent: { '7': START + DAY },
    };
    const cursor = new PerParentWindowCursor(incremental(saved), options);
    cursor.plan(['3', '7']);
    expect(cursor.windows('3', 0)).toEqual([{ start: START - DAY, end: START }]);
    expect(cursor.windows('7', 0)).toEqual([{ start: START - DAY, end: START }]);
  });

  test('a sweep in id order: progress is one position plus the parents finished out of order', () => {
    const cursor = new PerParentWindowCursor(incremental({ created: START - 3 * DAY }), options);
    expect(cursor.plan(['10', '9', '100'])).toEqual(['9', '10', '100']);
    expect(cursor.windows('9', 0)[0]?.start).toBe(START - 4 * DAY + 1);
    for (const window of cursor.windows('10', 0)) cursor.close('10', window);
    cursor.finish('10');
    expect(cursor.checkpoint()).toEqual({
      created: START - 3 * DAY,
      sweep: { target: START },
      created_by_parent: { '10': START },
    });
    cursor.finish('9');
    expect(cursor.checkpoint()).toEqual({
      created: START - 3 * DAY,
      sweep: { target: START, through: '10' },
      created_by_parent: {},
    });
    cursor.finish('100');
    expect(cursor.final()).toEqual({ created: START });
  });

  test('a killed sweep resumes toward its own target, skipping the parents it finished', () => {
    const saved = {
      created: START - 20 * DAY,
      sweep: { target: START - DAY, through: '10' },
      created_by_parent: { '12': START - 5 * DAY },
    };
    const cursor = new PerParentWindowCursor(incremental(saved), options);
    cursor.plan(['9', '10', '12', '15']);
    expect(cursor.windows('9', 0)).toEqual([]);
    expect(cursor.windows('10', 0)).toEqual([]);
    expect(cursor.windows('12', 0)[0]?.start).toBe(START - 6 * DAY + 1);
    expect(cursor.windows('15', 0)[0]?.start).toBe(START - 21 * DAY + 1);
    expect(cursor.windows('15', 0).at(-1)?.end).toBe(START - DAY);
    cursor.finish('9');
    // The position never goes back below what the killed sweep had finished.
    expect((cursor.checkpoint().sweep as JsonObject).through).toBe('10');
    expect(cursor.final()).toEqual({ created: START - DAY });
  });

  test('a state from before sweeps (a position for every parent) is read as it is', () => {
    const saved = { created_by_parent: { '1': START - 3 * DAY, '2': START - 30 * DAY } };
    const cursor = new PerParentWindowCursor(incremental(saved), options);
    cursor.plan(['1', '2', '3']);
    expect(cursor.windows('1', 0)[0]?.start).toBe(START - 4 * DAY + 1);
    expect(cursor.windows('2', 0)[0]?.start).toBe(START - 31 * DAY + 1);
    expect(cursor.windows('3', START - 12 * DAY)[0]?.start).toBe(START - 12 * DAY);
    cursor.finish('1');
    expect(cursor.checkpoint().created_by_parent).toEqual({ '2': START - 30 * DAY });
  });

  test('ids beyond 2^53 compare exactly: a resumed sweep does not skip the id after the one it finished', () => {
    // 2^53 + 1 and 2^53 are the same double: compared as numbers they were equal.
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareIds(9007199254740992n, 9007199254740993n)).toBeLessThan(0);
    expect(compareIds('12345678901234567890123', '12345678901234567890124')).toBeLessThan(0);
    expect(compareIds('99999999999999999999', '100000000000000000000')).toBeLessThan(0);
    expect(compareIds(9007199254740993n, '9007199254740993')).toBe(0);
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('007', '7')).toBeGreaterThan(0);
    expect(compareIds('b', 'a')).toBeGreaterThan(0);
    const saved = { created: START - 20 * DAY, sweep: { target: START - DAY, through: '9007199254740992' } };
    const cursor = new PerParentWindowCursor(incremental(saved), options);
    expect(cursor.plan(['9007199254740993', '9007199254740992', '9007199254740991'])).toEqual([
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
    ]);
    expect(cursor.windows('9007199254740992', 0)).toEqual([]);
    expect(cursor.windows('9007199254740993', 0)[0]?.start).toBe(START - 21 * DAY + 1);
  });

  test('a full refresh checkpoints under resume and ends with the full-refresh state', () => {
    const cursor = perParentWindowCursor(fullRefresh(), options);
    cursor.strategy.plan(['1']);
    const [window] = cursor.strategy.windows('1', START - DAY);
    if (window) cursor.strategy.close('1', window);
    expect(cursor.checkpoint()).toEqual({
      resume: { sweep: { target: START }, created_by_parent: { '1': START } },
    });
    cursor.strategy.finish('1');
    expect(cursor.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);
  });
});

test('resumable full refreshes: completed partitions and a search token', () => {
  const segments = completedPartitionsCursor(
    'completed_segments',
    fullRefresh({ resume: { completed_segments: [3] } }),
  );
  expect(segments.strategy.isComplete(3)).toBe(true);
  segments.strategy.complete(5);
  expect(segments.checkpoint()).toEqual({ resume: { completed_segments: [3, 5] } });
  expect(segments.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);

  const people = resumeTokenCursor(fullRefresh({ resume: { next: 'abc' } }));
  expect(people.strategy.savedToken).toBe('abc');
  people.strategy.advance('def');
  expect(people.checkpoint()).toEqual({ resume: { next: 'def' } });
  expect(people.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);

  const none = new FullRefreshCursor();
  expect(none.accept()).toBe(true);
  expect(none.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);
});

test('window helpers', () => {
  expect(timeWindows(0, 25, 10)).toEqual([
    { start: 0, end: 9 },
    { start: 10, end: 19 },
    { start: 20, end: 25 },
  ]);
  expect(windowStart(100, undefined, 10)).toBe(100);
  expect(windowStart(100, 500, 10)).toBe(491);
  expect(windowStart(100, 50, 10)).toBe(100);
});

describe('people sweep', () => {
  test('progress is the page being read and the last person of its finished prefix', () => {
    const progress = new PeopleProgress(undefined, START);
    progress.beginPage(undefined, ['a', 'b', 'c']);
    progress.personDone('b');
    expect(progress.state()).toEqual({ started: START });
    progress.personDone('a');
    expect(progress.state()).toEqual({ started: START, after: 'b' });
    progress.beginPage('p2', ['d', 'e']);
    progress.personDone('c');
    // The first page is done and the next one has begun: only the next page is named.
    expect(progress.state()).toEqual({ started: START, page: 'p2' });
    progress.personDone('d');
    expect(progress.state()).toEqual({ started: START, page: 'p2', after: 'd' });
  });

  test('a resumed sweep keeps its first start and the position it resumed from until it moves on', () => {
    const progress = new PeopleProgress({ started: START - DAY, page: 'p2', after: 'd' }, START);
    expect(progress.started).toBe(START - DAY);
    expect([progress.resumePage, progress.resumeAfter]).toEqual(['p2', 'd']);
    progress.beginPage('p2', ['d', 'e', 'f']);
    expect(progress.state()).toEqual({ started: START - DAY, page: 'p2', after: 'd' });
    progress.personDone('d');
    progress.personDone('e');
    expect(progress.state()).toEqual({ started: START - DAY, page: 'p2', after: 'e' });
  });

  test('the stream cursor inside a sweep ends at the sweep start; checkpoints carry the people progress', () => {
    const run = incremental({ timestamp: START - 2 * DAY, people: { started: START - DAY, after: 'x' } });
    let innerInput: CursorInput | undefined;
    const cursor = peopleSweepCursor(run, (input) => {
      innerInput = input;
      return new ClientSideCursor('timestamp', input, { lookbackSeconds: 0, startDate: undefined });
    });
    expect(innerInput?.syncStart).toBe(START - DAY);
    expect(cursor.accept({ timestamp: START - 10 })).toBe(true);
    expect(cursor.checkpoint()).toEqual({
      timestamp: START - 2 * DAY,
      people: { started: START - DAY, after: 'x' },
    });
    expect(cursor.final()).toEqual({ timestamp: START - DAY });
    const full = peopleSweepCursor(fullRefresh(), () => new FullRefreshCursor());
    expect(full.checkpoint()).toEqual({ resume: { people: { started: START } } });
    expect(full.final()).toEqual(FULL_REFRESH_COMPLETE_STATE);
  });
});
