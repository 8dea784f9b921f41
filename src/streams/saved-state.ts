import type { JsonObject } from '@cio-connectors/kit/json';
import { type CursorInput, cursorSeconds, isoDay } from '../cursors.js';

/** State key of streams with a retention: the start (epoch seconds) of the last sync that read them to the end. */
const SYNCED_AT = 'synced_at';

/** What a warning about a saved state needs of its stream. */
interface SavedStateStream {
  retentionSeconds: number | undefined;
  cursorField: string | undefined;
}

/**
 * What to warn about before reading from `run.saved`: positions later than the sync's start (`future`, as the
 * cursor found them), and a history older than Customer.io keeps. Each is a sentence for the stream's WARN line.
 */
export function savedStateWarnings(
  stream: SavedStateStream,
  run: CursorInput,
  future: readonly string[],
  now: number,
): string[] {
  const warnings: string[] = [];
  if (future.length > 0) {
    const start = new Date(run.syncStart * 1000).toISOString();
    warnings.push(
      `the saved state's ${namedFew(future)}, later than this sync's start (${start}): no sync can have reached it, so it is ignored and the stream reads from the sync's start minus its lookback (a full refresh reads everything). Reset this stream's state to read its history again.`,
    );
  }
  const retention = retentionWarning(stream, run, now);
  if (retention !== undefined) warnings.push(retention);
  return warnings;
}

/**
 * Streams whose history Customer.io forgets keep, beside the cursor, when the last sync that read them to the
 * end started (`synced_at`): the cursor is the newest record's time, which says nothing about how long ago
 * the sync ran. Checkpoints carry the previous value forward; the end of a read sets this sync's start.
 */
export function withSyncTime(
  retentionSeconds: number | undefined,
  run: CursorInput,
  state: JsonObject,
  finished: boolean,
): JsonObject {
  if (retentionSeconds === undefined || run.syncMode !== 'incremental') return state;
  const syncedAt = finished ? run.syncStart : cursorSeconds(run.saved?.[SYNCED_AT]);
  return syncedAt === undefined ? state : { ...state, [SYNCED_AT]: syncedAt };
}

function retentionWarning(
  { retentionSeconds, cursorField }: SavedStateStream,
  run: CursorInput,
  now: number,
): string | undefined {
  if (run.syncMode !== 'incremental' || retentionSeconds === undefined || cursorField === undefined)
    return undefined;
  const oldest = now - retentionSeconds;
  const days = Math.round(retentionSeconds / 86_400);
  const syncedAt = cursorSeconds(run.saved?.[SYNCED_AT]);
  if (syncedAt !== undefined) {
    if (syncedAt >= oldest) return undefined;
    return `the last sync ran more than ${days} days ago (${isoDay(syncedAt)}) and Customer.io keeps about ${days} days of this history, so some may be lost. Sync more often.`;
  }
  // A state saved before `synced_at` existed: only the newest record's time is known.
  const newest = cursorSeconds(run.saved?.[cursorField]);
  if (newest === undefined || newest >= oldest) return undefined;
  return `the newest record in the saved state is more than ${days} days old (${isoDay(newest)}) and the state does not say when the last sync ran; if that was more than ${days} days ago, some of this history may be lost (Customer.io keeps about ${days} days).`;
}

function namedFew(items: readonly string[]): string {
  const more = items.length - 3;
  return more > 0 ? `${items.slice(0, 3).join(', ')} and ${more} more` : items.join(', ');
}
