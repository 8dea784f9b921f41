import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

export type JsonObject = { [key: string]: unknown };

/**
 * JSON that keeps integers beyond 2^53 exact. `JSON.parse` rounds 9007199254740993 to ...992, which can then
 * collide with a real id; here such an integer becomes a BigInt, and `stringifyJson` writes it back as the
 * same digits (a number, never a string). Every other value is what `JSON.parse` gives.
 *
 * The lossless parser is many times slower than `JSON.parse`, so it runs only on a text that may hold such an
 * integer: one with 16 digits or more in a row outside a string (see `mayHoldUnsafeInteger`).
 */
export function parseJson(text: string): unknown {
  if (!mayHoldUnsafeInteger(text)) return JSON.parse(text);
  return parseLossless(text, null, { parseNumber, onDuplicateKey: lastValueWins });
}

/** `JSON.stringify`, except that a BigInt is written as its digits. As fast as it on values without one. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // JSON.stringify refuses BigInts (a TypeError); the lossless writer takes them, and writes everything
    // else exactly as JSON.stringify does.
    if (!(error instanceof TypeError)) throw error;
    return stringifyLossless(value) as string;
  }
}

/** 2^53 has 16 digits: a shorter integer is always safe. */
const UNSAFE_DIGITS = 16;
const INTEGER_LITERAL = /^-?\d+$/;

/**
 * Whether the text has a run of at least 16 digits that starts a number token (after `:`, `,`, `[`, or at the
 * start, with an optional sign and whitespace). Digits inside strings (push device tokens, phone numbers) are
 * passed over unless a string itself reads like `, 1234567890123456`, which only costs the slower parse.
 * Every 16th character is looked at: a run of 16 digits always covers one of them, so a page without long
 * digit runs costs about a sixteenth of a pass.
 */
export function mayHoldUnsafeInteger(text: string): boolean {
  const length = text.length;
  for (let at = UNSAFE_DIGITS - 1; at < length; at += UNSAFE_DIGITS) {
    if (!isDigit(text.charCodeAt(at))) continue;
    let start = at;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start -= 1;
    let end = at + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end += 1;
    if (end - start >= UNSAFE_DIGITS && startsNumberToken(text, start)) return true;
    // The next sample past this run: a later run of 16 digits still covers one.
    if (end > at + 1) at = end - 1;
  }
  return false;
}

function startsNumberToken(text: string, digitsStart: number): boolean {
  let before = digitsStart - 1;
  if (before >= 0 && text.charCodeAt(before) === MINUS) before -= 1;
  while (before >= 0 && isWhitespace(text.charCodeAt(before))) before -= 1;
  if (before < 0) return true;
  const code = text.charCodeAt(before);
  return code === COLON || code === COMMA || code === OPENING_BRACKET;
}

/** A number as JSON.parse reads it, except an integer too large to be exact, which becomes a BigInt. */
function parseNumber(text: string): number | bigint {
  const number = Number(text);
  if (Number.isSafeInteger(number) || !INTEGER_LITERAL.test(text)) return number;
  return BigInt(text);
}

/** JSON.parse keeps the last of duplicate keys; lossless-json would throw. */
function lastValueWins({ newValue }: { newValue: unknown }): unknown {
  return newValue;
}

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const COLON = 58;
const COMMA = 44;
const OPENING_BRACKET = 91;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Where a text stops being JSON, as `line 3, column 8` (1-based), for error messages about a file: Node 20's
 * `JSON.parse` names no position, the lossless parser does. Undefined when the text is valid JSON. Only the
 * position is given, never the text around it (a config file holds secrets).
 */
export function jsonSyntaxPosition(text: string): string | undefined {
  try {
    parseLossless(text);
    return undefined;
  } catch (error) {
    const position = Number(/at position (\d+)/.exec(String((error as Error).message))?.[1] ?? Number.NaN);
    if (Number.isNaN(position)) return 'somewhere';
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return `line ${line}, column ${column}`;
  }
}
