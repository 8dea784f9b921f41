// Cursor pagination as the App API does it: `start` in, `next` out, both opaque base64-looking tokens.
// Live tokens look like "MQ==" (base64 of "1"); ours are base64 of the decimal offset, which keeps the
// `=` padding a client must URL-encode.

export function encodePageToken(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64');
}

/** The offset a `start` token stands for; undefined when the token is not one we issued. */
export function decodePageToken(token: string): number | undefined {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (!/^(0|[1-9]\d*)$/.test(decoded) || encodePageToken(Number(decoded)) !== token) return undefined;
  return Number(decoded);
}

/** Offset from an optional `start` parameter: 0 when absent or empty, undefined when malformed. */
export function startOffset(start: string | null): number | undefined {
  return start === null || start === '' ? 0 : decodePageToken(start);
}

export interface Page<T> {
  items: T[];
  /** Offset of the following page, or undefined when this page reaches the end. */
  nextOffset: number | undefined;
}

export function pageAt<T>(items: readonly T[], offset: number, size: number): Page<T> {
  const end = offset + size;
  return { items: items.slice(offset, end), nextOffset: end < items.length ? end : undefined };
}

/** `next` as the API sends it: the token of the next page, or "" on the last one. */
export function nextToken(nextOffset: number | undefined): string {
  return nextOffset === undefined ? '' : encodePageToken(nextOffset);
}

export type LimitParse = { ok: true; limit: number } | { ok: false };

/** `limit` query parameter: default when absent, clamped to max, rejected when not a positive integer. */
export function parseLimit(raw: string | null, defaultSize: number, maxSize: number): LimitParse {
  if (raw === null || raw === '') return { ok: true, limit: defaultSize };
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return { ok: false };
  return { ok: true, limit: Math.min(Number(raw), maxSize) };
}
