import type { CustomerIoClient } from './http-client.js';
import type { Emitter } from './protocol.js';

/** Turns the client's retry notices into LOG messages and, for 429s, RATE_LIMITED stream statuses. */
export function reportRetries(client: CustomerIoClient, emitter: Emitter): void {
  client.onRetry(async (notice) => {
    const seconds = (notice.delayMs / 1000).toFixed(1);
    const stream = notice.stream;
    const quota = notice.quotaExhausted
      ? " without Retry-After (likely the workspace's daily request quota: waiting longer)"
      : '';
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
