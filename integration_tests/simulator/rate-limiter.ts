export const RATE_WINDOW_MS = 1000;

/**
 * The App API's workspace-wide limit: at most `limit` admitted requests in any sliding window of
 * one second. Rejected requests do not enter the window, so a client that keeps retrying too early keeps
 * being rejected only while the window is full.
 */
export class SlidingWindowRateLimiter {
  #limit: number | null;
  readonly #admittedAt: number[] = [];

  constructor(limit: number | null) {
    this.#limit = limit;
  }

  get limit(): number | null {
    return this.#limit;
  }

  setLimit(limit: number | null): void {
    this.#limit = limit;
  }

  /** Admits (and records) the request at `nowMs`, or returns false when the window is full. */
  tryAdmit(nowMs: number): boolean {
    if (this.#limit === null) return true;
    while (this.#admittedAt.length > 0 && (this.#admittedAt[0] ?? 0) <= nowMs - RATE_WINDOW_MS) {
      this.#admittedAt.shift();
    }
    if (this.#admittedAt.length >= this.#limit) return false;
    this.#admittedAt.push(nowMs);
    return true;
  }
}
