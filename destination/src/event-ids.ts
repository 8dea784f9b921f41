import { hash } from 'node:crypto';

const sha256 = (text: string): Buffer => hash('sha256', text, 'buffer');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isUlid(value: string): boolean {
  return ULID.test(value);
}

/**
 * The event's id: a ULID Customer.io deduplicates on, the same every time the same record is written again.
 * A record's own id is kept when it is a ULID (any case), else hashed into one. Otherwise the id comes from
 * the stream and the record's data. Its time part is the event's time, or 0 when the event has none (the time
 * it is sent with then differs from one run to the next, so it cannot be part of an id a replay repeats).
 */
export function eventId(
  stream: string,
  dataText: string,
  ownId: string | undefined,
  seconds: number | undefined,
) {
  if (ownId !== undefined && isUlid(ownId.toUpperCase())) return ownId.toUpperCase();
  const hash = sha256(ownId === undefined ? `record\n${stream}\n${dataText}` : `id\n${stream}\n${ownId}`);
  return encodeUlid(seconds === undefined ? 0 : seconds * 1000, hash);
}

/** 48 bits of milliseconds, then 80 bits of `random` (its first 10 bytes), in Crockford's base 32. */
export function encodeUlid(milliseconds: number, random: Uint8Array): string {
  let time = '';
  let rest = Math.max(0, Math.min(milliseconds, 2 ** 48 - 1));
  for (let index = 0; index < 10; index++) {
    time = (CROCKFORD[rest % 32] ?? '0') + time;
    rest = Math.floor(rest / 32);
  }
  let tail = '';
  for (let index = 0; index < 16; index++) {
    const bit = index * 5;
    const byte = bit >> 3;
    const word = ((random[byte] ?? 0) << 8) | (random[byte + 1] ?? 0);
    tail += CROCKFORD[(word >> (11 - (bit & 7))) & 31] ?? '0';
  }
  return time + tail;
}
