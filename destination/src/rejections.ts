import type { LogLevel } from '@cio-connectors/kit/protocol';
import type { Rejection } from './entries.js';

/** Rejections logged one by one; past this, only counted per reason. */
export const LOGGED_REJECTIONS = 100;

/**
 * Reports rejected records: each of the first 100 as a WARN line naming its stream, matching key, field and
 * reason (never its other values: they are personal data), then a count per reason.
 */
export class RejectionReport {
  readonly #log: (level: LogLevel, message: string) => unknown;
  readonly #byReason = new Map<string, number>();
  #total = 0;

  constructor(log: (level: LogLevel, message: string) => unknown) {
    this.#log = log;
  }

  add(label: string, rejection: Rejection, by: 'connector' | 'Customer.io'): void {
    this.#total += 1;
    const reason = `${rejection.field}: ${rejection.reason}`;
    this.#byReason.set(reason, (this.#byReason.get(reason) ?? 0) + 1);
    if (this.#total <= LOGGED_REJECTIONS) {
      const who = by === 'connector' ? 'before sending' : 'by Customer.io';
      this.#log('WARN', `Rejected ${who}: a record of ${label}: ${reason}.`);
    }
    if (this.#total === LOGGED_REJECTIONS)
      this.#log(
        'WARN',
        `${LOGGED_REJECTIONS} records rejected: further rejections are counted per reason, logged at the end.`,
      );
  }

  get total(): number {
    return this.#total;
  }

  /** The commonest reason and how many records it rejected. */
  commonest(): { reason: string; count: number } | undefined {
    let best: { reason: string; count: number } | undefined;
    for (const [reason, count] of this.#byReason)
      if (best === undefined || count > best.count) best = { reason, count };
    return best;
  }

  /** One line: how many records were rejected, per reason, commonest first. */
  summary(): string | undefined {
    if (this.#total === 0) return undefined;
    const reasons = [...this.#byReason]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${count} × ${reason}`);
    return `${this.#total} record${this.#total === 1 ? '' : 's'} rejected: ${reasons.join('; ')}.`;
  }
}
