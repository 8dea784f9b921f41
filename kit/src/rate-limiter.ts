import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { onAbort } from './abort.js';

/** One request's place in the budget: settled when its bytes reach the socket, or when it never goes out. */
export interface SendTicket {
  /** When the request was handed to the OS; undefined while it waits for a socket, or if it never went out. */
  readonly sentAt: number | undefined;
  sent(): void;
  unsent(): void;
}

export interface RateLimiterOptions {
  /** Added to every window, for the jitter between our send and the server's clock. Default 30 ms. */
  marginMs?: number;
  /** The rate never drops below this. Default 0.5 requests/second. */
  minRequestsPerSecond?: number;
  /** Monotonic milliseconds; tests pass a fake clock. */
  now?: () => number;
}

/** Rate kept on a 429 (multiplicative decrease). */
const DECREASE_FACTOR = 0.7;
/**
 * Rate kept on the first 429 after a calm period: at the configured rate against a server allowing exactly
 * that, an isolated 429 is clock jitter, not a smaller budget; a smaller budget brings the next 429 soon. The
 * cut is small because its cost is paid on every such 429 of a long sync: 0.95 costs about one request of
 * budget while the rate climbs back (slowly, it is near the ceiling), where 0.9 cost about five.
 */
const CALM_DECREASE_FACTOR = 0.95;
const CALM_MS = 30_000;
/** Climb back, in requests/second per second of successes, while well below the rate that last drew a 429. */
const FAST_CLIMB = 1;
/** Climb near or above that rate: slow probing, so a shared budget is not overrun every few seconds. */
const SLOW_CLIMB = 0.1;
/** Below this share of the last throttled rate, the climb is fast. */
const FAST_CLIMB_UNTIL = 0.9;
/**
 * Consecutive sends are at least this share of the even spacing apart: no bursts, so the server never
 * queues our requests behind each other (a queue delays its clock for some of them and not others), yet a
 * late send can still be caught up within the window.
 */
const MIN_GAP_SHARE = 0.5;
/** Below this, a gap is not worth a timer (very high configured rates, such as tests use). */
const MIN_GAP_MS = 5;

interface Waiter {
  resolve: (ticket: SendTicket) => void;
  /** Stops listening for the waiter's signal. */
  unregister: () => void;
}

/**
 * The workspace's request budget, shared by every attempt of the run (retries included), measured on send
 * times: at most ⌈rate⌉ requests in any window of ⌈rate⌉ ÷ rate seconds plus a margin, where a request
 * counts from the moment its bytes go out (a request still waiting for a socket holds its place until
 * then), which is what the server's own sliding window sees; and no bursts (see MIN_GAP_SHARE).
 *
 * The rate adapts (AIMD): a 429 pauses every request until Retry-After and cuts the rate; each answer
 * that is not a 429 climbs it back, quickly up to near the rate that drew the 429, then slowly, up to the
 * configured maximum.
 */
export class RateLimiter {
  readonly #maxRate: number;
  readonly #minRate: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #waiters: Waiter[] = [];
  /** Send times, oldest first (tickets settle in time order, so appending keeps the order). */
  readonly #sentTimes: number[] = [];
  readonly #pending = new Set<Ticket>();
  #rate: number;
  #ceiling: number;
  #pausedUntil = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(requestsPerSecond: number, options: RateLimiterOptions = {}) {
    this.#maxRate = requestsPerSecond;
    this.#minRate = Math.min(requestsPerSecond, options.minRequestsPerSecond ?? 0.5);
    this.#marginMs = options.marginMs ?? 30;
    this.#now = options.now ?? (() => performance.now());
    this.#rate = requestsPerSecond;
    this.#ceiling = requestsPerSecond;
  }

  /** The current rate, in requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Until when every request waits (monotonic ms, as `now`); in the past when not paused. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Resolves when the caller may send one request; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<SendTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<SendTicket>((resolve, reject) => {
      const waiter: Waiter = { resolve, unregister: () => undefined };
      // Through onAbort: a stream's waiting requests share one listener on its signal.
      if (signal !== undefined)
        waiter.unregister = onAbort(signal, () => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal.reason);
        });
      this.#waiters.push(waiter);
      this.#release();
    });
  }

  /**
   * A 429: every request waits `pauseMs`, and the rate drops (see DECREASE_FACTOR), once per burst: a 429 to
   * a request sent before the last decrease says nothing about the rate since.
   */
  throttled(ticket: SendTicket | undefined, pauseMs: number): void {
    const now = this.#now();
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    const sentAt = ticket?.sentAt ?? now;
    if (sentAt > this.#lastDecreaseAt) {
      const calm = now - this.#lastDecreaseAt > CALM_MS;
      this.#ceiling = this.#rate;
      this.#rate = Math.max(this.#minRate, this.#rate * (calm ? CALM_DECREASE_FACTOR : DECREASE_FACTOR));
      this.#lastDecreaseAt = now;
    }
    this.#release();
  }

  /** An answer that was not a 429: the rate climbs back by a step per second's worth of answers. */
  succeeded(): void {
    if (this.#rate >= this.#maxRate) return;
    const perSecond = this.#rate < FAST_CLIMB_UNTIL * this.#ceiling ? FAST_CLIMB : SLOW_CLIMB;
    this.#rate = Math.min(this.#maxRate, this.#rate + perSecond / this.#rate);
  }

  /** @internal Called by tickets. */
  settle(ticket: Ticket, sentAt: number | undefined): void {
    if (!this.#pending.delete(ticket)) return;
    if (sentAt !== undefined) {
      this.#sentTimes.push(sentAt);
      // Only the last ⌈max rate⌉ sends can ever fill a window.
      if (this.#sentTimes.length > Math.ceil(this.#maxRate)) this.#sentTimes.shift();
    }
    this.#release();
  }

  /** Hands out as many tickets as the budget allows now, and sets a timer for the next one. */
  #release(): void {
    while (this.#waiters.length > 0) {
      const now = this.#now();
      const waitMs = this.#waitMs(now);
      if (waitMs === undefined) return; // a pending ticket's settling calls back
      if (waitMs > 0) {
        this.#schedule(now + waitMs);
        return;
      }
      const waiter = this.#waiters.shift() as Waiter;
      waiter.unregister();
      const ticket = new Ticket(this, this.#now);
      this.#pending.add(ticket);
      waiter.resolve(ticket);
    }
  }

  /** 0 when a request may go now; how long until one may; undefined when only an unsent request can free a place. */
  #waitMs(now: number): number | undefined {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    const cap = Math.max(1, Math.ceil(this.#rate));
    const windowMs = (1000 * cap) / this.#rate + this.#marginMs;
    const gapMs = (MIN_GAP_SHARE * windowMs) / cap;
    const lastSend = Math.max(
      this.#sentTimes.at(-1) ?? Number.NEGATIVE_INFINITY,
      ...Array.from(this.#pending, (ticket) => ticket.releasedAt),
    );
    if (gapMs >= MIN_GAP_MS && now < lastSend + gapMs) return lastSend + gapMs - now;
    const inWindow = this.#sentTimes.filter((at) => at > now - windowMs);
    const occupied = inWindow.length + this.#pending.size;
    if (occupied < cap) return 0;
    // The window frees a place when enough of its oldest sends leave it.
    const leaving = inWindow[occupied - cap];
    return leaving === undefined ? undefined : Math.max(1, leaving + windowMs - now);
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#release();
      },
      Math.ceil(at - this.#now()),
    );
  }
}

class Ticket implements SendTicket {
  readonly #limiter: RateLimiter;
  readonly #now: () => number;
  readonly releasedAt: number;
  #sentAt: number | undefined;
  #settled = false;

  constructor(limiter: RateLimiter, now: () => number) {
    this.#limiter = limiter;
    this.#now = now;
    this.releasedAt = now();
  }

  get sentAt(): number | undefined {
    return this.#sentAt;
  }

  sent(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#sentAt = this.#now();
    this.#limiter.settle(this, this.#sentAt);
  }

  unsent(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#limiter.settle(this, undefined);
  }
}

/**
 * Node's own http(s) request, telling the ticket when the request's bytes were handed to the OS (or that
 * they never were), so the rate limiter counts each request from when it really left.
 */
export function sendTimeTransport(ticket: SendTicket) {
  return {
    request(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) {
      const request = (options.protocol === 'https:' ? https : http).request(options, callback);
      request.once('finish', () => ticket.sent());
      request.once('close', () => ticket.unsent());
      return request;
    },
  };
}
