import type { HttpClient, RetryNotice } from './http-client.js';
import type { Emitter } from './protocol.js';

/**
 * Turns the client's notices into LOG messages and stream statuses: while a stream's request waits out a
 * 429 pause, the stream is RUNNING with a RATE_LIMITED reason (quota_reset = when the pause ends); when
 * that request is answered again, it is RUNNING without a reason.
 */
export function reportRetries(client: Pick<HttpClient, 'onRetry' | 'onResume'>, emitter: Emitter): void {
  /** Streams last reported RATE_LIMITED, with the quota_reset reported. */
  const limited = new Map<string, number>();
  client.onRetry(async (notice) => {
    await emitter.log('WARN', retryMessage(notice));
    const stream = notice.stream;
    if (!notice.rateLimited || stream === undefined) return;
    const resetAt = Date.now() + Math.round(notice.delayMs);
    // Concurrent requests of one stream hit by the same pause report it once.
    const reported = limited.get(stream);
    if (reported !== undefined && Math.abs(reported - resetAt) < 1000) return;
    limited.set(stream, resetAt);
    await emitter.streamStatus(stream, 'RUNNING', [
      { type: 'RATE_LIMITED', rate_limited: { quota_reset: resetAt } },
    ]);
  });
  client.onResume(async (stream) => {
    if (!limited.delete(stream)) return;
    await emitter.streamStatus(stream, 'RUNNING');
  });
}

export function retryMessage(notice: RetryNotice): string {
  const seconds = (notice.delayMs / 1000).toFixed(1);
  const who = notice.stream ?? 'request';
  if (!notice.rateLimited) {
    const asked =
      notice.retryAfterMs === undefined ? '' : ` ${retryAfterNote(notice, '(as Retry-After asked)')}`;
    return `${who}: ${notice.reason} on ${notice.path}; retry ${notice.attempt} of ${notice.maxRetries} in ${seconds} s${asked}.`;
  }
  const why = notice.quotaExhausted
    ? " without Retry-After (likely the workspace's daily request quota: waiting longer)"
    : ' (rate limited: the workspace budget is shared with other tools)';
  const capped = retryAfterNote(notice, '');
  return `${who}: ${notice.reason} on ${notice.path}${why}; every request pauses ${seconds} s${capped === '' ? '' : ` ${capped}`}, then goes on at ${notice.requestsPerSecond.toFixed(1)} requests/second.`;
}

/** Says what the server asked for when the wait is shorter (capped); otherwise `uncapped`. */
function retryAfterNote(notice: RetryNotice, uncapped: string): string {
  const asked = notice.retryAfterMs;
  if (asked === undefined || asked <= notice.delayMs) return uncapped;
  return `(Retry-After asked for ${Math.round(asked / 1000)} s, capped at ${Math.round(notice.delayMs / 1000)} s)`;
}
