import type { JsonObject } from '@cio-connectors/kit/json';

/**
 * The JSON text a record came in, kept where writing the record again would give the very same text: the emitter
 * then copies that text instead of serializing the record (serializing was the largest cost of a long read, about
 * as much as parsing). Only records that nothing changes between the response and stdout are kept (streams opt in
 * with `PageRequest.keepRecordText`), and only texts that are exactly `JSON.stringify`'s: no whitespace, no
 * escape it would not write, numbers as it writes them, no duplicate or integer-like keys (see `scanElements`).
 * A text stays with the very record object it was kept for: a step that copies or rebuilds a record on the way
 * (normalized, given parent fields) drops its text, and that record is serialized as before.
 */

/**
 * The text of each of `records` (the list under `envelopeKey` of the body whose text is `text`) that
 * `JSON.stringify` would write the same, by position; undefined where it would not, or for the whole page when
 * the list is not the body's first member (`{"messages":[...`, as Customer.io sends them). The texts ride on the
 * page, then on its batch of records, to the emitter (see RecordBatch): nothing is kept anywhere else.
 */
export function recordTexts(
  text: string,
  envelopeKey: string,
  records: readonly JsonObject[],
): ReadonlyArray<string | undefined> | undefined {
  if (records.length === 0) return undefined;
  const opening = `{${JSON.stringify(envelopeKey)}:[`;
  if (!text.startsWith(opening) || !isWellFormed(text)) return undefined;
  const elements = scanElements(text, opening.length - 1);
  if (elements.length !== records.length * ELEMENT_FIELDS) return undefined;
  // The envelope key again after the list: the parser kept the last list, and the texts are of the first.
  const listEnd = elements[elements.length - 2] as number;
  if (text.includes(opening.slice(1, -1), listEnd)) return undefined;
  return records.map((record, index) => {
    const at = index * ELEMENT_FIELDS;
    const start = elements[at] as number;
    if (start === NOT_KEPT || countKeys(record) !== elements[at + 2]) return undefined;
    return copyOf(text.slice(start, elements[at + 1]));
  });
}

/** `scanElements` gives three numbers per element: where its text starts (or NOT_KEPT), ends, and its keys. */
const ELEMENT_FIELDS = 3;
const NOT_KEPT = -1;

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const SMALL_E = 0x65;
const CAPITAL_E = 0x45;
const SMALL_U = 0x75;
const SLASH = 0x2f;
const SMALL_F = 0x66;
const SMALL_N = 0x6e;
const SMALL_T = 0x74;
/** Digits from which an integer may not be exact as a double (2^53 has 16): left to the full serializer. */
const LONG_INTEGER_DIGITS = 16;

/**
 * The elements of the JSON list opening at `at` in `text` (valid JSON: it was parsed), as ELEMENT_FIELDS numbers
 * each: NOT_KEPT where the element is not an object or its text is not what `JSON.stringify` writes for it. That
 * text has no whitespace; in strings, only the escapes `\" \\ \b \f \n \r \t` (never `\/` or `\u`); numbers
 * are integers of fewer than 16 digits, never `-0`; no key starts with a digit (objects list integer-like keys
 * first, whatever the text's order). Duplicate keys, which parsing merges, are found by counting keys afterwards.
 * Integers of 16 digits and more are left out because a BigInt may stand for them (see json.ts), which only the
 * lossless writer writes; the other values of a body read by the lossless parser are what JSON.parse makes.
 */
function scanElements(text: string, at: number): number[] {
  const elements: number[] = [];
  const length = text.length;
  let nextBackslash = indexOrEnd(text, '\\', at);
  let depth = 0;
  let start = 0;
  let keys = 0;
  let canonical = true;
  let index = at + 1;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const opening = index;
      let closing = text.indexOf('"', opening + 1);
      // Escapes before the candidate closing quote: each is looked at, and an escaped quote closes nothing.
      while (nextBackslash < closing) {
        const escaped = text.charCodeAt(nextBackslash + 1);
        if (escaped === SMALL_U || escaped === SLASH) canonical = false;
        const after = nextBackslash + 2;
        if (after > closing) closing = text.indexOf('"', after);
        nextBackslash = indexOrEnd(text, '\\', after);
      }
      index = closing + 1;
      if (depth === 0) elements.push(NOT_KEPT, index, 0);
      else if (text.charCodeAt(index) === COLON) {
        keys += 1;
        const first = text.charCodeAt(opening + 1);
        if (first >= ZERO && first <= NINE) canonical = false;
        index += 1;
      }
    } else if (code === OPEN_OBJECT || code === OPEN_LIST) {
      if (depth === 0) {
        start = index;
        keys = 0;
        canonical = code === OPEN_OBJECT;
      }
      depth += 1;
      index += 1;
    } else if (code === CLOSE_OBJECT || code === CLOSE_LIST) {
      if (depth === 0) break;
      depth -= 1;
      index += 1;
      if (depth === 0) elements.push(canonical ? start : NOT_KEPT, index, keys);
    } else if (code === COMMA) {
      index += 1;
    } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
      let end = index + 1;
      while (end < length) {
        const digit = text.charCodeAt(end);
        if (digit < ZERO || digit > NINE) break;
        end += 1;
      }
      const next = text.charCodeAt(end);
      const digits = end - index - (code === MINUS ? 1 : 0);
      const negativeZero = code === MINUS && digits === 1 && text.charCodeAt(index + 1) === ZERO;
      if (
        next === DOT ||
        next === SMALL_E ||
        next === CAPITAL_E ||
        digits >= LONG_INTEGER_DIGITS ||
        negativeZero
      )
        canonical = false;
      // A primitive element of the list is no record: nothing is kept for it.
      if (depth === 0) elements.push(NOT_KEPT, index, 0);
      index = end;
    } else if (code === SMALL_T || code === SMALL_N || code === SMALL_F) {
      if (depth === 0) elements.push(NOT_KEPT, index, 0);
      index += code === SMALL_F ? 5 : 4;
    } else {
      // Whitespace, or what follows it (a colon after a key and a space): not JSON.stringify's text.
      canonical = false;
      index += 1;
    }
  }
  return elements;
}

function indexOrEnd(text: string, search: string, from: number): number {
  const found = text.indexOf(search, from);
  return found === -1 ? text.length : found;
}

/** Own keys of the value's objects, all the way down (list indices are not keys). */
function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  for (const key in value) {
    count += 1;
    count += countKeys((value as JsonObject)[key]);
  }
  return count;
}

/**
 * The text as a string of its own: a slice would keep the whole body (hundreds of KB) alive until the last
 * record of its page is emitted, long enough to be moved out of the young generation, which raised the peak RSS
 * of a long read by half. Number() flattens the concatenation into a new string (the known "flatstr" way),
 * and the one-character prefix is cut off again.
 */
function copyOf(slice: string): string {
  const joined = `,${slice}`;
  Number(joined);
  return joined.slice(1);
}

/** No lone surrogate, which `JSON.stringify` would write as an escape (decoded UTF-8 never has one). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
