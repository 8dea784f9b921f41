/** ISO 8601 dates and date-times (a space may stand for the T); without an offset, read as UTC. */
const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
/** Past this, a number is milliseconds (1e11 seconds is the year 5138); past 1e14, microseconds. */
const MILLISECONDS_FROM = 1e11;
const MICROSECONDS_FROM = 1e14;

/**
 * Unix seconds from what warehouses write: seconds, milliseconds or microseconds since the epoch (numbers or
 * digits), or ISO 8601 text (a date, or a date-time, UTC unless it has an offset). Undefined when the value is
 * none of these (other date formats are ambiguous: 12/01/2026), or not after the epoch.
 */
export function unixSeconds(value: unknown): number | undefined {
  let seconds: number;
  if (typeof value === 'number' || typeof value === 'bigint') seconds = fromNumber(Number(value));
  else if (typeof value === 'string' && NUMERIC.test(value.trim()))
    seconds = fromNumber(Number(value.trim()));
  else if (typeof value === 'string') {
    const parts = ISO_DATE_TIME.exec(value.trim());
    if (parts === null) return undefined;
    const [, date, time = '00:00:00', offset = 'Z'] = parts;
    seconds = Date.parse(`${date}T${time}${isoOffset(offset)}`) / 1000;
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

/** `Z`, or `±HH:MM` from `±HH`, `±HHMM` or `±HH:MM`. */
function isoOffset(offset: string): string {
  if (offset.toUpperCase() === 'Z') return 'Z';
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}
