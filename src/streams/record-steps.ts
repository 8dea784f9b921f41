import type { JsonObject } from '@cio-connectors/kit/json';
import { expectObject } from '../pagination.js';
import type { SliceAnswer } from './base.js';

/** Record steps of the table's entries (index.ts) that need more than a line. */

/** Removes `user:password@` from a URL so credentials embedded in webhook endpoints never leave the connector. */
export function withoutCredentials(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}

const LINE = /^line (\d+):\s*/;

/** One error string of a broadcast trigger as a record: its place in the list, the data file line it names, the text. */
export function triggerError(error: unknown, index: number): JsonObject {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  const line = LINE.exec(text)?.[1];
  return { index, line: line === undefined ? null : Number(line), error: text };
}

/** GET /v1/segments/{id}/used_by as segment_usage's one record. */
export function segmentUsage({ path, body }: SliceAnswer): JsonObject[] {
  const usedBy = expectObject(body, ['used_by'], path);
  return [
    {
      segment_id: body.segment_id ?? null,
      campaigns: usedBy.campaigns ?? [],
      draft_newsletters: usedBy.draft_newsletters ?? [],
      sent_newsletters: usedBy.sent_newsletters ?? [],
    },
  ];
}
