import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { encodeUlid, eventId, isUlid } from '../src/event-ids.js';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SECONDS = 1_796_119_200;

/** The ULID of `milliseconds` and the first 10 bytes of `random`, as one 130-bit number written in base 32. */
function bigIntUlid(milliseconds: number, random: Uint8Array): string {
  let value = BigInt(milliseconds) << 80n;
  for (const [index, byte] of [...random.subarray(0, 10)].entries())
    value |= BigInt(byte) << BigInt(8 * (9 - index));
  let text = '';
  for (let index = 0; index < 26; index++) {
    text = CROCKFORD.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return text;
}

/** The milliseconds a ULID's first 10 characters encode. */
function decodeTime(ulid: string): number {
  let milliseconds = 0;
  for (const character of ulid.slice(0, 10)) milliseconds = milliseconds * 32 + CROCKFORD.indexOf(character);
  return milliseconds;
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const sha256 = (text: string) => createHash('sha256').update(text).digest();

describe('encodeUlid', () => {
  test('vectors worked out by hand', () => {
    expect(encodeUlid(0, new Uint8Array(10))).toBe('0'.repeat(26));
    expect(encodeUlid(0, new Uint8Array(10).fill(0xff))).toBe(`${'0'.repeat(10)}${'Z'.repeat(16)}`);
    // 0x80 then zeros: the first 5 bits are 10000 (16 = G), the rest 0.
    expect(encodeUlid(0, bytes(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0))).toBe(`${'0'.repeat(10)}G${'0'.repeat(15)}`);
    // The last byte's low 5 bits are the last character: 0x01 is 1, 0x1f is Z.
    expect(encodeUlid(0, bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01))).toBe(`${'0'.repeat(25)}1`);
    expect(encodeUlid(0, bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1f))).toBe(`${'0'.repeat(25)}Z`);
    // 32 ms is "10" in base 32.
    expect(encodeUlid(32, new Uint8Array(10))).toBe(`${'0'.repeat(8)}10${'0'.repeat(16)}`);
  });

  test("the ULID specification's time example: 1469918176385 is 01ARYZ6S41", () => {
    expect(encodeUlid(1_469_918_176_385, new Uint8Array(10)).slice(0, 10)).toBe('01ARYZ6S41');
  });

  test('agrees with a BigInt encoding of the 130 bits', () => {
    const cases: Array<[number, Uint8Array]> = [
      [0, sha256('a')],
      [1, sha256('b')],
      [SECONDS * 1000, sha256('c')],
      [1_469_918_176_385, bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)],
      [2 ** 48 - 1, sha256('d')],
      [123_456_789_012, bytes(0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd)],
    ];
    for (const [milliseconds, random] of cases) {
      const ulid = encodeUlid(milliseconds, random);
      expect(ulid).toBe(bigIntUlid(milliseconds, random));
      expect(ulid).toMatch(ULID);
      expect(decodeTime(ulid)).toBe(milliseconds);
    }
  });

  test('only the first 10 bytes of the random part count', () => {
    const random = sha256('x');
    expect(encodeUlid(5, random)).toBe(encodeUlid(5, random.subarray(0, 10)));
  });

  test('times past 48 bits are clamped, negative ones are 0', () => {
    expect(encodeUlid(2 ** 48 - 1, new Uint8Array(10)).slice(0, 10)).toBe('7ZZZZZZZZZ');
    expect(encodeUlid(2 ** 50, new Uint8Array(10)).slice(0, 10)).toBe('7ZZZZZZZZZ');
    expect(encodeUlid(-1000, new Uint8Array(10)).slice(0, 10)).toBe('0000000000');
  });
});

describe('isUlid', () => {
  test('upper-case Crockford base 32, 26 characters, first at most 7', () => {
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isUlid('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(true);
    expect(isUlid('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(false);
    expect(isUlid('01arz3ndektsv4rrffq69g5fav')).toBe(false);
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAI')).toBe(false);
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FA')).toBe(false);
  });
});

describe('eventId', () => {
  test('is a ULID, the same for the same inputs', () => {
    const id = eventId('events', '{"a":1}', undefined, SECONDS);
    expect(id).toMatch(ULID);
    expect(eventId('events', '{"a":1}', undefined, SECONDS)).toBe(id);
    expect(eventId('events', '{"a":1}', 'order-7', SECONDS)).toBe(
      eventId('events', '{"a":1}', 'order-7', SECONDS),
    );
  });

  test('differs by stream and by data', () => {
    const id = eventId('events', '{"a":1}', undefined, SECONDS);
    expect(eventId('other', '{"a":1}', undefined, SECONDS)).not.toBe(id);
    expect(eventId('events', '{"a":2}', undefined, SECONDS)).not.toBe(id);
    // Not only the time part: the random part differs too.
    expect(eventId('events', '{"a":2}', undefined, SECONDS).slice(10)).not.toBe(id.slice(10));
  });

  test('an own id that is not a ULID is hashed with the stream, and the data no longer counts', () => {
    const id = eventId('events', '{"a":1}', 'order-7', SECONDS);
    expect(id).toMatch(ULID);
    expect(id).toBe(encodeUlid(SECONDS * 1000, sha256('id\nevents\norder-7')));
    expect(eventId('events', '{"a":2}', 'order-7', SECONDS)).toBe(id);
    expect(eventId('events', '{"a":1}', 'order-8', SECONDS)).not.toBe(id);
    expect(eventId('other', '{"a":1}', 'order-7', SECONDS)).not.toBe(id);
    expect(id).not.toBe(eventId('events', '{"a":1}', undefined, SECONDS));
  });

  test('without an own id, the hash is of the stream and the data', () => {
    expect(eventId('events', '{"a":1}', undefined, SECONDS)).toBe(
      encodeUlid(SECONDS * 1000, sha256('record\nevents\n{"a":1}')),
    );
  });

  test('an own ULID is kept, upper-cased, whatever the stream, data or time', () => {
    expect(eventId('events', '{}', '01ARZ3NDEKTSV4RRFFQ69G5FAV', SECONDS)).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(eventId('other', '{"b":2}', '01arz3ndektsv4rrffq69g5fav', undefined)).toBe(
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    );
  });

  test('an own id that only looks like a ULID (a letter Crockford leaves out) is hashed', () => {
    const id = eventId('events', '{}', '01ARZ3NDEKTSV4RRFFQ69G5FAU', SECONDS);
    expect(id).not.toBe('01ARZ3NDEKTSV4RRFFQ69G5FAU');
    expect(id).toMatch(ULID);
  });

  test("the time part is the event's seconds, in milliseconds", () => {
    const id = eventId('events', '{}', undefined, SECONDS);
    expect(decodeTime(id)).toBe(SECONDS * 1000);
    expect(eventId('events', '{}', undefined, SECONDS + 1).slice(10)).toBe(id.slice(10));
    expect(decodeTime(eventId('events', '{}', 'own', SECONDS))).toBe(SECONDS * 1000);
  });

  test('without a time the time part is 0, and the id still depends on the data', () => {
    const id = eventId('events', '{}', undefined, undefined);
    expect(id.slice(0, 10)).toBe('0000000000');
    expect(id).toMatch(ULID);
    expect(eventId('events', '{}', undefined, undefined)).toBe(id);
    expect(eventId('events', '{"a":1}', undefined, undefined)).not.toBe(id);
    expect(eventId('events', '{}', 'own', undefined).slice(0, 10)).toBe('0000000000');
  });
});
