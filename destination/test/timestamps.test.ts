import { afterEach, describe, expect, test } from 'vitest';
import { unixSeconds } from '../src/timestamps.js';

/** 2026-12-01T10:00:00Z. */
const SECONDS = 1_796_119_200;

describe('unixSeconds: numbers since the epoch', () => {
  test('seconds, as a number, a bigint or digits', () => {
    expect(unixSeconds(SECONDS)).toBe(SECONDS);
    expect(unixSeconds(BigInt(SECONDS))).toBe(SECONDS);
    expect(unixSeconds(String(SECONDS))).toBe(SECONDS);
    expect(unixSeconds(` ${SECONDS} `)).toBe(SECONDS);
  });

  test('fractions of a second are dropped, never rounded up', () => {
    expect(unixSeconds(SECONDS + 0.9)).toBe(SECONDS);
    expect(unixSeconds(`${SECONDS}.999`)).toBe(SECONDS);
  });

  test('milliseconds, as a number, a bigint or digits', () => {
    expect(unixSeconds(SECONDS * 1000)).toBe(SECONDS);
    expect(unixSeconds(SECONDS * 1000 + 999)).toBe(SECONDS);
    expect(unixSeconds(BigInt(SECONDS) * 1000n + 123n)).toBe(SECONDS);
    expect(unixSeconds(`${SECONDS}456`)).toBe(SECONDS);
  });

  test('microseconds, as a number, a bigint or digits', () => {
    expect(unixSeconds(SECONDS * 1_000_000)).toBe(SECONDS);
    expect(unixSeconds(BigInt(SECONDS) * 1_000_000n + 999_999n)).toBe(SECONDS);
    expect(unixSeconds(`${SECONDS}123456`)).toBe(SECONDS);
  });

  test('the bounds between the units: 1e11 is milliseconds, 1e14 microseconds', () => {
    expect(unixSeconds(99_999_999_999)).toBe(99_999_999_999);
    expect(unixSeconds(100_000_000_000)).toBe(100_000_000);
    expect(unixSeconds(99_999_999_999_999)).toBe(99_999_999_999);
    expect(unixSeconds(100_000_000_000_000)).toBe(100_000_000);
  });
});

describe('unixSeconds: ISO 8601 text', () => {
  test('with Z, with fractions of a second', () => {
    expect(unixSeconds('2026-12-01T10:00:00Z')).toBe(SECONDS);
    expect(unixSeconds('2026-12-01T10:00:00.999Z')).toBe(SECONDS);
    expect(unixSeconds('  2026-12-01T10:00:00Z  ')).toBe(SECONDS);
  });

  test('with an offset, written ±HH:MM, ±HHMM or ±HH', () => {
    expect(unixSeconds('2026-12-01T12:00:00+02:00')).toBe(SECONDS);
    expect(unixSeconds('2026-12-01T05:00:00-05:00')).toBe(SECONDS);
    expect(unixSeconds('2026-12-01T15:30:00+0530')).toBe(SECONDS);
    expect(unixSeconds('2026-12-01T12:00:00+02')).toBe(SECONDS);
  });

  describe('without an offset: read as UTC, whatever the time zone', () => {
    const originalZone = process.env.TZ;
    afterEach(() => {
      if (originalZone === undefined) delete process.env.TZ;
      else process.env.TZ = originalZone;
    });

    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      test(`in ${zone}`, () => {
        process.env.TZ = zone;
        expect(unixSeconds('2026-12-01 10:00:00')).toBe(SECONDS);
        expect(unixSeconds('2026-12-01T10:00:00')).toBe(SECONDS);
        expect(unixSeconds('2026-12-01T10:00')).toBe(SECONDS);
        expect(unixSeconds('2026-12-01 10:00:00.123456')).toBe(SECONDS);
        expect(unixSeconds('2026-12-01')).toBe(SECONDS - 10 * 3600);
      });
    }
  });
});

describe('unixSeconds: what is not a time after the epoch', () => {
  test.each([
    ['text', 'yesterday'],
    ['empty text', ''],
    ['blank text', '   '],
    ['an impossible month', '2026-13-01'],
    // A date placeholder of year 1: the lenient parser would read it as 2001.
    ['year 1', '0001-01-01'],
    ['year 49', '0049-12-31'],
    // Other formats are ambiguous (month or day first) and read in the machine's time zone: refused.
    ['slashes', '2026/12/01 10:00:00'],
    ['a US date', '12/01/2026'],
    ['words', 'March 7, 2026'],
    ['a negative number', -SECONDS],
    ['negative digits', `-${SECONDS}`],
    ['a negative bigint', -1n],
    ['zero', 0],
    ['zero digits', '0'],
    ['the epoch as text', '1970-01-01T00:00:00Z'],
    ['a time before the epoch', '1969-12-31T23:59:59Z'],
    ['NaN', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
    ['an object', { seconds: SECONDS }],
    ['a Date', new Date(SECONDS * 1000)],
    ['an array', [SECONDS]],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
  ])('%s', (_what, value) => {
    expect(unixSeconds(value)).toBeUndefined();
  });
});
