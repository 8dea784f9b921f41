import { RateLimiter, type SendTicket } from '@cio-connectors/kit/rate-limiter';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

// Fake timers and a fake clock: every time below is exact, whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function limiter(requestsPerSecond: number, marginMs = 30): RateLimiter {
  return new RateLimiter(requestsPerSecond, { marginMs, now: () => Date.now() });
}

/** Acquires `count` tickets at once; each is marked sent the moment it is handed out. Returns the send times. */
function sendAll(rateLimiter: RateLimiter, count: number): number[] {
  const sentAt: number[] = [];
  for (let i = 0; i < count; i++) {
    void rateLimiter.acquire().then((ticket) => {
      ticket.sent();
      sentAt.push(Date.now());
    });
  }
  return sentAt;
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));
}

describe('RateLimiter', () => {
  test('never sends more than the rate in any rolling second, measured on send times', async () => {
    const sentAt = sendAll(limiter(10), 45);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sentAt).toHaveLength(45);
    expect(maxInAnyWindow(sentAt, 1000 + 30)).toBeLessThanOrEqual(10);
    // And it is not slower than it needs to be: 45 requests in four full windows and a few gaps.
    expect(sentAt.at(-1)).toBeLessThanOrEqual(4 * 1030 + 5 * 52);
  });

  test('sends no bursts: consecutive sends are at least half the even spacing apart', async () => {
    const sentAt = sendAll(limiter(10), 10);
    await vi.advanceTimersByTimeAsync(2000);
    const gaps = sentAt.slice(1).map((at, index) => at - (sentAt[index] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(51);
    // Still within one window: a late send can be caught up.
    expect(sentAt.at(-1)).toBeLessThan(1000);
  });

  test('a request waiting for its socket holds its place until it is really sent', async () => {
    const rateLimiter = limiter(2);
    const tickets: SendTicket[] = [];
    for (let i = 0; i < 3; i++) void rateLimiter.acquire().then((ticket) => tickets.push(ticket));
    await vi.advanceTimersByTimeAsync(300);
    expect(tickets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000);
    // Neither of the first two has gone out yet: the third may not go either.
    expect(tickets).toHaveLength(2);
    tickets[0]?.sent();
    tickets[1]?.sent();
    await vi.advanceTimersByTimeAsync(1029);
    expect(tickets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(tickets).toHaveLength(3);
  });

  test('a request that never went out frees its place at once', async () => {
    const rateLimiter = limiter(1);
    const first = await rateLimiter.acquire();
    let second: SendTicket | undefined;
    void rateLimiter.acquire().then((ticket) => {
      second = ticket;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(second).toBeUndefined();
    first.unsent();
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBeDefined();
  });

  test('a 429 pauses every request until Retry-After and cuts the rate once per burst', async () => {
    const rateLimiter = limiter(10);
    const sending = Promise.all(
      Array.from({ length: 5 }, () =>
        rateLimiter.acquire().then((ticket) => {
          ticket.sent();
          return ticket;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(1000);
    const burst = await sending;
    // Three of the burst, all sent before the first 429 came back at 1000, are answered 429: one decrease,
    // a small one since nothing was throttled before.
    for (const ticket of burst.slice(0, 3)) rateLimiter.throttled(ticket, 2000);
    expect(rateLimiter.rate).toBe(9.5);
    const sentAt = sendAll(rateLimiter, 3);
    await vi.advanceTimersByTimeAsync(1999);
    expect(sentAt).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentAt.length).toBeGreaterThan(0);
    expect(Math.min(...sentAt)).toBe(3000);
    // A 429 to a request sent after the decrease lowers the rate again.
    const acquiring = rateLimiter.acquire();
    await vi.advanceTimersByTimeAsync(2000);
    const later = await acquiring;
    later.sent();
    rateLimiter.throttled(later, 1000);
    expect(rateLimiter.rate).toBeCloseTo(6.65);
  });

  test('successes climb back quickly to near the rate that drew the 429, then slowly, never above the maximum', () => {
    const rateLimiter = limiter(10);
    vi.advanceTimersByTime(60_000);
    rateLimiter.throttled(undefined, 0);
    vi.advanceTimersByTime(1000);
    rateLimiter.throttled(undefined, 0);
    expect(rateLimiter.rate).toBeCloseTo(6.65);
    let answers = 0;
    while (rateLimiter.rate < 8) {
      rateLimiter.succeeded();
      answers += 1;
    }
    // About one request/second gained per second of answers while far below.
    expect(answers).toBeLessThan(40);
    const fastAnswers = answers;
    while (rateLimiter.rate < 10) {
      rateLimiter.succeeded();
      answers += 1;
    }
    expect(answers - fastAnswers).toBeGreaterThan(3 * fastAnswers);
    for (let i = 0; i < 100; i++) rateLimiter.succeeded();
    expect(rateLimiter.rate).toBe(10);
  });

  test('the rate never drops below the floor', () => {
    const rateLimiter = limiter(4);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(1);
      rateLimiter.throttled(undefined, 0);
    }
    expect(rateLimiter.rate).toBe(0.5);
  });

  test('a waiting request whose stream ends is rejected and gives up its turn', async () => {
    const rateLimiter = limiter(1);
    (await rateLimiter.acquire()).sent();
    const ended = new AbortController();
    const waiting = rateLimiter.acquire(ended.signal);
    ended.abort(new Error('stream ended'));
    await expect(waiting).rejects.toThrow('stream ended');
    const sentAt = sendAll(rateLimiter, 1);
    await vi.advanceTimersByTimeAsync(1030);
    expect(sentAt).toEqual([1030]);
  });
});
