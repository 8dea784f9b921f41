/** A date-time without an offset: read as UTC, whatever the machine's time zone. */
const NAIVE_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
/** Past this, a number is milliseconds (1e11 seconds is the year 5138); past 1e14, microseconds. */
const MILLISECONDS_FROM = 1e11;
const MICROSECONDS_FROM = 1e14;

/**
 * Unix seconds from what warehouses write: seconds, milliseconds or microseconds since the epoch (numbers or
 * digits), or ISO 8601 text. Undefined when the value is none of these, or not after the epoch.
 */
export function unixSeconds(value: unknown): number | undefined {
  let seconds: number;
  if (typeof value === 'number' || typeof value === 'bigint') seconds = fromNumber(Number(value));
  else if (typeof value === 'string' && NUMERIC.test(value.trim()))
    seconds = fromNumber(Number(value.trim()));
  else if (typeof value === 'string') {
    const text = value.trim();
    const millis = Date.parse(NAIVE_DATE_TIME.test(text) ? `${text.replace(' ', 'T')}Z` : text);
    seconds = millis / 1000;
  } else return undefined;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.floor(seconds);
}

function fromNumber(number: number): number {
  const size = Math.abs(number);
  if (size >= MICROSECONDS_FROM) return number / 1e6;
  if (size >= MILLISECONDS_FROM) return number / 1000;
  return number;
}
