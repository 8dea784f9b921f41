import type { ConfiguredStream } from './catalog.js';
import { asConnectorError } from './errors.js';
import type { CustomerIoClient } from './http-client.js';
import { PartitionCache } from './partitions.js';
import type { Emitter, JsonObject } from './protocol.js';
import { ChildStream, type Stream, type StreamContext } from './streams/base.js';

/** State a full-refresh stream ends with: it has no cursor, the next sync reads everything again. */
export const FULL_REFRESH_COMPLETE_STATE: JsonObject = { __ab_no_cursor_state_message: true };

/**
 * Reads the configured streams one after another. Each gets STARTED, RUNNING at its first record, a STATE
 * counting its records, then COMPLETE; a stream that fails gets INCOMPLETE and an ERROR trace, and the
 * others still run. Returns whether every stream completed.
 */
export async function readStreams(
  configured: readonly ConfiguredStream[],
  base: Omit<StreamContext, 'log' | 'partitions'>,
  emitter: Emitter,
): Promise<boolean> {
  let current: string | undefined;
  reportRetries(base.client, emitter, () => current);
  const cache = new PartitionCache();
  const context: StreamContext = {
    ...base,
    log: (level, message) => emitter.log(level, message),
    partitions: (stream) => cache.partitions(stream, context),
  };
  const ordered = parentsFirst(configured);
  const parentsNeeded = new Set(
    ordered.flatMap(({ stream }) => ancestors(stream).map((parent) => parent.name)),
  );
  const failed: string[] = [];
  for (const { stream } of ordered) {
    current = stream.name;
    const recorder = parentsNeeded.has(stream.name) ? cache.recorder(stream) : undefined;
    await emitter.streamStatus(stream.name, 'STARTED');
    let count = 0;
    try {
      for await (const record of stream.readRecords(context)) {
        if (count === 0) await emitter.streamStatus(stream.name, 'RUNNING');
        count += 1;
        recorder?.add(record);
        await emitter.record(stream.name, record);
      }
      recorder?.complete();
      await emitter.state(stream.name, FULL_REFRESH_COMPLETE_STATE, count);
      await emitter.streamStatus(stream.name, 'COMPLETE');
      await emitter.log('INFO', `${stream.name}: read ${count} records.`);
    } catch (error) {
      const failure = asConnectorError(error);
      failed.push(stream.name);
      await emitter.streamStatus(stream.name, 'INCOMPLETE');
      await emitter.error(`${stream.name}: ${failure.message}`, failure.failureType, {
        internal: failure.internalMessage,
        stream: stream.name,
      });
    }
  }
  current = undefined;
  if (failed.length > 0) {
    await emitter.log(
      'ERROR',
      `These streams did not finish: ${failed.join(', ')}. The other streams completed.`,
    );
  }
  return failed.length === 0;
}

function ancestors(stream: Stream): Stream[] {
  return stream instanceof ChildStream ? [stream.parent, ...ancestors(stream.parent)] : [];
}

/** Parents before their children, so a parent read for its own sake also serves its children. */
function parentsFirst(configured: readonly ConfiguredStream[]): ConfiguredStream[] {
  return configured
    .map((entry, index) => ({ entry, index, depth: ancestors(entry.stream).length }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map(({ entry }) => entry);
}

function reportRetries(
  client: CustomerIoClient,
  emitter: Emitter,
  currentStream: () => string | undefined,
): void {
  client.onRetry(async (notice) => {
    const seconds = (notice.delayMs / 1000).toFixed(1);
    const stream = currentStream();
    const quota =
      notice.rateLimited && notice.delayMs >= 30_000 ? ' (no Retry-After: likely the daily quota)' : '';
    await emitter.log(
      'WARN',
      `${stream ?? 'request'}: ${notice.reason} on ${notice.path}${quota}; retry ${notice.attempt} of ${notice.maxRetries} in ${seconds} s.`,
    );
    if (notice.rateLimited && stream !== undefined) {
      await emitter.streamStatus(stream, 'RUNNING', [
        { type: 'RATE_LIMITED', rate_limited: { quota_reset: Date.now() + Math.round(notice.delayMs) } },
      ]);
    }
  });
}
