import PQueue from 'p-queue';

/**
 * Proactive, workspace-wide request budget: at most `requestsPerSecond` request starts in any rolling
 * window (p-queue's strict sliding window). Every HTTP attempt, retries included, takes a slot.
 */
export class RateLimiter {
  readonly #queue: PQueue;

  constructor(requestsPerSecond: number, safetyMarginMs = 30) {
    // p-queue needs an integer cap: spread fractional rates over a longer interval.
    const intervalCap = Math.max(1, Math.round(requestsPerSecond));
    const interval = Math.ceil((1000 * intervalCap) / requestsPerSecond) + safetyMarginMs;
    this.#queue = new PQueue({ interval, intervalCap, strict: true });
  }

  /** Resolves when the caller may send one request. */
  async acquire(): Promise<void> {
    await this.#queue.add(() => undefined);
  }

  get waiting(): number {
    return this.#queue.size;
  }
}
